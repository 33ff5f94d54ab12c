import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { memoryIo } from './memory-io';
import { clientConfig, ExitCode, run } from '../../src/cli/main';
import { awsError, epochSeconds, hang, ok, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';

/** The CLI in-process, with the client it would build (clientConfig) pointed at a local JSON 1.1 fake.server. */

const STATE = {
  pipelineName: 'my-app',
  stageStates: [{
    stageName: 'Production',
    latestExecution: { pipelineExecutionId: 'exec-1', status: 'InProgress' },
    actionStates: [{ actionName: 'Approve', latestExecution: { status: 'InProgress', token: 'tok-1', lastStatusChange: epochSeconds('2025-05-26T09:00:00Z') } }],
  }],
};
const PIPELINE = { pipeline: { name: 'my-app', version: 2, stages: [{ name: 'Production' }] }, metadata: { pipelineArn: 'arn:aws:codepipeline:eu-west-1:1:my-app' } };

const fake = useFakeCodePipeline();

function cli() {
  const t = memoryIo();
  const io = {
    ...t.io,
    createClient: (settings: Parameters<typeof clientConfig>[0]) => new CodePipelineClient({
      ...clientConfig(settings),
      region: 'eu-west-1',
      endpoint: fake.server.endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    }),
  };
  return { ...t, io };
}

describe('cdk-delivery over the wire', () => {
  test('GIVEN throttling on the first call WHEN status runs THEN the SDK retries and the command succeeds, exit 0', async () => {
    fake.handler = (op) => {
      if (op === 'GetPipeline') return ok(PIPELINE);
      if (op === 'ListTagsForResource') return ok({ tags: [{ key: 'release-mode', value: 'continuous-deployment' }] });
      return fake.server.calls('GetPipelineState').length === 1 ? awsError(400, 'ThrottlingException', 'Rate exceeded') : ok(STATE);
    };
    const t = cli();

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(fake.server.calls('GetPipelineState')).toHaveLength(2);
    expect(t.stdout()).toContain('Pipeline my-app: continuous-deployment, version 2');
  });

  test.each([
    ['AccessDeniedException', ExitCode.ACCESS_DENIED, "Access denied for GetPipelineState on pipeline 'my-app' (AccessDeniedException): denied"],
    ['PipelineNotFoundException', ExitCode.NOT_FOUND, "PipelineNotFoundException during GetPipelineState on pipeline 'my-app': denied"],
  ])('GIVEN %s WHEN approve runs THEN the documented exit code %i and a clear message', async (type, exitCode, message) => {
    fake.handler = () => awsError(400, type, 'denied');
    const t = cli();

    expect(await run(['approve', '--pipeline', 'my-app'], t.io)).toBe(exitCode);
    expect(t.stderr()).toContain(message);
  });

  test('GIVEN InvalidApprovalTokenException WHEN approve runs THEN exit 6 and the approval is sent once', async () => {
    fake.handler = (op) => op === 'GetPipelineState' ? ok(STATE) : awsError(400, 'InvalidApprovalTokenException', 'token used');
    const t = cli();

    expect(await run(['approve', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.CONFLICT);
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(1);
    expect(t.stderr()).toContain('(InvalidApprovalTokenException): token used.');
  });

  test('GIVEN a hung server WHEN release runs with --request-timeout 0.1 THEN it times out fast with exit 5', async () => {
    fake.handler = () => hang();
    const t = cli();
    const started = Date.now();

    expect(await run(['release', '--pipeline', 'my-app', '--request-timeout', '0.1'], t.io)).toBe(ExitCode.TIMEOUT);
    expect(t.stderr()).toMatch(/CodePipeline did not answer StartPipelineExecution on pipeline 'my-app' in time \(after 3 attempts\)/);
    expect(fake.server.calls('StartPipelineExecution')).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
