import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { awsError, epochSeconds, hang, ok, paginate, useFakeCodePipeline } from './fake-codepipeline-server';
import { syntheticHistory } from './synthetic-history';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { PipelineOperations } from '../../src/runtime/operations-client';

/**
 * Reliability over the wire: the SDK's own stack (JSON 1.1 serialization, SigV4, retry strategy, request timeout,
 * error parsing, paginators) against a local server on 127.0.0.1.
 */

const PIPELINE = 'my-app';
const PIPELINE_STATE = {
  pipelineName: PIPELINE,
  pipelineVersion: 3,
  created: epochSeconds('2025-01-01T00:00:00Z'),
  stageStates: [{
    stageName: 'Production',
    inboundTransitionState: { enabled: true },
    latestExecution: { pipelineExecutionId: 'exec-1', status: 'InProgress' },
    actionStates: [{ actionName: 'Approve', latestExecution: { status: 'InProgress', token: 'tok-1', lastStatusChange: epochSeconds('2025-03-01T10:00:00Z') } }],
  }],
};

const fake = useFakeCodePipeline();

function operations(options: { maxAttempts?: number; requestTimeout?: number } = {}): PipelineOperations {
  const client = new CodePipelineClient({
    region: 'eu-west-1',
    endpoint: fake.server.endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: options.maxAttempts,
    requestHandler: { requestTimeout: options.requestTimeout ?? 5000, throwOnRequestTimeout: true },
  });
  return new PipelineOperations({ client, pipelineName: PIPELINE });
}

