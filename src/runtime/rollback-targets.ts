import { CodePipelineClient, GetPipelineOutput, StageState } from '@aws-sdk/client-codepipeline';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, list, obj, optional, required, str } from './reply-shape';
import { findRollbackTarget, RollbackTarget } from './rollback';

/** GetPipeline, with the results of the stages' `onFailure` and `onSuccess` conditions (what makes a stage roll back on its own). */
export const ROLLBACK_DECLARATION_REPLY = obj({
  pipeline: required(obj({
    stages: optional(list(obj({
      name: required(str),
      onFailure: optional(obj({ result: optional(str) })),
      onSuccess: optional(obj({ conditions: optional(list(obj({ result: optional(str) }))) })),
    }))),
  })),
});

/**
 * The stages of the declaration that roll back on their own, in pipeline order: `onFailure` with result ROLLBACK, or
 * an `onSuccess` condition with result ROLLBACK (CodePipeline documents both; the bake may render either).
 */
export function automaticRollbackStages(pipelineName: string, declaration: GetPipelineOutput): string[] {
  const checked = checkReply({ operation: 'GetPipeline', pipelineName }, declaration, ROLLBACK_DECLARATION_REPLY);
  return (checked.pipeline?.stages ?? [])
    .filter((stage) => stage.onFailure?.result === 'ROLLBACK' || (stage.onSuccess?.conditions ?? []).some((c) => c.result === 'ROLLBACK'))
    .map((stage) => stage.name ?? '');
}

/**
 * For `status`: the execution each stage with automatic rollback would roll back to if it failed now (the most recent
 * execution that succeeded in it on the current definition, the one it holds included), or why it has none (then a
 * failure fails the stage and restores nothing). One ListPipelineExecutions per such stage, and one
 * GetPipelineExecution per target found (to check its definition version); no call for a pipeline without them.
 */
export async function automaticRollbackTargets(
  client: CodePipelineClient,
  pipelineName: string,
  declaration: GetPipelineOutput,
  stageStates: readonly StageState[],
  pipelineVersion: number | undefined,
): Promise<RollbackTarget[]> {
  const targets: RollbackTarget[] = [];
  for (const stageName of automaticRollbackStages(pipelineName, declaration)) {
    const latest = stageStates.find((s) => s.stageName === stageName)?.latestExecution;
    const stage = {
      stageName, executionId: latest?.pipelineExecutionId, status: latest?.status, type: latest?.type, failedActions: [], manualRetries: 0,
    };
    try {
      targets.push(await findRollbackTarget(client, pipelineName, stage, pipelineVersion));
    } catch (error) {
      // The rest of `status` stands without it (a policy written for the other columns may lack ListPipelineExecutions);
      // the deadline and an interruption still end the command.
      if (!(error instanceof DeliveryError) || error.code === DeliveryErrorCode.TIMEOUT || error.code === DeliveryErrorCode.INTERRUPTED) {
        throw error;
      }
      targets.push({ stageName, pipelineVersion, unknownBecause: error.message });
    }
  }
  return targets;
}
