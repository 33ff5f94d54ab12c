import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListActionExecutionsCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { memoryIo } from './memory-io';
import { fileLines, writeFileChunks } from '../../src/cli/io';
import { ExitCode, run } from '../../src/cli/main';
import { parsePipelineHistory } from '../../src/runtime/history';
import { computeDeliveryMetrics } from '../../src/runtime/metrics';
import { mockedOperations } from '../runtime/sdk-fixtures';
import { syntheticHistory, syntheticHistoryFile } from '../runtime/synthetic-history';

/**
 * The CLI over large histories, with the real file functions of `processIo` (streamed reads, chunked writes) in a
 * temporary directory. Sizes keep each test within seconds; the 100,000-execution figures are in `npm run bench`.
 */

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-delivery-cli-scale-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** memoryIo with the files of processIo. */
function fileIo(options: Parameters<typeof memoryIo>[0] = {}) {
  const t = memoryIo(options);
  return { ...t, io: { ...t.io, readLines: fileLines, writeChunks: writeFileChunks } };
}

const DATE_FIELDS = new Set(['startTime', 'lastUpdateTime']);
/** The synthetic wire shape (epoch seconds) in the SDK's shape (Date), as a client returns it. */
const sdkShape = <T>(items: Record<string, unknown>[]): T[] =>
  JSON.parse(JSON.stringify(items), (key, value) => (DATE_FIELDS.has(key) && typeof value === 'number' ? new Date(value * 1000) : value)) as T[];

describe('metrics --history over 200,000 executions, none in the default window', () => {
  const COUNT = 200_000;
  const first = Date.parse('2024-01-01T00:00:00Z');
  const starts = Array.from({ length: COUNT }, (_, i) => first + i * 60_000);

  test('GIVEN that many start times WHEN spread into Math.min THEN the stack overflows (the failure this guards against)', () => {
    expect(() => Math.min(...starts)).toThrow(RangeError);
  });

  test('GIVEN a history file of 200,000 executions from 2024 WHEN metrics runs with the default window THEN exit 0 with the notice naming the period', async () => {
    const file = path.join(dir, 'old.jsonl');
    const lines = [JSON.stringify({ formatVersion: 2, pipelineName: 'old', executions: COUNT, actionExecutions: 0 })];
    for (const [i, start] of starts.entries()) {
      lines.push(JSON.stringify({
        pipelineExecutionSummary: {
          pipelineExecutionId: `e${i}`,
          status: 'Succeeded',
          startTime: new Date(start).toISOString(),
          lastUpdateTime: new Date(start + 30_000).toISOString(),
        },
      }));
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const t = fileIo({ now: Date.parse('2026-01-01T00:00:00Z') });

    expect(await run(['metrics', '--history', file, '--json'], t.io)).toBe(ExitCode.OK);

    const result = JSON.parse(t.stdout());
    expect(result.counts.succeeded).toBe(0);
    expect(result.notice).toContain(`(200000 executions, the first started 2024-01-01T00:00:00.000Z, the last ${new Date(starts[COUNT - 1]).toISOString()})`);
    expect(t.stderr()).toBe('');
  });
});

describe('export then metrics --history', () => {
  test('GIVEN 10,000 executions with their action executions WHEN exported to a file and read back THEN every figure is the figure of the history itself', async () => {
    const data = syntheticHistory(10_000, '2025-01-01T00:00:00.000Z', 30, { rollbackEvery: 50 });
    const { client, mock } = mockedOperations();
    mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: sdkShape(data.executions) });
    mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: sdkShape(data.actions) });
    const file = path.join(dir, 'export.jsonl');
    const window = ['--since', data.since, '--until', data.until];
    const t = fileIo({ client, now: Date.parse(data.until) });

    expect(await run(['export', '--pipeline', 'bench-pipeline', ...window, '--out', file, '--json'], t.io)).toBe(ExitCode.OK);
    const summary = JSON.parse(t.stdout());
    const read = fileIo({ now: Date.parse(data.until) });
    expect(await run(['metrics', '--history', file, ...window, '--json'], read.io)).toBe(ExitCode.OK);

    expect(summary).toMatchObject({ file, executions: 10_000 });
    expect(fs.readFileSync(file, 'utf-8').split('\n')).toHaveLength(1 + 10_000 + summary.actionExecutions + 1);
    const fullWindow = { since: new Date(data.since), until: new Date(data.until) };
    const expected = computeDeliveryMetrics(parsePipelineHistory(syntheticHistoryFile(data)), fullWindow);
    expect(JSON.parse(read.stdout())).toEqual({ ...expected, pipelineName: 'bench-pipeline' });
    expect(expected.counts.succeeded).toBeGreaterThan(7_500);
    expect(expected.failedProductionExecutions).toBeGreaterThan(data.rolledBack.length);
  });

  test('GIVEN an --out in a directory that does not exist WHEN export runs THEN exit 1 naming the file', async () => {
    const { client, mock } = mockedOperations();
    mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    const out = path.join(dir, 'missing', 'h.jsonl');
    const t = fileIo({ client });

    expect(await run(['export', '--pipeline', 'my-app', '--out', out, '--json'], t.io)).toBe(ExitCode.FAILED);
    expect(JSON.parse(t.stderr()).error.message).toMatch(new RegExp(`^Could not write ${out}: ENOENT`));
  });
});

