import { ApprovalStatus, CodePipelineClient, GetPipelineStateCommand, PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { APPROVAL_ACTION_NAMES_VARIABLE, decodeActionNames, STAGE_NAME_VARIABLE } from './reject-approval-variables';
import { describeValue, InvalidEventError } from '../../../private/invalid-event';
import { findPendingApprovals, MAX_SUMMARY_LENGTH } from '../../../runtime/approvals';

/**
 * The approval guard's logic, apart from the Lambda wiring (`reject-approval.lambda.ts`) so that it can be
 * tested against a mocked client.
 *
 * When a verification action fails in a stage where a manual approval runs in parallel, CodePipeline keeps the
 * stage waiting for the approval (up to its timeout, 7 days by default) and newer executions queue behind it.
 * The guard rejects the pending approval of that same execution, naming the failed step, so the stage fails
 * at once. It never decides an approval that belongs to another execution.
 */

/** What the handler needs to know, read from its environment (see `environment.ts`). */
export interface ApprovalGuardConfig {
  /** The stage that holds the approval and the watched actions. */
  readonly stageName: string;
  /** The approval actions of that stage to reject. */
  readonly approvalActionNames: readonly string[];
}

/** The fields of a "CodePipeline Action Execution State Change" event that the guard uses. */
export interface ActionStateChange {
  readonly pipelineName: string;
  readonly executionId: string;
  readonly stageName: string;
  readonly actionName: string;
  /** `STARTED`, `SUCCEEDED`, `FAILED`, `CANCELED` or `ABANDONED`. */
  readonly state: string;
  /** The action's category (`Approval`, `Build`, `Test`, ...), when the event names it. */
  readonly category?: string;
}

export type GuardOutcome =
  /** The event is not a failure of a watched action in the guarded stage: nothing was read or decided. */
  | 'IGNORED'
  /** At least one pending approval of the failed execution was rejected. */
  | 'REJECTED'
  /** Every matching approval had been decided first (by a person, or the stage moved on): nothing to do. */
  | 'ALREADY_DECIDED'
  /** No approval of the failed execution is pending in the stage. */
  | 'NOTHING_PENDING';

/** What one invocation did; returned to Lambda and logged. */
export interface GuardResult {
  readonly outcome: GuardOutcome;
  /** One sentence, for logs. */
  readonly reason: string;
  readonly pipelineName?: string;
  readonly executionId?: string;
  readonly failedAction?: string;
  /** Approval actions this invocation rejected. */
  readonly rejected: string[];
  /** Approval actions whose token was already used or no longer valid when the guard tried to reject them. */
  readonly alreadyDecided: string[];
  /** Pending approvals left alone because they belong to another execution than the failed one. */
  readonly otherExecution: string[];
  /** The summary recorded with the rejections. */
  readonly summary?: string;
}

/** Where the guard writes what it did. */
export interface GuardLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line: readable in the log group whatever the function's log format. */
export const consoleLogger: GuardLogger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'INFO', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
};

const DETAIL_TYPE = 'CodePipeline Action Execution State Change';

/** PutApprovalResult errors that mean "someone decided first" or "the stage moved on": not a failure. */
const ALREADY_DECIDED_ERRORS = new Set(['ApprovalAlreadyCompletedException', 'InvalidApprovalTokenException']);

/** Reads the configuration that the `ApprovalGuard` construct writes into the function's environment. */
export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): ApprovalGuardConfig {
  const stageName = env[STAGE_NAME_VARIABLE]?.trim() ?? '';
  if (stageName.length === 0) {
    throw new Error(`Environment variable ${STAGE_NAME_VARIABLE} is not set: it must name the stage that holds the approval (the ApprovalGuard construct sets it).`);
  }
  const approvalActionNames = decodeActionNames(env[APPROVAL_ACTION_NAMES_VARIABLE] ?? '');
  if (approvalActionNames.length === 0) {
    throw new Error(`Environment variable ${APPROVAL_ACTION_NAMES_VARIABLE} is not set: it must list the approval actions of stage '${stageName}', comma-separated (the ApprovalGuard construct sets it).`);
  }
  return { stageName, approvalActionNames };
}

/** Checks the event's shape and extracts the fields the guard uses; throws `InvalidEventError` otherwise. */
export function parseActionStateChange(event: unknown): ActionStateChange {
  if (!isRecord(event)) {
    throw new InvalidEventError(`Expected an EventBridge event object, got ${describeValue(event)}.`);
  }
  if (event.source !== 'aws.codepipeline' || event['detail-type'] !== DETAIL_TYPE) {
    throw new InvalidEventError(`Expected source 'aws.codepipeline' and detail-type '${DETAIL_TYPE}', got source ${describeValue(event.source)} and detail-type ${describeValue(event['detail-type'])}.`);
  }
  const detail = event.detail;
  if (!isRecord(detail)) {
    throw new InvalidEventError(`The event has no 'detail' object (got ${describeValue(detail)}).`);
  }
  const field = (name: string): string => {
    const value = detail[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidEventError(`The event's detail.${name} must be a non-empty string, got ${describeValue(value)}.`);
    }
    return value;
  };
  const type = detail.type;
  const category = isRecord(type) && typeof type.category === 'string' ? type.category : undefined;
  return {
    pipelineName: field('pipeline'),
    executionId: field('execution-id'),
    stageName: field('stage'),
    actionName: field('action'),
    state: field('state'),
    category,
  };
}

/**
 * The summary recorded with the rejection, at most `MAX_SUMMARY_LENGTH` (512) characters: an over-long action
 * name is shortened first, so the execution id and the conclusion stay readable.
 */
