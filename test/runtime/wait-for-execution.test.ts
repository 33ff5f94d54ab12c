import { GetPipelineExecutionCommand, ListPipelineExecutionsCommand, PipelineExecutionNotFoundException } from '@aws-sdk/client-codepipeline';
import { mockedOperations, PIPELINE } from './sdk-fixtures';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { Clock, WaitProgress } from '../../src/runtime/wait-for-execution';

/** A clock that advances only when slept on. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; } };
}

const execution = (status: string, statusSummary?: string) => ({ pipelineExecution: { pipelineExecutionId: 'exec-9', status: status as 'InProgress', statusSummary } });

describe('wait', () => {
  test('GIVEN an execution that succeeds on the third poll WHEN waited THEN progress is reported each poll and the result says succeeded', async () => {
    // GIVEN
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-9' })
      .resolvesOnce(execution('InProgress')).resolvesOnce(execution('InProgress')).resolves(execution('Succeeded'));
    const clock = fakeClock();
    const progress: WaitProgress[] = [];

    // WHEN
    const outcome = await ops.wait({ pipelineExecutionId: 'exec-9', pollIntervalSeconds: 5, timeoutSeconds: 60, clock, onProgress: (p) => progress.push(p) });

    // THEN
    expect(outcome).toEqual({ pipelineName: PIPELINE, pipelineExecutionId: 'exec-9', status: 'Succeeded', succeeded: true, statusSummary: undefined, elapsedSeconds: 10 });
    expect(progress.map((p) => [p.poll, p.status, p.elapsedSeconds])).toEqual([[1, 'InProgress', 0], [2, 'InProgress', 5], [3, 'Succeeded', 10]]);
    expect(clock.slept).toEqual([5000, 5000]);
  });

  test.each(['Failed', 'Stopped', 'Superseded', 'Cancelled'])('GIVEN an execution that ends %s WHEN waited THEN the result says not succeeded', async (status) => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineExecutionCommand).resolves(execution(status, 'Deploy failed'));

    const outcome = await ops.wait({ pipelineExecutionId: 'exec-9', clock: fakeClock() });

    expect(outcome).toMatchObject({ status, succeeded: false, statusSummary: 'Deploy failed' });
  });

  test('GIVEN no execution id WHEN waited THEN the most recent execution is awaited', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [{ pipelineExecutionId: 'latest' }] });
    mock.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'latest' }).resolves(execution('Succeeded'));

    const outcome = await ops.wait({ clock: fakeClock() });

    expect(outcome.pipelineExecutionId).toBe('latest');
    expect(mock.commandCalls(ListPipelineExecutionsCommand)[0].args[0].input).toEqual({ pipelineName: PIPELINE, maxResults: 1 });
  });

  test('GIVEN a pipeline that never ran WHEN waited without id THEN NOT_FOUND says so', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });

    await expect(ops.wait({ clock: fakeClock() })).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND, message: "Pipeline 'my-app' has no executions to wait for.",
    });
  });

  test('GIVEN an execution that stays InProgress WHEN waited THEN it times out after the timeout with the last status', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineExecutionCommand).resolves(execution('InProgress'));
    const clock = fakeClock();

    await expect(ops.wait({ pipelineExecutionId: 'exec-9', timeoutSeconds: 30, pollIntervalSeconds: 10, clock })).rejects.toMatchObject({
      code: DeliveryErrorCode.TIMEOUT,
      message: "Timed out after 30 s (--timeout 30) waiting for execution exec-9 of pipeline 'my-app' (last status: InProgress).",
    });
    expect(mock.commandCalls(GetPipelineExecutionCommand)).toHaveLength(4);
  });

  test('GIVEN a clock that never advances WHEN waited THEN the number of polls is still bounded', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineExecutionCommand).resolves(execution('InProgress'));
    const frozen: Clock = { now: () => 0, sleep: async () => undefined };

    await expect(ops.wait({ pipelineExecutionId: 'exec-9', timeoutSeconds: 20, pollIntervalSeconds: 10, clock: frozen }))
      .rejects.toMatchObject({ code: DeliveryErrorCode.TIMEOUT });
    expect(mock.commandCalls(GetPipelineExecutionCommand)).toHaveLength(3);
  });

  test('GIVEN an unknown execution WHEN waited THEN NOT_FOUND names GetPipelineExecution', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineExecutionCommand).rejects(new PipelineExecutionNotFoundException({ message: 'no exec-9', $metadata: {} }));

    await expect(ops.wait({ pipelineExecutionId: 'exec-9', clock: fakeClock() })).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND,
      message: expect.stringContaining("PipelineExecutionNotFoundException during GetPipelineExecution on pipeline 'my-app': no exec-9"),
    });
  });

  test.each([
    [{ timeoutSeconds: 0 }, 'The wait timeout (--timeout) must be between 1 and 604800 seconds, got 0.'],
    [{ timeoutSeconds: 604801 }, 'The wait timeout (--timeout) must be between 1 and 604800 seconds, got 604801.'],
    [{ pollIntervalSeconds: -1 }, 'The poll interval (--interval) must be between 1 and 3600 seconds, got -1.'],
    [{ pollIntervalSeconds: 3601, timeoutSeconds: 7200 }, 'The poll interval (--interval) must be between 1 and 3600 seconds, got 3601.'],
    [{ pollIntervalSeconds: 30, timeoutSeconds: 30 }, 'The poll interval (--interval 30) must be shorter than the wait timeout (--timeout 30).'],
  ])('GIVEN %j WHEN waited THEN it is refused', async (options, message) => {
    const { ops } = mockedOperations();

    await expect(ops.wait({ pipelineExecutionId: 'x', ...options })).rejects.toMatchObject({ code: DeliveryErrorCode.INVALID_INPUT, message });
  });
});
