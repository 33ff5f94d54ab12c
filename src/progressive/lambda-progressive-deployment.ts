import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { checkAlarms, checkShift, installedCdkVersion } from './private/checks';
import { markProgressiveDeployment } from './private/marker';
import { IProgressiveDeployment, ProgressiveDeploymentSummary, ProgressiveTarget } from './progressive-deployment';
import { ReleaseAlarm } from './release-alarm';
import { TrafficShift, TrafficShiftKind } from './traffic-shift';
import { describe } from '../blueprint/validate';
import { acknowledgeFindings } from '../private/acknowledgments';
import { InternalError, ValidationError, scoped } from '../private/errors';
import { checkArguments } from '../private/props-check';

/**
 * A Lambda function released through an alias whose traffic CodeDeploy shifts to each new version.
 */
export interface LambdaProgressiveDeploymentProps {
  /** The function. Each deployment publishes its current version and shifts the alias to it. */
  readonly lambdaFunction: lambda.Function;

  /** How the alias's traffic moves to the new version. */
  readonly shift: TrafficShift;

  /**
   * The environment's alarms (the same objects as the pipeline's bake): any of them in ALARM stops the shift and
   * moves the traffic back to the previous version.
   *
   * @default - none: CodeDeploy rolls back only a failed deployment (a warning says so)
   */
  readonly alarms?: ReleaseAlarm[];

  /**
   * Name of the alias callers invoke.
   *
   * @default 'live'
   */
  readonly aliasName?: string;

  /**
   * A function CodeDeploy runs before any traffic shifts (it reports success or failure to CodeDeploy with
   * `PutLifecycleEventHookExecutionStatus`).
   *
   * @default - no pre-traffic hook
   */
  readonly preTrafficHook?: lambda.IFunction;

  /**
   * A function CodeDeploy runs after all traffic has shifted.
   *
   * @default - no post-traffic hook
   */
  readonly postTrafficHook?: lambda.IFunction;
}

/** CodeDeploy watches at most 10 alarms per deployment group. */
const MAX_CODEDEPLOY_ALARMS = 10;

/** Lambda alias names: 1 to 128 of `[A-Za-z0-9-_]`, not only digits (that is a version). */
const ALIAS_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** CodeDeploy's predefined Lambda configurations, by kind, percentage and interval. */
const PREDEFINED: ReadonlyArray<readonly [TrafficShiftKind, number, number, codedeploy.ILambdaDeploymentConfig]> = [
  [TrafficShiftKind.CANARY, 10, 5, codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES],
  [TrafficShiftKind.CANARY, 10, 10, codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES],
  [TrafficShiftKind.CANARY, 10, 15, codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES],
  [TrafficShiftKind.CANARY, 10, 30, codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES],
  [TrafficShiftKind.LINEAR, 10, 1, codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE],
  [TrafficShiftKind.LINEAR, 10, 2, codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES],
  [TrafficShiftKind.LINEAR, 10, 3, codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES],
  [TrafficShiftKind.LINEAR, 10, 10, codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES],
];

/**
 * Progressive delivery of a Lambda function inside an environment: an alias on the function's current version and a
 * CodeDeploy deployment group that shifts the alias's traffic (canary, linear or all at once) on every deployment,
 * rolls back when the deployment fails or one of the environment's alarms fires, and runs optional pre- and
 * post-traffic hooks. CloudFormation waits for the shift: the pipeline's deploy action ends when all traffic runs on
 * the new version (or fails after the rollback), and the environment's bake starts after it.
 */
export class LambdaProgressiveDeployment extends Construct implements IProgressiveDeployment {
  /** The alias callers invoke; its traffic moves to each new version. */
  public readonly alias: lambda.Alias;

  /** The CodeDeploy deployment group that shifts the alias's traffic. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;

  /** The environment's alarms in this Stage's account (created here, or imported when another stack of the account holds them). */
  public readonly alarms: cloudwatch.IAlarm[];

  /** What this helper does. */
  public readonly summary: ProgressiveDeploymentSummary;

