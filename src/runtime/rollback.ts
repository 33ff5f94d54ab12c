import { CodePipelineClient, ListPipelineExecutionsCommand, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { callCodePipeline, DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, date, list, obj, optional, required, str } from './reply-shape';
import {
  Confirmation, PipelineSnapshot, readExecution, readPipelineState, sendChange, StageSnapshot, stageOf, validateExecutionId,
  validateStageName,
} from './stage-change';

/**
 * Stage rollback, as CodePipeline documents it (docs/operations.md): a stage rolls back to an execution that
 * succeeded in that stage and was started on the pipeline's current definition (structure version); never to a
 * rollback execution; never the source stage. An automatic rollback (`onFailure` result ROLLBACK) picks the most
 * recent such execution; `RollbackStage` takes one by id. The first execution after a definition change therefore has
 * nothing to roll back to.
 */

/** ListPipelineExecutions (one page), with what rollback targets are chosen by. */
export const ROLLBACK_CANDIDATES_PAGE_REPLY = obj({
  pipelineExecutionSummaries: optional(list(obj({
    pipelineExecutionId: required(str),
    status: optional(str),
    startTime: optional(date),
    executionType: optional(str),
    rollbackMetadata: optional(obj({ rollbackTargetPipelineExecutionId: optional(str) })),
  }))),
  nextToken: optional(str),
});

/** RollbackStage: the id of the rollback execution it started. */
export const ROLLBACK_STAGE_REPLY = obj({ pipelineExecutionId: required(str) });

/** How many executions that succeeded in a stage are looked through for a target (4 pages of 25). */
export const MAX_ROLLBACK_CANDIDATES = 100;
const PAGE_SIZE = 25;

/** The execution a stage would roll back to, or why there is none. */
export interface RollbackTarget {
  readonly stageName: string;
  /** The pipeline's current definition version, when CodePipeline reported it. */
  readonly pipelineVersion?: number;
  /** The execution the stage rolls back to; absent when there is none. */
  readonly targetPipelineExecutionId?: string;
  /** When the target execution started (ISO 8601). */
  readonly targetStartTime?: string;
  /** Why there is no target; absent when there is one. */
  readonly noTargetReason?: string;
  /** `status` only: the target could not be read (e.g. no permission for ListPipelineExecutions); what failed. */
  readonly unknownBecause?: string;
}

/**
 * The execution the stage would roll back to: the most recent execution that succeeded in the stage (ListPipeline-
 * Executions' `succeededInStage` filter, which CodePipeline documents as "in the current pipeline version"), is not a
 * rollback, and ran on the current definition (GetPipelineExecution's `pipelineVersion`, checked rather than assumed).
 * `leaveHeld` (a manual rollback now) also passes over the execution the stage holds (nor, when that is a rollback,
 * the execution it restored): rolling back to what the stage runs changes nothing. Without it (an automatic rollback
 * of the next failure) the execution the stage holds, once it succeeded, is the target.
 */
export async function findRollbackTarget(
  client: CodePipelineClient, pipelineName: string, stage: StageSnapshot, pipelineVersion: number | undefined, leaveHeld = false,
): Promise<RollbackTarget> {
  const stageName = stage.stageName;
  const context = { operation: 'ListPipelineExecutions', pipelineName };
  const excluded = new Set<string>(leaveHeld && stage.executionId ? [stage.executionId] : []);
  let nextToken: string | undefined;
  let seen = 0;
  do {
    const page = checkReply(context, await callCodePipeline(context, () => client.send(new ListPipelineExecutionsCommand({
      pipelineName, maxResults: PAGE_SIZE, nextToken, filter: { succeededInStage: { stageName } },
    }))), ROLLBACK_CANDIDATES_PAGE_REPLY);
    const summaries = page.pipelineExecutionSummaries ?? [];
    // The execution a rollback held by the stage restored is what the stage runs now: not a target either.
    for (const summary of leaveHeld ? summaries : []) {
      if (summary.pipelineExecutionId === stage.executionId && summary.rollbackMetadata?.rollbackTargetPipelineExecutionId) {
        excluded.add(summary.rollbackMetadata.rollbackTargetPipelineExecutionId);
      }
    }
    for (const summary of summaries) {
      const id = summary.pipelineExecutionId ?? '';
      if (summary.executionType === 'ROLLBACK' || excluded.has(id)) {
        continue;
      }
      const detail = await readExecution(client, pipelineName, id);
      if (pipelineVersion !== undefined && detail.pipelineVersion !== undefined && detail.pipelineVersion !== pipelineVersion) {
        return {
          stageName,
          pipelineVersion,
          noTargetReason: `no execution succeeded in ${stageName} on the current pipeline definition (version ${pipelineVersion}); ` +
            `the most recent one that did, ${id}, ran on version ${detail.pipelineVersion}. CodePipeline rolls back only to an execution ` +
            'started on the current definition, so the first release after a definition change has no rollback target',
        };
      }
      return { stageName, pipelineVersion, targetPipelineExecutionId: id, targetStartTime: summary.startTime?.toISOString() };
    }
    seen += summaries.length;
    nextToken = page.nextToken;
  } while (nextToken && seen < MAX_ROLLBACK_CANDIDATES);
  const version = pipelineVersion !== undefined ? ` (version ${pipelineVersion})` : '';
  const looked = nextToken ? ` among the ${seen} most recent executions that succeeded there` : '';
  return {
    stageName,
    pipelineVersion,
    noTargetReason: `no earlier execution succeeded in ${stageName} on the current pipeline definition${version}${looked}. ` +
      'CodePipeline rolls back only to an execution started on the current definition, so the first release after a definition ' +
      'change has no rollback target',
  };
}

export interface RollbackOptions {
  /** The stage to roll back. */
  readonly stageName: string;
  /** The execution to roll back to. Default: the most recent eligible one (`findRollbackTarget`). */
  readonly targetPipelineExecutionId?: string;
}

/** What `rollback` decided before sending anything: shown for confirmation. */
export interface RollbackPlan {
  readonly pipelineName: string;
  readonly stageName: string;
  /** The execution the stage holds now. */
  readonly currentPipelineExecutionId?: string;
  readonly currentStatus?: string;
  readonly targetPipelineExecutionId: string;
  readonly targetStartTime?: string;
  readonly pipelineVersion?: number;
}

export interface RollbackOutcome extends RollbackPlan {
  /** The rollback execution CodePipeline started. */
  readonly pipelineExecutionId: string;
  /** Set when the reply was lost and the rollback was confirmed by reading the pipeline again: why. */
  readonly confirmedAfter?: string;
}

/** Stage statuses during which CodePipeline refuses a rollback ("the stage is currently running"). */
const BUSY = new Set(['InProgress', 'Stopping']);

function conflict(message: string): DeliveryError {
  return new DeliveryError(DeliveryErrorCode.CONFLICT, message);
}

/**
 * Decide the rollback without sending it: the stage exists and is not running, and the target is eligible (named:
 * exists, is no rollback, ran on the current definition; default: `findRollbackTarget`, NOT_FOUND when none). A
 * stage whose latest execution is already a rollback is refused without `targetPipelineExecutionId`, so running the
 * command again never rolls back a second release.
 */
export async function planRollback(client: CodePipelineClient, pipelineName: string, options: RollbackOptions): Promise<RollbackPlan> {
  validateStageName(options.stageName);
  if (options.targetPipelineExecutionId !== undefined) {
    validateExecutionId(options.targetPipelineExecutionId, '--to');
  }
  const snapshot = await readPipelineState(client, pipelineName);
  const stage = stageOf(snapshot, pipelineName, options.stageName);
  const holds = stage.executionId ? `execution ${stage.executionId} (${stage.status ?? 'no status'}${stage.type === 'ROLLBACK' ? ', a rollback' : ''})` : 'no execution';
  if (snapshot.stages[0]?.stageName === stage.stageName) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `${stage.stageName} is the pipeline's first (source) stage, and CodePipeline does not roll back a source stage. Name a later stage.`);
  }
  if (stage.status && BUSY.has(stage.status)) {
    throw conflict(`Stage ${stage.stageName} of pipeline '${pipelineName}' is ${stage.status} (${holds}), and CodePipeline rolls back only a ` +
      `stage that is not running. Nothing was sent. Wait for it (cdk-delivery wait), or stop it (cdk-delivery stop --stage ${stage.stageName}).`);
  }
  const plan = {
    pipelineName,
    stageName: stage.stageName,
    currentPipelineExecutionId: stage.executionId,
    currentStatus: stage.status,
    pipelineVersion: snapshot.pipelineVersion,
  };
  if (options.targetPipelineExecutionId !== undefined) {
    return { ...plan, targetPipelineExecutionId: await checkNamedTarget(client, pipelineName, snapshot, stage, options.targetPipelineExecutionId) };
  }
  if (stage.type === 'ROLLBACK') {
    throw conflict(`Stage ${stage.stageName} of pipeline '${pipelineName}' was already rolled back: it holds ${holds}. Nothing was sent, so a ` +
      'second run never rolls back a second release. To roll back further, name the target with --to <execution-id>.');
  }
  const target = await findRollbackTarget(client, pipelineName, stage, snapshot.pipelineVersion, true);
  if (!target.targetPipelineExecutionId) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `Stage ${stage.stageName} of pipeline '${pipelineName}' has no rollback target: ${target.noTargetReason}. Nothing was sent. ` +
      'To restore an older release, start an execution of its commit (cdk-delivery release --source-revision <action>=COMMIT_ID:<sha>).');
  }
  return { ...plan, targetPipelineExecutionId: target.targetPipelineExecutionId, targetStartTime: target.targetStartTime };
}

