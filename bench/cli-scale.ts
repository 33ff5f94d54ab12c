/**
 * The CLI over large histories (issue 17, item 10), on generated histories (test/runtime/synthetic-history.ts):
 *
 * 1. `metrics` over 100,000 executions with their action executions, without rollbacks and with 2 % rollback
 *    executions: the work `metrics --history` does after reading the file (validating the history and computing the
 *    figures), in alternating rounds, median per variant. Goal: with rollbacks within 1.5× the time without.
 * 2. `export` of 100,000 executions to a file and `metrics --history` of that file, through the CLI (`run`) with
 *    the real file functions. The client is mocked with one page per List call, so the time is the CLI's own
 *    (serialising, writing, reading, validating, computing), not CodePipeline's; bench/metrics.ts measures the
 *    API calls over HTTP.
 *
 * Usage: npm run bench -- --only cli   (or: npx ts-node --transpile-only --project bench/tsconfig.json bench/cli-scale.ts)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodePipelineClient, ListActionExecutionsCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { CliIo, fileLines, writeFileChunks } from '../src/cli/io';
import { ExitCode, run } from '../src/cli/main';
import { parsePipelineHistory, PipelineHistoryFile } from '../src/runtime/history';
import { computeDeliveryMetrics, DeliveryMetricsReport, MetricsWindow } from '../src/runtime/metrics';
import { systemClock } from '../src/runtime/wait-for-execution';
import { SyntheticHistory, syntheticHistory, syntheticHistoryFile } from '../test/runtime/synthetic-history';

const EXECUTIONS = 100_000;
const ROLLBACK_EVERY = 50;
const ROUNDS = 3;
const GOAL_RATIO = 1.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

/** Wall and CPU time (user + system of this process: on a shared machine CPU time varies less than wall time). */
interface Timing<T> {
  readonly result: T;
  readonly ms: number;
  readonly cpuMs: number;
}

function timed<T>(work: () => T): Timing<T> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(cpu);
  return { result, ms: Number(process.hrtime.bigint() - started) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

async function timedAsync<T>(work: () => Promise<T>): Promise<Timing<T>> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, ms: Number(process.hrtime.bigint() - started) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

const fullWindow = (data: SyntheticHistory): MetricsWindow => ({ since: new Date(data.since), until: new Date(data.until) });

function metricsOnce(file: PipelineHistoryFile, window: MetricsWindow): DeliveryMetricsReport {
  return computeDeliveryMetrics(parsePipelineHistory(file), window);
}

function rollbackRatio(): void {
  const plain = syntheticHistory(EXECUTIONS);
  const withRollbacks = syntheticHistory(EXECUTIONS, undefined, undefined, { rollbackEvery: ROLLBACK_EVERY });
  const variants = [
    { label: 'without rollbacks', data: plain, file: syntheticHistoryFile(plain), runs: [] as number[], cpu: [] as number[] },
    { label: `with ${100 / ROLLBACK_EVERY} % rollbacks`, data: withRollbacks, file: syntheticHistoryFile(withRollbacks), runs: [] as number[], cpu: [] as number[] },
  ];
  // A warm-up of each, then alternating rounds (the order flips each round).
  for (const v of variants) metricsOnce(v.file, fullWindow(v.data));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
      const t = timed(() => metricsOnce(v.file, fullWindow(v.data)));
      v.runs.push(t.ms);
      v.cpu.push(t.cpuMs);
    }
  }
  for (const v of variants) {
    const m = metricsOnce(v.file, fullWindow(v.data));
    const rollbacks = v.file.pipelineExecutionSummaries.filter((e) => e.executionType === 'ROLLBACK').length;
    console.log(`   ${v.label.padEnd(20)} ${v.file.pipelineExecutionSummaries.length} executions (${rollbacks} rollbacks), ${v.file.actionExecutionDetails.length} action executions: ` +
      `wall median ${median(v.runs).toFixed(0)} ms (runs ${v.runs.map((r) => r.toFixed(0)).join(', ')}), ` +
      `CPU median ${median(v.cpu).toFixed(0)} ms (runs ${v.cpu.map((r) => r.toFixed(0)).join(', ')}); change failure rate ${((m.changeFailureRate ?? 0) * 100).toFixed(1)} %`);
  }
  const ratio = median(variants[1].runs) / median(variants[0].runs);
  const cpuRatio = median(variants[1].cpu) / median(variants[0].cpu);
  console.log(`goal: metrics with ${100 / ROLLBACK_EVERY} % rollbacks <= ${GOAL_RATIO}x without: ${ratio <= GOAL_RATIO ? 'MET' : 'NOT MET'} ` +
    `(wall ${ratio.toFixed(2)}x, CPU ${cpuRatio.toFixed(2)}x; medians)`);
}

