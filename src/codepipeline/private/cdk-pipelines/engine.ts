import * as pipelines from 'aws-cdk-lib/pipelines';
import {
  ASSET_ACTIONS, ASSETS_STAGE, permissionCheckName, PREPARATION_ACTIONS, SELF_MUTATION_ACTION, SELF_MUTATION_STAGE, SYNTH_ACTION,
} from './names';
import { LayoutProblem, LayoutProblemKind } from '../../../blueprint/layout';
import { StepTypes } from '../../../blueprint/release-input';
import { ApprovalActions, ReleaseEngine, ResolvedEnvironment } from '../../../blueprint/release-model';
import { stacksOf } from '../../../blueprint/validate';
import { MAX_NAME_LENGTH, partStageName, StageKind } from '../../../contract';
import { checkArguments } from '../../../private/props-check';
import { MigrationStepOptions, TestStepOptions } from '../../step-options';
import { MAX_ACTIONS_PER_STAGE, MAX_STAGES } from '../self-check';

/** The step types of the CodePipeline engine: CodeBuild test steps and migrations, and CDK Pipelines `Step`s. */
export interface CodePipelineSteps extends StepTypes {
  readonly test: TestStepOptions;
  readonly migration: MigrationStepOptions;
  readonly step: pipelines.Step;
}

/** What the engine reads of the pipeline's properties (the whole props go to the type check). */
export interface EngineProps {
  /** `autoApproveUnlessPermissionsBroaden`: the approvals are CDK Pipelines' `ConfirmPermissionsBroadening`. */
  readonly approval?: { readonly autoApproveUnlessPermissionsBroaden?: boolean };
}

/**
 * The CodePipeline engine as the blueprint sees it: CodePipeline's limits, what CDK Pipelines adds itself, what
 * steps and approvals cost in actions, and how a layout problem is worded.
 */
export function cdkPipelinesEngine(props: EngineProps): ReleaseEngine<CodePipelineSteps> {
  // A check and an approval per gated Stage instead of one approval.
  const autoApprove = props.approval?.autoApproveUnlessPermissionsBroaden === true;
  return {
    capacities: {
      maxActionsPerStage: MAX_ACTIONS_PER_STAGE,
      maxStages: MAX_STAGES,
      maxNameLength: MAX_NAME_LENGTH,
      preparationActions: PREPARATION_ACTIONS,
      buildActions: 1,
    },
    reservedStepNames: [SYNTH_ACTION, SELF_MUTATION_ACTION, ...ASSET_ACTIONS],
    reservedStageNames: [SELF_MUTATION_STAGE, ASSETS_STAGE],
    // What CDK Pipelines adds to a stage (it splits a stage past 50 actions): with change sets anywhere, two actions per
    // stack, also in an environment whose pairs become one direct deployment when the stage is flushed.
    targetActions: (target, _environment, environments) => stacksOf(target).length * (environments.some(e => e.useChangeSets) ? 2 : 1),
    approvalActions: (gated, actionName) => approvalActions(gated, actionName, autoApprove),
    stepName: step => step.id,
    checkTypes: () => checkArguments('DeliveryPipeline.constructor', [props]),
    describeLayoutProblem: (problem, environments) => describeLayoutProblem(problem, environments, autoApprove),
  };
}

function approvalActions(gated: ResolvedEnvironment<StepTypes>, actionName: string, autoApprove: boolean): ApprovalActions {
  if (!autoApprove) {
    return { names: [actionName], approvals: 1, actions: 1, description: `the approval of ${gated.name}` };
  }
  // ConfirmPermissionsBroadening: a security-diff CodeBuild action and a manual approval per gated Stage.
  const count = gated.targets.length;
  return {
    names: gated.targets.map(stage => permissionCheckName(stage.stageName)),
    approvals: count,
    actions: 2 * count,
    description: `a permission-broadening check and approval for each of the ${count} Stage(s) of ${gated.name}: ${2 * count} actions`,
  };
}

/** A layout that does not fit CodePipeline, in words: the property, the numbers and the fix. */
export function describeLayoutProblem(problem: LayoutProblem, environments: Array<ResolvedEnvironment<StepTypes>>, autoApprove: boolean): string {
  const max = MAX_ACTIONS_PER_STAGE;
  const env = problem.environment;
  const needed = problem.needed ?? 0;
  switch (problem.kind) {
    case LayoutProblemKind.BUILD_STAGE_FULL:
      return `pipeline: the build stage would hold ${needed} actions; CodePipeline allows ${max}.`;
    case LayoutProblemKind.TARGET_TOO_LARGE:
      if ((env?.partActions ?? 0) > 0) {
        return `${env?.property}: the Stage '${env?.targetNames[problem.index ?? 0]}' deploys with ${needed - (env?.partActions ?? 0)} actions, which with the change-set review's approval (${needed}) is more than the ${max} a CodePipeline stage holds. Split its stacks over several Stages (each part of the environment gets its own review), or leave its change sets unreviewed (changeReview: ChangeReviewPolicy.disabled() on ${env?.property}).`;
      }
      return `${env?.property}: the Stage '${env?.targetNames[problem.index ?? 0]}' deploys with ${needed} actions, more than the ${max} a CodePipeline stage holds. Split its stacks over several Stages, or deploy without change sets (useChangeSets: false on the pipeline and on every environment: one action per stack instead of two).`;
    case LayoutProblemKind.TOO_MANY_PRE_ACTIONS:
    case LayoutProblemKind.TOO_MANY_POST_ACTIONS: {
      const pre = problem.kind === LayoutProblemKind.TOO_MANY_PRE_ACTIONS;
      const what = pre ? env?.preDescription : env?.postDescription;
      const gated = pre ? env?.preGated : env?.postGated;
      return `${env?.property}: ${needed} actions must run ${pre ? 'before' : 'after'} its deployments${what ? ` (${what})` : ''}, more than the ${max} a CodePipeline stage holds.`
        + (autoApprove && gated ? ' The permission-broadening check adds 2 actions per gated Stage: split the gated environment into waves of fewer Stages, or approve manually.' : '');
    }
    case LayoutProblemKind.PART_NAME_TOO_LONG: {
      const name = env?.name ?? '';
      const parts = problem.parts ?? 1;
      const room = MAX_NAME_LENGTH - (needed - (name.length - name.indexOf('-') - 1));
      return `${env?.property}.name: once the wave is split into ${parts} parts its stage '${partStageName(name, 1, parts)}' has ${needed} characters; CodePipeline allows ${MAX_NAME_LENGTH}. Use a wave name of at most ${room} characters.`;
    }
    case LayoutProblemKind.TOO_MANY_STAGES: {
      const deployments = problem.deploymentStages ?? 0;
      const tests = problem.testStages ?? 0;
      const production = environments.filter(e => e.kind === StageKind.PRODUCTION);
      return `pipeline: the release path needs ${needed} stages (Source, Build, ${deployments > 0 ? `${deployments} deployment stage(s) for ${environments.length} environment(s)` : ''}${tests > 0 ? `, ${tests} test stage(s)` : ''}); CodePipeline allows ${MAX_STAGES}. Use fewer production waves (${production.length} now: put several Stages in one wave, they deploy in parallel), or fewer targets per wave.`;
    }
    case LayoutProblemKind.STAGE_NAME_COLLISION: {
      const [name, first, second] = problem.names ?? [];
      return `pipeline: two stages would be named '${name}' (${first} and ${second}). Rename the production wave so that its stage names cannot collide with a split wave's '<wave>-<n>' parts.`;
    }
  }
}
