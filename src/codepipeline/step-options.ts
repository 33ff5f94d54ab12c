import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MigrationCommandOptions, SynthCommandOptions, TestCommandOptions } from '../blueprint/steps';

/*
 * The CodePipeline engine's settings of the user's steps: what CodeBuild runs them on. The blueprint says what a
 * step does (`blueprint/steps.ts`); these interfaces add where it runs, the way aws-cdk's `CodeBuildStep` extends
 * `ShellStep`.
 */

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
export interface SynthOptions extends SynthCommandOptions {
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
 * A test step: runs in CodeBuild after the build and before staging, in parallel with the other test steps.
 *
 * Test steps run on the source (they install and run the app's own test tooling).
 */
export interface TestStepOptions extends TestCommandOptions {
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
 * A database migration (or other sensitive one-off change) that runs in CodeBuild before an environment's stacks
 * deploy.
 *
 * By default a migration gets a manual approval before it runs, even under continuous deployment. It receives
 * `DEPLOY_ENVIRONMENT`, `PIPELINE_EXECUTION_ID` and `SOURCE_REVISION` like verification steps.
 */
export interface MigrationStepOptions extends MigrationCommandOptions {
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
