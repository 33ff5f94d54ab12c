import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  LambdaProgressiveDeployment, LambdaProgressiveDeploymentProps, ProgressiveDeployment, ProgressiveTarget, ReleaseAlarm,
  TrafficShift, TrafficShiftKind,
} from '../../src';
import { errorOf } from '../fixtures/app';

/* eslint-disable @typescript-eslint/no-explicit-any */
const js = (value: unknown): any => value;

const ENV = { account: '333333333333', region: 'us-east-1' };

function errorsAlarm(name = 'service-errors'): ReleaseAlarm {
  return new ReleaseAlarm({
    alarmName: name,
    account: ENV.account,
    region: ENV.region,
    threshold: 1,
    evaluationPeriods: 2,
    metric: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { FunctionName: 'service' } }),
  });
}

function service(props: Partial<LambdaProgressiveDeploymentProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Service', { env: ENV });
  const fn = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, '..', 'fixtures', 'handler')),
  });
  let made = 0;
  const make = (overrides: Partial<LambdaProgressiveDeploymentProps> = {}) => new LambdaProgressiveDeployment(stack, made++ === 0 ? 'Release' : `Release${made}`, {
    lambdaFunction: fn, shift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }), alarms: [errorsAlarm()], ...props, ...overrides,
  });
  return { app, stack, fn, make };
}

describe('LambdaProgressiveDeployment renders', () => {
  test("an alias on the current version, and a deployment group with the chosen configuration and the environment's alarms", () => {
    const { stack, make } = service();
    const release = make();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HandlerCurrentVersion'), 'Version'] } });
    template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ DeploymentGroupName: Match.anyValue() }) } });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('^ReleaseReleaseAlarmserviceerrors') } }] },
      AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayEquals(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'service-errors', Threshold: 1, EvaluationPeriods: 2 });
    expect(release.alias.aliasName).toBe('live');
    expect(release.alarms.map(a => stack.resolve(a.alarmName))).toEqual([{ Ref: expect.stringMatching(/^ReleaseReleaseAlarmserviceerrors/) }]);
  });

  test.each<[string, TrafficShift, Record<string, unknown>]>([
    ['a custom canary', TrafficShift.canary({ percent: 25, interval: Duration.minutes(15) }), { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 25, CanaryInterval: 15 } }],
    ['a custom linear', TrafficShift.linear({ percent: 20, interval: Duration.minutes(4) }), { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 20, LinearInterval: 4 } }],
  ])('%s gets its own CodeDeploy configuration', (_name, shift, routing) => {
    const { stack, make } = service();
    make({ shift });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { ComputePlatform: 'Lambda', TrafficRoutingConfig: routing });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: { Ref: Match.stringLikeRegexp('^ReleaseDeploymentConfig') } });
  });

  test.each<[string, TrafficShift, string]>([
    ['canary 10 % / 30 min', TrafficShift.canary({ percent: 10, interval: Duration.minutes(30) }), 'CodeDeployDefault.LambdaCanary10Percent30Minutes'],
    ['linear 10 % / 1 min', TrafficShift.linear({ percent: 10, interval: Duration.minutes(1) }), 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'],
    ['linear 10 % / 10 min', TrafficShift.linear({ percent: 10, interval: Duration.minutes(10) }), 'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes'],
    ['all at once', TrafficShift.allAtOnce(), 'CodeDeployDefault.LambdaAllAtOnce'],
  ])("%s uses CodeDeploy's predefined configuration", (_name, shift, config) => {
    const { stack, make } = service();
    make({ shift });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CodeDeploy::DeploymentConfig', 0);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: config });
  });

  test('pre- and post-traffic hooks, which the deployment group may invoke', () => {
    const { stack, make, fn } = service();
    const hook = (id: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    make({ preTrafficHook: hook('Pre'), postTrafficHook: hook('Post'), aliasName: 'prod_1' });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Lambda::Alias', {
      Properties: Match.objectLike({ Name: 'prod_1' }),
      UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ BeforeAllowTrafficHook: { Ref: Match.stringLikeRegexp('^Pre') }, AfterAllowTrafficHook: { Ref: Match.stringLikeRegexp('^Post') } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Pre'), 'Arn'] }]) })]) },
    });
    expect(fn.node.tryFindChild('CurrentVersion')).toBeDefined();
  });

  test('without alarms: a warning that only a failed deployment rolls back, and no alarm rollback', () => {
    const { stack, make } = service();
    make({ alarms: [] });
    Annotations.fromStack(stack).hasWarning('/Service/Release', Match.stringLikeRegexp('LambdaProgressiveDeployment has no alarms: CodeDeploy rolls back only a deployment that fails'));
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayEquals(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']) },
    });
  });

  test('with alarms there is no warning', () => {
    const { stack, make } = service();
    make();
    Annotations.fromStack(stack).hasNoWarning('/Service/Release', Match.anyValue());
  });

  test('the summary the pipeline reads: a canary of 10 % for 5 minutes, stopped by the named alarms', () => {
    const { app, make } = service();
    make({ alarms: [errorsAlarm('a'), errorsAlarm('b')] });
    expect(ProgressiveDeployment.summariesOf(app)).toEqual([{
      path: 'Service/Release',
      target: ProgressiveTarget.LAMBDA,
      kind: TrafficShiftKind.CANARY,
      percent: 10,
      intervalMinutes: 5,
      steps: 2,
      shiftMinutes: 5,
      bakeMinutes: 0,
      totalMinutes: 5,
      alarmNames: ['a', 'b'],
      description: 'canary 10 % for 5 min, then all',
    }]);
  });

  test("cdk-nag: the deployment group's AWS managed policy is acknowledged by its exact id; nothing else is reported", () => {
    const { stack, make } = service();
    make();
    const nag = (scope: Construct) => new AwsSolutionsChecks().validateScope(scope).violations
      .flatMap(v => v.violatingResources.map(r => `${v.ruleName} ${r.constructPath}`));
    expect(nag(stack).filter(f => f.includes('/Release/'))).toEqual([]);
    // Without the helper's acknowledgment, aws-cdk-lib's own deployment group is reported.
    const bare = new Stack(new App(), 'Bare', { env: ENV });
    const fn = new lambda.Function(bare, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    new codedeploy.LambdaDeploymentGroup(bare, 'Group', { alias: new lambda.Alias(bare, 'Alias', { aliasName: 'live', version: fn.currentVersion }) });
    expect(nag(bare).filter(f => f.includes('/Group/'))).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited] Bare/Group/ServiceRole/Resource',
    ]);
  });
});

