import { CodePipelineClient, GetPipelineExecutionCommand, GetPipelineStateCommand } from '@aws-sdk/client-codepipeline';
import { CONFIRMATION_TIMEOUT_MS, uncertainty } from './approvals';
import { callCodePipeline, DeliveryError, DeliveryErrorCode, ErrorContext, toDeliveryError } from './errors';
import { checkReply, list, num, obj, optional, required, str } from './reply-shape';
import { NAME_PATTERN } from '../contract';

/**
 * What the on-call commands (rollback, retry, stop, override) share: reading one stage and one execution with the
 * fields they decide on, the input checks CodePipeline would otherwise make after a round trip, and one way to send
 * a change whose reply may be lost without ever sending it twice on purpose.
 */

/** CodePipeline's execution ids (RollbackStage, RetryStageExecution, StopPipelineExecution, OverrideStageCondition). */
export const EXECUTION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function invalid(message: string): DeliveryError {
  return new DeliveryError(DeliveryErrorCode.INVALID_INPUT, message);
}

/** Throw unless `id` is shaped like a CodePipeline execution id. `option` names where it came from. */
export function validateExecutionId(id: unknown, option: string): void {
  if (typeof id !== 'string' || !EXECUTION_ID_PATTERN.test(id)) {
    throw invalid(`${option} ${JSON.stringify(id)} is not a CodePipeline execution id: expected 8-4-4-4-12 lower-case hex digits ` +
      'such as 3f658bd1-69e6-4448-ba3e-790071f5a2c4 (see `cdk-delivery status` or the console).');
  }
}

/** Throw unless `name` is a stage name CodePipeline accepts (1-100 of `A-Za-z0-9.@-_`). */
export function validateStageName(name: unknown, option = '--stage'): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw invalid(`${option} ${JSON.stringify(name)} is not a stage name: use the name \`cdk-delivery status\` shows (1-100 letters, digits, '.', '@', '-' or '_').`);
  }
}

/** The longest reason StopPipelineExecution keeps; the override reason is held to the same bound. */
export const MAX_CHANGE_REASON_LENGTH = 200;

/** Throw unless `reason` is 1-200 characters and not blank. `option` names where it came from. */
export function validateChangeReason(reason: unknown, option = '--reason'): void {
  if (typeof reason !== 'string' || reason.trim().length === 0) {
    throw invalid(`${option} is required and must not be blank: say why, e.g. "${option} 'Error rate above 5 % after release 142'".`);
  }
  if (reason.length > MAX_CHANGE_REASON_LENGTH) {
    throw invalid(`${option} has ${reason.length} characters; CodePipeline keeps at most ${MAX_CHANGE_REASON_LENGTH}. Shorten it.`);
  }
}

const conditionState = obj({
  latestExecution: optional(obj({ status: optional(str), summary: optional(str) })),
});

/** GetPipelineState, with the fields the on-call commands decide on. */
export const STAGE_STATE_REPLY = obj({
  pipelineVersion: optional(num),
  stageStates: required(list(obj({
    stageName: required(str),
    latestExecution: optional(obj({ pipelineExecutionId: optional(str), status: optional(str), type: optional(str) })),
    actionStates: optional(list(obj({ actionName: required(str), latestExecution: optional(obj({ status: optional(str) })) }))),
    beforeEntryConditionState: optional(conditionState),
    onSuccessConditionState: optional(conditionState),
    retryStageMetadata: optional(obj({ manualStageRetryAttempt: optional(num) })),
  }))),
});

/** GetPipelineExecution, with what rollback and stop check. */
export const EXECUTION_DETAIL_REPLY = obj({
  pipelineExecution: required(obj({
    pipelineExecutionId: optional(str),
    pipelineVersion: optional(num),
    status: required(str),
    executionType: optional(str),
    rollbackMetadata: optional(obj({ rollbackTargetPipelineExecutionId: optional(str) })),
    trigger: optional(obj({ triggerType: optional(str) })),
  })),
});

