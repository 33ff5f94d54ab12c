import { Annotations, Aspects, Duration, Stack, Stage, Tags, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct, IConstruct } from 'constructs';
import { CommentRevision, revisionOf, reviewComment } from './approval-comment';
import { ApprovalGuard, ApprovalGuardProps } from './approval-guard/approval-guard';
import { CodePipelineSteps } from './cdk-pipelines/engine';
import { LayoutPipeline } from './cdk-pipelines/layout-pipeline';
import { CDK_CHANGE_SET_NAME, pinsCdkAssets, SYNTH_ACTION } from './cdk-pipelines/names';
import { ReviewStage } from './cdk-pipelines/review-stage';
import { addWaves, CdkPipelinesSteps, createStages, usesCdkChangeSets } from './cdk-pipelines/waves';
import { COMMIT_AUTHOR_VARIABLE } from './commit-author';
import { acknowledgePrivilegedBuilds, dockerPipelineProps } from './docker';
import { expectationsOf } from './expectations';
import { acknowledgeArtifactBuckets, PipelineNagAcknowledgments } from './nag-acknowledgments';
import {
  additionalInputs, renderTriggers, renderVariables, StepEnvironment, validateAdditionalSources, validateCache, validateExecutionMode,
  validateTriggerSafety, validateVariables,
} from './pipeline-features';
import { recordProgressive, warnProgressive } from './progressive-check';
import { checkPipeline, checkTrust, readStages, renderTrust } from './self-check';
import { EnvironmentGuards, GateContext, prepareGuards } from './stage-conditions';
import { DEFAULT_CDK_ASSETS_VERSION, DEFAULT_CDK_CLI_VERSION, validateToolVersion } from './tool-versions';
import { ReleaseModel } from '../../blueprint/release-model';
import { stacksOf } from '../../blueprint/validate';
import { BUILD_STAGE, RELEASE_MODE_TAG } from '../../contract';
import { DeliveryMetrics } from '../../metrics/delivery-metrics';
import { acknowledgeFindings } from '../../private/acknowledgments';
import { InternalError, isValidationError, ValidationError } from '../../private/errors';
import { artifactLifecycle, denyGrantsExceptForAwsServices, libraryLogGroup } from '../../private/hygiene';
import { ChangeSetReview, ChangeSetReviewTarget } from '../../review/pipeline-review';
import type { DeliveryPipelineProps } from '../delivery-pipeline';
import { addPipelineNotifications } from '../notifications';
import { PipelineSource } from '../source';

/**
 * The CodePipeline rendering of a release model: the pipeline with its stages and conditions, CDK Pipelines built
 * into it (one wave per planned stage), then triggers, the approval guards, notifications, metrics, tags and nag
 * acknowledgments — and the self-check, whose expectations come from the model.
 */

/** Default artifact retention: long enough to roll back to the release before a quiet quarter. */
const DEFAULT_ARTIFACT_RETENTION_DAYS = 90;

/** What the rendering made, for the construct's public properties. */
export interface RenderedPipeline {
  readonly pipeline: LayoutPipeline;
  readonly cdkPipeline: pipelines.CodePipeline;
  readonly crossAccountKeys: boolean;
  readonly cdkCliVersion: string;
  readonly notificationRule?: codestarnotifications.INotificationRule;
  readonly deliveryMetrics?: DeliveryMetrics;
}