const DATE_FIELDS = new Set(['startTime', 'lastUpdateTime']);
/** The synthetic wire shape (epoch seconds) in the SDK's shape (Date), as a client returns it. */
function sdkShape<T>(items: Record<string, unknown>[]): T[] {
  return items.map((item) => {
    const copy: Record<string, unknown> = { ...item };
    for (const key of DATE_FIELDS) {
      if (typeof copy[key] === 'number') copy[key] = new Date((copy[key] as number) * 1000);
    }
    return copy as T;
  });
}

function quietIo(client: CodePipelineClient | undefined, stdout: string[]): CliIo {
  return {
    stdout: { isTTY: false, write: (chunk: string) => stdout.push(chunk) },
    stderr: { isTTY: false, write: (chunk: string) => process.stderr.write(chunk) },
    env: {},
    createClient: () => {
      if (!client) throw new Error('no client in this run');
      return client;
    },
    clock: systemClock,
    readFile: (file) => fs.promises.readFile(file, 'utf8'),
    readLines: fileLines,
    writeChunks: writeFileChunks,
  };
}

async function exportRoundTrip(): Promise<void> {
  const data = syntheticHistory(EXECUTIONS, undefined, undefined, { rollbackEvery: ROLLBACK_EVERY });
  const client = new CodePipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } });
  const mock = mockClient(client);
  mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: sdkShape(data.executions) });
  mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: sdkShape(data.actions) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-delivery-bench-cli-'));
  const file = path.join(dir, 'history.jsonl');
  const window = ['--since', data.since, '--until', data.until, '--json'];
  try {
    const exported: string[] = [];
    const exportRun = await timedAsync(() => run(['export', '--pipeline', 'bench-pipeline', ...window, '--out', file], quietIo(client, exported)));
    const bytes = fs.statSync(file).size;
    const rssAfterExport = process.memoryUsage().rss;
    const read: string[] = [];
    const readRun = await timedAsync(() => run(['metrics', '--history', file, ...window], quietIo(undefined, read)));
    const ok = exportRun.result === ExitCode.OK && readRun.result === ExitCode.OK;
    const summary = JSON.parse(exported.join('')) as { executions: number; actionExecutions: number };
    const metrics = JSON.parse(read.join('')) as DeliveryMetricsReport;
    const expected = metricsOnce(syntheticHistoryFile(data), fullWindow(data));
    const same = JSON.stringify({ ...expected, pipelineName: 'bench-pipeline' }) === JSON.stringify(metrics);
    console.log(`   export: ${summary.executions} executions and ${summary.actionExecutions} action executions, ${(bytes / 1e6).toFixed(1)} MB ` +
      `(${bytes} bytes, JSON Lines) in ${(exportRun.ms / 1000).toFixed(1)} s, CPU ${(exportRun.cpuMs / 1000).toFixed(1)} s (mocked client: no HTTP)`);
    console.log(`   metrics --history of that file: ${(readRun.ms / 1000).toFixed(1)} s, CPU ${(readRun.cpuMs / 1000).toFixed(1)} s; process RSS ${(rssAfterExport / 1e6).toFixed(0)} MB after export, ` +
      `${(process.memoryUsage().rss / 1e6).toFixed(0)} MB after reading`);
    console.log(`${ok && same ? 'PASS' : 'FAIL'}: export and read back of ${summary.executions} executions, exit codes ${exportRun.result} and ${readRun.result}, ` +
      `figures ${same ? 'equal to' : 'DIFFERENT from'} those computed from the history in memory`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runCliScaleBench(): Promise<void> {
  console.log(`   metrics (validate + compute) over ${EXECUTIONS} generated executions with action details; ${ROUNDS} alternating rounds after a warm-up`);
  rollbackRatio();
  await exportRoundTrip();
}

if (require.main === module) {
  runCliScaleBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