/** One stage of GetPipelineState, as the on-call commands read it. */
export interface StageSnapshot {
  readonly stageName: string;
  readonly executionId?: string;
  readonly status?: string;
  /** `STANDARD` or `ROLLBACK`. */
  readonly type?: string;
  readonly failedActions: string[];
  readonly beforeEntryStatus?: string;
  readonly onSuccessStatus?: string;
  readonly manualRetries: number;
}

export interface PipelineSnapshot {
  /** The current definition version. */
  readonly pipelineVersion?: number;
  readonly stages: StageSnapshot[];
}

/** Read the pipeline's state (GetPipelineState). `abortSignal` bounds a confirming read past the command's deadline. */
export async function readPipelineState(client: CodePipelineClient, pipelineName: string, abortSignal?: AbortSignal): Promise<PipelineSnapshot> {
  const context = { operation: 'GetPipelineState', pipelineName };
  const reply = checkReply(context, await callCodePipeline(context,
    () => client.send(new GetPipelineStateCommand({ name: pipelineName }), abortSignal ? { abortSignal } : undefined)), STAGE_STATE_REPLY);
  return {
    pipelineVersion: reply.pipelineVersion,
    stages: (reply.stageStates ?? []).map((stage) => ({
      stageName: stage.stageName ?? '',
      executionId: stage.latestExecution?.pipelineExecutionId,
      status: stage.latestExecution?.status,
      type: stage.latestExecution?.type,
      failedActions: (stage.actionStates ?? []).filter((a) => a.latestExecution?.status === 'Failed').map((a) => a.actionName ?? ''),
      beforeEntryStatus: stage.beforeEntryConditionState?.latestExecution?.status,
      onSuccessStatus: stage.onSuccessConditionState?.latestExecution?.status,
      manualRetries: stage.retryStageMetadata?.manualStageRetryAttempt ?? 0,
    })),
  };
}

/** The named stage of the snapshot; NOT_FOUND naming the stages there are. */
export function stageOf(snapshot: PipelineSnapshot, pipelineName: string, stageName: string): StageSnapshot {
  const stage = snapshot.stages.find((s) => s.stageName === stageName);
  if (!stage) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `Pipeline '${pipelineName}' has no stage '${stageName}'. Its stages: ${snapshot.stages.map((s) => s.stageName).join(', ')}.`);
  }
  return stage;
}

export interface ExecutionDetail {
  readonly pipelineExecutionId: string;
  readonly pipelineVersion?: number;
  readonly status: string;
  /** `STANDARD` or `ROLLBACK`. */
  readonly executionType?: string;
  readonly rollbackTargetPipelineExecutionId?: string;
  readonly triggerType?: string;
}

/** Read one execution (GetPipelineExecution). */
export async function readExecution(
  client: CodePipelineClient, pipelineName: string, pipelineExecutionId: string, abortSignal?: AbortSignal,
): Promise<ExecutionDetail> {
  const context = { operation: 'GetPipelineExecution', pipelineName };
  const reply = checkReply(context, await callCodePipeline(context, () => client.send(
    new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }), abortSignal ? { abortSignal } : undefined)), EXECUTION_DETAIL_REPLY);
  const execution = reply.pipelineExecution;
  return {
    pipelineExecutionId,
    pipelineVersion: execution?.pipelineVersion,
    status: execution?.status ?? 'Unknown',
    executionType: execution?.executionType,
    rollbackTargetPipelineExecutionId: execution?.rollbackMetadata?.rollbackTargetPipelineExecutionId,
    triggerType: execution?.trigger?.triggerType,
  };
}

/** What a confirming read found after an uncertain reply. */
export type Confirmation<T> =
  | { readonly kind: 'recorded'; readonly outcome: T }
  | { readonly kind: 'not-recorded'; readonly seen: string }
  | { readonly kind: 'unclear'; readonly seen: string };