export function renderPipeline(scope: Construct, props: DeliveryPipelineProps, model: ReleaseModel<CodePipelineSteps>): RenderedPipeline {
  const features = validateFeatures(props, model);
  const docker = dockerPipelineProps(scope, props.docker);
  const cdkCliVersion = toolVersion(props.cdkCliVersion, DEFAULT_CDK_CLI_VERSION, 'cdkCliVersion');
  const pipelineStack = Stack.of(scope);
  const targets = model.environments.flatMap(e => e.targets);
  validateExplicitRegion(pipelineStack, targets);
  const sources: Array<[string, PipelineSource]> = [['source', props.source], ...features.additional.map((a, i): [string, PipelineSource] => [`additionalSources[${i}].source`, a.source])];
  validateTriggerSafety(sources);
  if (props.approval?.autoApproveUnlessPermissionsBroaden) {
    Annotations.of(scope).addWarningV2(AUTO_APPROVE_DEPRECATED, AUTO_APPROVE_DEPRECATION);
  }

  // Every stage exists, in order and with its conditions, before CDK Pipelines adds its actions; then CDK Pipelines
  // builds one wave per planned stage into it.
  const crossAccountKeys = props.crossAccountKeys ?? targetsAnotherAccount(pipelineStack, targets);
  const pipeline = new LayoutPipeline(scope, 'CodePipeline', {
    pipelineName: props.pipelineName,
    pipelineType: codepipeline.PipelineType.V2,
    crossAccountKeys,
    enableKeyRotation: crossAccountKeys ? true : undefined,
    // Self-mutation changes the definition; CodePipeline then starts the new definition on the same commit.
    restartExecutionOnUpdate: true,
    executionMode: features.executionMode,
  });
  renderVariables(pipeline, features.variables);
  const artifactKey = pipeline.artifactBucket.encryptionKey;
  const artifactRetention = props.artifactRetention ?? Duration.days(DEFAULT_ARTIFACT_RETENTION_DAYS);
  artifactLifecycle(pipeline.artifactBucket, artifactRetention, 'artifactRetention');
  denyGrantsExceptForAwsServices(artifactKey);
  const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
  const buildLogs = libraryLogGroup(scope, 'BuildLogs', logRetention, artifactKey);
  let sourceStage: codepipeline.IStage | undefined;
  const gateContext: GateContext = {
    pipelineName: props.pipelineName,
    variables: features.variables.map(v => v.name),
    sourceArtifactName: () => primarySourceArtifact(sourceStage, props.source),
  };
  // The guard rails of each environment, validated once (every part of a split environment carries them).
  const guards = new Map<string, EnvironmentGuards>(model.environments.map(env => [env.name, prepareGuards(pipelineStack, pipeline, {
    property: env.property,
    deploymentWindow: env.deploymentWindow,
    bake: env.bake,
    entryRules: env.entryRules,
  }, gateContext)]));
  const stages = createStages(pipeline, model, guards, gateContext,
    environment => reviewComment(environment, reviewRevision(pipeline, sourceStage, stages.build, props.source)));
  sourceStage = stages.source;
  const assetsVersion = toolVersion(props.cdkAssetsVersion, DEFAULT_CDK_ASSETS_VERSION, 'cdkAssetsVersion');
  // `cdkAssetsCliVersion` is newer than the peer range's minimum (2.186): passed outside the typed literal so the
  // source compiles on every version of the range, and checked below.
  const assetsPin: Record<string, string> = { cdkAssetsCliVersion: assetsVersion };
  const steps = new CdkPipelinesSteps({
    source: props.source, synth: props.synth, approval: props.approval, additionalInputs: additionalInputs(features.additional),
  });
  const cdkPipeline = new DeliveryCdkPipeline(scope, 'Pipeline', {
    ...assetsPin,
    ...docker,
    codePipeline: pipeline,
    selfMutation: true,
    publishAssetsInParallel: false,
    // CDK Pipelines decides for the whole pipeline; environments that deploy directly get a DirectDeployStage.
    useChangeSets: usesCdkChangeSets(model),
    cliVersion: cdkCliVersion,
    codeBuildDefaults: {
      ...props.codeBuildDefaults,
      // Every CodeBuild project logs to a log group with an end (and the pipeline's key).
      logging: props.codeBuildDefaults?.logging ?? { cloudWatch: { logGroup: buildLogs } },
    },
    synth: steps.synth(),
  });
  if (!pinsCdkAssets(cdkPipeline) && props.cdkAssetsVersion !== undefined) {
    throw new ValidationError('cdkAssetsVersion: the installed aws-cdk-lib cannot pin the cdk-assets version its asset publishing installs (CDK Pipelines\' cdkAssetsCliVersion). Upgrade aws-cdk-lib, or leave cdkAssetsVersion out (asset publishing then installs CDK Pipelines\' default).');
  }
  addWaves(cdkPipeline, pipeline, stages, steps);
  cdkPipeline.buildPipeline();
  if (pipeline.unansweredStages.length > 0) {
    throw new InternalError(`DeliveryPipeline: CDK Pipelines did not build the stage(s) ${pipeline.unansweredStages.join(', ')} the layout planned. Please report it with your aws-cdk-lib version.`);
  }
  stages.direct.forEach(stage => stage.flush());
  stages.reviewed.forEach(stage => {
    // The review first: its log is the approval's review link.
    const review = addChangeSetReview(scope, pipeline, stage, targets, {
      encryptionKey: artifactKey, notificationTopic: props.approval?.notificationTopic,
    });
    stage.linkReview(review.decisionLink);
    stage.flush();
  });
  acknowledgeEncryptedApprovalTopic(pipeline, props.approval?.notificationTopic);
  pipeline.finishLayout();
  renderTriggers(pipeline, stages.source, sources);

  for (const support of Object.values(pipeline.crossRegionSupport)) {
    artifactLifecycle(support.replicationBucket, artifactRetention, 'artifactRetention');
    denyGrantsExceptForAwsServices(support.replicationBucket.encryptionKey);
  }
  guardParallelApprovals(scope, pipeline, { encryptionKey: artifactKey, alarmTopic: props.approval?.notificationTopic });
  const notificationRule = props.notifications ? addPipelineNotifications(scope, pipeline, props.notifications) : undefined;
  const deliveryMetrics = props.metrics
    ? new DeliveryMetrics(scope, 'Metrics', { ...props.metrics, pipeline, encryptionKey: artifactKey, logRetention })
    : undefined;
  const cfnPipeline = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  Tags.of(cfnPipeline).add(RELEASE_MODE_TAG, model.mode);
  recordProgressive(cfnPipeline, model);
  warnProgressive(scope, model);
  acknowledgeArtifactBuckets(pipeline);
  acknowledgePrivilegedBuilds(scope, cdkPipeline, docker, props.codeBuildDefaults?.buildEnvironment?.privileged === true);
  Aspects.of(scope).add(new PipelineNagAcknowledgments(() => Object.values(pipeline.crossRegionSupport)
    .map(support => Stack.of(scope).resolve(support.replicationBucket.bucketName) as string)));
  return { pipeline, cdkPipeline, crossAccountKeys, cdkCliVersion, notificationRule, deliveryMetrics };
}

