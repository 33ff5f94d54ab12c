import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { ApprovalStep } from './approval-step';
import { DirectDeployStage } from './direct-deploy-stage';
import { CodePipelineSteps } from './engine';
import { ExpectedStage as ExpectedRequest, FoldingStage, LayoutPipeline } from './layout-pipeline';
import { ASSETS_STAGE, permissionCheckName, SELF_MUTATION_STAGE, SYNTH_ACTION, waveId, waveRequestNames } from './names';
import { ReviewStage } from './review-stage';
import { ModelStage, PlacedApproval, ReleaseModel, REVIEW_ACTION } from '../../../blueprint/release-model';
import { SecurityCheck } from '../../../blueprint/security';
import { BUILD_STAGE, SOURCE_STAGE } from '../../../contract';
import { ApprovalOptions } from '../../approval-options';
import { PipelineSource } from '../../source';
import { MigrationStepOptions, SynthOptions, TestStepOptions } from '../../step-options';
import { approvalComment, commentRevision } from '../approval-comment';
import { COMMIT_AUTHOR_VARIABLE, commitAuthorCommands } from '../commit-author';
import { cacheBuildSpec } from '../pipeline-features';
import { securityStep } from '../security-steps';
import { EnvironmentGuards, GateContext, stageConditions } from '../stage-conditions';
import { AdditionalInputs, migrationStep, testStep, verificationStep } from '../steps';

/**
 * The release model rendered through CDK Pipelines: every planned stage is created first, in order and with its
 * conditions, in the `LayoutPipeline`; then one CDK Pipelines wave per planned stage adds the actions, and the
 * layout pipeline answers each of CDK Pipelines' stage requests with the planned stage.
 */

/** What the steps are built from. */
export interface StepInputs {
  readonly source: PipelineSource;
  readonly synth: SynthOptions;
  readonly approval?: ApprovalOptions;
  readonly additionalInputs: AdditionalInputs;
}

/** The stages created from the model, before CDK Pipelines adds its actions. */
export interface CreatedStages {
  readonly source: codepipeline.IStage;
  readonly build: codepipeline.IStage;
  readonly planned: Array<{ readonly stage: ModelStage<CodePipelineSteps>; readonly answer: codepipeline.IStage }>;
  /** Stages of environments that deploy without change sets while CDK Pipelines uses them (flushed after the build). */
  readonly direct: DirectDeployStage[];
  /** Stages whose change sets are reviewed before they execute (flushed after the build). */
  readonly reviewed: ReviewStage[];
  /** Where self-mutation goes (CDK Pipelines hashes its project itself). */
  readonly selfMutation: codepipeline.IStage;
  /** Where asset publishing and the first tests go, beside self-mutation, with their project hashes. */
  readonly preparation: codepipeline.IStage;
}

/** Creates every stage of the model, in order, with its environment's conditions. */
export function createStages(
  pipeline: LayoutPipeline, model: ReleaseModel<CodePipelineSteps>, guards: Map<string, EnvironmentGuards>, context: GateContext,
  /** The comment of an environment's `Review` approval. */
  reviewComment: (environmentName: string) => string,
): CreatedStages {
  const pipelineStack = Stack.of(pipeline);
  const source = pipeline.createStage({ stageName: SOURCE_STAGE });
  const build = pipeline.createStage({ stageName: BUILD_STAGE });
  const cdkChangeSets = usesCdkChangeSets(model);
  const direct: DirectDeployStage[] = [];
  const reviewed: ReviewStage[] = [];
  let preparationStage: codepipeline.IStage = build;
  const planned = model.stages.map(stage => {
    const environment = stage.deployment?.environment;
    const l2 = pipeline.createStage({
      stageName: stage.planned.name,
      ...(environment ? stageConditions(pipelineStack, stage.planned.name, guards.get(environment.name)!, context) : {}),
    });
    if (stage.planned.preparation) {
      preparationStage = l2;
    }
    if (environment && cdkChangeSets && !environment.useChangeSets) {
      const wrapper = new DirectDeployStage(l2);
      direct.push(wrapper);
      return { stage, answer: wrapper as codepipeline.IStage };
    }
    const review = stage.deployment?.review;
    if (environment && review) {
      const wrapper = new ReviewStage(l2, REVIEW_ACTION, review, environment.name, environment.property, stage.deployment!.targets,
        () => reviewComment(environment.name));
      reviewed.push(wrapper);
      return { stage, answer: wrapper as codepipeline.IStage };
    }
    return { stage, answer: l2 };
  });
  const offset = model.preparationInBuild ? 1 : 0;
  return {
    source,
    build,
    planned,
    direct,
    reviewed,
    selfMutation: FoldingStage.forSelfMutation(preparationStage, offset),
    preparation: FoldingStage.forPreparation(preparationStage, offset),
  };
}

/** CDK Pipelines decides change sets for the whole pipeline: on when any environment uses them. */
export function usesCdkChangeSets(model: ReleaseModel<CodePipelineSteps>): boolean {
  return model.environments.some(env => env.useChangeSets);
}

/**
 * One CDK Pipelines wave per planned stage, and the stage requests the layout pipeline must expect from CDK
 * Pipelines, in order.
 */