/** One change to send (RollbackStage, RetryStageExecution, StopPipelineExecution, OverrideStageCondition). */
export interface Change<T> {
  readonly context: ErrorContext;
  /** What is changed, for messages: "the rollback of Production to 3f65…". */
  readonly what: string;
  /** The errors CodePipeline answers a resend of a change it already made (so a retry's refusal may mean "done"). */
  readonly refusals: ReadonlySet<string>;
  readonly send: () => Promise<T>;
  /** Read the pipeline again and say whether the change is recorded. */
  readonly confirm: (abortSignal: AbortSignal) => Promise<Confirmation<T>>;
}

/** A change's outcome: `confirmedAfter` says why the reply was uncertain when the outcome was read back. */
export interface ChangeResult<T> {
  readonly outcome: T;
  readonly confirmedAfter?: string;
}

interface AttemptFields {
  readonly name?: string;
  readonly $metadata?: { readonly attempts?: number };
}

/**
 * Why the outcome of a failed change is uncertain, or undefined when it certainly was not made: `uncertainty` (no
 * reply, a 5xx, a refusal on a retry), and also any failure after more than one attempt: the SDK's retry resent the
 * request, so an earlier attempt may have been applied before its reply was lost (e.g. a 500, then throttling).
 */
export function changeUncertainty(error: unknown, refusals: ReadonlySet<string>): string | undefined {
  const why = uncertainty(error, refusals);
  if (why !== undefined) {
    return why;
  }
  const fields = (typeof error === 'object' && error !== null ? error : {}) as AttemptFields;
  const attempts = fields.$metadata?.attempts ?? 1;
  return attempts > 1 ? `the request was sent ${attempts} times and the last attempt failed (${fields.name ?? 'error'}), so an earlier one may have been applied` : undefined;
}

/**
 * Send a change once. CodePipeline has no idempotency token for these operations; the SDK may resend a request
 * whose reply was lost, and CodePipeline refuses a resend of a change it already made (the stage is running, the
 * execution is stopping). So when the outcome is uncertain the pipeline is read again: recorded → the outcome, with
 * why it was confirmed; not recorded → the failure, saying so (run the command again); anything else → UNCERTAIN
 * (exit 8), saying what to check. Nothing here sends the change a second time.
 */
export async function sendChange<T>(change: Change<T>): Promise<ChangeResult<T>> {
  try {
    return { outcome: await change.send() };
  } catch (error) {
    const why = changeUncertainty(error, change.refusals);
    if (why === undefined) {
      throw toDeliveryError(error, change.context);
    }
    const pipelineName = change.context.pipelineName;
    const check = `Check with \`cdk-delivery status --pipeline ${pipelineName}\` (or the console) before running the command again.`;
    let confirmation: Confirmation<T>;
    try {
      confirmation = await change.confirm(AbortSignal.timeout(CONFIRMATION_TIMEOUT_MS));
    } catch (readError) {
      throw new DeliveryError(DeliveryErrorCode.UNCERTAIN,
        `${capitalise(change.what)} in pipeline '${pipelineName}' may or may not be made: ${why}, and reading the pipeline to confirm failed ` +
        `(${toDeliveryError(readError, { operation: 'GetPipelineState', pipelineName }).message}). ${check}`, { cause: error });
    }
    if (confirmation.kind === 'recorded') {
      return { outcome: confirmation.outcome, confirmedAfter: why };
    }
    const failed = toDeliveryError(error, change.context);
    if (confirmation.kind === 'not-recorded') {
      const code = failed.code === DeliveryErrorCode.CONFLICT ? DeliveryErrorCode.UNCERTAIN : failed.code;
      throw new DeliveryError(code,
        `${capitalise(change.what)} was not made: ${why}, and ${confirmation.seen} (confirmed by reading the pipeline again). ` +
        `Run the command again. (${failed.message})`, { cause: error });
    }
    throw new DeliveryError(DeliveryErrorCode.UNCERTAIN,
      `${capitalise(change.what)} in pipeline '${pipelineName}' may or may not be made: ${why}, and ${confirmation.seen}. ${check}`, { cause: error });
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
