import { CodePipelineClient, ListPipelineExecutionsCommand, StopPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { callCodePipeline, DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, EXECUTIONS_PAGE_REPLY, obj, optional, str } from './reply-shape';
import {
  Confirmation, readExecution, readPipelineState, sendChange, stageOf, validateChangeReason, validateExecutionId, validateStageName,
} from './stage-change';

/** StopPipelineExecution: the execution it stops. */
export const STOP_EXECUTION_REPLY = obj({ pipelineExecutionId: optional(str) });

export interface StopOptions {
  /** Why the execution is stopped (CodePipeline records it with the stop, 1-200 characters). */
  readonly reason: string;
  /** Abandon the actions in progress instead of letting them finish. @default false */
  readonly abandon?: boolean;
  /** The execution to stop. */
  readonly pipelineExecutionId?: string;
  /** Stop the execution this stage holds (when no execution id is given). */
  readonly stageName?: string;
}

export interface StopPlan {
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  /** The execution's status before the stop: `InProgress`, or `Stopping` when abandoning a stop in progress. */
  readonly statusBefore: string;
  readonly abandon: boolean;
  readonly reason: string;
}

export interface StopOutcome extends StopPlan {
  /** Set when the reply was lost and the stop was confirmed by reading the execution again: why. */
  readonly confirmedAfter?: string;
}

/** How many recent executions are looked through for the one in progress when none is named. */
const RECENT_EXECUTIONS = 25;

async function executionInProgress(client: CodePipelineClient, pipelineName: string): Promise<string> {
  const context = { operation: 'ListPipelineExecutions', pipelineName };
  const page = checkReply(context, await callCodePipeline(context,
    () => client.send(new ListPipelineExecutionsCommand({ pipelineName, maxResults: RECENT_EXECUTIONS }))), EXECUTIONS_PAGE_REPLY);
  const running = (page.pipelineExecutionSummaries ?? []).filter((s) => s.status === 'InProgress' || s.status === 'Stopping');
  if (running.length === 0) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND, `No execution of pipeline '${pipelineName}' is in progress: nothing to stop.`);
  }
  if (running.length > 1) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `${running.length} executions of pipeline '${pipelineName}' are in progress: ${running.map((s) => s.pipelineExecutionId).join(', ')}. ` +
      'Name the one to stop with --execution-id or --stage.');
  }
  return running[0].pipelineExecutionId ?? '';
}

/**
 * Decide the stop without sending it: which execution (named, the one a stage holds, or the only one in progress),
 * and that it can still be stopped. A stop already under way is refused unless this one abandons (CodePipeline refuses
 * a second stop of the same kind), so the command never stops twice.
 */
export async function planStop(client: CodePipelineClient, pipelineName: string, options: StopOptions): Promise<StopPlan> {
  validateChangeReason(options.reason);
  if (options.pipelineExecutionId !== undefined) {
    validateExecutionId(options.pipelineExecutionId, '--execution-id');
  }
  if (options.stageName !== undefined) {
    validateStageName(options.stageName);
  }
  if (options.pipelineExecutionId !== undefined && options.stageName !== undefined) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, 'Give --execution-id or --stage, not both: --stage stops the execution the stage holds.');
  }
  let id = options.pipelineExecutionId;
  if (id === undefined && options.stageName !== undefined) {
    const stage = stageOf(await readPipelineState(client, pipelineName), pipelineName, options.stageName);
    if (!stage.executionId) {
      throw new DeliveryError(DeliveryErrorCode.NOT_FOUND, `Stage ${stage.stageName} of pipeline '${pipelineName}' holds no execution: nothing to stop.`);
    }
    id = stage.executionId;
  }
  id ??= await executionInProgress(client, pipelineName);
  const execution = await readExecution(client, pipelineName, id);
  const abandon = options.abandon ?? false;
  if (execution.status === 'Stopping' && !abandon) {
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `Execution ${id} of pipeline '${pipelineName}' is already Stopping. Nothing was sent. Add --abandon to abandon its actions in progress ` +
      'instead of waiting for them.');
  }
  if (execution.status !== 'InProgress' && execution.status !== 'Stopping') {
    throw new DeliveryError(DeliveryErrorCode.CONFLICT, `Execution ${id} of pipeline '${pipelineName}' is ${execution.status}: nothing to stop. Nothing was sent.`);
  }
  return { pipelineName, pipelineExecutionId: id, statusBefore: execution.status, abandon, reason: options.reason };
}

async function confirmStop(client: CodePipelineClient, plan: StopPlan, abortSignal: AbortSignal): Promise<Confirmation<string>> {
  const status = (await readExecution(client, plan.pipelineName, plan.pipelineExecutionId, abortSignal)).status;
  if ((status === 'Stopping' && plan.statusBefore === 'InProgress') || status === 'Stopped') {
    return { kind: 'recorded', outcome: status };
  }
  if (status === plan.statusBefore) {
    return { kind: 'not-recorded', seen: `execution ${plan.pipelineExecutionId} is still ${status}` };
  }
  return { kind: 'unclear', seen: `execution ${plan.pipelineExecutionId} is now ${status}` };
}

/** Send the planned stop (StopPipelineExecution) once; an uncertain reply is confirmed by reading the execution again. */
export async function executeStop(client: CodePipelineClient, plan: StopPlan): Promise<StopOutcome> {
  const context = { operation: 'StopPipelineExecution', pipelineName: plan.pipelineName };
  const result = await sendChange({
    context,
    what: `the stop${plan.abandon ? ' (abandon)' : ''} of execution ${plan.pipelineExecutionId}`,
    refusals: new Set(['ConflictException', 'DuplicatedStopRequestException', 'PipelineExecutionNotStoppableException']),
    send: async () => {
      checkReply(context, await client.send(new StopPipelineExecutionCommand({
        pipelineName: plan.pipelineName, pipelineExecutionId: plan.pipelineExecutionId, abandon: plan.abandon, reason: plan.reason,
      })), STOP_EXECUTION_REPLY);
      return 'Stopping';
    },
    confirm: (signal) => confirmStop(client, plan, signal),
  });
  return { ...plan, ...(result.confirmedAfter ? { confirmedAfter: result.confirmedAfter } : {}) };
}
