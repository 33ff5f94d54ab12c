import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodePipelineClient, ListActionExecutionsCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { EXAMPLE_HISTORY, sdkHistory } from './history-sdk';
import { ExitCode, run } from '../../src/cli/main';
import { EmfDocument, publishDeliveryMetrics } from '../../src/metrics/private/publish-metrics';
import { PipelineHistoryFile } from '../../src/runtime/history';
import { memoryIo } from '../cli/memory-io';

/**
 * ONE history (the example history of the README) fed to the CLI (`cdk-delivery metrics --json`, offline from the
 * file and online from CodePipeline) and to the metrics function (from CodePipeline, as in AWS): every figure must
 * be the same.
 */

const SINCE = '2025-05-05T00:00:00.000Z';
const UNTIL = '2025-05-26T00:00:00.000Z';
const WINDOW_DAYS = 21;

function mockedClient(file = EXAMPLE_HISTORY) {
  const client = new CodePipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  const example = sdkHistory(file);
  mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: example.executions });
  mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: example.actions });
  return client;
}

async function cliJson(args: string[], client?: CodePipelineClient): Promise<Record<string, unknown>> {
  const t = memoryIo({ client, now: Date.parse(UNTIL) });
  expect(await run(['metrics', ...args, '--since', SINCE, '--until', UNTIL, '--json'], t.io)).toBe(ExitCode.OK);
  return JSON.parse(t.stdout());
}

async function functionDocument(eventTime: string, file = EXAMPLE_HISTORY): Promise<EmfDocument> {
  const event = {
    'source': 'aws.codepipeline',
    'detail-type': 'CodePipeline Pipeline Execution State Change',
    'time': eventTime,
    'detail': { 'pipeline': 'shop-api', 'execution-id': 'e-1', 'state': 'SUCCEEDED' },
  };
  const lines: string[] = [];
  await publishDeliveryMetrics(event, mockedClient(file), { pipelineName: 'shop-api', namespace: 'CdkDeliveryPipelines', windowDays: WINDOW_DAYS }, (l) => lines.push(l));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

/** Every numeric leaf of a JSON value, by path (`counts.failed`, `successRate`, ...); `null` figures included. */
function figures(value: unknown, prefix = ''): Map<string, number | null> {
  const result = new Map<string, number | null>();
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix + key;
    if (typeof item === 'number' || item === null) {
      result.set(name, item);
    } else if (typeof item === 'object') {
      figures(item, `${name}.`).forEach((v, k) => result.set(k, v));
    }
  }
  return result;
}

/** The metrics a dashboard shows, written out here independently of the handler's catalog: metric → CLI field, scale. */
const PUBLISHED: Array<[string, string, number]> = [
  ['ThroughputPerDay', 'throughputPerDay', 1],
  ['DurationMedian', 'durationMedianSeconds', 1],
  ['DurationP95', 'durationP95Seconds', 1],
  ['SuccessRate', 'successRate', 100],
  ['MeanTimeToRecovery', 'mttrSeconds', 1],
  ['OpenFailureEpisodes', 'openFailureEpisodes', 1],
  ['DeploymentsPerDay', 'deploymentsPerDay', 1],
  ['DeploymentsPerWeek', 'deploymentsPerWeek', 1],
  ['LeadTimeMedian', 'leadTimeMedianSeconds', 1],
  ['ChangeFailureRate', 'changeFailureRate', 100],
  ['TimeToRestore', 'timeToRestoreSeconds', 1],
];

describe('one history, the CLI and the metrics function', () => {
  test('every figure the CLI prints (offline and online) is the figure the function computes and publishes', async () => {
    const offline = await cliJson(['--history', EXAMPLE_HISTORY]);
    const online = await cliJson(['--pipeline', 'shop-api'], mockedClient());
    const document = await functionDocument(UNTIL);

    const cli = figures(offline);
    expect(cli.size).toBeGreaterThanOrEqual(25); // counts, durations, rates, DORA figures, samples
    expect(figures(online)).toEqual(cli);
    expect(figures(document.deliveryMetrics)).toEqual(cli);
    expect(document.deliveryMetrics).toEqual(offline);

    // the billed metrics: the CLI's figure in the metric's unit
    const directive = document._aws.CloudWatchMetrics[0].Metrics.map(m => m.Name);
    expect(directive).toEqual(PUBLISHED.map(([metric]) => metric));
    for (const [metric, field, scale] of PUBLISHED) {
      expect([metric, document[metric]]).toEqual([metric, (offline[field] as number) * scale]);
    }
    // the example exercises each kind of figure with a real value, none of them zero or missing
    expect(PUBLISHED.filter(([, field]) => !offline[field]).map(([metric]) => metric)).toEqual(['OpenFailureEpisodes']);
  });

  test('the comparison is not vacuous: another window gives other figures, and the check sees it', async () => {
    const offline = await cliJson(['--history', EXAMPLE_HISTORY]);
    const shifted = await functionDocument('2025-05-20T00:00:00Z');

    const cli = figures(offline);
    const differing = [...figures(shifted.deliveryMetrics)].filter(([name, value]) => cli.get(name) !== value).map(([name]) => name);
    expect(differing).toEqual(expect.arrayContaining(['counts.succeeded', 'throughputPerDay', 'deploymentsPerDay']));
  });
});

describe('one history with impossible timestamps, the CLI and the metrics function', () => {
  test('GIVEN the example history with two succeeded executions ending before they started THEN both exclude and count them, with the same figures', async () => {
    const example = JSON.parse(fs.readFileSync(EXAMPLE_HISTORY, 'utf-8')) as PipelineHistoryFile;
    const succeeded = example.pipelineExecutionSummaries.filter((e) => e.status === 'Succeeded' && e.startTime && e.startTime >= SINCE);
    const broken = new Set(succeeded.slice(0, 2).map((e) => e.pipelineExecutionId));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-'));
    const file = path.join(dir, 'impossible.json');
    fs.writeFileSync(file, JSON.stringify({
      ...example,
      pipelineExecutionSummaries: example.pipelineExecutionSummaries.map((e) => (broken.has(e.pipelineExecutionId)
        ? { ...e, lastUpdateTime: new Date(Date.parse(e.startTime as string) - 86_400_000).toISOString() }
        : e)),
    }));
    try {
      const offline = await cliJson(['--history', file]);
      const online = await cliJson(['--pipeline', 'shop-api'], mockedClient(file));
      const document = await functionDocument(UNTIL, file);
      const original = await cliJson(['--history', EXAMPLE_HISTORY]);

      expect(broken.size).toBe(2);
      expect(offline.excludedImpossible).toBe(2);
      expect(original.excludedImpossible).toBe(0);
      expect(figures(online)).toEqual(figures(offline));
      expect(figures(document.deliveryMetrics)).toEqual(figures(offline));
      expect(document.DurationMedian).toBe(offline.durationMedianSeconds);
      expect(offline.durationMedianSeconds as number).toBeGreaterThan(0);
      expect(offline.counts).toEqual(original.counts);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
