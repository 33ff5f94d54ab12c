import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * What happens when a bake fails (an alarm went into ALARM during the bake time) or the environment's
 * deployment fails.
 */
export enum BakeFailureAction {
  /** Roll the environment back to the last successful execution's artifacts (CodePipeline stage rollback). */
  ROLLBACK = 'ROLLBACK',
  /** Fail the stage and stop the release; nothing is rolled back (no `onFailure` condition). */
  FAIL = 'FAIL',
  /** Retry the stage's failed actions. */
  RETRY = 'RETRY',
}

/**
 * Alarm-gated bake time after an environment is deployed and verified.
 */
export interface BakeOptions {
  /**
   * Alarms watched during the bake. They must be in the pipeline's account (the CodePipeline rule reads them
   * with the pipeline's role); any region.
   */
  readonly alarms: cloudwatch.IAlarm[];

  /**
   * How long the alarms must stay out of ALARM before the environment counts as succeeded. Whole minutes.
   */
  readonly duration: Duration;

  /**
   * What to do when an alarm fires during the bake, or the environment fails.
   *
   * @default BakeFailureAction.ROLLBACK
   */
  readonly onFailure?: BakeFailureAction;
}
