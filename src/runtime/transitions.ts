import {
  CodePipelineClient,
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
  GetPipelineCommand,
  StageTransitionType,
} from '@aws-sdk/client-codepipeline';
import { callCodePipeline, DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, PIPELINE_REPLY } from './reply-shape';
import { isProductionStage, PRODUCTION_STAGE } from '../contract';

export interface FreezeOptions {
  /** Why production is frozen; CodePipeline shows it on the disabled transition. */
  readonly reason: string;
  /** The stages to freeze. Default: every stage whose name starts with `Production`. */
  readonly stageNames?: readonly string[];
}

export interface UnfreezeOptions {
  /** The stages to unfreeze. Default: every stage whose name starts with `Production`. */
  readonly stageNames?: readonly string[];
}

export interface TransitionOutcome {
  readonly pipelineName: string;
  /** `frozen`: inbound transitions disabled; `unfrozen`: enabled. */
  readonly state: 'frozen' | 'unfrozen';
  readonly stageNames: string[];
  readonly reason?: string;
}

export const MAX_REASON_LENGTH = 300;
/** The characters DisableStageTransition accepts in a reason. */
const REASON_PATTERN = /^[a-zA-Z0-9!@ ().*?-]+$/;

/** Throw unless CodePipeline will accept the reason (1–300 characters of letters, digits, spaces and `!@().*?-`). */
export function validateFreezeReason(reason: string): void {
  if (reason.trim().length === 0) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, 'A freeze needs a reason (--reason), e.g. "Quarterly close - no releases until Monday".');
  }
  if (reason.length > MAX_REASON_LENGTH) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `The freeze reason has ${reason.length} characters; CodePipeline accepts at most ${MAX_REASON_LENGTH}.`);
  }
  if (!REASON_PATTERN.test(reason)) {
    const bad = [...new Set([...reason].filter((c) => !REASON_PATTERN.test(c)))].map((c) => JSON.stringify(c)).join(', ');
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `The freeze reason contains characters CodePipeline rejects: ${bad}. Use letters, digits, spaces and ! @ ( ) . * ? -`);
  }
}

/** The stages to act on: the named ones (each must exist) or, by default, the production stages. */
export async function resolveTargetStages(
  client: CodePipelineClient,
  pipelineName: string,
  stageNames: readonly string[] | undefined,
): Promise<string[]> {
  const output = checkReply({ operation: 'GetPipeline', pipelineName }, await callCodePipeline({ operation: 'GetPipeline', pipelineName },
    () => client.send(new GetPipelineCommand({ name: pipelineName }))), PIPELINE_REPLY);
  const existing = (output.pipeline?.stages ?? []).map((stage) => stage.name ?? '');
  if (stageNames && stageNames.length > 0) {
    const unknown = stageNames.filter((name) => !existing.includes(name));
    if (unknown.length > 0) {
      throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
        `Pipeline '${pipelineName}' has no stage ${unknown.map((n) => `'${n}'`).join(', ')}. Its stages: ${existing.join(', ')}.`);
    }
    return [...new Set(stageNames)];
  }
  const production = existing.filter(isProductionStage);
  if (production.length === 0) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `Pipeline '${pipelineName}' has no stage whose name starts with '${PRODUCTION_STAGE}' (its stages: ${existing.join(', ')}). ` +
      'Name the stages with --stage.');
  }
  return production;
}

async function changeTransitions(
  client: CodePipelineClient,
  pipelineName: string,
  stageNames: readonly string[],
  state: 'frozen' | 'unfrozen',
  reason: string | undefined,
): Promise<void> {
  const done: string[] = [];
  for (const stageName of stageNames) {
    const operation = state === 'frozen' ? 'DisableStageTransition' : 'EnableStageTransition';
    try {
      const transitionType = StageTransitionType.Inbound;
      await callCodePipeline({ operation, pipelineName }, async () => {
        if (state === 'frozen') {
          await client.send(new DisableStageTransitionCommand({ pipelineName, stageName, transitionType, reason: reason ?? '' }));
        } else {
          await client.send(new EnableStageTransitionCommand({ pipelineName, stageName, transitionType }));
        }
      });
    } catch (error) {
      const failed = error as DeliveryError;
      const partial = done.length > 0 ? ` Already ${state}: ${done.join(', ')}.` : '';
      const remaining = stageNames.slice(done.length).join(', ');
      throw new DeliveryError(failed.code, `${failed.message}${partial} Not ${state}: ${remaining}.`, { cause: failed });
    }
    done.push(stageName);
  }
}

/** Freeze: disable the inbound transition of the production stages (or the named ones) with a reason. */
export async function freezeStages(client: CodePipelineClient, pipelineName: string, options: FreezeOptions): Promise<TransitionOutcome> {
  validateFreezeReason(options.reason);
  const stageNames = await resolveTargetStages(client, pipelineName, options.stageNames);
  await changeTransitions(client, pipelineName, stageNames, 'frozen', options.reason);
  return { pipelineName, state: 'frozen', stageNames, reason: options.reason };
}

/** Unfreeze: enable the inbound transition of the production stages (or the named ones). */
export async function unfreezeStages(client: CodePipelineClient, pipelineName: string, options: UnfreezeOptions = {}): Promise<TransitionOutcome> {
  const stageNames = await resolveTargetStages(client, pipelineName, options.stageNames);
  await changeTransitions(client, pipelineName, stageNames, 'unfrozen', undefined);
  return { pipelineName, state: 'unfrozen', stageNames };
}
