import { IConstruct } from 'constructs';
import { isProgressiveDeployment } from './private/marker';
import { TrafficShiftKind } from './traffic-shift';
import { checkArguments } from '../private/props-check';

/** What a progressive deployment shifts traffic of. */
export enum ProgressiveTarget {
  /** A Lambda function's alias, through CodeDeploy. */
  LAMBDA = 'LAMBDA',
  /** An ECS service, with ECS's own deployment strategies. */
  ECS = 'ECS',
}

/**
 * What a progressive deployment inside a `Stage` does, for the pipeline that deploys the Stage: its shift, how
 * long it takes and which alarms stop it.
 */
export interface ProgressiveDeploymentSummary {
  /** The construct path of the helper. */
  readonly path: string;

  /** What the traffic is shifted of. */
  readonly target: ProgressiveTarget;

  /** The kind of shift. */
  readonly kind: TrafficShiftKind;

  /** Percentage of the traffic per step (100 for all at once and blue/green). */
  readonly percent: number;

  /** Whole minutes each step runs before the next (0 for all at once and blue/green). */
  readonly intervalMinutes: number;

  /** Number of traffic steps until all traffic runs on the new version. */
  readonly steps: number;

  /** Whole minutes from the first step to the step that shifts the last traffic. */
  readonly shiftMinutes: number;

  /** Whole minutes the old version is kept after the last step (ECS bake time; 0 for Lambda). */
  readonly bakeMinutes: number;

  /** `shiftMinutes + bakeMinutes`: how much longer the deployment takes than an in-place update, at least. */
  readonly totalMinutes: number;

  /** Names of the alarms that stop the shift and roll it back. */
  readonly alarmNames: string[];

  /** The shift in words: `canary 10 % for 5 min, then all`. */
  readonly description: string;
}

/**
 * A progressive deployment helper inside a `Stage` (`LambdaProgressiveDeployment`, `EcsProgressiveDeployment`).
 */
export interface IProgressiveDeployment extends IConstruct {
  /** What the helper does. */
  readonly summary: ProgressiveDeploymentSummary;
}

/**
 * Finds the progressive deployment helpers inside a `Stage`. CloudFormation shifts the traffic, waits and rolls back,
 * so the pipeline needs no action for them; it reads their summaries to tell how long the environment's deployment
 * takes and which alarms stop it.
 */
export class ProgressiveDeployment {
  /** The summaries of every progressive deployment helper under `scope` (a `Stage`, a stack), in construct-tree order. */
  public static summariesOf(scope: IConstruct): ProgressiveDeploymentSummary[] {
    checkArguments('ProgressiveDeployment.summariesOf', [scope]);
    return scope.node.findAll()
      .filter(isProgressiveDeployment)
      .map(helper => helper.summary);
  }

  private constructor() {}
}
