import { PipelineSource } from './source';

/**
 * A pipeline variable (CodePipeline V2), set when an execution starts (`cdk-delivery release --variable
 * NAME=VALUE`, the console or the API) and read by steps as `#{variables.NAME}`.
 */
export interface PipelineVariable {
  /**
   * Name of the variable: 1 to 128 letters, digits, `@`, `-` or `_`.
   */
  readonly name: string;

  /**
   * Value when an execution does not set it (automatic starts never do).
   *
   * @default - no default: every execution that reads the variable must set it
   */
  readonly defaultValue?: string;

  /**
   * What the variable means, shown when an execution is started in the console.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * A source beside the primary one (another repository, an S3 object), checked out into a directory of every
 * build, test, verification and migration step.
 */
export interface AdditionalSource {
  /**
   * Directory, relative to the primary source's root, where the source is available in every step, e.g. `infra`
   * or `vendor/shared` (not absolute, no `..`).
   */
  readonly directory: string;

  /**
   * The source.
   */
  readonly source: PipelineSource;
}
