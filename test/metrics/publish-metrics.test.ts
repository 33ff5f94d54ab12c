import {
  CodePipelineClient,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  PipelineNotFoundException,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkHistory } from './history-sdk';
import { DeliveryFigure } from '../../src/metrics/figures';
import { FIGURES } from '../../src/metrics/private/catalog';
import {
  configFromEnvironment,
  EmfDocument,
  emfDocument,
  parseTriggerEvent,
  publishDeliveryMetrics,
} from '../../src/metrics/private/publish-metrics';
import { handler } from '../../src/metrics/private/publish-metrics.lambda';
import { InvalidEventError } from '../../src/private/invalid-event';
import { computeDeliveryMetrics } from '../../src/runtime/metrics';
import { execution, history, T0, window, HOUR, MINUTE, action, DAY } from '../runtime/history-fixtures';

const PIPELINE = 'shop-api';
const CONFIG = { pipelineName: PIPELINE, namespace: 'CdkDeliveryPipelines', windowDays: 21 };
const UNTIL = '2025-05-26T00:00:00Z';

function executionEvent(overrides: { pipeline?: string; state?: string; time?: string } = {}) {
  return {
    'version': '0',
    'id': 'b2c3d4e5-0000-0000-0000-000000000000',
    'detail-type': 'CodePipeline Pipeline Execution State Change',
    'source': 'aws.codepipeline',
    'account': '111111111111',
    'time': overrides.time ?? UNTIL,
    'region': 'eu-west-1',
    'resources': [`arn:aws:codepipeline:eu-west-1:111111111111:${overrides.pipeline ?? PIPELINE}`],
    'detail': { 'pipeline': overrides.pipeline ?? PIPELINE, 'execution-id': 'e-1', 'state': overrides.state ?? 'SUCCEEDED', 'version': 3 },
  };
}

function scheduledEvent(time = UNTIL) {
  return {
    'version': '0',
    'id': 'c3d4e5f6-0000-0000-0000-000000000000',
    'detail-type': 'Scheduled Event',
    'source': 'aws.events',
    'account': '111111111111',
    'time': time,
    'region': 'eu-west-1',
    'resources': ['arn:aws:events:eu-west-1:111111111111:rule/metrics-schedule'],
    'detail': {},
  };
}

/** A client whose List APIs answer with the example history (one page each). */
function mockedHistoryClient() {
  const client = new CodePipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  const example = sdkHistory();
  mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: example.executions });
  mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: example.actions });
  return { client, mock };
}

/** Runs the publisher and returns its result and the one EMF document it wrote. */
async function publish(event: unknown, client: CodePipelineClient, config = CONFIG) {
  const lines: string[] = [];
  const result = await publishDeliveryMetrics(event, client, config, (line) => lines.push(line));
  return { result, lines, document: lines.length === 1 ? JSON.parse(lines[0]) as EmfDocument : undefined };
}

/** The EMF specification's structural rules, checked on a document (so a malformed one fails here). */
function emfViolations(document: EmfDocument): string[] {
  const problems: string[] = [];
  const aws = document._aws;
  if (!Number.isInteger(aws.Timestamp)) problems.push('Timestamp is not an integer of epoch milliseconds');
  if (aws.CloudWatchMetrics.length !== 1) problems.push('expected exactly one metric directive');
  for (const directive of aws.CloudWatchMetrics) {
    if (!/^[^:].{0,254}$/.test(directive.Namespace)) problems.push(`bad namespace ${directive.Namespace}`);
    if (directive.Metrics.length > 100) problems.push('more than 100 metrics');
    for (const set of directive.Dimensions) {
      if (set.length > 30) problems.push('more than 30 dimensions');
      for (const key of set) {
        if (typeof document[key] !== 'string') problems.push(`dimension ${key} has no string value`);
      }
    }
    for (const metric of directive.Metrics) {
      if (typeof document[metric.Name] !== 'number' || !Number.isFinite(document[metric.Name] as number)) problems.push(`metric ${metric.Name} has no numeric value`);
      if (!['Seconds', 'Percent', 'Count', 'None'].includes(metric.Unit)) problems.push(`metric ${metric.Name} has unit ${metric.Unit}`);
    }
  }
  return problems;
}

