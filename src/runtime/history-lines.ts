import { DeliveryError, DeliveryErrorCode } from './errors';
import {
  ActionRecord,
  DeliveryHistory,
  ExecutionRecord,
  HISTORY_FORMAT_VERSION,
  parseActionRecord,
  parseExecutionRecord,
  parsePipelineHistory,
  PipelineHistoryFile,
} from './history';

/**
 * Version 2 of the history file, written by `export` and read by `metrics --history`: JSON Lines (one compact JSON
 * value per line), written and read one line at a time, so that a history of any size round-trips. Version 1 (one
 * JSON document) is still read, whole, as long as it fits in one string.
 *
 * Line 1, the header: `{"formatVersion":2,"pipelineName":…,"exportedAt":…,"since":…,"until":…,"executions":E,"actionExecutions":A}`.
 * Then E lines `{"pipelineExecutionSummary":{…}}` (the `ListPipelineExecutions` shape) and A lines
 * `{"actionExecutionDetail":{…}}` (the `ListActionExecutions` shape), dates as ISO 8601 strings. The counts in the
 * header let the reader tell a complete file from one that was cut short.
 */
export const HISTORY_LINES_FORMAT_VERSION = 2;

const EXECUTION_KEY = 'pipelineExecutionSummary';
const ACTION_KEY = 'actionExecutionDetail';

/** What a history file says about itself: the period it covers, when the export says so. */
export interface HistoryCoverage {
  readonly since?: string;
  readonly until?: string;
}

/** A history read from a file: the validated history and the period the file says it covers. */
export interface HistoryFileContents {
  readonly history: DeliveryHistory;
  readonly coverage: HistoryCoverage;
  readonly formatVersion: number;
}

/**
 * The lines of a version 2 history file, each ending in a newline: the header, then one line per execution, then
 * one per action execution. A generator: the file is never one string, whatever its size.
 */
export function* historyFileLines(file: PipelineHistoryFile): Generator<string> {
  yield `${JSON.stringify({
    formatVersion: HISTORY_LINES_FORMAT_VERSION,
    pipelineName: file.pipelineName,
    exportedAt: file.exportedAt,
    since: file.since,
    until: file.until,
    executions: file.pipelineExecutionSummaries.length,
    actionExecutions: file.actionExecutionDetails.length,
  })}\n`;
  for (const execution of file.pipelineExecutionSummaries) {
    yield `${JSON.stringify({ [EXECUTION_KEY]: execution })}\n`;
  }
  for (const action of file.actionExecutionDetails) {
    yield `${JSON.stringify({ [ACTION_KEY]: action })}\n`;
  }
}

/** Join small strings into chunks of about `size` characters: fewer writes than one per line. */
export function* chunked(pieces: Iterable<string>, size = 1_048_576): Generator<string> {
  let buffer: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    buffer.push(piece);
    length += piece.length;
    if (length >= size) {
      yield buffer.join('');
      buffer = [];
      length = 0;
    }
  }
  if (buffer.length > 0) {
    yield buffer.join('');
  }
}

