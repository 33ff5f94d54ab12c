import * as pipelines from 'aws-cdk-lib/pipelines';

/**
 * What this library assumes about CDK Pipelines' names and versions, in one place. `test/codepipeline/
 * cdk-pipelines-mechanics.test.ts` and `tool-versions.test.ts` fail when aws-cdk-lib changes one of them.
 */

/** CDK Pipelines' own stages: it asks for them by these names, so no user `Stage` may be named like them. */
export const SELF_MUTATION_STAGE = 'UpdatePipeline';
export const ASSETS_STAGE = 'Assets';

/** The actions CDK Pipelines adds itself in stages that steps share (the synth, self-mutation, asset publishing). */
export const SYNTH_ACTION = 'Synth';
export const SELF_MUTATION_ACTION = 'SelfMutate';
export const ASSET_ACTIONS = ['FileAsset', 'FileAssets', 'DockerAsset', 'DockerAssets'];

/** The change set CDK Pipelines' prepare action creates and its execute action executes (`<stack>.Prepare`, `<stack>.Deploy`). */
export const CDK_CHANGE_SET_NAME = 'PipelineChange';

/** Self-mutation and (at most) one asset-publishing action per asset type (files, Docker images): `publishAssetsInParallel: false`. */
export const PREPARATION_ACTIONS = 3;

/** Whether an action is one of CDK Pipelines' preparation actions (self-mutation, asset publishing). */
export function isPreparationAction(actionName: string): boolean {
  return actionName === SELF_MUTATION_ACTION || ASSET_ACTIONS.includes(actionName);
}

/** The id of the CDK Pipelines wave that renders the planned stage at `index` (0-based, after Source and Build). */
export function waveId(index: number): string {
  return `DeliveryPipelineStage${index + 1}`;
}

/** The stage names CDK Pipelines asks for a wave with: a wave of one Stage is named after the Stage, else after the wave. */
export function waveRequestNames(id: string, targetNames: string[]): string[] {
  return [id, ...(targetNames.length === 1 ? [targetNames[0]] : [])];
}

/** The step `ConfirmPermissionsBroadening` renders per gated Stage: a security-diff CodeBuild action and an approval. */
export function permissionCheckName(stageName: string): string {
  return `CheckPermissions-${stageName}`;
}

/**
 * Whether this aws-cdk-lib's CDK Pipelines honours `cdkAssetsCliVersion` (it keeps the value on the instance).
 * Keyed on a CDK Pipelines field name: `test/codepipeline/tool-versions.test.ts` fails if it changes.
 */
export function pinsCdkAssets(cdkPipeline: pipelines.CodePipeline): boolean {
  return Object.prototype.hasOwnProperty.call(cdkPipeline, 'cdkAssetsCliVersion');
}
