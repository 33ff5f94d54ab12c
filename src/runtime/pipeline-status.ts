import {
  CodePipelineClient,
  GetPipelineCommand,
  GetPipelineStateCommand,
  paginateListTagsForResource,
  StageState,
  Tag,
} from '@aws-sdk/client-codepipeline';
import { findPendingApprovals, PendingApproval } from './approvals';
import { callCodePipeline, toDeliveryError } from './errors';
import { checkReply, PIPELINE_REPLY, PIPELINE_STATE_REPLY, TAGS_PAGE_REPLY } from './reply-shape';
import { RollbackTarget } from './rollback';
import { automaticRollbackTargets } from './rollback-targets';
import { isProductionStage, RELEASE_MODE_TAG } from '../contract';

/**
 * The practice a deployed pipeline follows, as its `release-mode` tag says (the values of the construct's
 * `ReleaseMode`), or `unknown` when the tag is missing or not one of them.
 */
export type TaggedReleaseMode = 'continuous-delivery' | 'continuous-deployment' | 'unknown';

export interface ActionStatus {
  readonly actionName: string;
  /** `InProgress`, `Succeeded`, `Failed`, `Abandoned`, or `NotStarted` when it never ran. */
  readonly status: string;
  readonly summary?: string;
  readonly lastStatusChange?: string;
}

export interface DisabledTransition {
  readonly stageName: string;
  readonly reason?: string;
  readonly changedBy?: string;
  readonly changedAt?: string;
}

export interface StageStatus {
  readonly stageName: string;
  /** Latest stage execution status, or `NotStarted`. */
  readonly status: string;
  readonly pipelineExecutionId?: string;
  readonly production: boolean;
  /** Whether changes may enter the stage (false while frozen). */
  readonly inboundTransitionEnabled: boolean;
  readonly actions: ActionStatus[];
}

export interface PipelineStatus {
  readonly pipelineName: string;
  readonly pipelineArn?: string;
  readonly pipelineVersion?: number;
  readonly releaseMode: TaggedReleaseMode;
  /** The raw `release-mode` tag value when it is present but not a known mode. */
  readonly releaseModeTag?: string;
  readonly stages: StageStatus[];
  readonly pendingApprovals: PendingApproval[];
  readonly disabledTransitions: DisabledTransition[];
  /**
   * Each stage that rolls back on failure (`onFailure` ROLLBACK): the execution it would roll back to now, or why it
   * has none (the first execution after a definition change). Empty when no stage rolls back on its own.
   */
  readonly automaticRollback: RollbackTarget[];
}

export const NOT_STARTED = 'NotStarted';

export function releaseModeFromTags(tags: readonly Tag[]): { readonly releaseMode: TaggedReleaseMode; readonly raw?: string } {
  const raw = tags.find((tag) => tag.key === RELEASE_MODE_TAG)?.value;
  if (raw === 'continuous-delivery' || raw === 'continuous-deployment') {
    return { releaseMode: raw };
  }
  return { releaseMode: 'unknown', raw };
}

function stageStatus(state: StageState): StageStatus {
  const stageName = state.stageName ?? '';
  return {
    stageName,
    status: state.latestExecution?.status ?? NOT_STARTED,
    pipelineExecutionId: state.latestExecution?.pipelineExecutionId,
    production: isProductionStage(stageName),
    inboundTransitionEnabled: state.inboundTransitionState?.enabled ?? true,
    actions: (state.actionStates ?? []).map((action) => ({
      actionName: action.actionName ?? '',
      status: action.latestExecution?.status ?? NOT_STARTED,
      summary: action.latestExecution?.summary,
      lastStatusChange: action.latestExecution?.lastStatusChange?.toISOString(),
    })),
  };
}

function disabledTransitions(states: readonly StageState[]): DisabledTransition[] {
  return states
    .filter((state) => state.inboundTransitionState?.enabled === false)
    .map((state) => ({
      stageName: state.stageName ?? '',
      reason: state.inboundTransitionState?.disabledReason,
      changedBy: state.inboundTransitionState?.lastChangedBy,
      changedAt: state.inboundTransitionState?.lastChangedAt?.toISOString(),
    }));
}

/**
 * The pipeline's stages and their latest status, pending approvals, disabled inbound transitions and release mode.
 * Three calls: GetPipeline (for the ARN) and GetPipelineState in parallel, then ListTagsForResource.
 */
export async function getPipelineStatus(client: CodePipelineClient, pipelineName: string): Promise<PipelineStatus> {
  const [pipeline, state] = await Promise.all([
    callCodePipeline({ operation: 'GetPipeline', pipelineName }, () => client.send(new GetPipelineCommand({ name: pipelineName })))
      .then((reply) => checkReply({ operation: 'GetPipeline', pipelineName }, reply, PIPELINE_REPLY)),
    callCodePipeline({ operation: 'GetPipelineState', pipelineName }, () => client.send(new GetPipelineStateCommand({ name: pipelineName })))
      .then((reply) => checkReply({ operation: 'GetPipelineState', pipelineName }, reply, PIPELINE_STATE_REPLY)),
  ]);
  const pipelineArn = pipeline.metadata?.pipelineArn;
  const tags: Tag[] = [];
  if (pipelineArn) {
    try {
      for await (const page of paginateListTagsForResource({ client }, { resourceArn: pipelineArn })) {
        tags.push(...(checkReply({ operation: 'ListTagsForResource', pipelineName }, page, TAGS_PAGE_REPLY).tags ?? []));
      }
    } catch (error) {
      throw toDeliveryError(error, { operation: 'ListTagsForResource', pipelineName });
    }
  }
  const mode = releaseModeFromTags(tags);
  const stageStates = state.stageStates ?? [];
  const pipelineVersion = state.pipelineVersion ?? pipeline.pipeline?.version;
  const automaticRollback = await automaticRollbackTargets(client, pipelineName, pipeline, stageStates, pipelineVersion);
  return {
    pipelineName,
    pipelineArn,
    pipelineVersion,
    releaseMode: mode.releaseMode,
    releaseModeTag: mode.raw,
    stages: stageStates.map(stageStatus),
    pendingApprovals: findPendingApprovals(stageStates),
    disabledTransitions: disabledTransitions(stageStates),
    automaticRollback,
  };
}
