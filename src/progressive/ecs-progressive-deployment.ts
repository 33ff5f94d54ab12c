import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { checkAlarms, checkEcsStrategy, checkShift, missingEcsApi, wholeMinutes } from './private/checks';
import { markProgressiveDeployment } from './private/marker';
import { IProgressiveDeployment, ProgressiveDeploymentSummary, ProgressiveTarget } from './progressive-deployment';
import { ReleaseAlarm } from './release-alarm';
import { TrafficShift, TrafficShiftKind } from './traffic-shift';
import { describe } from '../blueprint/validate';
import { ValidationError, scoped } from '../private/errors';
import { checkArguments } from '../private/props-check';

/**
 * An ECS service deployed with one of ECS's own traffic-shifting strategies.
 */
export interface EcsProgressiveDeploymentProps {
  /** How the service's traffic moves to the new revision: canary, linear or blue/green. */
  readonly shift: TrafficShift;

  /**
   * The environment's alarms (the same objects as the pipeline's bake): any of them in ALARM during the shift or
   * the bake time rolls the service back to the previous revision.
   *
   * @default - none: ECS rolls back only on its circuit breaker (a warning says so)
   */
  readonly alarms?: ReleaseAlarm[];

  /**
   * How long ECS keeps the previous revision running after all traffic has shifted, ready to take the traffic
   * back. Whole minutes, 0 to 1440.
   *
   * @default Duration.minutes(0)
   */
  readonly bakeTime?: Duration;
}

/** ECS's accepted values (Amazon ECS API reference: CanaryConfiguration, LinearConfiguration, DeploymentConfiguration). */
const ECS_LIMITS = {
  [TrafficShiftKind.CANARY]: { minPercent: 0.1, field: 'canaryConfiguration' },
  [TrafficShiftKind.LINEAR]: { minPercent: 3, field: 'linearConfiguration' },
} as const;
const MAX_ECS_MINUTES = 1440;

/** ECS deployment alarms: the service's DeploymentAlarms hold at most 10 alarm names (as CodeDeploy's groups). */
const MAX_ECS_ALARMS = 10;

/** The service properties this helper sets. */
const OWNED_PROPS = ['deploymentStrategy', 'canaryConfiguration', 'linearConfiguration', 'bakeTime', 'deploymentAlarms'] as const;

/**
 * Progressive delivery of an ECS service inside an environment, with ECS's own deployment strategies (CANARY,
 * LINEAR, BLUE_GREEN): ECS shifts the traffic (through an Application or Network Load Balancer with an alternate
 * target group, or Service Connect), keeps the previous revision for the bake time, and rolls back when one of the
 * environment's alarms fires. CloudFormation waits for the deployment, so the pipeline's deploy action ends after it.
 *
 * The strategies are properties of the service, set when it is created: pass the service's properties through
 * `fargateServiceProps()` or `ec2ServiceProps()`. They arrived in aws-cdk-lib after the library's minimum
 * (2.186.0): on a version without them, creating the helper is an error that names the installed version.
 */
export class EcsProgressiveDeployment extends Construct implements IProgressiveDeployment {
  /** Whether the installed aws-cdk-lib renders ECS's deployment strategy `kind` (CANARY, LINEAR, BLUE_GREEN). */
  public static isStrategyAvailable(kind: TrafficShiftKind): boolean {
    checkArguments('EcsProgressiveDeployment.isStrategyAvailable', [kind]);
    return missingEcsApi(ecs, kind) === undefined;
  }

  /** The environment's alarms in this Stage's account (created here, or imported when another stack of the account holds them). */
  public readonly alarms: cloudwatch.IAlarm[];

  /** What this helper does. */
  public readonly summary: ProgressiveDeploymentSummary;

  /** The service properties the helper adds, keyed by their aws-cdk-lib names (newer than the peer minimum). */
  private readonly serviceSettings: { readonly [key: string]: unknown };