  constructor(scope: Construct, id: string, props: LambdaProgressiveDeploymentProps) {
    super(scope, id);
    try {
      checkArguments('LambdaProgressiveDeployment.constructor', [props]);
      const shift = checkShift(props.shift, 'shift');
      if (shift.kind === TrafficShiftKind.BLUE_GREEN) {
        throw new ValidationError("shift: TrafficShift.blueGreen() is ECS's strategy; CodeDeploy shifts a Lambda alias canary, linear or all at once. Use TrafficShift.allAtOnce() to move all traffic in one step.");
      }
      if (shift.kind !== TrafficShiftKind.ALL_AT_ONCE) {
        if (!Number.isInteger(shift.percent)) {
          throw new ValidationError(`shift: ${shift._factory} with percent ${shift.percent}, but CodeDeploy shifts Lambda traffic in whole percentages. Pass e.g. { percent: ${Math.max(1, Math.round(shift.percent))} }.`);
        }
        if (shift.intervalMinutes < 1) {
          throw new ValidationError(`shift: ${shift._factory} with an interval of ${shift.intervalMinutes} minutes, but CodeDeploy waits at least 1 minute between Lambda traffic steps. Pass e.g. { interval: Duration.minutes(5) }, or use TrafficShift.allAtOnce().`);
        }
      }
      const aliasName = props.aliasName ?? 'live';
      if (!Token.isUnresolved(aliasName) && (!ALIAS_NAME.test(aliasName) || /^\d+$/.test(aliasName))) {
        throw new ValidationError(`aliasName: ${describe(aliasName)} is not a Lambda alias name (1 to 128 letters, digits, '-' or '_', not only digits). Pass e.g. 'live'.`);
      }
      const alarms = checkAlarms(props.alarms, 'alarms', 'a CodeDeploy deployment group', MAX_CODEDEPLOY_ALARMS);
      if (alarms.length === 0) {
        Annotations.of(this).addWarningV2('cdk-delivery-pipelines:progressive-without-alarms',
          'LambdaProgressiveDeployment has no alarms: CodeDeploy rolls back only a deployment that fails, not one that raises errors. Pass the environment\'s ReleaseAlarms (the same as its bake).');
      }

      this.alarms = alarms.map(alarm => alarm.alarmIn(this));
      this.alias = new lambda.Alias(this, 'Alias', { aliasName, version: props.lambdaFunction.currentVersion });
      this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
        alias: this.alias,
        deploymentConfig: this.deploymentConfig(shift),
        alarms: this.alarms,
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: alarms.length > 0 },
        preHook: props.preTrafficHook,
        postHook: props.postTrafficHook,
      });
      acknowledgeCodeDeployRole(this.deploymentGroup);

      this.summary = {
        path: this.node.path,
        target: ProgressiveTarget.LAMBDA,
        kind: shift.kind,
        percent: shift.percent,
        intervalMinutes: shift.intervalMinutes,
        steps: shift.steps,
        shiftMinutes: shift.shiftMinutes,
        bakeMinutes: 0,
        totalMinutes: shift.shiftMinutes,
        alarmNames: alarms.map(a => a.alarmName),
        description: shift.describe(),
      };
      markProgressiveDeployment(this);
    } catch (error) {
      throw scoped(this, error);
    }
  }

  /** A predefined CodeDeploy configuration when one matches, else a custom one. */
  private deploymentConfig(shift: TrafficShift): codedeploy.ILambdaDeploymentConfig {
    if (shift.kind === TrafficShiftKind.ALL_AT_ONCE) {
      return codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE;
    }
    const predefined = PREDEFINED.find(([kind, percent, minutes]) =>
      kind === shift.kind && percent === shift.percent && minutes === shift.intervalMinutes);
    if (predefined) {
      return predefined[3];
    }
    const interval = Duration.minutes(shift.intervalMinutes);
    return new codedeploy.LambdaDeploymentConfig(this, 'DeploymentConfig', {
      trafficRouting: shift.kind === TrafficShiftKind.CANARY
        ? codedeploy.TrafficRouting.timeBasedCanary({ interval, percentage: shift.percent })
        : codedeploy.TrafficRouting.timeBasedLinear({ interval, percentage: shift.percent }),
    });
  }
}

/**
 * aws-cdk-lib gives every Lambda deployment group's role the AWS managed policy AWSCodeDeployRoleForLambdaLimited
 * (it cannot be left out). cdk-nag reports it (AwsSolutions-IAM4): acknowledged by its exact finding id, with the
 * reason; another managed policy on the role is still reported.
 */
function acknowledgeCodeDeployRole(group: codedeploy.LambdaDeploymentGroup): void {
  const role = group.role.node.defaultChild;
  if (!role) {
    throw new InternalError(`${group.node.path}: the deployment group's role has no CloudFormation resource to acknowledge its managed policy on. Please report it with your aws-cdk-lib version (${installedCdkVersion()}).`);
  }
  acknowledgeFindings(role, new Map([[
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    'AWSCodeDeployRoleForLambdaLimited is the AWS managed policy for CodeDeploy shifting Lambda aliases (lambda:UpdateAlias, '
      + 'lambda:GetAlias, cloudwatch:DescribeAlarms, sns:Publish, and invoking only CodeDeployHook_* functions); aws-cdk-lib attaches it to every Lambda deployment group.',
  ]]));
}