/**
 * The promises of the model, checked on the final pipeline at synthesis: its stages, guard rails, approvals and
 * actions against the model's expectations (stages added after construction included), and the trust boundaries
 * read from the rendered template (overrides included).
 */
export function verifyPipeline(pipeline: LayoutPipeline, model: ReleaseModel<CodePipelineSteps>): string[] {
  const cfnPipeline = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  return [...checkPipeline(readStages(cfnPipeline), expectationsOf(model, pipeline.addedStages)), ...checkTrust(renderTrust(cfnPipeline))];
}

/**
 * CDK Pipelines built in the constructor: a wave added afterwards would have no place in the layout, its guard
 * rails or the self-check, so `addWave` and `addStage` say what to do instead of CDK Pipelines' bare refusal.
 */
class DeliveryCdkPipeline extends pipelines.CodePipeline {
  private layoutDone = false;

  public buildPipeline(): void {
    super.buildPipeline();
    this.layoutDone = true;
  }

  public addWave(id: string, options?: pipelines.WaveOptions): pipelines.Wave {
    if (this.layoutDone) {
      throw new ValidationError(`cdkPipeline.addWave('${id}'): DeliveryPipeline builds CDK Pipelines in its constructor, from a layout planned with its guard rails (approvals, deployment windows, bakes, rollback) and checked at synthesis. `
        + "Give the wave to the DeliveryPipeline instead: a production wave in 'production.waves', your own steps in 'testSteps' or an environment's 'verifySteps', "
        + 'or a stage after the planned ones with delivery.pipeline.addStage({ stageName, actions }).');
    }
    return super.addWave(id, options);
  }

  public addStage(stage: Stage, options?: pipelines.AddStageOpts): pipelines.StageDeployment {
    if (this.layoutDone) {
      throw new ValidationError(`cdkPipeline.addStage('${stage.stageName}'): DeliveryPipeline builds CDK Pipelines in its constructor, from a layout planned with its guard rails (approvals, deployment windows, bakes, rollback) and checked at synthesis. `
        + "Deploy the Stage through the DeliveryPipeline instead: in 'production.stages' or a production wave ('production.waves').");
    }
    return super.addStage(stage, options);
  }
}