  constructor(scope: Construct, id: string, props: EcsProgressiveDeploymentProps) {
    super(scope, id);
    try {
      checkArguments('EcsProgressiveDeployment.constructor', [props]);
      const shift = checkShift(props.shift, 'shift');
      if (shift.kind === TrafficShiftKind.ALL_AT_ONCE) {
        throw new ValidationError("shift: TrafficShift.allAtOnce() is CodeDeploy's Lambda configuration; ECS moves all traffic at once with its BLUE_GREEN strategy. Use TrafficShift.blueGreen().");
      }
      checkEcsStrategy(ecs, shift);
      const settings: { [key: string]: unknown } = { deploymentStrategy: shift.kind };
      if (shift.kind === TrafficShiftKind.CANARY || shift.kind === TrafficShiftKind.LINEAR) {
        const limits = ECS_LIMITS[shift.kind];
        const percent = shift.percent;
        if (percent < limits.minPercent || Math.abs(Math.round(percent * 10) - percent * 10) > 1e-9) {
          throw new ValidationError(`shift: ${shift._factory} with percent ${percent}, but ECS's ${shift.kind} strategy shifts a multiple of 0.1 percent from ${limits.minPercent} to 100. Pass e.g. { percent: ${Math.max(limits.minPercent, Math.round(percent * 10) / 10)} }.`);
        }
        if (shift.intervalMinutes > MAX_ECS_MINUTES) {
          throw new ValidationError(`shift: ${shift._factory} with an interval of ${shift.intervalMinutes} minutes, but ECS waits 0 to ${MAX_ECS_MINUTES} minutes (24 hours) between traffic steps. Pass a shorter interval.`);
        }
        settings[limits.field] = { stepPercent: Math.round(percent * 10) / 10, stepBakeTime: Duration.minutes(shift.intervalMinutes) };
      }
      const bakeMinutes = props.bakeTime === undefined ? 0
        : wholeMinutes(props.bakeTime, 'bakeTime', 0, MAX_ECS_MINUTES, "ECS's bake time is 0 to 1440 minutes");
      if (props.bakeTime !== undefined) {
        settings.bakeTime = Duration.minutes(bakeMinutes);
      }
      const alarms = checkAlarms(props.alarms, 'alarms', "an ECS service's deployment alarms", MAX_ECS_ALARMS);
      this.alarms = alarms.map(alarm => alarm.alarmIn(this));
      if (alarms.length > 0) {
        const alarmNames = this.alarms.map(alarm => alarm.alarmName);
        settings.deploymentAlarms = { alarmNames, behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM };
      } else {
        Annotations.of(this).addWarningV2('cdk-delivery-pipelines:progressive-without-alarms',
          "EcsProgressiveDeployment has no alarms: ECS rolls back only when its circuit breaker trips, not when the new revision raises errors. Pass the environment's ReleaseAlarms (the same as its bake).");
      }
      this.serviceSettings = settings;

      this.summary = {
        path: this.node.path,
        target: ProgressiveTarget.ECS,
        kind: shift.kind,
        percent: shift.percent,
        intervalMinutes: shift.intervalMinutes,
        steps: shift.steps,
        shiftMinutes: shift.shiftMinutes,
        bakeMinutes,
        totalMinutes: shift.shiftMinutes + bakeMinutes,
        alarmNames: alarms.map(a => a.alarmName),
        description: bakeMinutes > 0 ? `${shift.describe()}, old revision kept ${bakeMinutes} min` : shift.describe(),
      };
      markProgressiveDeployment(this);
    } catch (error) {
      throw scoped(this, error);
    }
  }

  /**
   * `props` with the deployment strategy, its traffic steps, the bake time and the deployment alarms added: pass
   * the result to `new ecs.FargateService(...)`.
   */
  public fargateServiceProps(props: ecs.FargateServiceProps): ecs.FargateServiceProps {
    checkArguments('EcsProgressiveDeployment.fargateServiceProps', [props]);
    return this.withSettings(props, 'fargateServiceProps');
  }

  /**
   * `props` with the deployment strategy, its traffic steps, the bake time and the deployment alarms added: pass
   * the result to `new ecs.Ec2Service(...)`.
   */
  public ec2ServiceProps(props: ecs.Ec2ServiceProps): ecs.Ec2ServiceProps {
    checkArguments('EcsProgressiveDeployment.ec2ServiceProps', [props]);
    return this.withSettings(props, 'ec2ServiceProps');
  }

  private withSettings<T extends ecs.BaseServiceOptions>(props: T, method: string): T {
    try {
      const given = props as unknown as { readonly [key: string]: unknown };
      for (const key of OWNED_PROPS) {
        if (given[key] !== undefined) {
          throw new ValidationError(`${method}(props).${key}: ${describe(given[key])} is set, but EcsProgressiveDeployment sets it from its shift, bakeTime and alarms. Remove ${key} from the service's properties.`);
        }
      }
      const controller = props.deploymentController?.type;
      if (controller !== undefined && controller !== ecs.DeploymentControllerType.ECS) {
        throw new ValidationError(`${method}(props).deploymentController: ${controller}, but ECS's own deployment strategies need the ECS deployment controller. Remove deploymentController (or set ecs.DeploymentControllerType.ECS).`);
      }
      // The properties are newer than the peer minimum: added by name, outside a typed literal (the helper's
      // constructor has checked that this aws-cdk-lib has them).
      return Object.assign({}, props, this.serviceSettings) as T;
    } catch (error) {
      throw scoped(this, error);
    }
  }
}
