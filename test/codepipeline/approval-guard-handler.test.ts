import {
  ActionState,
  ApprovalAlreadyCompletedException,
  CodePipelineClient,
  GetPipelineStateCommand,
  InvalidApprovalTokenException,
  PipelineNotFoundException,
  PutApprovalResultCommand,
  StageState,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import {
  configFromEnvironment,
  GuardLogger,
  rejectionSummary,
  rejectPendingApprovals,
} from '../../src/codepipeline/private/approval-guard/reject-approval';
import { handler } from '../../src/codepipeline/private/approval-guard/reject-approval.lambda';
import { InvalidEventError } from '../../src/private/invalid-event';

const PIPELINE = 'my-app';
const EXECUTION = '3f6a1c2e-0d4b-4c1a-9a55-6f0e1f1d2b7a';
const OTHER_EXECUTION = '9b1e7d0c-5a2f-4e3b-8c44-1d2e3f4a5b6c';
const CONFIG = { stageName: 'Staging', approvalActionNames: ['PromoteToProduction'] };

/** A "CodePipeline Action Execution State Change" event, as EventBridge delivers it. */
function actionEvent(overrides: { action?: string; state?: string; stage?: string; executionId?: string; category?: string } = {}) {
  return {
    'version': '0',
    'id': 'a1b2c3d4-0000-0000-0000-000000000000',
    'detail-type': 'CodePipeline Action Execution State Change',
    'source': 'aws.codepipeline',
    'account': '111111111111',
    'time': '2025-03-01T10:05:00Z',
    'region': 'us-east-1',
    'resources': [`arn:aws:codepipeline:us-east-1:111111111111:${PIPELINE}`],
    'detail': {
      'pipeline': PIPELINE,
      'version': 3,
      'execution-id': overrides.executionId ?? EXECUTION,
      'stage': overrides.stage ?? 'Staging',
      'action': overrides.action ?? 'SmokeTest',
      'state': overrides.state ?? 'FAILED',
      'region': 'us-east-1',
      'type': { owner: 'AWS', category: overrides.category ?? 'Test', provider: 'CodeBuild', version: '1' },
    },
  };
}

function approval(actionName: string, status: 'InProgress' | 'Succeeded' | 'Failed', token?: string): ActionState {
  return { actionName, latestExecution: { status, token, lastStatusChange: new Date('2025-03-01T10:00:00Z') } };
}

function stagingStage(actions: ActionState[], executionId = EXECUTION, stageStatus: 'InProgress' | 'Failed' | 'Succeeded' = 'InProgress'): StageState {
  return {
    stageName: 'Staging',
    inboundTransitionState: { enabled: true },
    latestExecution: { pipelineExecutionId: executionId, status: stageStatus },
    actionStates: [
      { actionName: 'SmokeTest', latestExecution: { status: 'Failed' } },
      ...actions,
    ],
  };
}

function pipelineState(...stages: StageState[]) {
  return { $metadata: {}, pipelineName: PIPELINE, stageStates: [{ stageName: 'Build', latestExecution: { pipelineExecutionId: EXECUTION, status: 'Succeeded' as const } }, ...stages] };
}

/** What the SDK throws when CodePipeline throttles beyond the client's retries. */
function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
}

function setup() {
  const client = new CodePipelineClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  const lines: string[] = [];
  const logger: GuardLogger = {
    info: (message) => lines.push(`INFO ${message}`),
    warn: (message) => lines.push(`WARN ${message}`),
  };
  return { client, mock, logger, lines };
}