export function rejectionSummary(failedAction: string, executionId: string): string {
  const render = (name: string) =>
    `Rejected automatically: the verification step '${name}' failed in execution ${executionId}; production cannot be approved for this change.`;
  const full = render(failedAction);
  if (full.length <= MAX_SUMMARY_LENGTH) {
    return full;
  }
  const room = MAX_SUMMARY_LENGTH - render('').length - 1; // 1 for the ellipsis
  return truncate(render(`${truncate(failedAction, Math.max(room, 0))}…`), MAX_SUMMARY_LENGTH);
}

/**
 * Handles one event: when a watched action of the guarded stage failed, reject the pending approvals of the same
 * execution in that stage.
 *
 * Errors other than "already decided" propagate, so that Lambda retries the event and, after the retries, sends it
 * to the dead-letter queue. Retrying is safe: a rejected approval is no longer pending.
 */
export async function rejectPendingApprovals(
  event: unknown,
  client: CodePipelineClient,
  config: ApprovalGuardConfig,
  logger: GuardLogger = consoleLogger,
): Promise<GuardResult> {
  const change = parseActionStateChange(event);
  const base = { pipelineName: change.pipelineName, executionId: change.executionId, failedAction: change.actionName };
  const ignored = (reason: string): GuardResult => {
    logger.info(reason, { outcome: 'IGNORED', ...base, stage: change.stageName, state: change.state });
    return { outcome: 'IGNORED', reason, ...base, rejected: [], alreadyDecided: [], otherExecution: [] };
  };
  if (change.state !== 'FAILED') {
    return ignored(`Action '${change.actionName}' is ${change.state}, not FAILED: nothing to do.`);
  }
  if (change.stageName !== config.stageName) {
    return ignored(`Action '${change.actionName}' failed in stage '${change.stageName}', not in the guarded stage '${config.stageName}': nothing to do.`);
  }
  if (config.approvalActionNames.includes(change.actionName) || change.category === 'Approval') {
    return ignored(`The failed action '${change.actionName}' is an approval itself (rejected or timed out): nothing to do.`);
  }

  const state = await client.send(new GetPipelineStateCommand({ name: change.pipelineName }));
  const stage = (state.stageStates ?? []).find(s => s.stageName === config.stageName);
  const pending = findPendingApprovals(stage ? [stage] : [])
    .filter(approval => config.approvalActionNames.includes(approval.actionName));
  const currentExecution = stage?.latestExecution?.pipelineExecutionId;

  if (currentExecution !== change.executionId) {
    const otherExecution = pending.map(approval => approval.actionName);
    const reason = `Stage '${config.stageName}' now runs execution ${currentExecution ?? '(none)'}, not the failed execution ${change.executionId}: `
      + (otherExecution.length > 0 ? `approval ${quoteAll(otherExecution)} belongs to that execution and is left alone.` : 'nothing to reject.');
    logger.info(reason, { outcome: 'NOTHING_PENDING', ...base, currentExecution, otherExecution });
    return { outcome: 'NOTHING_PENDING', reason, ...base, rejected: [], alreadyDecided: [], otherExecution };
  }
  if (pending.length === 0) {
    const reason = `No approval ${quoteAll(config.approvalActionNames)} of execution ${change.executionId} is pending in stage '${config.stageName}': nothing to reject.`;
    logger.info(reason, { outcome: 'NOTHING_PENDING', ...base });
    return { outcome: 'NOTHING_PENDING', reason, ...base, rejected: [], alreadyDecided: [], otherExecution: [] };
  }

  const summary = rejectionSummary(change.actionName, change.executionId);
  const rejected: string[] = [];
  const alreadyDecided: string[] = [];
  const errors: unknown[] = [];
  for (const approval of pending) {
    try {
      await client.send(new PutApprovalResultCommand({
        pipelineName: change.pipelineName,
        stageName: approval.stageName,
        actionName: approval.actionName,
        token: approval.token,
        result: { status: ApprovalStatus.Rejected, summary },
      }));
      rejected.push(approval.actionName);
      logger.info(`Rejected approval '${approval.actionName}'.`, { ...base, approval: approval.actionName, summary });
    } catch (error) {
      const name = error instanceof Error ? error.name : undefined;
      if (name !== undefined && ALREADY_DECIDED_ERRORS.has(name)) {
        alreadyDecided.push(approval.actionName);
        logger.warn(`Approval '${approval.actionName}' was decided before the guard could reject it (${name}): nothing to do.`,
          { ...base, approval: approval.actionName, error: name });
      } else {
        errors.push(error);
        logger.warn(`Could not reject approval '${approval.actionName}': ${String(error)}`, { ...base, approval: approval.actionName, error: name });
      }
    }
  }
  // Every approval was tried before failing, so one bad call does not leave the others pending.
  if (errors.length === 1) {
    throw errors[0];
  }
  if (errors.length > 1) {
    throw new AggregateError(errors, `Could not reject ${errors.length} approvals of execution ${change.executionId} in stage '${config.stageName}'.`);
  }

  const outcome: GuardOutcome = rejected.length > 0 ? 'REJECTED' : 'ALREADY_DECIDED';
  const reason = rejected.length > 0
    ? `Rejected approval ${quoteAll(rejected)} of execution ${change.executionId}: the verification step '${change.actionName}' failed.`
    : `Approval ${quoteAll(alreadyDecided)} of execution ${change.executionId} was decided first: nothing to do.`;
  logger.info(reason, { outcome, ...base, rejected, alreadyDecided });
  return { outcome, reason, ...base, rejected, alreadyDecided, otherExecution: [], summary };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quoteAll(names: readonly string[]): string {
  return names.map(name => `'${name}'`).join(', ');
}

/** The first `max` UTF-16 code units of `text`, never ending in half a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