describe('LambdaProgressiveDeployment refuses', () => {
  test.each<[string, Partial<LambdaProgressiveDeploymentProps>, RegExp]>([
    ['blue/green', { shift: TrafficShift.blueGreen() }, /^shift: TrafficShift\.blueGreen\(\) is ECS's strategy.*Use TrafficShift\.allAtOnce\(\)/],
    ['a fractional percentage', { shift: TrafficShift.canary({ percent: 2.5, interval: Duration.minutes(5) }) }, /^shift: TrafficShift\.canary with percent 2\.5, but CodeDeploy shifts Lambda traffic in whole percentages\. Pass e\.g\. \{ percent: 3 \}/],
    ['a zero interval', { shift: TrafficShift.linear({ percent: 10, interval: Duration.minutes(0) }) }, /^shift: TrafficShift\.linear with an interval of 0 minutes, but CodeDeploy waits at least 1 minute/],
    ['an alias name of digits', { aliasName: '42' }, /^aliasName: '42' is not a Lambda alias name.*'live'/],
    ['an alias name with a slash', { aliasName: 'a/b' }, /^aliasName: 'a\/b' is not a Lambda alias name/],
    ['the same alarm twice', { alarms: [errorsAlarm(), errorsAlarm()] }, /^alarms: the alarm 'service-errors' is listed twice/],
    ['eleven alarms', { alarms: Array.from({ length: 11 }, (_, i) => errorsAlarm(`a${i}`)) }, /^alarms: 11 alarms, but a CodeDeploy deployment group watches at most 10\. Combine related alarms into a cloudwatch\.CompositeAlarm/],
  ])('%s', (_name, overrides, message) => {
    const { make } = service();
    expect(errorOf(() => make(overrides))).toMatch(message);
  });

  test('a helper whose validation failed is not enumerated', () => {
    const { app, make } = service();
    errorOf(() => make({ aliasName: '42' }));
    expect(ProgressiveDeployment.summariesOf(app)).toEqual([]);
    make();
    expect(ProgressiveDeployment.summariesOf(app).map(s => s.path)).toEqual(['Service/Release2']);
  });

  test('the error carries the construct path', () => {
    const { make } = service();
    expect(() => make({ aliasName: '42' })).toThrow(/^Service\/Release: aliasName: '42'/);
  });

  test('untyped callers: a plain alarm instead of a ReleaseAlarm, a shift that is not a TrafficShift, an imported function', () => {
    const { make, stack } = service();
    const plain = new cloudwatch.Alarm(stack, 'Plain', { metric: new cloudwatch.Metric({ namespace: 'A', metricName: 'B' }), threshold: 1, evaluationPeriods: 1 });
    expect(errorOf(() => make({ alarms: js([plain]) }))).toMatch(/alarms\[0\].*ReleaseAlarm/);
    expect(errorOf(() => make({ shift: js({ kind: 'CANARY', percent: 10 }) }))).toMatch(/shift.*TrafficShift/);
    const imported = lambda.Function.fromFunctionName(stack, 'Imported', 'other');
    expect(errorOf(() => make({ lambdaFunction: js(imported) }))).toMatch(/lambdaFunction.*lambda\.Function/);
  });
});
