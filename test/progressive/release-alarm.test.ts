import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ReleaseAlarm, ReleaseAlarmProps, TrafficShift, TrafficShiftKind } from '../../src';
import { errorOf } from '../fixtures/app';

/* eslint-disable @typescript-eslint/no-explicit-any */
const js = (value: unknown): any => value;

const errors = new cloudwatch.Metric({
  namespace: 'AWS/Lambda',
  metricName: 'Errors',
  dimensionsMap: { FunctionName: 'service-production' },
  statistic: cloudwatch.Stats.SUM,
  period: Duration.minutes(1),
});

function props(overrides: Partial<ReleaseAlarmProps> = {}): ReleaseAlarmProps {
  return { alarmName: 'service-errors', account: '333333333333', region: 'us-east-1', metric: errors, threshold: 1, evaluationPeriods: 3, ...overrides };
}

describe('TrafficShift', () => {
  test.each([
    [TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }), TrafficShiftKind.CANARY, 2, 5, 'canary 10 % for 5 min, then all'],
    [TrafficShift.linear({ percent: 10, interval: Duration.minutes(3) }), TrafficShiftKind.LINEAR, 10, 27, 'linear 10 % every 3 min (10 steps, 27 min)'],
    [TrafficShift.linear({ percent: 30, interval: Duration.minutes(2) }), TrafficShiftKind.LINEAR, 4, 6, 'linear 30 % every 2 min (4 steps, 6 min)'],
    [TrafficShift.allAtOnce(), TrafficShiftKind.ALL_AT_ONCE, 1, 0, 'all at once'],
    [TrafficShift.blueGreen(), TrafficShiftKind.BLUE_GREEN, 1, 0, 'blue/green, all at once'],
  ])('%#: kind, steps, minutes and words', (shift, kind, steps, minutes, words) => {
    expect([shift.kind, shift.steps, shift.shiftMinutes, shift.describe()]).toEqual([kind, steps, minutes, words]);
  });

  test.each([
    [0, /percent is 0, but a step shifts more than 0 and less than 100 percent/],
    [100, /percent is 100, but a step shifts more than 0 and less than 100 percent.*TrafficShift\.allAtOnce\(\)/],
    [-5, /percent is -5/],
    [NaN, /percent: NaN is not a number/],
  ])('percent %p is refused', (percent, message) => {
    expect(errorOf(() => TrafficShift.canary({ percent, interval: Duration.minutes(5) }))).toMatch(message);
  });

  test('an interval that is not whole minutes is refused, naming the factory', () => {
    expect(errorOf(() => TrafficShift.linear({ percent: 10, interval: Duration.seconds(90) })))
      .toMatch(/^TrafficShift\.linear: interval is 1 minute 30 seconds, which is not a whole number of minutes.*Duration\.minutes\(5\)/);
  });

  test('untyped callers get the property and the expected type', () => {
    expect(errorOf(() => TrafficShift.canary(js({ percent: '10', interval: Duration.minutes(5) })))).toMatch(/percent/);
    expect(errorOf(() => TrafficShift.canary(js({ percent: 10, interval: 5 })))).toMatch(/interval.*Duration/);
    expect(errorOf(() => TrafficShift.canary(js(undefined)))).toMatch(/required/);
  });
});

