import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { FIGURES, FigureUnit, PIPELINE_DIMENSION } from './catalog';
import { MAX_WINDOW_DAYS, NAMESPACE_VARIABLE, PIPELINE_NAME_VARIABLE, WINDOW_DAYS_VARIABLE } from './publish-metrics-variables';
import { describeValue, InvalidEventError } from '../../private/invalid-event';
import { parseIsoTime } from '../../runtime/history';
import { DeliveryMetricsReport, MetricsWindow } from '../../runtime/metrics';
import { PipelineOperations } from '../../runtime/operations-client';

/**
 * The delivery-metrics function's logic, apart from the Lambda wiring (`publish-metrics.lambda.ts`) so that it can
 * be tested against a mocked client.
 *
 * An event says only that something happened to the pipeline (an execution or a production action ended, or the
 * hourly schedule ticked). The function reads the pipeline's history of the rolling window through the same
 * operations client the CLI uses (`PipelineOperations.metrics`: ListPipelineExecutions, ListActionExecutions),
 * computes the figures with the same definitions (`src/runtime/metrics.ts`), and writes them as one CloudWatch
 * embedded metric format (EMF) document to standard output, where CloudWatch Logs extracts the metrics.
 *
 * The EMF document is written here rather than with Powertools metrics: it is one document per invocation, with
 * one dimension and 11 metrics (under EMF's limit of 100), and nothing of what the library adds (buffering and
 * flushing, cold-start metrics, middleware) is used; the document's shape is checked against the specification in
 * the tests, and the library would be one more dependency to bundle and keep current.
 */

/** What the handler needs to know, read from its environment (see `environment.ts`). */
export interface PublisherConfig {
  readonly pipelineName: string;
  readonly namespace: string;
  readonly windowDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const EXECUTION_EVENT = 'CodePipeline Pipeline Execution State Change';
const ACTION_EVENT = 'CodePipeline Action Execution State Change';
const SCHEDULED_EVENT = 'Scheduled Event';

/** What one invocation did; returned to Lambda and logged. */
export interface PublishResult {
  /** `PUBLISHED`, or `IGNORED` for an event of another pipeline. */
  readonly outcome: 'PUBLISHED' | 'IGNORED';
  readonly reason: string;
  readonly pipelineName: string;
  /** The window the figures were computed over (ISO 8601). */
  readonly since?: string;
  readonly until?: string;
  /** Figures written to the EMF document. */
  readonly published: string[];
  /** Figures left out because the window has nothing to measure them on (e.g. no failure to recover from). */
  readonly notMeasured: string[];
}

/** One metric directive entry of an EMF document. */
interface MetricDirective {
  readonly Name: string;
  readonly Unit: FigureUnit;
}

/** A CloudWatch embedded metric format document (specification: CloudWatch_Embedded_Metric_Format_Specification). */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: Array<{
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: MetricDirective[];
    }>;
  };
  readonly [member: string]: unknown;
}

/** Reads the configuration that the `DeliveryMetrics` construct writes into the function's environment. */
export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): PublisherConfig {
  const pipelineName = env[PIPELINE_NAME_VARIABLE]?.trim() ?? '';
  if (pipelineName.length === 0) {
    throw new Error(`Environment variable ${PIPELINE_NAME_VARIABLE} is not set: it must name the pipeline (the DeliveryMetrics construct sets it).`);
  }
  const namespace = env[NAMESPACE_VARIABLE]?.trim() ?? '';
  if (namespace.length === 0) {
    throw new Error(`Environment variable ${NAMESPACE_VARIABLE} is not set: it must name the CloudWatch namespace (the DeliveryMetrics construct sets it).`);
  }
  const text = env[WINDOW_DAYS_VARIABLE]?.trim() ?? '';
  const windowDays = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(windowDays >= 1 && windowDays <= MAX_WINDOW_DAYS)) {
    throw new Error(`Environment variable ${WINDOW_DAYS_VARIABLE} is ${JSON.stringify(text)}: it must be a whole number of days from 1 to ${MAX_WINDOW_DAYS} (the DeliveryMetrics construct sets it).`);
  }
  return { pipelineName, namespace, windowDays };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface TriggerEvent {
  /** The pipeline the event is about; undefined for the schedule. */
  readonly pipelineName?: string;
  /** When the event happened: the end of the window. */
  readonly timeMs: number;
}

