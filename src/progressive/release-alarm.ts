import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { describe } from '../blueprint/validate';
import { ValidationError } from '../private/errors';
import { checkArguments } from '../private/props-check';

/**
 * One alarm of an environment, declared once: what it watches and when it fires.
 */
export interface ReleaseAlarmProps {
  /**
   * The alarm's name, the same in every account it is created in. The pipeline's bake rule, CodeDeploy and ECS all
   * name alarms by this name.
   */
  readonly alarmName: string;

  /**
   * The account of the application the alarm watches (where its metric is published).
   */
  readonly account: string;

  /**
   * The region of the application the alarm watches. An alarm watches metrics of its own region, so every copy of
   * the alarm is created in this region.
   */
  readonly region: string;

  /**
   * The metric, as the application's account publishes it (without `account`): a copy in another account (the
   * pipeline's) reads it through CloudWatch cross-account observability.
   */
  readonly metric: cloudwatch.Metric;

  /** The value the metric is compared with. */
  readonly threshold: number;

  /** The number of periods over which the metric is compared with the threshold. */
  readonly evaluationPeriods: number;

  /**
   * The number of breaching periods, out of `evaluationPeriods`, that fire the alarm.
   *
   * @default - `evaluationPeriods`
   */
  readonly datapointsToAlarm?: number;

  /**
   * How the metric is compared with the threshold.
   *
   * @default cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;

  /**
   * How missing data is treated. A new version that receives no traffic yet publishes nothing: by default that does
   * not fire the alarm.
   *
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/** CloudWatch alarm names: 1 to 255 characters, no control characters. */
const ALARM_NAME = /^[^\u0000-\u001f\u007f]{1,255}$/;

/**
 * An alarm of an environment declared once and read by both layers of a release: the pipeline's bake (CodePipeline
 * CloudWatchAlarm rules, which read alarms in the pipeline's account) and the traffic shift inside the environment
 * (CodeDeploy and ECS, which read alarms in the application's account). Both name alarms by name only, so
 * `alarmIn(scope)` makes the alarm under the same name, with the same metric and threshold, wherever it is needed:
 *
 * - in the pipeline's app (a stack of the pipeline's account, in the application's region) for `bake.alarms`;
 * - inside the application's `Stage`, by the progressive deployment helpers.
 *
 * In one account and region the alarm is created once: a second call in another stack imports it by its ARN
 * (CloudWatch alarm names are unique per account and region).
 */
export class ReleaseAlarm {
  /** The alarm's name, in every account. */
  public readonly alarmName: string;

  /** The application's account. */
  public readonly account: string;

  /** The application's region, where every copy of the alarm lives. */
  public readonly region: string;

  private readonly props: ReleaseAlarmProps;

  /** Per app (the construct tree's root), the alarm made in each account (`account/region`) and the stack it was made in. */
  private readonly made = new WeakMap<IConstruct, Map<string, { readonly stack: Stack; readonly alarm: cloudwatch.IAlarm }>>();

