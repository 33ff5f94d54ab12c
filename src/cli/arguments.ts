import { InvalidArgumentError } from 'commander';
import { parseIsoTime } from '../runtime/history';
import { PipelineVariableValue, SourceRevisionValue } from '../runtime/release';

/** Option parsers for commander: each throws InvalidArgumentError (a usage error, exit 2) with the fix. */

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseIsoDate(value: string): Date {
  const ms = parseIsoTime(value);
  if (ms === undefined) {
    throw new InvalidArgumentError('Expected an ISO 8601 date or time such as 2025-01-31 or 2025-01-31T12:00:00Z.');
  }
  return new Date(ms);
}

export function parsePositiveSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('Expected a positive number of seconds.');
  }
  return seconds;
}

/** Node's timers hold at most 2^31 - 1 ms (~24.8 days); a longer delay fires at once. Every time limit stays below. */
export const MAX_LIMIT_SECONDS = 24 * 60 * 60;

/** A positive number of seconds up to `max` (a parser for commander). */
export function secondsUpTo(max: number): (value: string) => number {
  return (value) => {
    const seconds = parsePositiveSeconds(value);
    if (seconds > max) {
      throw new InvalidArgumentError(`Expected at most ${max} seconds.`);
    }
    return seconds;
  };
}

/** `name=value` → a pipeline variable (the value may contain `=`). */
export function parseVariable(text: string): PipelineVariableValue {
  const at = text.indexOf('=');
  if (at <= 0) {
    throw new InvalidArgumentError(`Expected name=value, got '${text}'.`);
  }
  return { name: text.slice(0, at), value: text.slice(at + 1) };
}

/** `Action=TYPE:value` → a source revision override, e.g. `Source=COMMIT_ID:4f2a9c1`. */
export function parseSourceRevision(text: string): SourceRevisionValue {
  const match = /^([^=]+)=([A-Z_0-9]+):(.+)$/.exec(text);
  if (!match) {
    throw new InvalidArgumentError(`Expected ActionName=REVISION_TYPE:value (e.g. Source=COMMIT_ID:4f2a9c1), got '${text}'.`);
  }
  return { actionName: match[1], revisionType: match[2], revisionValue: match[3] };
}
