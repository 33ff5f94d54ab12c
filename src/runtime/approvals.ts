import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ApprovalStatus, CodePipelineClient, GetPipelineStateCommand, PutApprovalResultCommand, StageState } from '@aws-sdk/client-codepipeline';
import { ApprovalRelease, describeApprovalRelease, matchExpectedCommit, validateExpectedCommit } from './approval-release';
import { CommandAborted } from './command-signal';
import { callCodePipeline, DeliveryError, DeliveryErrorCode, toDeliveryError } from './errors';
import { GitRunner } from './git-history';
import { checkReply, PIPELINE_STATE_REPLY } from './reply-shape';

/** An approval action waiting for a decision. */
export interface PendingApproval {
  readonly stageName: string;
  readonly actionName: string;
  readonly token: string;
  readonly pipelineExecutionId?: string;
  /** When the approval started waiting (ISO 8601). */
  readonly waitingSince?: string;
}

/** Which approval to decide, and the summary recorded with the decision. */
export interface ApprovalDecisionOptions {
  /** Required when several approvals are pending. */
  readonly stageName?: string;
  /** Narrows the choice inside the stage. */
  readonly actionName?: string;
  /** Recorded with the decision (1–512 characters). */
  readonly summary: string;
  /**
   * Decide only if the approval's execution releases this commit (a full id or a prefix of at least 7 hex
   * digits): otherwise COMMIT_MISMATCH, and nothing is decided.
   */
  readonly expectedCommit?: string;
  /** A git clone of the source repository: the release description gains the author and exact size. */
  readonly git?: GitRunner;
  /** The clone's directory, for messages. */
  readonly repository?: string;
  /** Reads a change-set review's summary from its log group (see `DescribeReleaseOptions.logs`). */
  readonly logs?: CloudWatchLogsClient;
}

export interface ApprovalOutcome {
  readonly pipelineName: string;
  readonly stageName: string;
  readonly actionName: string;
  readonly pipelineExecutionId?: string;
  readonly decision: 'Approved' | 'Rejected';
  readonly summary: string;
  /** When CodePipeline recorded the decision (ISO 8601). */
  readonly decidedAt?: string;
  /**
   * Set when the reply to PutApprovalResult was lost (timeout, 5xx, interruption) and the decision was confirmed
   * by reading the pipeline state again: why the reply was uncertain.
   */
  readonly confirmedAfter?: string;
  /** What the decided approval was for, read before deciding. */
  readonly release?: ApprovalRelease;
}

export const MAX_SUMMARY_LENGTH = 512;

/**
 * Pending approvals: actions that have a token and are InProgress, in stages whose latest execution is InProgress.
 */
export function findPendingApprovals(stageStates: readonly StageState[]): PendingApproval[] {
  const pending: PendingApproval[] = [];
  for (const stage of stageStates) {
    if (stage.latestExecution?.status !== 'InProgress') {
      continue;
    }
    for (const action of stage.actionStates ?? []) {
      const execution = action.latestExecution;
      if (execution?.token && execution.status === 'InProgress') {
        pending.push({
          stageName: stage.stageName ?? '',
          actionName: action.actionName ?? '',
          token: execution.token,
          pipelineExecutionId: stage.latestExecution.pipelineExecutionId,
          waitingSince: execution.lastStatusChange?.toISOString(),
        });
      }
    }
  }
  return pending;
}

function describe(approvals: readonly PendingApproval[]): string {
  return approvals.map((a) => `${a.stageName}/${a.actionName}`).join(', ');
}

/** Choose the approval to decide, or explain why none can be chosen. */
export function selectApproval(pipelineName: string, pending: readonly PendingApproval[], options: Omit<ApprovalDecisionOptions, 'summary'>): PendingApproval {
  if (pending.length === 0) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND, `No approval is pending in pipeline '${pipelineName}'.`);
  }
  const matching = pending.filter((a) =>
    (options.stageName === undefined || a.stageName === options.stageName) &&
    (options.actionName === undefined || a.actionName === options.actionName));
  if (matching.length === 0) {
    const wanted = `${options.stageName ?? '*'}/${options.actionName ?? '*'}`;
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `No approval is pending at ${wanted} in pipeline '${pipelineName}'. Pending: ${describe(pending)}.`);
  }
  if (matching.length > 1) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `${matching.length} approvals are pending in pipeline '${pipelineName}': ${describe(matching)}. ` +
      'Name the one to decide with --stage (and --action).');
  }
  return matching[0];
}

/** Throw unless CodePipeline will accept the summary (1–512 characters, not blank). */
export function validateApprovalSummary(summary: string): void {
  if (summary.trim().length === 0) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, 'The approval summary must not be empty.');
  }
  if (summary.length > MAX_SUMMARY_LENGTH) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `The approval summary has ${summary.length} characters; CodePipeline accepts at most ${MAX_SUMMARY_LENGTH}.`);
  }
}

/** How long the confirmation read after an uncertain PutApprovalResult may take, even past the command's deadline. */
export const CONFIRMATION_TIMEOUT_MS = 5000;

