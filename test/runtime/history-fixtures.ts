import { HistoryActionExecution, HistoryExecution, parsePipelineHistory, DeliveryHistory } from '../../src/runtime/history';

/** Builders for histories in the file shape (ISO dates), for metric tests. */

export const T0 = Date.parse('2025-03-01T00:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const at = (ms: number): string => new Date(ms).toISOString();

export function execution(id: string, status: string, startMs: number, endMs: number, extra: Partial<HistoryExecution> = {}): HistoryExecution {
  return { pipelineExecutionId: id, status: status as HistoryExecution['status'], startTime: at(startMs), lastUpdateTime: at(endMs), ...extra };
}

export function action(
  pipelineExecutionId: string,
  stageName: string,
  actionName: string,
  category: string,
  status: string,
  startMs: number,
  endMs: number,
  outputVariables?: Record<string, string>,
): HistoryActionExecution {
  return {
    pipelineExecutionId,
    actionExecutionId: `${pipelineExecutionId}/${stageName}/${actionName}`,
    stageName,
    actionName,
    status: status as HistoryActionExecution['status'],
    startTime: at(startMs),
    lastUpdateTime: at(endMs),
    input: { actionTypeId: { category: category as 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' } },
    ...(outputVariables ? { output: { outputVariables } } : {}),
  };
}

export function history(executions: HistoryExecution[], actions: HistoryActionExecution[] = []): DeliveryHistory {
  return parsePipelineHistory({ pipelineName: 'my-app', pipelineExecutionSummaries: executions, actionExecutionDetails: actions });
}

/** The window [T0, T0 + days). */
export function window(days = 30): { since: Date; until: Date } {
  return { since: new Date(T0), until: new Date(T0 + days * DAY) };
}