interface ValidatedFeatures {
  readonly executionMode: codepipeline.ExecutionMode;
  readonly variables: NonNullable<DeliveryPipelineProps['variables']>;
  readonly additional: NonNullable<DeliveryPipelineProps['additionalSources']>;
}

/** Pipeline-level V2 features, checked before anything is built. */
function validateFeatures(props: DeliveryPipelineProps, model: ReleaseModel<CodePipelineSteps>): ValidatedFeatures {
  const executionMode = props.executionMode ?? codepipeline.ExecutionMode.SUPERSEDED;
  validateExecutionMode(executionMode, model.environments);
  const stepEnvironments: StepEnvironment[] = [
    { property: 'synth', env: props.synth.env },
    ...model.tests.flatMap(t => t.test ? [{ property: t.property, env: t.test.env }] : []),
    ...model.environments.flatMap(env => [
      ...env.verify.map((v, i) => ({ property: `${env.property}.verify[${i}]`, env: v.env })),
      ...env.migrations.map(m => ({ property: m.property, env: m.options.env })),
    ]),
  ];
  const variables = props.variables ?? [];
  validateVariables(variables, stepEnvironments);
  const additional = props.additionalSources ?? [];
  validateAdditionalSources(additional, props.source);
  if (props.synth.cache !== undefined) {
    validateCache(props.synth.cache, 'synth.cache');
  }
  model.tests.forEach(t => t.test?.cache !== undefined && validateCache(t.test.cache, `${t.property}.cache`));
  return { executionMode, variables, additional };
}

/**
 * A failed action beside a pending approval leaves the stage waiting on the approval (up to its timeout, 7 days by
 * default) and newer executions queue behind it. Every stage where an approval shares its runOrder with other
 * actions gets an `ApprovalGuard` that rejects the approval when one of them fails.
 */
function guardParallelApprovals(
  scope: Construct, pipeline: codepipeline.Pipeline, options: Pick<ApprovalGuardProps, 'encryptionKey' | 'alarmTopic'>,
): ApprovalGuard[] {
  return pipeline.stages.flatMap(stage => {
    const approvals = stage.actions.filter(a => a.actionProperties.category === codepipeline.ActionCategory.APPROVAL);
    const beside = stage.actions.filter(a => a.actionProperties.category !== codepipeline.ActionCategory.APPROVAL
      && approvals.some(approval => (approval.actionProperties.runOrder ?? 1) === (a.actionProperties.runOrder ?? 1)));
    if (approvals.length === 0 || beside.length === 0) {
      return [];
    }
    return [new ApprovalGuard(scope, `ApprovalGuard-${stage.stageName}`, {
      pipeline,
      stageName: stage.stageName,
      approvalActionNames: approvals.map(a => a.actionProperties.actionName),
      watchedActionNames: beside.map(a => a.actionProperties.actionName),
      ...options,
    })];
  });
}

/**
 * The review of a reviewed stage: its stacks with CDK Pipelines' change set, in their accounts and regions (an
 * environment-agnostic stack deploys to the pipeline's), and the stack name prefixes of its CDK Stages for removed
 * stacks — a prefix that another Stage's stacks also start with (`Prod-` beside a Stage `Prod-EU`) is left out, so a
 * stack of another stage or part is never reported as removed.
 */