describe('approval guard handler', () => {
  test('GIVEN the approval of the failed execution is pending WHEN a smoke test fails THEN it is rejected with a summary naming the step', async () => {
    // GIVEN
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', 'InProgress', 'tok-1')])));
    mock.on(PutApprovalResultCommand).resolves({ approvedAt: new Date() });

    // WHEN
    const result = await rejectPendingApprovals(actionEvent(), client, CONFIG, logger);

    // THEN
    expect(mock.commandCalls(GetPipelineStateCommand).map(c => c.args[0].input)).toEqual([{ name: PIPELINE }]);
    const expectedSummary = `Rejected automatically: the verification step 'SmokeTest' failed in execution ${EXECUTION}; production cannot be approved for this change.`;
    expect(mock.commandCalls(PutApprovalResultCommand).map(c => c.args[0].input)).toEqual([{
      pipelineName: PIPELINE,
      stageName: 'Staging',
      actionName: 'PromoteToProduction',
      token: 'tok-1',
      result: { status: 'Rejected', summary: expectedSummary },
    }]);
    expect(result).toMatchObject({
      outcome: 'REJECTED',
      pipelineName: PIPELINE,
      executionId: EXECUTION,
      failedAction: 'SmokeTest',
      rejected: ['PromoteToProduction'],
      alreadyDecided: [],
      otherExecution: [],
      summary: expectedSummary,
    });
  });

  test('GIVEN the stage now runs another execution WHEN an older execution\'s smoke test fails THEN that execution\'s approval is left alone', async () => {
    // GIVEN: the pending approval belongs to OTHER_EXECUTION
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', 'InProgress', 'tok-2')], OTHER_EXECUTION)));

    // WHEN
    const result = await rejectPendingApprovals(actionEvent(), client, CONFIG, logger);

    // THEN
    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(result).toMatchObject({ outcome: 'NOTHING_PENDING', rejected: [], otherExecution: ['PromoteToProduction'] });
    expect(result.reason).toContain(OTHER_EXECUTION);
  });

  test.each([
    ['approved', 'Succeeded' as const],
    ['rejected', 'Failed' as const],
  ])('GIVEN the approval was already %s WHEN a smoke test fails THEN nothing is sent', async (_, status) => {
    // GIVEN: no InProgress approval (the stage is still InProgress while the smoke test's retry or siblings run)
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', status)])));

    // WHEN
    const result = await rejectPendingApprovals(actionEvent(), client, CONFIG, logger);

    // THEN
    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(result).toMatchObject({ outcome: 'NOTHING_PENDING', rejected: [], alreadyDecided: [] });
  });

  test('GIVEN the stage has finished WHEN the event arrives late THEN nothing is sent', async () => {
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', 'Failed')], EXECUTION, 'Failed')));

    const result = await rejectPendingApprovals(actionEvent(), client, CONFIG, logger);

    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(result.outcome).toBe('NOTHING_PENDING');
  });

  test.each([
    ['ApprovalAlreadyCompletedException', () => new ApprovalAlreadyCompletedException({ message: 'The approval action has already been completed', $metadata: {} })],
    ['InvalidApprovalTokenException', () => new InvalidApprovalTokenException({ message: 'The approval token is not valid', $metadata: {} })],
  ])('GIVEN a person decided first WHEN PutApprovalResult answers %s THEN it is a logged no-op', async (name, error) => {
    // GIVEN
    const { client, mock, logger, lines } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', 'InProgress', 'tok-3')])));
    mock.on(PutApprovalResultCommand).rejects(error());

    // WHEN
    const result = await rejectPendingApprovals(actionEvent(), client, CONFIG, logger);

    // THEN
    expect(result).toMatchObject({ outcome: 'ALREADY_DECIDED', rejected: [], alreadyDecided: ['PromoteToProduction'] });
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^WARN .*PromoteToProduction.*${name}`))]));
  });

  test('GIVEN PutApprovalResult fails otherwise WHEN a smoke test fails THEN the error propagates (Lambda retries, then the DLQ)', async () => {
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', 'InProgress', 'tok-4')])));
    mock.on(PutApprovalResultCommand).rejects(throttling());

    await expect(rejectPendingApprovals(actionEvent(), client, CONFIG, logger)).rejects.toThrow('Rate exceeded');
  });

  test('GIVEN GetPipelineState fails WHEN a smoke test fails THEN the error propagates and nothing is decided', async () => {
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).rejects(new PipelineNotFoundException({ message: 'Pipeline not found', $metadata: {} }));

    await expect(rejectPendingApprovals(actionEvent(), client, CONFIG, logger)).rejects.toBeInstanceOf(PipelineNotFoundException);
    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  test.each([
    ['a SUCCEEDED action', { state: 'SUCCEEDED' }],
    ['a STARTED action', { state: 'STARTED' }],
    ['a CANCELED action', { state: 'CANCELED' }],
    ['a FAILED action in another stage', { stage: 'Production' }],
    ['a FAILED approval itself (rejected or timed out)', { action: 'PromoteToProduction', category: 'Approval' }],
  ])('GIVEN %s WHEN the event arrives THEN it is ignored without calling CodePipeline', async (_, overrides) => {
    const { client, mock, logger } = setup();

    const result = await rejectPendingApprovals(actionEvent(overrides), client, CONFIG, logger);

    expect(result).toMatchObject({ outcome: 'IGNORED', rejected: [] });
    expect(mock.calls()).toHaveLength(0);
  });

  test('GIVEN a 300-character action name WHEN rejecting THEN the summary fits CodePipeline\'s 512 characters and keeps the execution id', async () => {
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', 'InProgress', 'tok-5')])));
    mock.on(PutApprovalResultCommand).resolves({});
    const longName = 'Smoke'.repeat(60) + 'X'.repeat(200);

    await rejectPendingApprovals(actionEvent({ action: longName }), client, CONFIG, logger);

    const summary = mock.commandCalls(PutApprovalResultCommand)[0].args[0].input.result?.summary ?? '';
    expect(summary.length).toBeLessThanOrEqual(512);
    expect(summary).toMatch(/^Rejected automatically: the verification step 'SmokeSmoke.*…' failed in execution /);
    expect(summary).toContain(EXECUTION);
    expect(summary).toMatch(/production cannot be approved for this change\.$/);
  });

  test('the summary never ends in half a surrogate pair and never exceeds 512 characters', () => {
    for (const length of [100, 300, 600, 2000]) {
      for (const name of ['😀'.repeat(length), 'a' + '😀'.repeat(length)]) {
        const summary = rejectionSummary(name, EXECUTION);
        expect(summary.length).toBeLessThanOrEqual(512);
        expect(() => encodeURIComponent(summary)).not.toThrow(); // throws on a lone surrogate
      }
    }
    expect(rejectionSummary('x', 'e'.repeat(1000)).length).toBe(512);
  });

  test('GIVEN two pending approvals of the same execution WHEN a smoke test fails THEN both are rejected, and only those named', async () => {
    // GIVEN
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([
      approval('PromoteToProduction', 'InProgress', 'tok-a'),
      approval('SecurityReview', 'InProgress', 'tok-b'),
      approval('UnrelatedApproval', 'InProgress', 'tok-c'),
    ])));
    mock.on(PutApprovalResultCommand).resolves({});

    // WHEN
    const result = await rejectPendingApprovals(actionEvent(), client,
      { stageName: 'Staging', approvalActionNames: ['PromoteToProduction', 'SecurityReview'] }, logger);

    // THEN
    expect(mock.commandCalls(PutApprovalResultCommand).map(c => [c.args[0].input.actionName, c.args[0].input.token])).toEqual([
      ['PromoteToProduction', 'tok-a'],
      ['SecurityReview', 'tok-b'],
    ]);
    expect(result).toMatchObject({ outcome: 'REJECTED', rejected: ['PromoteToProduction', 'SecurityReview'] });
  });

  test('GIVEN two approvals WHEN the first PutApprovalResult fails THEN the second is still rejected and the failure propagates', async () => {
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([
      approval('PromoteToProduction', 'InProgress', 'tok-a'),
      approval('SecurityReview', 'InProgress', 'tok-b'),
    ])));
    mock.on(PutApprovalResultCommand, { actionName: 'PromoteToProduction' }).rejects(throttling());
    mock.on(PutApprovalResultCommand, { actionName: 'SecurityReview' }).resolves({});

    await expect(rejectPendingApprovals(actionEvent(), client,
      { stageName: 'Staging', approvalActionNames: ['PromoteToProduction', 'SecurityReview'] }, logger)).rejects.toThrow('Rate exceeded');
    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(2);
  });

  test('GIVEN two approvals WHEN both PutApprovalResult calls fail THEN one AggregateError carries both errors', async () => {
    const { client, mock, logger } = setup();
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([
      approval('PromoteToProduction', 'InProgress', 'tok-a'),
      approval('SecurityReview', 'InProgress', 'tok-b'),
    ])));
    mock.on(PutApprovalResultCommand).rejects(throttling());

    const promise = rejectPendingApprovals(actionEvent(), client,
      { stageName: 'Staging', approvalActionNames: ['PromoteToProduction', 'SecurityReview'] }, logger);

    await expect(promise).rejects.toBeInstanceOf(AggregateError);
    await expect(promise).rejects.toMatchObject({ errors: [expect.any(Error), expect.any(Error)] });
    await expect(promise).rejects.toThrow(`Could not reject 2 approvals of execution ${EXECUTION} in stage 'Staging'.`);
  });

  test.each([
    ['not an object', 'FAILED', /Expected an EventBridge event object/],
    ['another source', { ...actionEvent(), source: 'aws.codebuild' }, /Expected source 'aws.codepipeline'/],
    ['no detail', { ...actionEvent(), detail: undefined }, /no 'detail' object/],
    ['no execution id', { ...actionEvent(), detail: { ...actionEvent().detail, 'execution-id': undefined } }, /detail.execution-id must be a non-empty string/],
    ['a numeric stage', { ...actionEvent(), detail: { ...actionEvent().detail, stage: 7 } }, /detail.stage must be a non-empty string, got 7/],
  ])('GIVEN an event with %s THEN it throws InvalidEventError and calls nothing', async (_, event, message) => {
    const { client, mock, logger } = setup();

    const promise = rejectPendingApprovals(event, client, CONFIG, logger);

    await expect(promise).rejects.toBeInstanceOf(InvalidEventError);
    await expect(promise).rejects.toThrow(message);
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('configuration from the environment', () => {
  test('reads the stage and the comma-separated approval names', () => {
    expect(configFromEnvironment({ STAGE_NAME: 'Staging', APPROVAL_ACTION_NAMES: 'PromoteToProduction, SecurityReview,' }))
      .toEqual({ stageName: 'Staging', approvalActionNames: ['PromoteToProduction', 'SecurityReview'] });
  });

  test.each([
    [{ APPROVAL_ACTION_NAMES: 'PromoteToProduction' }, /STAGE_NAME is not set/],
    [{ STAGE_NAME: 'Staging', APPROVAL_ACTION_NAMES: ' , ' }, /APPROVAL_ACTION_NAMES is not set/],
  ])('names the missing variable (%#)', (env, message) => {
    expect(() => configFromEnvironment(env)).toThrow(message);
  });
});

describe('Lambda entry point', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('GIVEN the environment the construct writes WHEN the handler runs THEN it rejects through a CodePipelineClient of its own', async () => {
    // GIVEN: every CodePipelineClient is mocked (on the prototype), including the one the module created on import
    const mock = mockClient(CodePipelineClient);
    process.env.STAGE_NAME = 'Staging';
    process.env.APPROVAL_ACTION_NAMES = 'PromoteToProduction';
    process.env.AWS_REGION = 'us-east-1';
    mock.on(GetPipelineStateCommand).resolves(pipelineState(stagingStage([approval('PromoteToProduction', 'InProgress', 'tok-h')])));
    mock.on(PutApprovalResultCommand).resolves({});
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // WHEN
      const result = await handler(actionEvent());

      // THEN
      expect(result.outcome).toBe('REJECTED');
      expect(mock.commandCalls(PutApprovalResultCommand).map(c => c.args[0].input.token)).toEqual(['tok-h']);
      // One JSON object per log line
      for (const [line] of log.mock.calls) {
        expect(() => JSON.parse(String(line))).not.toThrow();
      }
    } finally {
      log.mockRestore();
      mock.restore();
    }
  });
});