export function addWaves(cdkPipeline: pipelines.CodePipeline, pipeline: LayoutPipeline, stages: CreatedStages, steps: CdkPipelinesSteps): void {
  const expected: ExpectedRequest[] = [
    { requestNames: [SOURCE_STAGE], answer: () => stages.source },
    { requestNames: [BUILD_STAGE], answer: () => stages.build },
    { requestNames: [SELF_MUTATION_STAGE], answer: () => stages.selfMutation },
    { requestNames: [ASSETS_STAGE], optional: true, answer: () => stages.preparation },
  ];
  stages.planned.forEach(({ stage, answer: plannedStage }, k) => {
    const id = waveId(k);
    const answer = () => stage.planned.preparation ? stages.preparation : plannedStage;
    const deployment = stage.deployment;
    if (!deployment) {
      cdkPipeline.addWave(id, { pre: stage.tests.map(member => steps.testMember(member)) });
      expected.push({ requestNames: [id], answer });
      return;
    }
    const env = deployment.environment;
    const gate = deployment.approval ? steps.approval(deployment.approval) : [];
    const migrations = deployment.migrations.map(m => steps.migration(m.options, env.name));
    migrations.forEach(m => gate.forEach(a => m.addStepDependency(a)));
    const next = deployment.nextApproval ? steps.approval(deployment.nextApproval) : [];
    const wave = cdkPipeline.addWave(id, {
      pre: [...gate, ...migrations],
      post: [...deployment.verify.map(v => steps.verification(v, env.name)), ...deployment.verifySteps.map(s => s.step), ...next],
    });
    deployment.targets.forEach(target => wave.addStage(target));
    expected.push({ requestNames: waveRequestNames(id, deployment.targets.map(t => t.stageName)), answer });
  });
  pipeline.expectStages(expected);
}

/** The CDK Pipelines steps of the model's members. */
export class CdkPipelinesSteps {
  private synthStep?: pipelines.CodeBuildStep;
  private authorReference?: string;

  constructor(private readonly inputs: StepInputs) {}

  /** The synth step (made once). With a full git clone it exports the commit's author for the approvals. */
  public synth(): pipelines.CodeBuildStep {
    if (this.synthStep === undefined) {
      const fullClone = this.inputs.source._fullClone;
      this.synthStep = this.createSynth(fullClone);
      // Declared now, before CDK Pipelines renders the step's buildspec (it refuses new variables after).
      this.authorReference = fullClone ? this.synthStep.exportedVariable(COMMIT_AUTHOR_VARIABLE) : undefined;
    }
    return this.synthStep;
  }

  private createSynth(fullClone: boolean): pipelines.CodeBuildStep {
    const synth = this.inputs.synth;
    const cacheSpec = cacheBuildSpec(synth.cache);
    return new pipelines.CodeBuildStep(SYNTH_ACTION, {
      input: this.inputs.source.toCodePipelineSource(),
      additionalInputs: this.inputs.additionalInputs,
      installCommands: synth.installCommands,
      // First, so that nothing the user's commands do (a `cd`, a failure) keeps the author from the approvals.
      commands: fullClone ? [...commitAuthorCommands(), ...synth.commands] : synth.commands,
      env: synth.env,
      primaryOutputDirectory: synth.primaryOutputDirectory ?? 'cdk.out',
      buildEnvironment: {
        buildImage: synth.buildImage,
        computeType: synth.computeType ?? codebuild.ComputeType.MEDIUM,
      },
      cache: synth.cache?.cache,
      partialBuildSpec: Object.keys(cacheSpec).length > 0 ? codebuild.BuildSpec.fromObject(cacheSpec) : undefined,
    });
  }

  /** The steps of an approval: one approval action, or CDK Pipelines' permission check and approval per gated Stage. */
  public approval(placed: PlacedApproval<CodePipelineSteps>): pipelines.Step[] {
    const approval = this.inputs.approval;
    if (approval?.autoApproveUnlessPermissionsBroaden) {
      return placed.gated.targets.map(stage => new pipelines.ConfirmPermissionsBroadening(permissionCheckName(stage.stageName), {
        stage,
        notificationTopic: approval.notificationTopic,
      }));
    }
    this.synth();
    const comment = approval?.comment ?? approvalComment(placed.approval, commentRevision(this.inputs.source, this.authorReference));
    return [new ApprovalStep(placed.actions.names[0], { ...approval, comment })];
  }

  public testMember(member: { readonly test?: TestStepOptions; readonly check?: SecurityCheck; readonly step?: pipelines.Step }): pipelines.Step {
    if (member.test) {
      return testStep(member.test, this.inputs.source, this.inputs.additionalInputs);
    }
    if (member.check) {
      return securityStep(member.check, this.inputs.source);
    }
    return member.step!;
  }

  public migration(options: MigrationStepOptions, environment: string): pipelines.CodeBuildStep {
    return migrationStep(options, this.inputs.source, environment, this.inputs.additionalInputs);
  }

  public verification(options: Parameters<typeof verificationStep>[0], environment: string): pipelines.Step {
    return verificationStep(options, this.inputs.source, environment, this.inputs.additionalInputs);
  }
}
