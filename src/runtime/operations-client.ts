import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ApprovalRelease, describeApprovalRelease, DescribeReleaseOptions } from './approval-release';
import { ApprovalOptions, ApprovalOutcome, decideApproval, PendingApproval } from './approvals';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { parsePipelineHistory, PipelineHistoryFile } from './history';
import { fetchPipelineHistory } from './history-fetch';
import { computeDeliveryMetrics, DeliveryMetrics, MetricsWindow } from './metrics';
import { getPipelineStatus, PipelineStatus } from './pipeline-status';
import { ReleaseOptions, ReleaseOutcome, startRelease } from './release';
import { FreezeOptions, freezeStages, TransitionOutcome, UnfreezeOptions, unfreezeStages } from './transitions';
import { WaitOptions, WaitOutcome, waitForExecution } from './wait-for-execution';

export interface PipelineOperationsProps {
  /** The SDK client to call CodePipeline with (inject a mocked or locally pointed one in tests). */
  readonly client: CodePipelineClient;
  /** The pipeline to operate. */
  readonly pipelineName: string;
}

/**
 * Operations on one delivery pipeline: status, approve/reject, freeze/unfreeze, release, wait, metrics and
 * history export. No console I/O: every method returns data or throws a `DeliveryError`.
 */
export class PipelineOperations {
  public readonly pipelineName: string;
  private readonly client: CodePipelineClient;

  constructor(props: PipelineOperationsProps) {
    if (props.pipelineName.trim().length === 0) {
      throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, 'A pipeline name is required (--pipeline).');
    }
    this.client = props.client;
    this.pipelineName = props.pipelineName;
  }

  /** Stages, latest status, pending approvals, disabled transitions and release mode. */
  public async status(): Promise<PipelineStatus> {
    return getPipelineStatus(this.client, this.pipelineName);
  }

  /** What a pending approval is for: commit, message, author if known, comment, release size. */
  public async describeApproval(approval: PendingApproval, options: DescribeReleaseOptions = {}): Promise<ApprovalRelease> {
    return describeApprovalRelease(this.client, this.pipelineName, approval, options);
  }

  /** Approve the pending approval. */
  public async approve(options: ApprovalOptions): Promise<ApprovalOutcome> {
    return decideApproval(this.client, this.pipelineName, 'Approved', options);
  }

  /** Reject the pending approval. */
  public async reject(options: ApprovalOptions): Promise<ApprovalOutcome> {
    return decideApproval(this.client, this.pipelineName, 'Rejected', options);
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

  /** Delivery metrics over the window, computed from the fetched history. */
  public async metrics(window: MetricsWindow): Promise<DeliveryMetrics> {
    const history = await this.exportHistory(window);
    return computeDeliveryMetrics(parsePipelineHistory(history), window);
  }
}
