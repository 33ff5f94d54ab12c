import {
  ActionExecutionDetail,
  CodePipelineClient,
  paginateListActionExecutions,
  paginateListPipelineExecutions,
  PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import { toDeliveryError } from './errors';
import { HISTORY_FORMAT_VERSION, HistoryActionExecution, jsonify, PipelineHistoryFile } from './history';
import { MetricsWindow, validateWindow } from './metrics';
import { ACTION_EXECUTIONS_PAGE_REPLY, checkReply, EXECUTIONS_PAGE_REPLY } from './reply-shape';
import { minimum } from './statistics';
import { isProductionStage } from '../contract';

/** The largest page both List APIs accept: fewest calls. */
export const MAX_PAGE_SIZE = 100;

/**
 * Keep the fields of an action execution the metrics need (identity, times, status, category, output variables);
 * drop configuration and artifact locations, which are large and not needed offline.
 */
function trimAction(detail: ActionExecutionDetail): HistoryActionExecution {
  return jsonify({
    pipelineExecutionId: detail.pipelineExecutionId,
    actionExecutionId: detail.actionExecutionId,
    pipelineVersion: detail.pipelineVersion,
    stageName: detail.stageName,
    actionName: detail.actionName,
    startTime: detail.startTime,
    lastUpdateTime: detail.lastUpdateTime,
    updatedBy: detail.updatedBy,
    status: detail.status,
    input: detail.input?.actionTypeId ? { actionTypeId: detail.input.actionTypeId } : undefined,
    output: detail.output?.outputVariables || detail.output?.executionResult
      ? { outputVariables: detail.output.outputVariables, executionResult: detail.output.executionResult }
      : undefined,
  });
}

function isNeededForMetrics(detail: ActionExecutionDetail): boolean {
  return isProductionStage(detail.stageName ?? '') || detail.input?.actionTypeId?.category === 'Source';
}

/**
 * Fetch a pipeline's history for `[since, until)`: the executions that started in the window, and the source and
 * production action executions of those executions.
 *
 * Both List APIs return newest first, so each listing stops after the first page that reaches past the start of
 * the window: about ceil(executions / 100) + ceil(actionExecutions / 100) calls, never one call per execution.
 */
export async function fetchPipelineHistory(
  client: CodePipelineClient,
  pipelineName: string,
  window: MetricsWindow,
  now: Date = new Date(),
): Promise<PipelineHistoryFile> {
  validateWindow(window);
  const sinceMs = window.since.getTime();
  const untilMs = window.until.getTime();

  const executions: PipelineExecutionSummary[] = [];
  try {
    for await (const page of paginateListPipelineExecutions({ client, pageSize: MAX_PAGE_SIZE }, { pipelineName })) {
      let reachedPastWindow = false;
      checkReply({ operation: 'ListPipelineExecutions', pipelineName }, page, EXECUTIONS_PAGE_REPLY);
      for (const summary of page.pipelineExecutionSummaries ?? []) {
        const start = summary.startTime?.getTime();
        if (start === undefined || start >= untilMs) {
          continue;
        }
        if (start < sinceMs) {
          reachedPastWindow = true;
          continue;
        }
        executions.push(summary);
      }
      if (reachedPastWindow) {
        break;
      }
    }
  } catch (error) {
    throw toDeliveryError(error, { operation: 'ListPipelineExecutions', pipelineName });
  }

  const actions: HistoryActionExecution[] = [];
  if (executions.length > 0) {
    const ids = new Set(executions.map((e) => e.pipelineExecutionId));
    const earliestStart = minimum(executions.map((e) => e.startTime?.getTime() ?? sinceMs)) ?? sinceMs;
    try {
      for await (const page of paginateListActionExecutions({ client, pageSize: MAX_PAGE_SIZE }, { pipelineName })) {
        let reachedPastWindow = false;
        checkReply({ operation: 'ListActionExecutions', pipelineName }, page, ACTION_EXECUTIONS_PAGE_REPLY);
        for (const detail of page.actionExecutionDetails ?? []) {
          if ((detail.startTime?.getTime() ?? Number.POSITIVE_INFINITY) < earliestStart) {
            reachedPastWindow = true;
          }
          if (ids.has(detail.pipelineExecutionId) && isNeededForMetrics(detail)) {
            actions.push(trimAction(detail));
          }
        }
        if (reachedPastWindow) {
          break;
        }
      }
    } catch (error) {
      throw toDeliveryError(error, { operation: 'ListActionExecutions', pipelineName });
    }
  }

  return {
    formatVersion: HISTORY_FORMAT_VERSION,
    pipelineName,
    exportedAt: now.toISOString(),
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    pipelineExecutionSummaries: executions.map((e) => jsonify(e)),
    actionExecutionDetails: actions,
  };
}