async function checkNamedTarget(
  client: CodePipelineClient, pipelineName: string, snapshot: PipelineSnapshot, stage: StageSnapshot, targetId: string,
): Promise<string> {
  const target = await readExecution(client, pipelineName, targetId);
  if (target.executionType === 'ROLLBACK') {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `--to ${targetId} is a rollback execution, and CodePipeline does not roll back to a rollback` +
      `${target.rollbackTargetPipelineExecutionId ? `; it restored ${target.rollbackTargetPipelineExecutionId}: name that one` : ''}.`);
  }
  if (snapshot.pipelineVersion !== undefined && target.pipelineVersion !== undefined && target.pipelineVersion !== snapshot.pipelineVersion) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `--to ${targetId} ran on pipeline definition version ${target.pipelineVersion}, and the pipeline is at version ${snapshot.pipelineVersion}: ` +
      'CodePipeline rolls back only to an execution started on the current definition. Nothing was sent. Start an execution of its ' +
      'commit instead (cdk-delivery release --source-revision <action>=COMMIT_ID:<sha>).');
  }
  if (targetId === stage.executionId) {
    throw conflict(`Stage ${stage.stageName} of pipeline '${pipelineName}' already holds execution ${targetId}. Nothing was sent.`);
  }
  return targetId;
}

