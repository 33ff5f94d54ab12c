import type { ActionExecutionDetail, PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import { DeliveryError, DeliveryErrorCode } from './errors';

/**
 * Version of the history as one JSON document (`PipelineHistoryFile`), which `export` wrote before version 2 (JSON
 * Lines, `history-lines.ts`) and `metrics --history` still reads.
 */
export const HISTORY_FORMAT_VERSION = 1;

/** An SDK shape as it reads after `JSON.stringify`: every `Date` becomes an ISO 8601 string. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer U>
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** One `ListPipelineExecutions` summary, dates as ISO strings. */
export type HistoryExecution = Jsonified<PipelineExecutionSummary>;

/** One `ListActionExecutions` detail, dates as ISO strings (only the fields the metrics read are kept). */
export type HistoryActionExecution = Jsonified<ActionExecutionDetail>;

/**
 * The history as one document: the pipeline's executions in `ListPipelineExecutions` shape and the action
 * executions (`ListActionExecutions` shape) of their source and production stages, which the DORA metrics need.
 * `fetchPipelineHistory` returns it; format 1 files hold it as one JSON document; `export` writes it as format 2
 * (JSON Lines, `history-lines.ts`).
 */
export interface PipelineHistoryFile {
  readonly formatVersion: number;
  readonly pipelineName: string;
  /** When the history was fetched (ISO 8601). */
  readonly exportedAt: string;
  /** Start of the exported window, inclusive (ISO 8601). */
  readonly since: string;
  /** End of the exported window, exclusive (ISO 8601). */
  readonly until: string;
  readonly pipelineExecutionSummaries: HistoryExecution[];
  readonly actionExecutionDetails: HistoryActionExecution[];
}

/** An execution as the metrics read it: validated, times in epoch milliseconds. */
export interface ExecutionRecord {
  readonly pipelineExecutionId: string;
  readonly status: string;
  readonly startMs: number;
  /**
   * `undefined` when the history has no `lastUpdateTime` for the execution (the List API's field is optional): the
   * metrics then leave the execution out of the figures that need its end, and count it (`excludedImpossible`).
   */
  readonly lastUpdateMs?: number;
  /** `STANDARD` or `ROLLBACK`; absent in older histories. */
  readonly executionType?: string;
  /** For a rollback: the execution it rolled back to. */
  readonly rollbackTargetPipelineExecutionId?: string;
}

/** An action execution as the metrics read it: validated, times in epoch milliseconds. */
export interface ActionRecord {
  readonly pipelineExecutionId: string;
  readonly stageName: string;
  readonly actionName: string;
  readonly status: string;
  readonly startMs: number;
  readonly lastUpdateMs: number;
  /** `Source`, `Build`, `Test`, `Deploy`, `Approval` or `Invoke`, when the history records it. */
  readonly category?: string;
  readonly outputVariables: Readonly<Record<string, string>>;
}

/** A validated history, ready for `computeDeliveryMetrics`. */
export interface DeliveryHistory {
  readonly pipelineName?: string;
  readonly executions: readonly ExecutionRecord[];
  readonly actions: readonly ActionRecord[];
}

function invalid(message: string): DeliveryError {
  return new DeliveryError(DeliveryErrorCode.INVALID_INPUT, `Invalid pipeline history: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parse an ISO 8601 timestamp; `undefined` when the text is not one. */
export function parseIsoTime(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function requiredString(item: Record<string, unknown>, key: string, where: string): string {
  const value = item[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`${where}.${key} must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}

function optionalString(item: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = item[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw invalid(`${where}.${key} must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requiredTime(item: Record<string, unknown>, key: string, where: string): number {
  const value = item[key];
  const ms = typeof value === 'string' ? parseIsoTime(value) : undefined;
  if (ms === undefined) {
    throw invalid(`${where}.${key} must be an ISO 8601 timestamp such as "2025-01-31T12:00:00.000Z", got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return ms;
}

/** A timestamp that may be missing (`undefined` or `null`); one that is present must be an ISO 8601 timestamp. */
function optionalTime(item: Record<string, unknown>, key: string, where: string): number | undefined {
  return item[key] === undefined || item[key] === null ? undefined : requiredTime(item, key, where);
}

/** Validate one execution (the `ListPipelineExecutions` shape, dates as ISO strings); `where` names it in messages. */
export function parseExecutionRecord(value: unknown, where: string): ExecutionRecord {
  if (!isRecord(value)) {
    throw invalid(`${where} must be an object`);
  }
  const rollback = value.rollbackMetadata;
  const rollbackTarget = isRecord(rollback) ? optionalString(rollback, 'rollbackTargetPipelineExecutionId', `${where}.rollbackMetadata`) : undefined;
  return {
    pipelineExecutionId: requiredString(value, 'pipelineExecutionId', where),
    status: requiredString(value, 'status', where),
    startMs: requiredTime(value, 'startTime', where),
    lastUpdateMs: optionalTime(value, 'lastUpdateTime', where),
    executionType: optionalString(value, 'executionType', where),
    rollbackTargetPipelineExecutionId: rollbackTarget,
  };
}

function parseOutputVariables(output: unknown, where: string): Record<string, string> {
  if (!isRecord(output) || !isRecord(output.outputVariables)) {
    return {};
  }
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(output.outputVariables)) {
    if (typeof value !== 'string') {
      throw invalid(`${where}.output.outputVariables.${name} must be a string, got ${JSON.stringify(value)}`);
    }
    variables[name] = value;
  }
  return variables;
}

/** Validate one action execution (the `ListActionExecutions` shape, dates as ISO strings); `where` names it in messages. */
export function parseActionRecord(value: unknown, where: string): ActionRecord {
  if (!isRecord(value)) {
    throw invalid(`${where} must be an object`);
  }
  const input = value.input;
  const actionTypeId = isRecord(input) && isRecord(input.actionTypeId) ? input.actionTypeId : undefined;
  return {
    pipelineExecutionId: requiredString(value, 'pipelineExecutionId', where),
    stageName: requiredString(value, 'stageName', where),
    actionName: requiredString(value, 'actionName', where),
    status: requiredString(value, 'status', where),
    startMs: requiredTime(value, 'startTime', where),
    lastUpdateMs: requiredTime(value, 'lastUpdateTime', where),
    category: actionTypeId ? optionalString(actionTypeId, 'category', `${where}.input.actionTypeId`) : undefined,
    outputVariables: parseOutputVariables(value.output, where),
  };
}

/**
 * Validate a history (a parsed history file, or what `fetchPipelineHistory` returned) and convert it to the
 * model the metrics read. Throws a `DeliveryError` (INVALID_INPUT) naming the first bad field.
 */
export function parsePipelineHistory(data: unknown): DeliveryHistory {
  if (!isRecord(data)) {
    throw invalid('expected a JSON object with "pipelineExecutionSummaries" (as written by `cdk-delivery export`)');
  }
  if (data.formatVersion !== undefined && data.formatVersion !== HISTORY_FORMAT_VERSION) {
    throw invalid(`formatVersion ${JSON.stringify(data.formatVersion)} is not supported; this version reads ${HISTORY_FORMAT_VERSION}`);
  }
  const executions = data.pipelineExecutionSummaries;
  if (!Array.isArray(executions)) {
    throw invalid('"pipelineExecutionSummaries" must be an array (the ListPipelineExecutions shape)');
  }
  const actions = data.actionExecutionDetails ?? [];
  if (!Array.isArray(actions)) {
    throw invalid('"actionExecutionDetails" must be an array (the ListActionExecutions shape) when present');
  }
  return {
    pipelineName: optionalString(data, 'pipelineName', 'history'),
    executions: executions.map((value, index) => parseExecutionRecord(value, `pipelineExecutionSummaries[${index}]`)),
    actions: actions.map((value, index) => parseActionRecord(value, `actionExecutionDetails[${index}]`)),
  };
}

/** Replace every `Date` in an SDK response by its ISO 8601 string, as JSON would. */
export function jsonify<T>(value: T): Jsonified<T> {
  return convertDates(value) as Jsonified<T>;
}

function convertDates(value: unknown): unknown {
  if (value instanceof Date) {
    // An invalid Date has no ISO form (toISOString throws): it is left out, as a missing timestamp.
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  }
  if (Array.isArray(value)) {
    return value.map(convertDates);
  }
  if (isRecord(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const converted = convertDates(item);
      if (converted !== undefined) {
        result[key] = converted;
      }
    }
    return result;
  }
  return value;
}
