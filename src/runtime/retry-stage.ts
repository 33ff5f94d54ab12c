import { CodePipelineClient, RetryStageExecutionCommand, StageRetryMode } from '@aws-sdk/client-codepipeline';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, obj, optional, str } from './reply-shape';
import { Confirmation, readPipelineState, sendChange, stageOf, validateExecutionId, validateStageName } from './stage-change';

/** RetryStageExecution: the execution that was retried. */
export const RETRY_STAGE_REPLY = obj({ pipelineExecutionId: optional(str) });

export interface RetryOptions {
  /** The failed stage. */
  readonly stageName: string;
  /** Retry every action of the stage from the first, not only the failed ones. @default false */
  readonly allActions?: boolean;
  /** The execution to retry; it must be the one the stage failed in last. Default: the stage's latest execution. */
  readonly pipelineExecutionId?: string;
}

export interface RetryPlan {
  readonly pipelineName: string;
  readonly stageName: string;
  readonly pipelineExecutionId: string;
  /** `FAILED_ACTIONS` or `ALL_ACTIONS`. */
  readonly retryMode: string;
  /** The actions that failed (what FAILED_ACTIONS runs again). */
  readonly failedActions: string[];
  /** Manual retries of this stage execution before this one. */
  readonly manualRetriesBefore: number;
}

export interface RetryOutcome extends RetryPlan {
  /** Set when the reply was lost and the retry was confirmed by reading the pipeline again: why. */
  readonly confirmedAfter?: string;
}

/**
 * Decide the retry without sending it: the stage's latest execution failed (CodePipeline retries only a failed stage,
 * in its latest execution), and a named execution is that one.
 */
export async function planRetry(client: CodePipelineClient, pipelineName: string, options: RetryOptions): Promise<RetryPlan> {
  validateStageName(options.stageName);
  if (options.pipelineExecutionId !== undefined) {
    validateExecutionId(options.pipelineExecutionId, '--execution-id');
  }
  const snapshot = await readPipelineState(client, pipelineName);
  const stage = stageOf(snapshot, pipelineName, options.stageName);
  if (!stage.executionId || stage.status !== 'Failed') {
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `Stage ${stage.stageName} of pipeline '${pipelineName}' has not failed: its latest execution ` +
      `${stage.executionId ? `${stage.executionId} is ${stage.status ?? 'without a status'}` : 'does not exist'}. Nothing was sent: ` +
      'CodePipeline retries only a stage whose latest execution failed.');
  }
  if (options.pipelineExecutionId !== undefined && options.pipelineExecutionId !== stage.executionId) {
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `Execution ${options.pipelineExecutionId} is not the one stage ${stage.stageName} failed in last (${stage.executionId}). Nothing was sent: ` +
      'CodePipeline retries only the latest execution of a stage. Drop --execution-id to retry that one, or start a new execution (cdk-delivery release).');
  }
  return {
    pipelineName,
    stageName: stage.stageName,
    pipelineExecutionId: stage.executionId,
    retryMode: options.allActions ? StageRetryMode.ALL_ACTIONS : StageRetryMode.FAILED_ACTIONS,
    failedActions: stage.failedActions,
    manualRetriesBefore: stage.manualRetries,
  };
}

async function confirmRetry(client: CodePipelineClient, plan: RetryPlan, abortSignal: AbortSignal): Promise<Confirmation<string>> {
  const stage = (await readPipelineState(client, plan.pipelineName, abortSignal)).stages.find((s) => s.stageName === plan.stageName);
  if (!stage || stage.executionId !== plan.pipelineExecutionId) {
    return { kind: 'unclear', seen: `stage ${plan.stageName} now holds execution ${stage?.executionId ?? 'unknown'}` };
  }
  if (stage.manualRetries > plan.manualRetriesBefore || (stage.status !== 'Failed' && stage.status !== undefined)) {
    return { kind: 'recorded', outcome: stage.executionId };
  }
  return { kind: 'not-recorded', seen: `stage ${plan.stageName} is still Failed in ${plan.pipelineExecutionId} with ${stage.manualRetries} manual retries` };
}

/** Send the planned retry (RetryStageExecution) once; an uncertain reply is confirmed by reading the pipeline again. */
export async function executeRetry(client: CodePipelineClient, plan: RetryPlan): Promise<RetryOutcome> {
  const context = { operation: 'RetryStageExecution', pipelineName: plan.pipelineName };
  const result = await sendChange({
    context,
    what: `the retry of ${plan.stageName} in execution ${plan.pipelineExecutionId}`,
    refusals: new Set(['ConflictException', 'StageNotRetryableException', 'NotLatestPipelineExecutionException']),
    send: async () => {
      checkReply(context, await client.send(new RetryStageExecutionCommand({
        pipelineName: plan.pipelineName,
        stageName: plan.stageName,
        pipelineExecutionId: plan.pipelineExecutionId,
        retryMode: plan.retryMode as StageRetryMode,
      })), RETRY_STAGE_REPLY);
      return plan.pipelineExecutionId;
    },
    confirm: (signal) => confirmRetry(client, plan, signal),
  });
  return { ...plan, ...(result.confirmedAfter ? { confirmedAfter: result.confirmedAfter } : {}) };
}