describe('ReleaseAlarm', () => {
  test('in the application account: one alarm on the metric as published, same name, missing data not breaching', () => {
    const app = new App();
    const stack = new Stack(app, 'Service', { env: { account: '333333333333', region: 'us-east-1' } });
    const alarm = new ReleaseAlarm(props()).alarmIn(stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'service-errors',
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('AccountId');
    expect(stack.resolve(alarm.alarmName)).toEqual({ Ref: expect.stringMatching(/^ReleaseAlarmserviceerrors/) });
  });

  test("in the pipeline's account: the same name and threshold, reading the application's metric across accounts", () => {
    const app = new App();
    const stack = new Stack(app, 'BakeAlarms', { env: { account: '111111111111', region: 'us-east-1' } });
    new ReleaseAlarm(props({ datapointsToAlarm: 2, treatMissingData: cloudwatch.TreatMissingData.BREACHING })).alarmIn(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'service-errors',
      Threshold: 1,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      Metrics: [Match.objectLike({ AccountId: '333333333333', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors' }) }) })],
    });
  });

  test('one account and region hold one alarm of a name: a second stack imports it by ARN', () => {
    const app = new App();
    const env = { account: '333333333333', region: 'us-east-1' };
    const first = new Stack(app, 'First', { env });
    const second = new Stack(app, 'Second', { env });
    const alarm = new ReleaseAlarm(props());
    alarm.alarmIn(first);
    const imported = alarm.alarmIn(second);
    expect(alarm.alarmIn(second)).toBe(imported);
    expect(alarm.alarmIn(first)).toBe(alarm.alarmIn(first));
    Template.fromStack(second).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(second.resolve(imported.alarmArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:333333333333:alarm:service-errors']],
    });
  });

  test('each app gets its own alarm (one ReleaseAlarm used in two apps, as tests do)', () => {
    const alarm = new ReleaseAlarm(props());
    for (const app of [new App(), new App()]) {
      const stack = new Stack(app, 'Service', { env: { account: '333333333333', region: 'us-east-1' } });
      alarm.alarmIn(stack);
      Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 1);
    }
  });

  test('another account gets its own alarm under the same name', () => {
    const app = new App();
    const alarm = new ReleaseAlarm(props());
    const pipelineSide = new Stack(app, 'Bake', { env: { account: '111111111111', region: 'us-east-1' } });
    const appSide = new Stack(app, 'Service', { env: { account: '333333333333', region: 'us-east-1' } });
    alarm.alarmIn(pipelineSide);
    alarm.alarmIn(appSide);
    for (const stack of [pipelineSide, appSide]) {
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'service-errors' });
    }
  });

  test('an environment-agnostic stack is taken for the application\'s: the alarm reads the metric as published', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new ReleaseAlarm(props()).alarmIn(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'service-errors', MetricName: 'Errors' });
    expect(JSON.stringify(template.toJSON())).not.toContain('AccountId');
  });

  test('a stack in another region is refused: an alarm watches metrics of its own region', () => {
    const app = new App();
    const stack = new Stack(app, 'Elsewhere', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(errorOf(() => new ReleaseAlarm(props()).alarmIn(stack)))
      .toMatch(/^ReleaseAlarm 'service-errors': the stack 'Elsewhere' is in region eu-west-1, but the alarm watches the application in us-east-1.*Create it in a stack of us-east-1/);
  });

  test.each<[string, Partial<ReleaseAlarmProps>, RegExp]>([
    ['empty name', { alarmName: '' }, /alarmName '' is not a CloudWatch alarm name.*'service-errors-us-east-1'/],
    ['long name', { alarmName: 'a'.repeat(256) }, /alarmName 'a+…' \(256 characters\) is not a CloudWatch alarm name/],
    ['account', { account: '3333' }, /account '3333' is not a 12-digit AWS account id.*env\.account/],
    ['region', { region: 'mars' }, /region 'mars' is not an AWS region name/],
    ['metric account', { metric: errors.with({ account: '444444444444' }) }, /metric has account 444444444444, but the alarm watches the application in 333333333333. Leave the metric's account unset/],
    ['metric region', { metric: errors.with({ region: 'eu-west-1' }) }, /metric has region eu-west-1, but the alarm watches the application in us-east-1/],
    ['threshold', { threshold: Infinity }, /threshold Infinity is not a finite number/],
    ['periods', { evaluationPeriods: 0 }, /evaluationPeriods 0 is not a whole number of at least 1/],
    ['datapoints', { datapointsToAlarm: 4 }, /datapointsToAlarm 4 is not a whole number from 1 to evaluationPeriods \(3\)/],
  ])('%s is refused with the property and the fix', (_name, overrides, message) => {
    expect(errorOf(() => new ReleaseAlarm(props(overrides)))).toMatch(message);
  });

  test('valid edge values are accepted', () => {
    expect(() => new ReleaseAlarm(props({ alarmName: 'a'.repeat(255), datapointsToAlarm: 3, threshold: 0 }))).not.toThrow();
    expect(() => new ReleaseAlarm(props({ metric: errors.with({ account: '333333333333', region: 'us-east-1' }) }))).not.toThrow();
  });

  test('untyped callers: a metric that is not a Metric, a missing threshold', () => {
    expect(errorOf(() => new ReleaseAlarm(js({ ...props(), metric: 'Errors' })))).toMatch(/metric.*cloudwatch\.Metric/);
    expect(errorOf(() => new ReleaseAlarm(js({ ...props(), threshold: undefined })))).toMatch(/threshold.*required/);
    expect(errorOf(() => new ReleaseAlarm(props()).alarmIn(js('stack')))).toMatch(/alarmIn\(scope\).*Construct/);
  });
});
