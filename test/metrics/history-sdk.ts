import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionExecutionDetail, PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import { PipelineHistoryFile } from '../../src/runtime/history';

/** The example history that `cdk-delivery metrics --history` reads in the README. */
export const EXAMPLE_HISTORY = path.join(__dirname, '..', '..', 'examples', 'history', 'pipeline-history.json');

const DATE_FIELDS = new Set(['startTime', 'lastUpdateTime']);

/** A history file's JSON back in the SDK's shapes (timestamps as `Date`), as the List APIs return it. */
function revive<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value), (key, item) => (DATE_FIELDS.has(key) && typeof item === 'string' ? new Date(item) : item)) as T;
}

/** The executions and action executions of a history file, newest first, in the SDK's shapes. */
export function sdkHistory(file: string = EXAMPLE_HISTORY) {
  const history = JSON.parse(fs.readFileSync(file, 'utf-8')) as PipelineHistoryFile;
  const byStartDescending = (a: { startTime?: Date }, b: { startTime?: Date }) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0);
  return {
    pipelineName: history.pipelineName,
    executions: revive<PipelineExecutionSummary[]>(history.pipelineExecutionSummaries).sort(byStartDescending),
    actions: revive<ActionExecutionDetail[]>(history.actionExecutionDetails).sort(byStartDescending),
  };
}