describe('JSON 1.1 protocol', () => {
  test('GIVEN the SDK WHEN it calls GetPipelineState THEN the request is signed JSON 1.1 and epoch timestamps come back as dates', async () => {
    fake.handler = (op) => op === 'GetPipelineState' ? ok(PIPELINE_STATE) : ok({ approvedAt: epochSeconds('2025-03-01T11:00:00Z') });

    const outcome = await operations().approve({ summary: 'wire ok' });

    const requests = fake.server.requests.map((r) => [r.target, r.contentType]);
    expect(requests[0]).toEqual(['CodePipeline_20150709.GetPipelineState', 'application/x-amz-json-1.1']);
    // Between them, three reads in parallel (any order) describe the release the approval is for (approval-release.ts).
    expect(requests.slice(1, -1).sort()).toEqual(['GetPipelineExecution', 'ListActionExecutions', 'ListPipelineExecutions']
      .map((op) => [`CodePipeline_20150709.${op}`, 'application/x-amz-json-1.1']));
    expect(requests[requests.length - 1]).toEqual(['CodePipeline_20150709.PutApprovalResult', 'application/x-amz-json-1.1']);
    expect(fake.server.requests[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/codepipeline\/aws4_request/);
    expect(fake.server.calls('PutApprovalResult')[0].body).toEqual({
      pipelineName: PIPELINE, stageName: 'Production', actionName: 'Approve', token: 'tok-1', result: { status: 'Approved', summary: 'wire ok' },
    });
    expect(outcome.decidedAt).toBe('2025-03-01T11:00:00.000Z');
  });
});

describe('retries (SDK standard retry strategy)', () => {
  test('GIVEN two ThrottlingExceptions WHEN status is read THEN the SDK retries and the third request succeeds', async () => {
    fake.handler = (op) => {
      if (op !== 'GetPipelineState') return ok({ metadata: {}, pipeline: { name: PIPELINE, stages: [] } });
      return fake.server.calls('GetPipelineState').length <= 2 ? awsError(400, 'ThrottlingException', 'Rate exceeded') : ok(PIPELINE_STATE);
    };

    const status = await operations().status();

    expect(fake.server.calls('GetPipelineState')).toHaveLength(3);
    expect(status.pendingApprovals.map((a) => a.token)).toEqual(['tok-1']);
  });

  test('GIVEN a 500 then a 503 WHEN status is read THEN both are retried', async () => {
    fake.handler = (op) => {
      if (op !== 'GetPipelineState') return ok({ metadata: {}, pipeline: { name: PIPELINE, stages: [] } });
      const n = fake.server.calls('GetPipelineState').length;
      if (n === 1) return awsError(500, 'InternalFailure', 'boom');
      if (n === 2) return awsError(503, 'ServiceUnavailableException', 'try later');
      return ok(PIPELINE_STATE);
    };

    const status = await operations().status();

    expect(fake.server.calls('GetPipelineState')).toHaveLength(3);
    expect(status.stages.map((s) => s.stageName)).toEqual(['Production']);
  });

  test('GIVEN a server that keeps failing with 500 WHEN called THEN it gives up after maxAttempts with the count in the message', async () => {
    fake.handler = () => awsError(500, 'InternalFailure', 'still broken');

    await expect(operations({ maxAttempts: 2 }).release()).rejects.toMatchObject({
      code: DeliveryErrorCode.FAILED,
      message: "StartPipelineExecution on pipeline 'my-app' failed (InternalFailure, HTTP 500) (after 2 attempts): still broken",
    });
    expect(fake.server.calls('StartPipelineExecution')).toHaveLength(2);
  });

  test('GIVEN a server that hangs WHEN called with a short request timeout THEN it fails fast with TIMEOUT', async () => {
    fake.handler = () => hang();
    const started = Date.now();

    await expect(operations({ maxAttempts: 2, requestTimeout: 150 }).release()).rejects.toMatchObject({
      code: DeliveryErrorCode.TIMEOUT,
      message: expect.stringMatching(/^CodePipeline did not answer StartPipelineExecution on pipeline 'my-app' in time \(after 2 attempts\): .*150 ms requestTimeout/),
    });
    expect(fake.server.calls('StartPipelineExecution')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('service errors', () => {
  test.each([
    ['AccessDeniedException', 'GetPipelineState', () => operations().approve({ summary: 'x' }), DeliveryErrorCode.ACCESS_DENIED,
      "Access denied for GetPipelineState on pipeline 'my-app' (AccessDeniedException): User is not authorized to perform: codepipeline:GetPipelineState"],
    ['PipelineNotFoundException', 'StartPipelineExecution', () => operations().release(), DeliveryErrorCode.NOT_FOUND,
      "PipelineNotFoundException during StartPipelineExecution on pipeline 'my-app': User is not authorized"],
  ])('GIVEN %s WHEN called THEN it is not retried and reads clearly', async (type, operation, call, code, message) => {
    fake.handler = () => awsError(400, type, 'User is not authorized to perform: codepipeline:GetPipelineState');

    await expect(call()).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
    expect(fake.server.calls(operation)).toHaveLength(1);
  });

  test('GIVEN a namespaced __type WHEN parsed THEN the SDK strips the namespace', async () => {
    fake.handler = () => awsError(400, 'com.amazonaws.codepipeline#PipelineNotFoundException', 'no such pipeline');

    await expect(operations().release()).rejects.toMatchObject({ code: DeliveryErrorCode.NOT_FOUND, message: expect.stringContaining('no such pipeline') });
  });

  test('GIVEN InvalidApprovalTokenException WHEN approving THEN CONFLICT and PutApprovalResult is sent once', async () => {
    fake.handler = (op) => op === 'GetPipelineState' ? ok(PIPELINE_STATE) : awsError(400, 'InvalidApprovalTokenException', 'The token tok-1 is invalid');

    await expect(operations().approve({ summary: 'again' })).rejects.toMatchObject({
      code: DeliveryErrorCode.CONFLICT,
      message: expect.stringContaining('(InvalidApprovalTokenException): The token tok-1 is invalid. Nothing was approved twice'),
    });
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(1);
  });
});

describe('pagination', () => {
  test('GIVEN 250 executions and their action executions WHEN exported THEN every page is fetched with nextToken and nothing is lost', async () => {
    const data = syntheticHistory(250);
    fake.handler = (op, body) => {
      if (op === 'ListPipelineExecutions') return ok(paginate(data.executions, body, 'pipelineExecutionSummaries'));
      if (op === 'ListActionExecutions') return ok(paginate(data.actions, body, 'actionExecutionDetails'));
      return awsError(400, 'UnknownOperationException', op);
    };

    const history = await operations().exportHistory({ since: new Date(data.since), until: new Date(data.until) });

    expect(history.pipelineExecutionSummaries).toHaveLength(250);
    expect(new Set(history.pipelineExecutionSummaries.map((e) => e.pipelineExecutionId)).size).toBe(250);
    const expectedActions = data.actions.filter((a) => a.stageName === 'Source' || String(a.stageName).startsWith('Production')).length;
    expect(history.actionExecutionDetails).toHaveLength(expectedActions);
    expect(fake.server.calls('ListPipelineExecutions').map((r) => r.body.nextToken === undefined)).toEqual([true, false, false]);
    expect(fake.server.calls('ListActionExecutions')).toHaveLength(Math.ceil(data.actions.length / 100));
    expect(fake.server.requests.every((r) => r.body.maxResults === 100)).toBe(true);
  });
});