describe('configFromEnvironment', () => {
  const env = { PIPELINE_NAME: 'shop-api', METRICS_NAMESPACE: 'Team/Delivery', WINDOW_DAYS: '30' };

  test('GIVEN the variables the construct sets WHEN read THEN the configuration has them', () => {
    expect(configFromEnvironment(env)).toEqual({ pipelineName: 'shop-api', namespace: 'Team/Delivery', windowDays: 30 });
  });

  test.each([
    [{ PIPELINE_NAME: ' ' }, 'Environment variable PIPELINE_NAME is not set: it must name the pipeline (the DeliveryMetrics construct sets it).'],
    [{ METRICS_NAMESPACE: undefined }, 'Environment variable METRICS_NAMESPACE is not set: it must name the CloudWatch namespace (the DeliveryMetrics construct sets it).'],
    [{ WINDOW_DAYS: undefined }, 'Environment variable WINDOW_DAYS is "": it must be a whole number of days from 1 to 365 (the DeliveryMetrics construct sets it).'],
    [{ WINDOW_DAYS: '0' }, 'Environment variable WINDOW_DAYS is "0": it must be a whole number of days from 1 to 365'],
    [{ WINDOW_DAYS: '366' }, 'Environment variable WINDOW_DAYS is "366"'],
    [{ WINDOW_DAYS: '7.5' }, 'Environment variable WINDOW_DAYS is "7.5"'],
  ])('GIVEN %j WHEN read THEN it is refused: %s', (override, message) => {
    expect(() => configFromEnvironment({ ...env, ...override })).toThrow(message);
  });
});

describe('parseTriggerEvent', () => {
  test('GIVEN an execution event WHEN parsed THEN it names the pipeline and its time ends the window', () => {
    expect(parseTriggerEvent(executionEvent())).toEqual({ pipelineName: PIPELINE, timeMs: Date.parse(UNTIL) });
  });

  test('GIVEN an action event WHEN parsed THEN it is accepted like an execution event', () => {
    const event = { ...executionEvent(), 'detail-type': 'CodePipeline Action Execution State Change' };
    expect(parseTriggerEvent(event)).toEqual({ pipelineName: PIPELINE, timeMs: Date.parse(UNTIL) });
  });

  test('GIVEN the schedule\'s event WHEN parsed THEN it names no pipeline', () => {
    expect(parseTriggerEvent(scheduledEvent())).toEqual({ timeMs: Date.parse(UNTIL) });
  });

  test.each([
    ['not an object', 'hello', 'Expected an EventBridge event object, got "hello".'],
    ['another source', { ...executionEvent(), source: 'aws.s3' },
      'Expected a CodePipeline execution or action state change (source \'aws.codepipeline\') or a scheduled event (source \'aws.events\'), got source "aws.s3" and detail-type "CodePipeline Pipeline Execution State Change".'],
    ['a stage event', { ...executionEvent(), 'detail-type': 'CodePipeline Stage Execution State Change' }, 'detail-type "CodePipeline Stage Execution State Change"'],
    ['no time', { ...executionEvent(), time: undefined }, 'The event\'s time must be an ISO 8601 timestamp, got nothing.'],
    ['a bad time', { ...executionEvent(), time: 'yesterday' }, 'The event\'s time must be an ISO 8601 timestamp, got "yesterday".'],
    ['no pipeline', { ...executionEvent(), detail: { state: 'FAILED' } }, 'The event\'s detail.pipeline must be a non-empty string, got nothing.'],
  ])('GIVEN %s WHEN parsed THEN InvalidEventError says what is wrong', (_, event, message) => {
    expect(() => parseTriggerEvent(event)).toThrow(InvalidEventError);
    expect(() => parseTriggerEvent(event)).toThrow(message);
  });
});