describe('impossible timestamps in the CLI', () => {
  const history = (lastUpdateOfSecond: string) => ({
    formatVersion: 1,
    pipelineName: 'p',
    pipelineExecutionSummaries: [
      { pipelineExecutionId: 'a', status: 'Succeeded', startTime: '2025-05-20T10:00:00Z', lastUpdateTime: '2025-05-20T10:10:00Z' },
      { pipelineExecutionId: 'b', status: 'Succeeded', startTime: '2025-05-21T10:00:00Z', lastUpdateTime: lastUpdateOfSecond },
    ],
  });
  const window = ['--since', '2025-05-01', '--until', '2025-05-26'];

  test.each([
    ['a day before its start', '2025-05-20T10:00:00Z'],
    ['one millisecond before its start', '2025-05-21T09:59:59.999Z'],
  ])('GIVEN a success that ends %s WHEN metrics runs THEN no negative duration, and the table says what was excluded', async (_name, lastUpdate) => {
    const file = path.join(dir, 'impossible.json');
    fs.writeFileSync(file, JSON.stringify(history(lastUpdate), null, 2));
    const text = fileIo();
    const json = fileIo();

    expect(await run(['metrics', '--history', file, ...window], text.io)).toBe(ExitCode.OK);
    expect(await run(['metrics', '--history', file, ...window, '--json'], json.io)).toBe(ExitCode.OK);

    const metrics = JSON.parse(json.stdout());
    expect(metrics).toMatchObject({ counts: { succeeded: 2 }, excludedImpossible: 1, durationMedianSeconds: 600, durationP95Seconds: 600 });
    expect(text.stdout()).toContain('│ Duration (median)     │ 10m 0s');
    // a negative duration would print as "-1d 0h" or "-86400"
    expect(text.stdout()).not.toMatch(/[\s(]-\d/);
    expect(text.stdout()).toContain('Excluded from duration, recovery, lead time and time to restore: 1 execution with impossible timestamps ' +
      '(lastUpdateTime missing or before startTime, or a production deployment that ends before it starts or before its source revision); still counted above.\n');
  });

  test('GIVEN the same success ending when it started WHEN metrics runs THEN it counts with a duration of 0 and no exclusion line', async () => {
    const file = path.join(dir, 'possible.json');
    fs.writeFileSync(file, JSON.stringify(history('2025-05-21T10:00:00Z')));
    const text = fileIo();
    const json = fileIo();

    expect(await run(['metrics', '--history', file, ...window], text.io)).toBe(ExitCode.OK);
    expect(await run(['metrics', '--history', file, ...window, '--json'], json.io)).toBe(ExitCode.OK);

    expect(JSON.parse(json.stdout())).toMatchObject({ excludedImpossible: 0, durationMedianSeconds: 300 });
    expect(text.stdout()).not.toContain('Excluded');
  });
});
