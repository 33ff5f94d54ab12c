import { Stage } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { MigrationStepOptions } from './step-options';
import { BakeOptions } from '../blueprint/bake';
import { DeploymentWindow } from '../blueprint/deployment-window';
import { GateRule } from '../blueprint/gate-rule';
import { VerificationStepOptions } from '../blueprint/steps';
import { ChangeReviewPolicy } from '../review/change-review-policy';

/*
 * The environments as the user describes them to the CodePipeline engine (its migrations run in CodeBuild). The
 * blueprint reads them through its own engine-neutral shape (`blueprint/release-input.ts`) and resolves them into
 * the release model's environments (`blueprint/release-model.ts`).
 */

/**
 * Safety settings of one environment (staging, or a production wave). Unset values inherit the pipeline's.
 */
export interface EnvironmentOptions {
  /**
   * Gate this environment with its own manual approval (`true`) or let it through (`false`), whatever the
   * pipeline's `requireManualApproval`.
   *
   * @default - the pipeline's setting: under continuous delivery the first production environment is gated
   */
  readonly requireManualApproval?: boolean;

  /**
   * Migrations that run before the environment's stacks deploy, each (by default) after a manual approval.
   *
   * @default - no migrations
   */
  readonly migrations?: MigrationStepOptions[];

  /**
   * The environment can only be entered inside this window (a `beforeEntry` condition; no extra action).
   *
   * @default - no window
   */
  readonly deploymentWindow?: DeploymentWindow;

  /**
   * Rules that must pass before the environment is entered (with the deployment window, one `beforeEntry`
   * condition of at most 5 rules; no extra action): e.g. `GateRule.noAlarm(productionAlarm)` keeps a release out
   * of production while production is alarming. Every stage of the environment carries them.
   *
   * @default - no gate rules
   */
  readonly gates?: GateRule[];

  /**
   * Deploy this environment's stacks through CloudFormation change sets (a prepare and an execute action per
   * stack, one hop more) or directly (one action per stack).
   *
   * With change sets the environment's `changeReview` (on by default) reads every change set before it executes:
   * one more hop. Staging deploys directly by default (its release is verified right after); production follows the
   * pipeline's `useChangeSets`.
   *
   * @default - staging: false; production: the pipeline's `useChangeSets`
   */
  readonly useChangeSets?: boolean;

  /**
   * Review every change set of this environment before it executes: a manual approval `Review` between the
   * stacks' prepare and execute actions (one more hop in each stage of the environment), decided by a function
   * that reads the change sets and applies this policy (docs/change-review.md). Needs `useChangeSets`.
   *
   * Unset, an environment takes the production level's `changeReview` (waves), else the pipeline's, else
   * `ChangeReviewPolicy.defaults()` when it uses change sets: every change set is reviewed before it executes unless
   * a level says `ChangeReviewPolicy.disabled()`. Staging deploys directly by default, so it has no review unless it
   * sets `useChangeSets: true`.
   *
   * @default - the production level's or the pipeline's `changeReview`, else ChangeReviewPolicy.defaults() with change sets
   */
  readonly changeReview?: ChangeReviewPolicy;

  /**
   * Alarm-gated bake time after the deployment, with automatic rollback by default (an `onSuccess` and an
   * `onFailure` condition; no extra action).
   *
   * @default - no bake
   */
  readonly bake?: BakeOptions;

  /**
   * Verification steps (smoke tests, deploy markers) that run after the environment is deployed.
   *
   * @default - no verification steps
   */
  readonly verify?: VerificationStepOptions[];

  /**
   * Your own CDK Pipelines steps (`ShellStep`, `CodeBuildStep`, `ManualApprovalStep`, or a step that implements
   * `ICodePipelineActionFactory`) that run after the environment is deployed, beside `verify`.
   *
   * Each counts as one CodePipeline action in the layout; the synth-time self-check fails when a step produces
   * another number of actions (split such a step into steps of one action each). The step's id is its action name:
   * unique among the pipeline's steps, 1 to 100 letters, digits, '.', '@', '-' or '_'.
   *
   * @default - no steps of your own
   */
  readonly verifySteps?: pipelines.Step[];
}

/**
 * The staging environment: deployed and verified before production.
 */
export interface StagingOptions extends EnvironmentOptions {
  /**
   * The CDK `Stage` with the application's stacks, configured for staging.
   */
  readonly stage: Stage;
}

/**
 * One production wave: its stages deploy in parallel, in a CodePipeline stage named `Production-<name>` (split
 * into `Production-<name>-1`, `-2`, … when its Stages need more actions than one CodePipeline stage holds).
 */
export interface ProductionWaveOptions extends EnvironmentOptions {
  /**
   * Name of the wave; the CodePipeline stage is named `Production-<name>`.
   */
  readonly name: string;

  /**
   * The CDK `Stage`s deployed in this wave, in parallel.
   */
  readonly stages: Stage[];
}

/**
 * The production environments. Give either `stages` (one wave, all in parallel) or `waves` (in order).
 *
 * The environment settings apply to the single wave of `stages`. With `waves`, `deploymentWindow`, `gates` and
 * `bake` here are defaults for every wave (the whole production phase); the others must be set per wave.
 */
export interface ProductionOptions extends EnvironmentOptions {
  /**
   * Production `Stage`s, all deployed in parallel in one CodePipeline stage named `Production` (split into
   * `Production-1`, `-2`, … when they need more actions than one CodePipeline stage holds).
   *
   * @default - use `waves`
   */
  readonly stages?: Stage[];

  /**
   * Production waves, deployed one after the other; the stages inside a wave deploy in parallel.
   *
   * @default - use `stages`
   */
  readonly waves?: ProductionWaveOptions[];
}
