import { CfnOutput } from 'aws-cdk-lib';

/*
 * What the user's steps do, independent of the engine that runs them. The CodePipeline room extends these with the
 * engine's settings (CodeBuild image, compute, cache, VPC) in `codepipeline/step-options.ts`, the way aws-cdk splits
 * `ShellStep` and `CodeBuildStep`.
 */

/**
 * How the application is built and synthesized, whatever runs the build: the commands and what they produce.
 *
 * The build must produce the cloud assembly (`cdk synth` output). `SynthOptions` adds the CodeBuild settings.
 */
export interface SynthCommandOptions {
  /**
   * Commands that build the app and run `cdk synth`.
   *
   * Example: `['npm ci', 'npm run build', 'npx cdk synth']`.
   */
  readonly commands: string[];

  /**
   * Commands run in the install phase, before `commands` (for example installing a toolchain).
   *
   * @default - no install commands
   */
  readonly installCommands?: string[];

  /**
   * Environment variables for the build.
   *
   * @default - no extra environment variables
   */
  readonly env?: Record<string, string>;

  /**
   * Directory, relative to the source root, where `cdk synth` writes the cloud assembly.
   *
   * @default 'cdk.out'
   */
  readonly primaryOutputDirectory?: string;

}

/**
 * What every pipeline step has: a name and the commands it runs in CodeBuild on the source.
 */
export interface CommandStepOptions {
  /**
   * Name of the step, unique in the pipeline. Becomes the CodePipeline action name.
   *
   * Letters, digits, `.`, `@`, `-` and `_`; at most 100 characters.
   */
  readonly name: string;

  /**
   * The commands the step runs. A non-zero exit fails the step and stops the release.
   */
  readonly commands: string[];

  /**
   * Commands run in the install phase, before `commands`.
   *
   * @default - no install commands
   */
  readonly installCommands?: string[];

  /**
   * Environment variables for the step.
   *
   * @default - no extra environment variables
   */
  readonly env?: Record<string, string>;

  /**
   * Environment variables read from AWS Secrets Manager: variable name → secret name or ARN
   * (optionally `secret:json-key`). The step's role is granted read access to them.
   *
   * @default - no secrets
   */
  readonly secretEnv?: Record<string, string>;
}

/**
 * A test step, whatever runs it: runs after the build and before staging, in parallel with the other test steps.
 *
 * Test steps run on the source (they install and run the app's own test tooling). `TestStepOptions` adds the
 * CodeBuild settings.
 */
export interface TestCommandOptions extends CommandStepOptions {
  /**
   * JUnit XML report files (paths or globs relative to the source root) published as CodeBuild test reports.
   *
   * @default - no test reports are published
   */
  readonly junitReportPaths?: string[];

}

/**
 * A verification step (smoke or integration test, deploy marker) that runs after an environment is deployed.
 *
 * Besides its own variables it receives `DEPLOY_ENVIRONMENT`, `PIPELINE_EXECUTION_ID` and `SOURCE_REVISION`
 * (the source commit, or the S3 object version), for deploy markers in error trackers.
 */
export interface VerificationStepOptions extends CommandStepOptions {
  /**
   * Environment variables set from stack outputs of the deployed environment (for example the URL to test).
   *
   * The key is the variable name; the value a `CfnOutput` of a stack in the environment's `Stage`.
   *
   * @default - no variables from stack outputs
   */
  readonly envFromOutputs?: Record<string, CfnOutput>;
}

/**
 * A database migration (or other sensitive one-off change) that runs before an environment's stacks deploy,
 * whatever runs it.
 *
 * By default a migration gets a manual approval before it runs, even under continuous deployment. It receives
 * `DEPLOY_ENVIRONMENT`, `PIPELINE_EXECUTION_ID` and `SOURCE_REVISION` like verification steps.
 * `MigrationStepOptions` adds the CodeBuild settings (VPC, subnets, security groups).
 */
export interface MigrationCommandOptions extends CommandStepOptions {
  /**
   * Require a person to approve before the migration runs, whatever the pipeline's release mode.
   *
   * An approval that already gates the environment (the production approval of continuous delivery, or the
   * environment's own override) counts: the migration does not add a second one.
   *
   * @default true
   */
  readonly requireManualApproval?: boolean;
}