function addChangeSetReview(
  scope: Construct, pipeline: codepipeline.IPipeline, stage: ReviewStage, allTargets: Stage[],
  options: { readonly encryptionKey?: kms.IKey; readonly notificationTopic?: sns.ITopic },
): ChangeSetReview {
  const pipelineStack = Stack.of(scope);
  const reviewTargets = stage.targets.flatMap(target => stacksOf(target).map((stack): ChangeSetReviewTarget => ({
    stackName: stack.stackName,
    changeSetName: CDK_CHANGE_SET_NAME,
    account: Token.isUnresolved(stack.account) ? pipelineStack.account : stack.account,
    region: Token.isUnresolved(stack.region) ? pipelineStack.region : stack.region,
  })));
  const others = allTargets.filter(t => !stage.targets.includes(t)).flatMap(t => stacksOf(t).map(s => s.stackName));
  const prefixes = stage.targets.map(t => `${t.stageName}-`).filter(prefix => !others.some(name => name.startsWith(prefix)));
  let review: ChangeSetReview;
  try {
    review = new ChangeSetReview(scope, `ChangeReview-${stage.stageName}`, {
      pipeline,
      stageName: stage.stageName,
      approvalActionName: stage.approvalActionName,
      environmentName: stage.environmentName,
      targets: reviewTargets,
      stackNamePrefixes: prefixes,
      policy: stage.policy,
      notificationTopic: options.notificationTopic,
      encryptionKey: options.encryptionKey,
      alarmTopic: options.notificationTopic,
    });
  } catch (error) {
    if (!isValidationError(error)) {
      throw error;
    }
    const reason = error.constructPath === undefined ? error.message : error.message.slice(error.constructPath.length + 2);
    throw new ValidationError(`${stage.environmentProperty}: its change-set review of stage '${stage.stageName}' cannot be built (${reason}) `
      + `Split ${stage.environmentProperty} into production waves of fewer Stages, or of fewer accounts and regions: the stage of every wave has its own review.`);
  }
  if (options.notificationTopic?.masterKey) {
    acknowledgeFindings(review.role.node.findChild('DefaultPolicy').node.defaultChild as IConstruct, new Map([[KMS_DATA_KEY_FINDING, KMS_DATA_KEY_REASON]]));
  }
  return review;
}

/** cdk-nag's finding for publishing to an SNS topic encrypted with a customer-managed key (`Topic.grantPublish`). */
const KMS_DATA_KEY_FINDING = 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]';
const KMS_DATA_KEY_REASON = 'Publishing to the approval notification topic, which is encrypted with a customer-managed key: SNS needs '
  + 'kms:GenerateDataKey* (aws-cdk-lib\'s Topic.grantPublish) on that one key; the wildcard only covers the variants of GenerateDataKey.';

/**
 * The manual approval actions that notify an encrypted approval topic get `kms:GenerateDataKey*` on its key from
 * aws-cdk-lib: acknowledged on each such action's role (`<stage>/<action>/CodePipelineActionRole`, the L2 pipeline's
 * names: `test/codepipeline/change-review.test.ts` runs cdk-nag with an encrypted topic and fails if they change).
 */
function acknowledgeEncryptedApprovalTopic(pipeline: codepipeline.Pipeline, topic: sns.ITopic | undefined): void {
  if (!topic?.masterKey) {
    return;
  }
  for (const stage of pipeline.stages) {
    for (const action of stage.actions.filter(a => a.actionProperties.category === codepipeline.ActionCategory.APPROVAL)) {
      const policy = pipeline.node.tryFindChild(stage.stageName)?.node.tryFindChild(action.actionProperties.actionName)
        ?.node.tryFindChild('CodePipelineActionRole')?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
      if (policy && JSON.stringify(Stack.of(pipeline).resolve((policy as iam.CfnPolicy).policyDocument)).includes('kms:GenerateDataKey*')) {
        acknowledgeFindings(policy, new Map([[KMS_DATA_KEY_FINDING, KMS_DATA_KEY_REASON]]));
      }
    }
  }
}

function toolVersion(version: string | undefined, defaultVersion: string, property: string): string {
  if (version === undefined) {
    return defaultVersion;
  }
  validateToolVersion(version, property, defaultVersion);
  return version;
}

/** The warning of the deprecated `approval.autoApproveUnlessPermissionsBroaden`. */
export const AUTO_APPROVE_DEPRECATED = 'cdk-delivery-pipelines:auto-approve-deprecated';
const AUTO_APPROVE_DEPRECATION = 'approval.autoApproveUnlessPermissionsBroaden is deprecated: it adds CDK Pipelines\' '
  + 'ConfirmPermissionsBroadening, a CodeBuild hop per gated Stage that installs an unpinned aws-cdk. The change-set review '
  + '(changeReview, on by default wherever change sets are used) already holds a release whose permissions broaden, without '
  + 'a hop of its own: to approve automatically unless permissions broaden, set requireManualApproval: false and remove '
  + 'autoApproveUnlessPermissionsBroaden.';