  constructor(props: ReleaseAlarmProps) {
    checkArguments('ReleaseAlarm.constructor', [props]);
    const where = `ReleaseAlarm '${props.alarmName}'`;
    if (!Token.isUnresolved(props.alarmName) && !ALARM_NAME.test(props.alarmName)) {
      throw new ValidationError(`${where}: alarmName ${describe(props.alarmName)} is not a CloudWatch alarm name (1 to 255 characters, no control characters). Pass e.g. 'service-errors-us-east-1'.`);
    }
    if (Token.isUnresolved(props.alarmName)) {
      throw new ValidationError(`${where}: alarmName is a token; the bake rule, CodeDeploy and ECS name the alarm in different stacks and accounts, so its name must be known at synthesis. Pass a literal name such as 'service-errors-us-east-1'.`);
    }
    if (Token.isUnresolved(props.account) || !/^\d{12}$/.test(props.account)) {
      throw new ValidationError(`${where}: account ${describe(props.account)} is not a 12-digit AWS account id. Pass the account of the application the alarm watches (the Stage's env.account).`);
    }
    if (Token.isUnresolved(props.region) || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(props.region)) {
      throw new ValidationError(`${where}: region ${describe(props.region)} is not an AWS region name. Pass the region of the application the alarm watches (the Stage's env.region), e.g. 'us-east-1'.`);
    }
    const metricAccount = props.metric.account;
    if (metricAccount !== undefined && !Token.isUnresolved(metricAccount) && metricAccount !== props.account) {
      throw new ValidationError(`${where}: metric has account ${metricAccount}, but the alarm watches the application in ${props.account}. Leave the metric's account unset: the copy in the pipeline's account reads ${props.account} through cross-account observability.`);
    }
    const metricRegion = props.metric.region;
    if (metricRegion !== undefined && !Token.isUnresolved(metricRegion) && metricRegion !== props.region) {
      throw new ValidationError(`${where}: metric has region ${metricRegion}, but the alarm watches the application in ${props.region}, and an alarm watches metrics of its own region. Leave the metric's region unset, or set region to ${metricRegion}.`);
    }
    if (!Number.isFinite(props.threshold)) {
      throw new ValidationError(`${where}: threshold ${describe(props.threshold)} is not a finite number. Pass e.g. 1 (one error).`);
    }
    if (!Number.isInteger(props.evaluationPeriods) || props.evaluationPeriods < 1) {
      throw new ValidationError(`${where}: evaluationPeriods ${describe(props.evaluationPeriods)} is not a whole number of at least 1. Pass e.g. 3.`);
    }
    const datapoints = props.datapointsToAlarm;
    if (datapoints !== undefined && (!Number.isInteger(datapoints) || datapoints < 1 || datapoints > props.evaluationPeriods)) {
      throw new ValidationError(`${where}: datapointsToAlarm ${describe(datapoints)} is not a whole number from 1 to evaluationPeriods (${props.evaluationPeriods}). Pass e.g. ${props.evaluationPeriods}, or leave it unset.`);
    }
    this.props = props;
    this.alarmName = props.alarmName;
    this.account = props.account;
    this.region = props.region;
  }

  /**
   * The alarm in `scope`'s account: created in `scope` the first time it is asked for in that account, imported by
   * its ARN after that (the same account and region hold one alarm of a name). `scope`'s stack must be in the
   * application's region (an alarm watches metrics of its own region); in another account than the application's,
   * the alarm reads the application's metric through CloudWatch cross-account observability.
   */
  public alarmIn(scope: Construct): cloudwatch.IAlarm {
    checkArguments('ReleaseAlarm.alarmIn', [scope]);
    const stack = Stack.of(scope);
    const where = `ReleaseAlarm '${this.alarmName}'`;
    if (!Token.isUnresolved(stack.region) && stack.region !== this.region) {
      throw new ValidationError(`${where}: the stack '${stack.node.path}' is in region ${stack.region}, but the alarm watches the application in ${this.region}, and an alarm watches metrics of its own region. Create it in a stack of ${this.region} (the bake rule reads alarms of any region).`);
    }
    const account = Token.isUnresolved(stack.account) ? this.account : stack.account;
    const key = `${account}/${this.region}`;
    const root = scope.node.root;
    const made = this.made.get(root) ?? new Map<string, { readonly stack: Stack; readonly alarm: cloudwatch.IAlarm }>();
    this.made.set(root, made);
    const existing = made.get(key);
    if (existing && existing.stack === stack) {
      return existing.alarm;
    }
    const id = `ReleaseAlarm-${this.alarmName.replace(/[^A-Za-z0-9-]/g, '')}`;
    if (existing) {
      const arn = stack.formatArn({
        service: 'cloudwatch',
        region: this.region,
        account,
        resource: 'alarm',
        resourceName: this.alarmName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      return reuse(scope, id) ?? cloudwatch.Alarm.fromAlarmArn(scope, id, arn);
    }
    const metric = account === this.account ? this.props.metric : this.props.metric.with({ account: this.account });
    const alarm = new cloudwatch.Alarm(scope, id, {
      alarmName: this.alarmName,
      alarmDescription: `Release alarm of ${this.account}/${this.region}: stops the traffic shift and the pipeline's bake.`,
      metric,
      threshold: this.props.threshold,
      evaluationPeriods: this.props.evaluationPeriods,
      datapointsToAlarm: this.props.datapointsToAlarm,
      comparisonOperator: this.props.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: this.props.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    made.set(key, { stack, alarm });
    return alarm;
  }
}

/** The import made by an earlier call in the same scope. */
function reuse(scope: IConstruct, id: string): cloudwatch.IAlarm | undefined {
  return scope.node.tryFindChild(id) as cloudwatch.IAlarm | undefined;
}