/** The confirming read after an uncertain RollbackStage: the stage now holds a new rollback execution to our target. */
async function confirmRollback(client: CodePipelineClient, plan: RollbackPlan, abortSignal: AbortSignal): Promise<Confirmation<string>> {
  const snapshot = await readPipelineState(client, plan.pipelineName, abortSignal);
  const stage = snapshot.stages.find((s) => s.stageName === plan.stageName);
  if (!stage || stage.executionId === plan.currentPipelineExecutionId) {
    return { kind: 'not-recorded', seen: `stage ${plan.stageName} still holds ${plan.currentPipelineExecutionId ?? 'no execution'}` };
  }
  if (stage.type !== 'ROLLBACK' || !stage.executionId) {
    return { kind: 'unclear', seen: `stage ${plan.stageName} now holds execution ${stage.executionId ?? 'unknown'}, which is not a rollback` };
  }
  const detail = await readExecution(client, plan.pipelineName, stage.executionId, abortSignal);
  if (detail.rollbackTargetPipelineExecutionId === plan.targetPipelineExecutionId) {
    return { kind: 'recorded', outcome: stage.executionId };
  }
  return {
    kind: 'unclear',
    seen: `stage ${plan.stageName} now holds rollback ${stage.executionId} to ${detail.rollbackTargetPipelineExecutionId ?? 'an unknown execution'}, started by someone else`,
  };
}

/** Send the planned rollback (RollbackStage) once; an uncertain reply is confirmed by reading the pipeline again. */
export async function executeRollback(client: CodePipelineClient, plan: RollbackPlan): Promise<RollbackOutcome> {
  const context = { operation: 'RollbackStage', pipelineName: plan.pipelineName };
  const result = await sendChange({
    context,
    what: `the rollback of ${plan.stageName} to ${plan.targetPipelineExecutionId}`,
    refusals: new Set(['ConflictException', 'UnableToRollbackStageException']),
    send: async () => checkReply(context, await client.send(new RollbackStageCommand({
      pipelineName: plan.pipelineName, stageName: plan.stageName, targetPipelineExecutionId: plan.targetPipelineExecutionId,
    })), ROLLBACK_STAGE_REPLY).pipelineExecutionId ?? '',
    confirm: (signal) => confirmRollback(client, plan, signal),
  });
  return { ...plan, pipelineExecutionId: result.outcome, ...(result.confirmedAfter ? { confirmedAfter: result.confirmedAfter } : {}) };
}