describe('emfDocument', () => {
  const metrics = computeDeliveryMetrics(history([
    execution('a', 'Succeeded', T0, T0 + 10 * MINUTE),
    execution('b', 'Failed', T0 + HOUR, T0 + HOUR + 5 * MINUTE),
  ], [action('a', 'Production', 'Deploy', 'Deploy', 'Succeeded', T0 + MINUTE, T0 + 9 * MINUTE)]), window(2));

  test('GIVEN computed metrics WHEN rendered THEN each measured figure is a metric with the Pipeline dimension, scaled to its unit', () => {
    const document = emfDocument('Team/Delivery', 'shop-api', metrics, T0 + 2 * DAY);

    expect(emfViolations(document)).toEqual([]);
    expect(document._aws).toEqual({
      Timestamp: T0 + 2 * DAY,
      CloudWatchMetrics: [{
        Namespace: 'Team/Delivery',
        Dimensions: [['Pipeline']],
        Metrics: [
          { Name: 'ThroughputPerDay', Unit: 'None' },
          { Name: 'DurationMedian', Unit: 'Seconds' },
          { Name: 'DurationP95', Unit: 'Seconds' },
          { Name: 'SuccessRate', Unit: 'Percent' },
          { Name: 'OpenFailureEpisodes', Unit: 'Count' },
          { Name: 'DeploymentsPerDay', Unit: 'None' },
          { Name: 'DeploymentsPerWeek', Unit: 'None' },
          { Name: 'LeadTimeMedian', Unit: 'Seconds' },
          { Name: 'ChangeFailureRate', Unit: 'Percent' },
        ],
      }],
    });
    expect(document).toMatchObject({
      Pipeline: 'shop-api',
      ThroughputPerDay: 0.5,
      DurationMedian: 600,
      DurationP95: 600,
      SuccessRate: 50,
      OpenFailureEpisodes: 1,
      DeploymentsPerDay: 0.5,
      DeploymentsPerWeek: 3.5,
      LeadTimeMedian: 9 * 60,
      ChangeFailureRate: 0,
    });
    // the unmeasured figures are neither declared nor given a value
    expect(document).not.toHaveProperty('MeanTimeToRecovery');
    expect(document).not.toHaveProperty('TimeToRestore');
    // the whole computation travels as a property (Logs Insights), not as billed metrics
    expect(document.deliveryMetrics).toEqual(metrics);
  });

  test('the spec check fails a document that declares a metric without a value, or a dimension without a string', () => {
    const document = emfDocument('Team/Delivery', 'shop-api', metrics, T0);
    const broken = { ...document, SuccessRate: undefined, Pipeline: 7 } as unknown as EmfDocument;

    expect(emfViolations(broken)).toEqual(['dimension Pipeline has no string value', 'metric SuccessRate has no numeric value']);
  });

  test('every DeliveryFigure has one definition, and no two share a name', () => {
    expect(FIGURES.map(f => f.figure).sort()).toEqual(Object.values(DeliveryFigure).sort());
  });
});

