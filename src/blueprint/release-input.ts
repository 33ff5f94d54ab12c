import { Stage } from 'aws-cdk-lib';
import { BakeOptions } from './bake';
import { DeploymentWindow } from './deployment-window';
import { GateRule } from './gate-rule';
import { SecurityCheck } from './security';
import { MigrationCommandOptions, SynthCommandOptions, TestCommandOptions, VerificationStepOptions } from './steps';
import { ApprovalSettings } from './validate';
import { ChangeReviewPolicy } from '../review/change-review-policy';

/*
 * What the blueprint reads of a pipeline's properties: the engine-neutral part. An engine's public props (the
 * CodePipeline room's `DeliveryPipelineProps`) are assignable to `ReleaseInput` with the engine's step types, so
 * the engine's settings (CodeBuild image, VPC) ride along unread, and come back typed in the release model.
 */

/** The step types of an engine: what its test steps, migrations and own steps are. */
export interface StepTypes {
  readonly test: TestCommandOptions;
  readonly migration: MigrationCommandOptions;
  /** The engine's own step (a CDK Pipelines `Step`): the blueprint only names and places it. */
  readonly step: object;
}

/** An environment's settings, as the user gives them. */
export interface EnvironmentInput<T extends StepTypes> {
  readonly requireManualApproval?: boolean;
  readonly migrations?: Array<T['migration']>;
  readonly deploymentWindow?: DeploymentWindow;
  /** Entry rules (the public property keeps its name, `gates`). */
  readonly gates?: GateRule[];
  readonly useChangeSets?: boolean;
  readonly changeReview?: ChangeReviewPolicy;
  readonly bake?: BakeOptions;
  readonly verify?: VerificationStepOptions[];
  readonly verifySteps?: Array<T['step']>;
}

export interface StagingInput<T extends StepTypes> extends EnvironmentInput<T> {
  readonly stage: Stage;
}

export interface ProductionWaveInput<T extends StepTypes> extends EnvironmentInput<T> {
  readonly name: string;
  readonly stages: Stage[];
}

export interface ProductionInput<T extends StepTypes> extends EnvironmentInput<T> {
  readonly stages?: Stage[];
  readonly waves?: Array<ProductionWaveInput<T>>;
}

/** The release as the user describes it. */
export interface ReleaseInput<T extends StepTypes> {
  readonly synth: SynthCommandOptions;
  readonly tests?: Array<T['test']>;
  readonly testSteps?: Array<T['step']>;
  readonly securityChecks?: SecurityCheck[];
  readonly staging: StagingInput<T>;
  readonly production: ProductionInput<T>;
  readonly requireManualApproval?: boolean;
  readonly useChangeSets?: boolean;
  readonly changeReview?: ChangeReviewPolicy;
  readonly approval?: ApprovalSettings;
}
