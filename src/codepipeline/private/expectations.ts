import { CodePipelineSteps } from './cdk-pipelines/engine';
import { CDK_CHANGE_SET_NAME } from './cdk-pipelines/names';
import { ExpectedApproval, ExpectedStage, PipelineExpectations } from './self-check';
import { ModelStage, PlacedApproval, ReleaseModel, REVIEW_ACTION, REVIEW_ACTIONS } from '../../blueprint/release-model';
import { stacksOf } from '../../blueprint/validate';
import { BUILD_STAGE, SOURCE_STAGE, StageKind } from '../../contract';

/**
 * What the rendered pipeline must be, derived from the release model (its release semantics: which stages in which
 * order, which environment each deploys, its window, bake, rollback and entry rules, which approval gates which
 * environment and where it sits, which steps run where and how many actions that makes). Nothing here reads what
 * the renderer produced: a planning bug in the renderer is caught, not checked against itself.
 */
export function expectationsOf(model: ReleaseModel<CodePipelineSteps>, addedStages: string[]): PipelineExpectations {
  return {
    mode: model.mode,
    stages: [
      { name: SOURCE_STAGE, kind: StageKind.SOURCE },
      // The synth action; self-mutation and asset publishing are CDK Pipelines' and counted apart.
      { name: BUILD_STAGE, kind: StageKind.BUILD, preparation: model.preparationInBuild, actions: 1 },
      ...model.stages.map(expectedStage),
      ...addedStages.map(name => ({ name, kind: StageKind.TEST, addedAfterConstruction: true })),
    ],
    approvals: model.stages.flatMap(stage => {
      const deployment = stage.deployment;
      const placed = [deployment?.approval, deployment?.nextApproval].filter((a): a is PlacedApproval<CodePipelineSteps> => a !== undefined);
      return placed.map((a): ExpectedApproval => ({
        gatedEnvironment: a.gated.name,
        stageName: stage.planned.name,
        approvals: a.actions.approvals,
        actionNames: a.actions.names,
        migrations: a.approval.migrations,
      }));
    }),
  };
}

function expectedStage(stage: ModelStage<CodePipelineSteps>): ExpectedStage {
  const deployment = stage.deployment;
  if (!deployment) {
    return {
      name: stage.planned.name,
      kind: stage.planned.kind,
      preparation: stage.planned.preparation,
      actions: stage.tests.length,
      ownSteps: stage.tests.filter(m => m.step !== undefined).map(m => m.name),
    };
  }
  const env = deployment.environment;
  // CDK Pipelines deploys each stack with a prepare and an execute action through change sets, else with one.
  const deployActions = deployment.targets.reduce((n, target) => n + stacksOf(target).length * (env.useChangeSets ? 2 : 1), 0);
  return {
    name: stage.planned.name,
    kind: stage.planned.kind,
    environment: env.name,
    preparation: false,
    window: env.deploymentWindow ? { cron: env.deploymentWindow.expression, timeZone: env.deploymentWindow.timeZone } : undefined,
    alarms: env.bake?.alarms.length ?? 0,
    onFailure: env.bake?.onFailure,
    entryRules: env.entryRules.map(rule => rule.kind),
    actions: (deployment.approval?.actions.actions ?? 0) + deployment.migrations.length + deployActions
      + deployment.verify.length + deployment.verifySteps.length + (deployment.nextApproval?.actions.actions ?? 0)
      + (deployment.review ? REVIEW_ACTIONS : 0),
    ownSteps: deployment.verifySteps.map(s => s.name),
    // The model says which environments are reviewed: every part of them that deploys stacks has its review.
    review: deployment.review ? { approvalActionName: REVIEW_ACTION, changeSetName: CDK_CHANGE_SET_NAME } : undefined,
  };
}