/** Checks the event's shape: a CodePipeline execution or action state change, or the schedule's tick. */
export function parseTriggerEvent(event: unknown): TriggerEvent {
  if (!isRecord(event)) {
    throw new InvalidEventError(`Expected an EventBridge event object, got ${describeValue(event)}.`);
  }
  const detailType = event['detail-type'];
  const fromPipeline = event.source === 'aws.codepipeline' && (detailType === EXECUTION_EVENT || detailType === ACTION_EVENT);
  const fromSchedule = event.source === 'aws.events' && detailType === SCHEDULED_EVENT;
  if (!fromPipeline && !fromSchedule) {
    throw new InvalidEventError('Expected a CodePipeline execution or action state change (source \'aws.codepipeline\') or a scheduled event (source \'aws.events\'), '
      + `got source ${describeValue(event.source)} and detail-type ${describeValue(detailType)}.`);
  }
  const timeMs = typeof event.time === 'string' ? parseIsoTime(event.time) : undefined;
  if (timeMs === undefined) {
    throw new InvalidEventError(`The event's time must be an ISO 8601 timestamp, got ${describeValue(event.time)}.`);
  }
  if (!fromPipeline) {
    return { timeMs };
  }
  const detail = event.detail;
  const pipelineName = isRecord(detail) ? detail.pipeline : undefined;
  if (typeof pipelineName !== 'string' || pipelineName.length === 0) {
    throw new InvalidEventError(`The event's detail.pipeline must be a non-empty string, got ${describeValue(pipelineName)}.`);
  }
  return { pipelineName, timeMs };
}

/**
 * The EMF document of one computation: each measured figure as a metric with the `Pipeline` dimension, and the
 * whole `DeliveryMetricsReport` object as a property (`deliveryMetrics`, searchable in CloudWatch Logs Insights, not a
 * billed metric). Figures without a value are left out of the directive: EMF has no "no value".
 */
export function emfDocument(namespace: string, pipelineName: string, metrics: DeliveryMetricsReport, timestampMs: number): EmfDocument {
  const directives: MetricDirective[] = [];
  const values: Record<string, number> = {};
  for (const definition of FIGURES) {
    const value = definition.value(metrics);
    if (value !== null && Number.isFinite(value)) {
      directives.push({ Name: definition.figure, Unit: definition.unit });
      values[definition.figure] = value;
    }
  }
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[PIPELINE_DIMENSION]], Metrics: directives }],
    },
    [PIPELINE_DIMENSION]: pipelineName,
    ...values,
    deliveryMetrics: metrics,
  };
}

/**
 * Computes the figures of the window that ends at the event's time and writes them as one EMF line with `write`.
 * Throws on an unexpected event or a failed CodePipeline call (Lambda retries, then the dead-letter queue).
 */
export async function publishDeliveryMetrics(
  event: unknown,
  client: CodePipelineClient,
  config: PublisherConfig,
  write: (line: string) => void,
): Promise<PublishResult> {
  const trigger = parseTriggerEvent(event);
  const { pipelineName } = config;
  if (trigger.pipelineName !== undefined && trigger.pipelineName !== pipelineName) {
    return {
      outcome: 'IGNORED',
      reason: `The event is about pipeline '${trigger.pipelineName}', not '${pipelineName}'.`,
      pipelineName,
      published: [],
      notMeasured: [],
    };
  }
  const window: MetricsWindow = { since: new Date(trigger.timeMs - config.windowDays * DAY_MS), until: new Date(trigger.timeMs) };
  const metrics = await new PipelineOperations({ client, pipelineName }).metrics(window);
  const document = emfDocument(config.namespace, pipelineName, metrics, trigger.timeMs);
  write(`${JSON.stringify(document)}\n`);
  const published = document._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name);
  return {
    outcome: 'PUBLISHED',
    reason: `Published ${published.length} figures of the ${config.windowDays}-day window.`,
    pipelineName,
    since: metrics.since,
    until: metrics.until,
    published,
    notMeasured: FIGURES.map((d) => d.figure as string).filter((name) => !published.includes(name)),
  };
}
