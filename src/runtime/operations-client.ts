import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ApprovalRelease, describeApprovalRelease, DescribeReleaseOptions } from './approval-release';
import { ApprovalDecisionOptions, ApprovalOutcome, decideApproval, PendingApproval } from './approvals';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { parsePipelineHistory, PipelineHistoryFile } from './history';
import { fetchPipelineHistory } from './history-fetch';
import { computeDeliveryMetrics, DeliveryMetricsReport, MetricsWindow } from './metrics';
import { executeOverride, OverrideOptions, OverrideOutcome, OverridePlan, planOverride } from './override-condition';
import { getPipelineStatus, PipelineStatus } from './pipeline-status';
import { ReleaseOptions, ReleaseOutcome, startRelease } from './release';
import { executeRetry, planRetry, RetryOptions, RetryOutcome, RetryPlan } from './retry-stage';
import { executeRollback, planRollback, RollbackOptions, RollbackOutcome, RollbackPlan } from './rollback';
import { executeStop, planStop, StopOptions, StopOutcome, StopPlan } from './stop-execution';
import { FreezeOptions, freezeStages, TransitionOutcome, UnfreezeOptions, unfreezeStages } from './transitions';
import { WaitOptions, WaitOutcome, waitForExecution } from './wait-for-execution';

export interface PipelineOperationsProps {
  /** The SDK client to call CodePipeline with (inject a mocked or locally pointed one in tests). */
  readonly client: CodePipelineClient;
  /** The pipeline to operate. */
  readonly pipelineName: string;
  /**
   * Reads the summary of a change-set review's pending `Review` approval from the review function's log group
   * (`status`, `approve`, `reject`; needs logs:FilterLogEvents).
   *
   * @default - the summary is not read; the approval's gaps say where it is
   */
  readonly logsClient?: CloudWatchLogsClient;
}

/**
 * Operations on one delivery pipeline: status, approve/reject, freeze/unfreeze, release, wait, metrics and
 * history export. No console I/O: every method returns data or throws a `DeliveryError`.
 */
export class PipelineOperations {
  public readonly pipelineName: string;
  private readonly client: CodePipelineClient;
  private readonly logsClient: CloudWatchLogsClient | undefined;

  constructor(props: PipelineOperationsProps) {
    if (props.pipelineName.trim().length === 0) {
      throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, 'A pipeline name is required (--pipeline).');
    }
    this.client = props.client;
    this.logsClient = props.logsClient;
    this.pipelineName = props.pipelineName;
  }

  /** Stages, latest status, pending approvals, disabled transitions and release mode. */
  public async status(): Promise<PipelineStatus> {
    return getPipelineStatus(this.client, this.pipelineName);
  }

  /** What a pending approval is for: commit, message, author if known, comment, release size, a review's summary. */
  public async describeApproval(approval: PendingApproval, options: DescribeReleaseOptions = {}): Promise<ApprovalRelease> {
    return describeApprovalRelease(this.client, this.pipelineName, approval, { logs: this.logsClient, ...options });
  }

  /** Approve the pending approval. */
  public async approve(options: ApprovalDecisionOptions): Promise<ApprovalOutcome> {
    return decideApproval(this.client, this.pipelineName, 'Approved', { logs: this.logsClient, ...options });
  }

  /** Reject the pending approval. */
  public async reject(options: ApprovalDecisionOptions): Promise<ApprovalOutcome> {
    return decideApproval(this.client, this.pipelineName, 'Rejected', { logs: this.logsClient, ...options });
  }

  /** Disable the inbound transitions of the production stages. */
  public async freeze(options: FreezeOptions): Promise<TransitionOutcome> {
    return freezeStages(this.client, this.pipelineName, options);
  }

  /** Enable the inbound transitions of the production stages again. */
  public async unfreeze(options: UnfreezeOptions = {}): Promise<TransitionOutcome> {
    return unfreezeStages(this.client, this.pipelineName, options);
  }

  /** Start an execution. */
  public async release(options: ReleaseOptions = {}): Promise<ReleaseOutcome> {
    return startRelease(this.client, this.pipelineName, options);
  }

  /** Wait for an execution (default: the latest) to finish. */
  public async wait(options: WaitOptions = {}): Promise<WaitOutcome> {
    return waitForExecution(this.client, this.pipelineName, options);
  }

  /** The execution history of the window, in the history file format. */
  public async exportHistory(window: MetricsWindow, now?: Date): Promise<PipelineHistoryFile> {
    return fetchPipelineHistory(this.client, this.pipelineName, window, now);
  }

  /**
   * On-call changes, each in two steps so the CLI can ask for a confirmation in between: `plan*` reads the pipeline
   * and decides (refusing what CodePipeline would refuse, and what was already done), `execute*` sends the change
   * once and confirms an uncertain reply by reading the pipeline again.
   */
  public async planRollback(options: RollbackOptions): Promise<RollbackPlan> {
    return planRollback(this.client, this.pipelineName, options);
  }

  public async executeRollback(plan: RollbackPlan): Promise<RollbackOutcome> {
    return executeRollback(this.client, plan);
  }

  public async planRetry(options: RetryOptions): Promise<RetryPlan> {
    return planRetry(this.client, this.pipelineName, options);
  }

  public async executeRetry(plan: RetryPlan): Promise<RetryOutcome> {
    return executeRetry(this.client, plan);
  }

  public async planStop(options: StopOptions): Promise<StopPlan> {
    return planStop(this.client, this.pipelineName, options);
  }

  public async executeStop(plan: StopPlan): Promise<StopOutcome> {
    return executeStop(this.client, plan);
  }

  public async planOverride(options: OverrideOptions): Promise<OverridePlan> {
    return planOverride(this.client, this.pipelineName, options);
  }

  public async executeOverride(plan: OverridePlan): Promise<OverrideOutcome> {
    return executeOverride(this.client, plan);
  }

  /** Delivery metrics over the window, computed from the fetched history. */
  public async metrics(window: MetricsWindow): Promise<DeliveryMetricsReport> {
    const history = await this.exportHistory(window);
    return computeDeliveryMetrics(parsePipelineHistory(history), window);
  }
}