/** The primary source's action, once CDK Pipelines built the Source stage. */
function primarySourceAction(sourceStage: codepipeline.IStage | undefined, source: PipelineSource): codepipeline.IAction | undefined {
  const name = source._connection?.actionName;
  return sourceStage?.actions.find(a => name === undefined || a.actionProperties.actionName === name) ?? sourceStage?.actions[0];
}

/**
 * The revision a `Review` approval's comment names: the primary source action's variables, read from its namespace
 * (the review approval is added to the L2 stage after CDK Pipelines built it, so CDK Pipelines' step outputs, which
 * only its own steps can consume, do not reach it).
 */
function reviewRevision(
  pipeline: codepipeline.Pipeline, sourceStage: codepipeline.IStage | undefined, buildStage: codepipeline.IStage, source: PipelineSource,
): CommentRevision {
  const namespace = primarySourceAction(sourceStage, source)?.actionProperties.variablesNamespace;
  if (namespace === undefined) {
    throw new InternalError('DeliveryPipeline: the primary source action has no variables namespace for the Review approval\'s comment. Please report it with your aws-cdk-lib version.');
  }
  // With a full clone the synth action exports the author (commit-author.ts).
  const author = source._fullClone ? `#{${synthNamespace(pipeline, buildStage)}.${COMMIT_AUTHOR_VARIABLE}}` : undefined;
  return revisionOf(source, variable => `#{${namespace}.${variable}}`, author);
}

/**
 * The synth action's variables namespace. CDK Pipelines gives it one only when one of its own steps reads an exported
 * variable (a release approval naming the author); when only a `Review` approval (added to the L2 stage after CDK
 * Pipelines built it) reads it, the namespace is set here, as CDK Pipelines would name it, `Build@Synth`.
 */
function synthNamespace(pipeline: codepipeline.Pipeline, buildStage: codepipeline.IStage): string {
  const index = buildStage.actions.findIndex(a => a.actionProperties.actionName === SYNTH_ACTION);
  const stageIndex = pipeline.stages.indexOf(buildStage);
  if (index < 0 || stageIndex < 0) {
    throw new InternalError(`DeliveryPipeline: no '${SYNTH_ACTION}' action in the pipeline's ${BUILD_STAGE} stage for the commit author in the Review approval's comment. Please report it with your aws-cdk-lib version.`);
  }
  // CDK Pipelines' namespace is lazy: settled once its steps are built (they are, when a Review is flushed).
  const given: unknown = Stack.of(pipeline).resolve(buildStage.actions[index].actionProperties.variablesNamespace);
  if (typeof given === 'string' && given !== '') {
    return given;
  }
  const namespace = `${BUILD_STAGE}@${SYNTH_ACTION}`;
  (pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride(`Stages.${stageIndex}.Actions.${index}.Namespace`, namespace);
  return namespace;
}

/** The primary source's output artifact (for Commands gate rules), once CDK Pipelines built the Source stage. */
function primarySourceArtifact(sourceStage: codepipeline.IStage | undefined, source: PipelineSource): string {
  const artifact = primarySourceAction(sourceStage, source)?.actionProperties.outputs?.[0]?.artifactName;
  if (artifact === undefined) {
    throw new InternalError('DeliveryPipeline: the primary source action has no output artifact for the Commands gate rule. Please report it with your aws-cdk-lib version.');
  }
  return artifact;
}

function targetsAnotherAccount(pipelineStack: Stack, stages: Stage[]): boolean {
  return stages.some(stage => stacksOf(stage).some(stack =>
    !Token.isUnresolved(stack.account) && (Token.isUnresolved(pipelineStack.account) || stack.account !== pipelineStack.account)));
}

function validateExplicitRegion(pipelineStack: Stack, stages: Stage[]): void {
  if (!Token.isUnresolved(pipelineStack.region)) {
    return;
  }
  for (const stage of stages) {
    const pinned = stacksOf(stage).find(stack => !Token.isUnresolved(stack.region));
    if (pinned) {
      throw new ValidationError(`DeliveryPipeline: the pipeline stack '${pipelineStack.stackName}' has no explicit region, but the Stage '${stage.node.path}' deploys to ${pinned.region}. Give the pipeline stack an explicit env: new Stack(app, '${pipelineStack.node.id}', { env: { account: '111111111111', region: 'us-east-1' } }).`);
    }
  }
}
