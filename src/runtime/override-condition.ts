import { CodePipelineClient, ConditionType, OverrideStageConditionCommand } from '@aws-sdk/client-codepipeline';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, obj } from './reply-shape';
import {
  Confirmation, readPipelineState, sendChange, StageSnapshot, stageOf, validateChangeReason, validateExecutionId, validateStageName,
} from './stage-change';

/** OverrideStageCondition answers an empty object. */
export const OVERRIDE_CONDITION_REPLY = obj({});

/** The conditions CodePipeline lets an execution through (OverrideStageCondition's `conditionType`). */
export const OVERRIDABLE_CONDITIONS: readonly string[] = [ConditionType.BEFORE_ENTRY, ConditionType.ON_SUCCESS];

/** Condition statuses that hold an execution back, so an override lets it through. */
const HOLDING = new Set(['Failed', 'Errored', 'InProgress']);

export interface OverrideOptions {
  readonly stageName: string;
  /** Why the condition is overridden. CodePipeline's API takes no reason: it is in the command's result. */
  readonly reason: string;
  /** `BEFORE_ENTRY` or `ON_SUCCESS`. Default: the one that holds the execution back. */
  readonly conditionType?: string;
  /** Default: the stage's latest execution. */
  readonly pipelineExecutionId?: string;
}

export interface OverridePlan {
  readonly pipelineName: string;
  readonly stageName: string;
  readonly pipelineExecutionId: string;
  readonly conditionType: string;
  /** The condition's status before the override. */
  readonly conditionStatus: string;
  readonly reason: string;
}

export interface OverrideOutcome extends OverridePlan {
  /** Set when the reply was lost and the override was confirmed by reading the pipeline again: why. */
  readonly confirmedAfter?: string;
}

function statusOf(stage: StageSnapshot, conditionType: string): string | undefined {
  return conditionType === ConditionType.BEFORE_ENTRY ? stage.beforeEntryStatus : stage.onSuccessStatus;
}

/**
 * Decide the override without sending it: the condition holds the stage's latest execution back (failed, errored or
 * still evaluating); one already overridden is refused, so the command never overrides twice.
 */
export async function planOverride(client: CodePipelineClient, pipelineName: string, options: OverrideOptions): Promise<OverridePlan> {
  validateStageName(options.stageName);
  validateChangeReason(options.reason);
  if (options.conditionType !== undefined && !OVERRIDABLE_CONDITIONS.includes(options.conditionType)) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `--condition ${JSON.stringify(options.conditionType)} is not a condition CodePipeline overrides: use before-entry (e.g. a deployment window) or on-success (e.g. the bake's alarms).`);
  }
  if (options.pipelineExecutionId !== undefined) {
    validateExecutionId(options.pipelineExecutionId, '--execution-id');
  }
  const stage = stageOf(await readPipelineState(client, pipelineName), pipelineName, options.stageName);
  if (!stage.executionId) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND, `Stage ${stage.stageName} of pipeline '${pipelineName}' holds no execution: no condition to override.`);
  }
  if (options.pipelineExecutionId !== undefined && options.pipelineExecutionId !== stage.executionId) {
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `Execution ${options.pipelineExecutionId} is not the one stage ${stage.stageName} holds (${stage.executionId}). Nothing was sent: ` +
      'CodePipeline overrides a condition for the latest execution of a stage.');
  }
  const candidates = options.conditionType !== undefined ? [options.conditionType] : OVERRIDABLE_CONDITIONS;
  const conditionType = candidates.find((type) => HOLDING.has(statusOf(stage, type) ?? ''));
  if (conditionType === undefined) {
    const seen = OVERRIDABLE_CONDITIONS.map((type) => `${type}: ${statusOf(stage, type) ?? 'none'}`).join(', ');
    const overridden = candidates.some((type) => statusOf(stage, type) === 'Overridden');
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `No ${options.conditionType ?? 'condition'} of stage ${stage.stageName} holds execution ${stage.executionId} back (${seen}). Nothing was sent` +
      `${overridden ? ': it was already overridden' : ''}.`);
  }
  return {
    pipelineName,
    stageName: stage.stageName,
    pipelineExecutionId: stage.executionId,
    conditionType,
    conditionStatus: statusOf(stage, conditionType) ?? '',
    reason: options.reason,
  };
}

async function confirmOverride(client: CodePipelineClient, plan: OverridePlan, abortSignal: AbortSignal): Promise<Confirmation<string>> {
  const stage = (await readPipelineState(client, plan.pipelineName, abortSignal)).stages.find((s) => s.stageName === plan.stageName);
  const status = stage ? statusOf(stage, plan.conditionType) : undefined;
  if (stage?.executionId !== plan.pipelineExecutionId) {
    return { kind: 'unclear', seen: `stage ${plan.stageName} now holds execution ${stage?.executionId ?? 'unknown'}` };
  }
  if (status === 'Overridden') {
    return { kind: 'recorded', outcome: status };
  }
  if (status === plan.conditionStatus) {
    return { kind: 'not-recorded', seen: `the ${plan.conditionType} condition of ${plan.stageName} is still ${status}` };
  }
  return { kind: 'unclear', seen: `the ${plan.conditionType} condition of ${plan.stageName} is now ${status ?? 'without a status'}` };
}

/** Send the planned override (OverrideStageCondition) once; an uncertain reply is confirmed by reading the pipeline again. */
export async function executeOverride(client: CodePipelineClient, plan: OverridePlan): Promise<OverrideOutcome> {
  const context = { operation: 'OverrideStageCondition', pipelineName: plan.pipelineName };
  const result = await sendChange({
    context,
    what: `the override of the ${plan.conditionType} condition of ${plan.stageName}`,
    refusals: new Set(['ConflictException', 'ConditionNotOverridableException']),
    send: async () => {
      checkReply(context, await client.send(new OverrideStageConditionCommand({
        pipelineName: plan.pipelineName,
        stageName: plan.stageName,
        pipelineExecutionId: plan.pipelineExecutionId,
        conditionType: plan.conditionType as ConditionType,
      })), OVERRIDE_CONDITION_REPLY);
      return 'Overridden';
    },
    confirm: (signal) => confirmOverride(client, plan, signal),
  });
  return { ...plan, ...(result.confirmedAfter ? { confirmedAfter: result.confirmedAfter } : {}) };
}
