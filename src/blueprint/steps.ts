import { CfnOutput } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Build caching for a step: what CodeBuild keeps between builds. Opt-in: a cache makes builds faster when
 * dependencies change rarely, and a stale or poisoned cache can make a build pass that a clean one would fail
 * (keep lock files authoritative: `npm ci` still verifies them).
 */
export interface BuildCacheOptions {
  /**
   * Where the cache lives: `codebuild.Cache.bucket(bucket)` (shared by every build host, survives between
   * builds, costs S3 storage) or `codebuild.Cache.local(LocalCacheMode.CUSTOM, ...)` (on the build host,
   * best effort: used only when the next build lands on a warm host).
   */
  readonly cache: codebuild.Cache;

  /**
   * Paths to cache (buildspec `cache.paths`), e.g. `['/root/.npm/**\/*']`. Required for S3 and
   * `LocalCacheMode.CUSTOM` caches, which store only these paths.
   *
   * @default - none (only for local SOURCE or DOCKER_LAYER caches)
   */
  readonly paths?: string[];
}

/**
 * How the application is built and synthesized.
 *
 * The build runs in CodeBuild on the source and must produce the cloud assembly (`cdk synth` output).
 */
export interface SynthOptions {
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

  /**
   * CodeBuild image for the build.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * CodeBuild compute size for the build.
   *
   * @default codebuild.ComputeType.MEDIUM
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Cache between builds (opt-in).
   *
   * @default - no cache
   */
  readonly cache?: BuildCacheOptions;
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
 * A test step: runs after the build and before staging, in parallel with the other test steps.
 *
 * Test steps run on the source (they install and run the app's own test tooling).
 */
export interface TestStepOptions extends CommandStepOptions {
  /**
   * JUnit XML report files (paths or globs relative to the source root) published as CodeBuild test reports.
   *
   * @default - no test reports are published
   */
  readonly junitReportPaths?: string[];

  /**
   * CodeBuild image for the step.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * CodeBuild compute size for the step.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Cache between runs of this test step (opt-in).
   *
   * @default - no cache
   */
  readonly cache?: BuildCacheOptions;
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
 * A database migration (or other sensitive one-off change) that runs before an environment's stacks deploy.
 *
 * By default a migration gets a manual approval before it runs, even under continuous deployment. It receives
 * `DEPLOY_ENVIRONMENT`, `PIPELINE_EXECUTION_ID` and `SOURCE_REVISION` like verification steps.
 */
export interface MigrationStepOptions extends CommandStepOptions {
  /**
   * Require a person to approve before the migration runs, whatever the pipeline's release mode.
   *
   * An approval that already gates the environment (the production approval of continuous delivery, or the
   * environment's own override) counts: the migration does not add a second one.
   *
   * @default true
   */
  readonly requireManualApproval?: boolean;

  /**
   * VPC to run the migration in (to reach a database in private subnets).
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` to run in.
   *
   * @default - the VPC's private subnets
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Security groups of the migration's CodeBuild project (for example one the database allows).
   *
   * @default - a security group is created when `vpc` is set
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}