const CONFLICT_ERRORS = new Set(['InvalidApprovalTokenException', 'ApprovalAlreadyCompletedException']);

interface SdkErrorFields {
  readonly name?: string;
  readonly $metadata?: { readonly attempts?: number; readonly httpStatusCode?: number };
  readonly code?: string;
}

/**
 * Why the outcome of a failed PutApprovalResult is uncertain, or undefined when it certainly was not recorded.
 * Uncertain: no reply (timeout, connection reset, deadline, interruption), a 5xx, or a token/already-completed
 * error on a retry, which is what CodePipeline answers when an earlier attempt committed and its reply was lost.
 * `refusals` are those errors for the operation (default: PutApprovalResult's token errors; the on-call commands
 * pass the refusals of RollbackStage, RetryStageExecution, StopPipelineExecution and OverrideStageCondition).
 */
export function uncertainty(error: unknown, refusals: ReadonlySet<string> = CONFLICT_ERRORS): string | undefined {
  if (error instanceof CommandAborted) {
    return error.kind === 'interrupted' ? `the command was interrupted (${error.signalName}) before the reply came` : 'the command deadline passed before the reply came';
  }
  const fields = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorFields;
  if (fields.name === 'CredentialsProviderError') {
    return undefined;
  }
  const attempts = fields.$metadata?.attempts ?? 1;
  const status = fields.$metadata?.httpStatusCode;
  if (fields.name && refusals.has(fields.name)) {
    const found = refusals === CONFLICT_ERRORS ? 'found the token used' : 'was refused';
    return attempts > 1 ? `the reply to an earlier attempt was lost and the retry (attempt ${attempts}) ${found} (${fields.name})` : undefined;
  }
  if (status !== undefined && status >= 500) {
    return `CodePipeline answered HTTP ${status} (${fields.name ?? 'error'})`;
  }
  if (status === undefined || fields.name === 'TimeoutError' || fields.code !== undefined) {
    return `no reply came (${fields.name ?? 'error'}${fields.code ? `, ${fields.code}` : ''})`;
  }
  return undefined;
}

/**
 * After an uncertain PutApprovalResult: read the state again and say what happened to the approval. Recorded →
 * the outcome; still pending → the original failure, saying it was not recorded; decided otherwise → CONFLICT;
 * anything else (the read fails, the stage moved on) → UNCERTAIN, saying what to check.
 */
async function confirmDecision(
  client: CodePipelineClient,
  pipelineName: string,
  decision: 'Approved' | 'Rejected',
  approval: PendingApproval,
  options: ApprovalDecisionOptions,
  failure: unknown,
  why: string,
): Promise<ApprovalOutcome> {
  const where = `${approval.stageName}/${approval.actionName}`;
  const verb = decision === 'Approved' ? 'approval' : 'rejection';
  const check = `Check with \`cdk-delivery status --pipeline ${pipelineName}\` (or the console) before deciding again.`;
  const context = { operation: 'GetPipelineState', pipelineName };
  let stageStates: readonly StageState[];
  try {
    const reply = await client.send(new GetPipelineStateCommand({ name: pipelineName }),
      { abortSignal: AbortSignal.timeout(CONFIRMATION_TIMEOUT_MS) });
    stageStates = checkReply(context, reply, PIPELINE_STATE_REPLY).stageStates ?? [];
  } catch (error) {
    throw new DeliveryError(DeliveryErrorCode.UNCERTAIN,
      `The ${verb} of ${where} in pipeline '${pipelineName}' may or may not be recorded: ${why}, and reading the state to confirm failed ` +
      `(${toDeliveryError(error, context).message}). ${check}`, { cause: error });
  }
  const stage = stageStates.find((s) => s.stageName === approval.stageName);
  const action = stage?.actionStates?.find((a) => a.actionName === approval.actionName)?.latestExecution;
  const sameExecution = approval.pipelineExecutionId === undefined || stage?.latestExecution?.pipelineExecutionId === approval.pipelineExecutionId;
  const failed = toDeliveryError(failure, { operation: 'PutApprovalResult', pipelineName });
  if (!action || !sameExecution) {
    throw new DeliveryError(DeliveryErrorCode.UNCERTAIN,
      `The ${verb} of ${where} in pipeline '${pipelineName}' may or may not be recorded: ${why}, and the stage has moved on ` +
      `(its latest execution is now ${stage?.latestExecution?.pipelineExecutionId ?? 'unknown'}). ${check}`, { cause: failure });
  }
  if (action.status === 'InProgress' && action.token === approval.token) {
    const code = failed.code === DeliveryErrorCode.CONFLICT ? DeliveryErrorCode.UNCERTAIN : failed.code;
    throw new DeliveryError(code,
      `The ${verb} was not recorded: ${why}, and ${where} is still pending (confirmed by reading the pipeline state). ` +
      `Run the command again. (${failed.message})`, { cause: failure });
  }
  const wanted = decision === 'Approved' ? 'Succeeded' : 'Failed';
  if (action.status === wanted && (action.summary === undefined || action.summary === options.summary)) {
    return { ...outcome(pipelineName, approval, decision, options, action.lastStatusChange), confirmedAfter: why };
  }
  if (action.status === 'Succeeded' || action.status === 'Failed') {
    const other = action.status === 'Succeeded' ? 'approved' : 'rejected';
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `The ${verb} was not recorded by this command: ${where} was ${other} by someone else` +
      `${action.summary ? ` with the summary '${action.summary}'` : ''} (${why}). Nothing was decided twice.`, { cause: failure });
  }
  throw new DeliveryError(DeliveryErrorCode.UNCERTAIN,
    `The ${verb} of ${where} in pipeline '${pipelineName}' may or may not be recorded: ${why}, and the action is now ${action.status ?? 'without a status'}. ${check}`,
    { cause: failure });
}

