import {
  ActionExecutionDetail,
  ListActionExecutionsCommand,
  ListActionExecutionsCommandInput,
  ListPipelineExecutionsCommand,
  ListPipelineExecutionsCommandInput,
  PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import { mockedOperations, PIPELINE } from './sdk-fixtures';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { parsePipelineHistory } from '../../src/runtime/history';
import { PipelineOperations } from '../../src/runtime/operations-client';

const T0 = Date.parse('2025-03-01T00:00:00Z');
const HOUR = 3_600_000;

/** `n` executions one hour apart from T0, newest first, each with Source, Build, Staging and Production actions. */
function dataset(n: number) {
  const executions: PipelineExecutionSummary[] = [];
  const actions: ActionExecutionDetail[] = [];
  for (let i = 0; i < n; i++) {
    const start = T0 + i * HOUR;
    const id = `e${i}`;
    executions.unshift({ pipelineExecutionId: id, status: 'Succeeded', startTime: new Date(start), lastUpdateTime: new Date(start + 20 * 60_000) });
    const stage = (stageName: string, category: 'Source' | 'Build' | 'Deploy', offsetMin: number): ActionExecutionDetail => ({
      pipelineExecutionId: id,
      actionExecutionId: `${id}-${stageName}`,
      stageName,
      actionName: stageName === 'Source' ? 'Source' : 'Deploy',
      status: 'Succeeded',
      startTime: new Date(start + offsetMin * 60_000),
      lastUpdateTime: new Date(start + (offsetMin + 4) * 60_000),
      input: { actionTypeId: { category, owner: 'AWS', provider: 'X', version: '1' }, configuration: { Big: 'x'.repeat(100) } },
      output: { outputVariables: { CommitId: `c${i}` }, outputArtifacts: [{ name: 'a', s3location: { bucket: 'b', key: 'k' } }] },
    });
    actions.unshift(stage('Source', 'Source', 0), stage('Build', 'Build', 4), stage('Staging', 'Deploy', 8), stage('Production', 'Deploy', 12));
  }
  actions.sort((a, b) => b.startTime!.getTime() - a.startTime!.getTime());
  return { executions, actions };
}

function page<T>(items: T[], input: { maxResults?: number; nextToken?: string }) {
  const start = Number(input.nextToken ?? 0);
  const end = start + (input.maxResults ?? 100);
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

/** Mock both List APIs over `n` executions; records a copy of each request (the paginator reuses its input object). */
function serve(n: number) {
  const setup = mockedOperations();
  const data = dataset(n);
  const inputs = { executions: [] as ListPipelineExecutionsCommandInput[], actions: [] as ListActionExecutionsCommandInput[] };
  setup.mock.on(ListPipelineExecutionsCommand).callsFake((input: ListPipelineExecutionsCommandInput) => {
    inputs.executions.push({ ...input });
    const p = page(data.executions, input);
    return { pipelineExecutionSummaries: p.items, nextToken: p.nextToken };
  });
  setup.mock.on(ListActionExecutionsCommand).callsFake((input: ListActionExecutionsCommandInput) => {
    inputs.actions.push({ ...input });
    const p = page(data.actions, input);
    return { actionExecutionDetails: p.items, nextToken: p.nextToken };
  });
  return { ...setup, inputs };
}

describe('exportHistory', () => {
  test('GIVEN 250 executions all in the window WHEN exported THEN every page is read at 100 per call, without a call per execution', async () => {
    // GIVEN 250 executions × 4 actions = 1000 action executions
    const { inputs, ops } = serve(250);

    // WHEN
    const history = await ops.exportHistory({ since: new Date(T0), until: new Date(T0 + 250 * HOUR) }, new Date('2025-04-01T00:00:00Z'));

    // THEN
    expect(history.pipelineExecutionSummaries).toHaveLength(250);
    // only the Source and Production actions are kept
    expect(history.actionExecutionDetails).toHaveLength(500);
    expect(inputs.executions).toEqual([
      { pipelineName: PIPELINE, maxResults: 100 },
      { pipelineName: PIPELINE, maxResults: 100, nextToken: '100' },
      { pipelineName: PIPELINE, maxResults: 100, nextToken: '200' },
    ]);
    expect(inputs.actions).toHaveLength(10);
    expect(inputs.actions.every((input) => input.filter === undefined && input.maxResults === 100)).toBe(true);
    expect(inputs.actions.map((input) => input.nextToken)).toEqual([undefined, '100', '200', '300', '400', '500', '600', '700', '800', '900']);
    expect(history).toMatchObject({ formatVersion: 1, pipelineName: PIPELINE, exportedAt: '2025-04-01T00:00:00.000Z', since: '2025-03-01T00:00:00.000Z' });
  });

  test('GIVEN a window over the newest 50 of 250 executions WHEN exported THEN listing stops after the page that reaches past the window', async () => {
    const { mock, ops } = serve(250);
    const since = new Date(T0 + 200 * HOUR);

    const history = await ops.exportHistory({ since, until: new Date(T0 + 250 * HOUR) });

    expect(history.pipelineExecutionSummaries.map((e) => e.pipelineExecutionId)).toEqual(Array.from({ length: 50 }, (_, i) => `e${249 - i}`));
    expect(mock.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(1);
    // 50 executions × 4 actions = 200 newest action executions; the third page holds older ones and ends the listing
    expect(mock.commandCalls(ListActionExecutionsCommand)).toHaveLength(3);
    expect(history.actionExecutionDetails).toHaveLength(100);
  });

  test('GIVEN executions newer than until WHEN exported THEN they are skipped', async () => {
    const { ops } = serve(10);

    const history = await ops.exportHistory({ since: new Date(T0), until: new Date(T0 + 5 * HOUR) });

    expect(history.pipelineExecutionSummaries.map((e) => e.pipelineExecutionId)).toEqual(['e4', 'e3', 'e2', 'e1', 'e0']);
    expect(new Set(history.actionExecutionDetails.map((a) => a.pipelineExecutionId))).toEqual(new Set(['e4', 'e3', 'e2', 'e1', 'e0']));
  });

  test('GIVEN executions without a start or an end WHEN exported THEN those without a start are skipped, those without an end kept without one', async () => {
    const { ops, mock } = serve(0);
    mock.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        { pipelineExecutionId: 'no-start', status: 'Succeeded', lastUpdateTime: new Date(T0 + HOUR) },
        { pipelineExecutionId: 'no-end', status: 'Succeeded', startTime: new Date(T0) },
      ],
    });
    mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });

    const history = await ops.exportHistory({ since: new Date(T0), until: new Date(T0 + 5 * HOUR) });

    expect(history.pipelineExecutionSummaries).toEqual([{ pipelineExecutionId: 'no-end', status: 'Succeeded', startTime: '2025-03-01T00:00:00.000Z' }]);
    expect(parsePipelineHistory(history).executions[0].lastUpdateMs).toBeUndefined();
  });

  test('GIVEN an action execution WHEN exported THEN dates are ISO and configuration and artifact locations are dropped', async () => {
    const { ops } = serve(1);

    const history = await ops.exportHistory({ since: new Date(T0), until: new Date(T0 + HOUR) });

    expect(history.actionExecutionDetails[0]).toEqual({
      pipelineExecutionId: 'e0',
      actionExecutionId: 'e0-Production',
      stageName: 'Production',
      actionName: 'Deploy',
      status: 'Succeeded',
      startTime: '2025-03-01T00:12:00.000Z',
      lastUpdateTime: '2025-03-01T00:16:00.000Z',
      input: { actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'X', version: '1' } },
      output: { outputVariables: { CommitId: 'c0' } },
    });
    expect(() => parsePipelineHistory(JSON.parse(JSON.stringify(history)))).not.toThrow();
  });

  test('GIVEN no execution in the window WHEN exported THEN action executions are not listed at all', async () => {
    const { mock, ops } = serve(5);

    const history = await ops.exportHistory({ since: new Date(T0 - 10 * HOUR), until: new Date(T0 - 5 * HOUR) });

    expect(history.pipelineExecutionSummaries).toEqual([]);
    expect(mock.commandCalls(ListActionExecutionsCommand)).toHaveLength(0);
  });

  test('GIVEN ListActionExecutions is denied WHEN exported THEN the error names that operation', async () => {
    const { mock, ops } = serve(5);
    mock.on(ListActionExecutionsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));

    await expect(ops.exportHistory({ since: new Date(T0), until: new Date(T0 + 5 * HOUR) })).rejects.toMatchObject({
      code: DeliveryErrorCode.ACCESS_DENIED, message: expect.stringContaining('codepipeline:ListActionExecutions'),
    });
  });

  test('GIVEN ListPipelineExecutions is denied WHEN exported THEN the error names that operation', async () => {
    const { mock, ops } = serve(5);
    mock.on(ListPipelineExecutionsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));

    await expect(ops.exportHistory({ since: new Date(T0), until: new Date(T0 + 5 * HOUR) })).rejects.toMatchObject({
      code: DeliveryErrorCode.ACCESS_DENIED, message: expect.stringContaining('codepipeline:ListPipelineExecutions'),
    });
  });
});

describe('metrics (online)', () => {
  test('GIVEN 30 succeeded executions of 20 minutes WHEN metrics are read from CodePipeline THEN they are computed from the fetched history', async () => {
    const { ops } = serve(30);

    const metrics = await ops.metrics({ since: new Date(T0), until: new Date(T0 + 30 * HOUR) });

    expect(metrics).toMatchObject({
      pipelineName: PIPELINE,
      counts: { succeeded: 30, failed: 0, stopped: 0, superseded: 0, cancelled: 0 },
      throughputPerDay: 24,
      durationMedianSeconds: 1200,
      durationP95Seconds: 1200,
      successRate: 1,
      productionExecutions: 30,
      changeFailureRate: 0,
      // Production deploy ends 16 minutes after the execution started (no source revision time in the data)
      leadTimeMedianSeconds: 960,
    });
  });

  test('GIVEN an empty pipeline name WHEN the client is built THEN it is refused', () => {
    const { client } = mockedOperations();

    expect(() => new PipelineOperations({ client, pipelineName: ' ' })).toThrow('A pipeline name is required (--pipeline).');
  });
});
