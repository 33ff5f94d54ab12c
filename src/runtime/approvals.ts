import { ApprovalStatus, CodePipelineClient, GetPipelineStateCommand, PutApprovalResultCommand, StageState } from '@aws-sdk/client-codepipeline';
import { callCodePipeline, DeliveryError, DeliveryErrorCode } from './errors';

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
export interface ApprovalOptions {
  /** Required when several approvals are pending. */
  readonly stageName?: string;
  /** Narrows the choice inside the stage. */
  readonly actionName?: string;
  /** Recorded with the decision (1–512 characters). */
  readonly summary: string;
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
export function selectApproval(pipelineName: string, pending: readonly PendingApproval[], options: Omit<ApprovalOptions, 'summary'>): PendingApproval {
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

/**
 * Approve or reject the pending approval: read the pipeline state, pick the approval (see `selectApproval`),
 * and send PutApprovalResult with its token. A token that was already used is reported as CONFLICT, so a
 * decision is never recorded twice.
 */
export async function decideApproval(
  client: CodePipelineClient,
  pipelineName: string,
  decision: 'Approved' | 'Rejected',
  options: ApprovalOptions,
): Promise<ApprovalOutcome> {
  validateApprovalSummary(options.summary);
  const state = await callCodePipeline({ operation: 'GetPipelineState', pipelineName },
    () => client.send(new GetPipelineStateCommand({ name: pipelineName })));
  const approval = selectApproval(pipelineName, findPendingApprovals(state.stageStates ?? []), options);
  const result = await callCodePipeline({ operation: 'PutApprovalResult', pipelineName }, () => client.send(new PutApprovalResultCommand({
    pipelineName,
    stageName: approval.stageName,
    actionName: approval.actionName,
    token: approval.token,
    result: { status: decision === 'Approved' ? ApprovalStatus.Approved : ApprovalStatus.Rejected, summary: options.summary },
  })));
  return {
    pipelineName,
    stageName: approval.stageName,
    actionName: approval.actionName,
    pipelineExecutionId: approval.pipelineExecutionId,
    decision,
    summary: options.summary,
    decidedAt: result.approvedAt?.toISOString(),
  };
}