/** `${source} ${message}`: "History file h.jsonl is empty…", "History file h.jsonl, line 3 is…", "History file h.jsonl: the header…". */
function invalid(source: string, message: string): DeliveryError {
  return new DeliveryError(DeliveryErrorCode.INVALID_INPUT, `${source}${/^[,:]/.test(message) ? '' : ' '}${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Read a history file from its lines (as `readline` gives them, without line ends): version 2 one line at a time,
 * version 1 (one JSON document, possibly indented over many lines) whole. `source` names the file in messages.
 * Throws a `DeliveryError` (INVALID_INPUT) that names the line and the field of the first problem.
 */
export async function readHistoryFile(lines: AsyncIterable<string>, source: string): Promise<HistoryFileContents> {
  const iterator = lines[Symbol.asyncIterator]();
  try {
    return await readFrom(iterator, source);
  } finally {
    // Stopped at a bad line: let the source close its file now rather than when it is garbage-collected.
    await iterator.return?.();
  }
}

async function readFrom(iterator: AsyncIterator<string>, source: string): Promise<HistoryFileContents> {
  let lineNumber = 0;
  let first: string | undefined;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done) {
      throw invalid(source, 'is empty; expected a history written by `cdk-delivery export`');
    }
    lineNumber += 1;
    if (next.value.trim().length > 0) {
      first = next.value;
    }
  }
  const header = parseLine(first);
  if (isRecord(header) && header.formatVersion === HISTORY_LINES_FORMAT_VERSION) {
    return readLinesAfterHeader(header, iterator, lineNumber, source);
  }
  return readDocument(first, iterator, source);
}

/** Version 1 (or no version): the whole file is one JSON document. */
async function readDocument(first: string, rest: AsyncIterator<string>, source: string): Promise<HistoryFileContents> {
  const parts = [first];
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    parts.push(next.value);
  }
  let text: string;
  try {
    text = parts.join('\n');
  } catch (error) {
    // V8 strings hold at most about 512 MB (2^29 - 24 characters): "Invalid string length".
    throw invalid(source, `is one JSON document too large to read as one string (${(error as Error).message}); ` +
      `history files of format version ${HISTORY_LINES_FORMAT_VERSION} (JSON Lines, written by this version of \`cdk-delivery export\`) are read line by line at any size`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(source, `is not valid JSON: ${(error as Error).message}`);
  }
  if (isRecord(data) && data.formatVersion !== undefined && data.formatVersion !== HISTORY_FORMAT_VERSION) {
    throw invalid(source, `has formatVersion ${JSON.stringify(data.formatVersion)}, which is not supported; this version reads ` +
      `${HISTORY_FORMAT_VERSION} (one JSON document) and ${HISTORY_LINES_FORMAT_VERSION} (JSON Lines)`);
  }
  const file = isRecord(data) ? data : {};
  return {
    history: parsePipelineHistory(data),
    coverage: {
      since: typeof file.since === 'string' ? file.since : undefined,
      until: typeof file.until === 'string' ? file.until : undefined,
    },
    formatVersion: HISTORY_FORMAT_VERSION,
  };
}

function optionalHeaderString(header: Record<string, unknown>, key: string, source: string): string | undefined {
  const value = header[key];
  if (value !== undefined && typeof value !== 'string') {
    throw invalid(source, `, line 1: the header's "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function readLinesAfterHeader(
  header: Record<string, unknown>, rest: AsyncIterator<string>, headerLine: number, source: string,
): Promise<HistoryFileContents> {
  const expectedExecutions = header.executions;
  const expectedActions = header.actionExecutions;
  if (!isCount(expectedExecutions) || !isCount(expectedActions)) {
    throw invalid(source, `, line ${headerLine}: the header must give "executions" and "actionExecutions" as whole numbers, ` +
      `got ${JSON.stringify(expectedExecutions) ?? 'nothing'} and ${JSON.stringify(expectedActions) ?? 'nothing'}`);
  }
  const pipelineName = optionalHeaderString(header, 'pipelineName', source);
  const since = optionalHeaderString(header, 'since', source);
  const until = optionalHeaderString(header, 'until', source);
  const executions: ExecutionRecord[] = [];
  const actions: ActionRecord[] = [];
  let lineNumber = headerLine;
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    lineNumber += 1;
    const text = next.value;
    if (text.trim().length === 0) {
      continue;
    }
    const value = parseLine(text);
    const where = `line ${lineNumber}`;
    if (!isRecord(value)) {
      throw invalid(source, `, ${where} is not a JSON object: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`);
    }
    if (value[EXECUTION_KEY] !== undefined) {
      executions.push(parseExecutionRecord(value[EXECUTION_KEY], `${where}: ${EXECUTION_KEY}`));
    } else if (value[ACTION_KEY] !== undefined) {
      actions.push(parseActionRecord(value[ACTION_KEY], `${where}: ${ACTION_KEY}`));
    } else {
      throw invalid(source, `, ${where} must hold "${EXECUTION_KEY}" or "${ACTION_KEY}", got the keys ${JSON.stringify(Object.keys(value))}`);
    }
  }
  if (executions.length !== expectedExecutions || actions.length !== expectedActions) {
    throw invalid(source, `: the header announces ${expectedExecutions} executions and ${expectedActions} action executions, ` +
      `the file holds ${executions.length} and ${actions.length}: it is incomplete or was edited; export it again`);
  }
  return { history: { pipelineName, executions, actions }, coverage: { since, until }, formatVersion: HISTORY_LINES_FORMAT_VERSION };
}