describe('publishDeliveryMetrics', () => {
  test('GIVEN an execution of the pipeline ended WHEN handled THEN the history of the window before the event is read and one EMF line written', async () => {
    const { client, mock } = mockedHistoryClient();

    const { result, lines, document } = await publish(executionEvent(), client);

    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('}\n')).toBe(true);
    expect(lines[0].indexOf('\n')).toBe(lines[0].length - 1); // one line: CloudWatch reads one log event per line
    expect(mock.commandCalls(ListPipelineExecutionsCommand)[0].args[0].input).toEqual({ pipelineName: PIPELINE, maxResults: 100 });
    expect(mock.commandCalls(ListActionExecutionsCommand)[0].args[0].input).toMatchObject({ pipelineName: PIPELINE });
    expect(emfViolations(document!)).toEqual([]);
    expect(document!._aws.Timestamp).toBe(Date.parse(UNTIL));
    expect(document!.Pipeline).toBe(PIPELINE);
    expect(result).toEqual({
      outcome: 'PUBLISHED',
      reason: 'Published 11 figures of the 21-day window.',
      pipelineName: PIPELINE,
      since: '2025-05-05T00:00:00.000Z',
      until: '2025-05-26T00:00:00.000Z',
      published: FIGURES.map(f => f.figure),
      notMeasured: [],
    });
  });

  test('GIVEN the hourly schedule WHEN handled THEN the window ends at the tick', async () => {
    const { client } = mockedHistoryClient();

    const { result, document } = await publish(scheduledEvent('2025-05-20T13:00:00Z'), client, { ...CONFIG, windowDays: 7 });

    expect(result).toMatchObject({ outcome: 'PUBLISHED', since: '2025-05-13T13:00:00.000Z', until: '2025-05-20T13:00:00.000Z' });
    expect(document!._aws.Timestamp).toBe(Date.parse('2025-05-20T13:00:00Z'));
  });

  test('GIVEN an event of another pipeline WHEN handled THEN nothing is read or written', async () => {
    const { client, mock } = mockedHistoryClient();

    const { result, lines } = await publish(executionEvent({ pipeline: 'other-app' }), client);

    expect(result).toEqual({
      outcome: 'IGNORED', reason: 'The event is about pipeline \'other-app\', not \'shop-api\'.', pipelineName: PIPELINE, published: [], notMeasured: [],
    });
    expect(lines).toEqual([]);
    expect(mock.calls()).toHaveLength(0);
  });

  test('GIVEN a window without executions WHEN handled THEN only the figures that exist are published, the others listed as not measured', async () => {
    const { client } = mockedHistoryClient();

    const { result, document } = await publish(executionEvent({ time: '2024-01-01T00:00:00Z' }), client);

    expect(result.published).toEqual(['ThroughputPerDay', 'OpenFailureEpisodes', 'DeploymentsPerDay', 'DeploymentsPerWeek']);
    expect(result.notMeasured).toEqual(['DurationMedian', 'DurationP95', 'SuccessRate', 'MeanTimeToRecovery', 'LeadTimeMedian', 'ChangeFailureRate', 'TimeToRestore']);
    expect(document).toMatchObject({ ThroughputPerDay: 0, OpenFailureEpisodes: 0, DeploymentsPerDay: 0, DeploymentsPerWeek: 0 });
  });

  test('GIVEN CodePipeline refuses WHEN handled THEN it throws (Lambda retries, then the dead-letter queue) and writes nothing', async () => {
    const { client, mock } = mockedHistoryClient();
    mock.on(ListPipelineExecutionsCommand).rejects(new PipelineNotFoundException({ message: 'not found', $metadata: {} }));

    const lines: string[] = [];
    await expect(publishDeliveryMetrics(executionEvent(), client, CONFIG, (line) => lines.push(line))).rejects.toThrow(/shop-api/);
    expect(lines).toEqual([]);
  });

  test('GIVEN an unexpected event WHEN handled THEN it throws before any call', async () => {
    const { client, mock } = mockedHistoryClient();

    await expect(publish({ source: 'aws.s3' }, client)).rejects.toThrow(InvalidEventError);
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('Lambda entry point', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  test('GIVEN the construct\'s environment WHEN invoked THEN the EMF document goes to standard output as is (not through console.log) and the result is logged', async () => {
    const mock = mockClient(CodePipelineClient); // every client, including the module's own
    const example = sdkHistory();
    mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: example.executions });
    mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: example.actions });
    process.env.PIPELINE_NAME = PIPELINE;
    process.env.METRICS_NAMESPACE = 'CdkDeliveryPipelines';
    process.env.WINDOW_DAYS = '21';
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { written.push(String(chunk)); return true; });
    const logged = jest.spyOn(console, 'log').mockImplementation(() => undefined);

    const result = await handler(executionEvent());

    expect(result.outcome).toBe('PUBLISHED');
    expect(written).toHaveLength(1);
    expect(emfViolations(JSON.parse(written[0]))).toEqual([]);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(JSON.parse(logged.mock.calls[0][0] as string)).toMatchObject({ level: 'INFO', outcome: 'PUBLISHED', pipelineName: PIPELINE });
    mock.restore();
  });
});