/**
 * Approve or reject the pending approval: read the pipeline state, pick the approval (see `selectApproval`),
 * and send PutApprovalResult with its token. A token that was already used is reported as CONFLICT, so a
 * decision is never recorded twice. When the outcome is uncertain (the reply was lost and the SDK's retry found
 * the token used, a 5xx, no reply, the deadline, an interruption) the state is read again to report the truth.
 */
export async function decideApproval(
  client: CodePipelineClient,
  pipelineName: string,
  decision: 'Approved' | 'Rejected',
  options: ApprovalDecisionOptions,
): Promise<ApprovalOutcome> {
  validateApprovalSummary(options.summary);
  if (options.expectedCommit !== undefined) {
    validateExpectedCommit(options.expectedCommit);
  }
  const stateContext = { operation: 'GetPipelineState', pipelineName };
  const state = checkReply(stateContext, await callCodePipeline(stateContext,
    () => client.send(new GetPipelineStateCommand({ name: pipelineName }))), PIPELINE_STATE_REPLY);
  const approval = selectApproval(pipelineName, findPendingApprovals(state.stageStates ?? []), options);
  const release = await describeApprovalRelease(client, pipelineName, approval, {
    git: options.git, repository: options.repository, logs: options.logs,
  });
  if (options.expectedCommit !== undefined) {
    matchExpectedCommit(pipelineName, approval, release, options.expectedCommit);
    await checkStillPending(client, pipelineName, approval);
  }
  let result;
  try {
    result = await client.send(new PutApprovalResultCommand({
      pipelineName,
      stageName: approval.stageName,
      actionName: approval.actionName,
      token: approval.token,
      result: { status: decision === 'Approved' ? ApprovalStatus.Approved : ApprovalStatus.Rejected, summary: options.summary },
    }));
  } catch (error) {
    const why = uncertainty(error);
    if (why === undefined) {
      throw toDeliveryError(error, { operation: 'PutApprovalResult', pipelineName });
    }
    return { ...await confirmDecision(client, pipelineName, decision, approval, options, error, why), release };
  }
  return { ...outcome(pipelineName, approval, decision, options, result.approvedAt), release };
}

/**
 * Read the state again after the commit was checked: decide only if the same approval (same execution, same
 * token) is still pending, so the decision lands on the release that was checked.
 */
async function checkStillPending(client: CodePipelineClient, pipelineName: string, approval: PendingApproval): Promise<void> {
  const context = { operation: 'GetPipelineState', pipelineName };
  const state = checkReply(context, await callCodePipeline(context,
    () => client.send(new GetPipelineStateCommand({ name: pipelineName }))), PIPELINE_STATE_REPLY);
  const now = findPendingApprovals(state.stageStates ?? [])
    .find((a) => a.stageName === approval.stageName && a.actionName === approval.actionName);
  const where = `${approval.stageName}/${approval.actionName}`;
  if (!now) {
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `Not approved: ${where} in pipeline '${pipelineName}' stopped waiting while its commit was checked (someone decided it, or it expired). ` +
      `Nothing was approved by this command. Check with \`cdk-delivery status --pipeline ${pipelineName}\`.`);
  }
  if (now.token !== approval.token || now.pipelineExecutionId !== approval.pipelineExecutionId) {
    throw new DeliveryError(DeliveryErrorCode.CONFLICT,
      `Not approved: ${where} in pipeline '${pipelineName}' now waits for execution ${now.pipelineExecutionId ?? 'unknown'}, not the checked ` +
      `execution ${approval.pipelineExecutionId ?? 'unknown'}. Nothing was approved by this command; run it again to check the new release's commit.`);
  }
}

/** What a recorded decision reports (`decidedAt` as CodePipeline gave it, when it did). */
function outcome(
  pipelineName: string, approval: PendingApproval, decision: 'Approved' | 'Rejected', options: ApprovalDecisionOptions, decidedAt: unknown,
): ApprovalOutcome {
  return {
    pipelineName,
    stageName: approval.stageName,
    actionName: approval.actionName,
    pipelineExecutionId: approval.pipelineExecutionId,
    decision,
    summary: options.summary,
    decidedAt: decidedAt instanceof Date ? decidedAt.toISOString() : undefined,
  };
}
