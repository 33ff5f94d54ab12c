import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  EcsProgressiveDeployment, EcsProgressiveDeploymentProps, ProgressiveDeployment, ProgressiveTarget, ReleaseAlarm,
  TrafficShift, TrafficShiftKind,
} from '../../src';
import { checkEcsStrategy, installedCdkVersion, missingEcsApi } from '../../src/progressive/private/checks';
import { errorOf } from '../fixtures/app';

/* eslint-disable @typescript-eslint/no-explicit-any */
const js = (value: unknown): any => value;

const ENV = { account: '333333333333', region: 'us-east-1' };

function errorsAlarm(name = 'web-errors'): ReleaseAlarm {
  return new ReleaseAlarm({
    alarmName: name,
    account: ENV.account,
    region: ENV.region,
    threshold: 5,
    evaluationPeriods: 2,
    metric: new cloudwatch.Metric({ namespace: 'Acme/Web', metricName: 'Errors', dimensionsMap: { Environment: 'production' } }),
  });
}

function cluster() {
  const app = new App();
  const stack = new Stack(app, 'Service', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const c = new ecs.Cluster(stack, 'Cluster', { vpc });
  c.addDefaultCloudMapNamespace({ name: 'service.internal', useForServiceConnect: true });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'),
    portMappings: [{ name: 'web', containerPort: 8080, appProtocol: ecs.AppProtocol.http }],
  });
  const serviceProps: ecs.FargateServiceProps = { cluster: c, taskDefinition, serviceConnectConfiguration: { services: [{ portMappingName: 'web' }] } };
  let made = 0;
  const make = (props: Partial<EcsProgressiveDeploymentProps> = {}) => new EcsProgressiveDeployment(stack, made++ === 0 ? 'Release' : `Release${made}`, {
    shift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }), alarms: [errorsAlarm()], bakeTime: Duration.minutes(15), ...props,
  });
  return { app, stack, cluster: c, taskDefinition, serviceProps, make };
}

describe('EcsProgressiveDeployment renders', () => {
  test("the canary strategy, its step, the bake time and the environment's alarms with rollback", () => {
    const { stack, serviceProps, make } = cluster();
    const release = make();
    new ecs.FargateService(stack, 'Web', release.fargateServiceProps(serviceProps));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: Match.absent(),
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
        BakeTimeInMinutes: 15,
        Alarms: { AlarmNames: [{ Ref: Match.stringLikeRegexp('^ReleaseReleaseAlarmweberrors') }], Enable: true, Rollback: true },
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'web-errors', Threshold: 5 });
  });

  test.each<[string, TrafficShift, Record<string, unknown>]>([
    ['linear', TrafficShift.linear({ percent: 25, interval: Duration.minutes(3) }), { Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 3 } }],
    ['blue/green', TrafficShift.blueGreen(), { Strategy: 'BLUE_GREEN', CanaryConfiguration: Match.absent(), LinearConfiguration: Match.absent() }],
    ['a canary of 0.5 %', TrafficShift.canary({ percent: 0.5, interval: Duration.minutes(0) }), { Strategy: 'CANARY', CanaryConfiguration: { CanaryPercent: 0.5, CanaryBakeTimeInMinutes: 0 } }],
  ])('%s', (_name, shift, configuration) => {
    const { stack, serviceProps, make } = cluster();
    new ecs.FargateService(stack, 'Web', make({ shift, bakeTime: undefined }).fargateServiceProps(serviceProps));
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ ...configuration, BakeTimeInMinutes: Match.absent() }),
    });
  });

  test("an EC2 service's properties get the same settings", () => {
    const { stack, make, cluster: c } = cluster();
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Ec2Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'), memoryLimitMiB: 256 });
    const props = make({ shift: TrafficShift.blueGreen() }).ec2ServiceProps({ cluster: c, taskDefinition, desiredCount: 2 });
    expect(props).toMatchObject({ desiredCount: 2, deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN, bakeTime: Duration.minutes(15) });
  });

  test("the user's other service properties are kept, and the input is not changed", () => {
    const { serviceProps, make } = cluster();
    const given = { ...serviceProps, desiredCount: 3, minHealthyPercent: 100 };
    const result = make().fargateServiceProps(given);
    expect(result).toMatchObject({ desiredCount: 3, minHealthyPercent: 100, cluster: serviceProps.cluster });
    expect(given).not.toHaveProperty('deploymentStrategy');
  });

  test('without alarms: a warning, and no deployment alarms', () => {
    const { stack, serviceProps, make } = cluster();
    new ecs.FargateService(stack, 'Web', make({ alarms: undefined }).fargateServiceProps(serviceProps));
    Annotations.fromStack(stack).hasWarning('/Service/Release', Match.stringLikeRegexp('EcsProgressiveDeployment has no alarms'));
    // aws-cdk-lib renders the alarm block disabled when no alarm is given.
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: [], Enable: false, Rollback: false } }) });
  });

  test('the summary: shift plus bake time, the alarm names', () => {
    const { app, make } = cluster();
    make({ shift: TrafficShift.linear({ percent: 20, interval: Duration.minutes(4) }) });
    expect(ProgressiveDeployment.summariesOf(app)).toEqual([{
      path: 'Service/Release',
      target: ProgressiveTarget.ECS,
      kind: TrafficShiftKind.LINEAR,
      percent: 20,
      intervalMinutes: 4,
      steps: 5,
      shiftMinutes: 16,
      bakeMinutes: 15,
      totalMinutes: 31,
      alarmNames: ['web-errors'],
      description: 'linear 20 % every 4 min (5 steps, 16 min), old revision kept 15 min',
    }]);
  });
});

describe('EcsProgressiveDeployment refuses', () => {
  test.each<[string, Partial<EcsProgressiveDeploymentProps>, RegExp]>([
    ['all at once', { shift: TrafficShift.allAtOnce() }, /^shift: TrafficShift\.allAtOnce\(\) is CodeDeploy's Lambda configuration.*Use TrafficShift\.blueGreen\(\)/],
    ['a canary below 0.1 %', { shift: TrafficShift.canary({ percent: 0.05, interval: Duration.minutes(5) }) }, /^shift: TrafficShift\.canary with percent 0\.05, but ECS's CANARY strategy shifts a multiple of 0\.1 percent from 0\.1 to 100/],
    ['a canary of 2.25 %', { shift: TrafficShift.canary({ percent: 2.25, interval: Duration.minutes(5) }) }, /percent 2\.25, but ECS's CANARY strategy shifts a multiple of 0\.1 percent/],
    ['a linear step below 3 %', { shift: TrafficShift.linear({ percent: 2, interval: Duration.minutes(5) }) }, /^shift: TrafficShift\.linear with percent 2, but ECS's LINEAR strategy shifts a multiple of 0\.1 percent from 3 to 100\. Pass e\.g\. \{ percent: 3 \}/],
    ['an interval over a day', { shift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(1441) }) }, /^shift: TrafficShift\.canary with an interval of 1441 minutes, but ECS waits 0 to 1440 minutes/],
    ['a bake time over a day', { bakeTime: Duration.hours(25) }, /^bakeTime: 1 day 1 hour is not a whole number of minutes from 0 to 1440: ECS's bake time is 0 to 1440 minutes/],
    ['a bake time in seconds', { bakeTime: Duration.seconds(30) }, /^bakeTime: 30 seconds is not a whole number of minutes/],
    ['the same alarm twice', { alarms: [errorsAlarm(), errorsAlarm()] }, /^alarms: the alarm 'web-errors' is listed twice/],
    ['eleven alarms', { alarms: Array.from({ length: 11 }, (_, i) => errorsAlarm(`a${i}`)) }, /^alarms: 11 alarms, but an ECS service's deployment alarms watches at most 10/],
  ])('%s', (_name, props, message) => {
    const { make } = cluster();
    expect(errorOf(() => make(props))).toMatch(message);
  });

  test.each([
    ['deploymentStrategy', { deploymentStrategy: ecs.DeploymentStrategy.ROLLING }],
    ['bakeTime', { bakeTime: Duration.minutes(1) }],
    ['deploymentAlarms', { deploymentAlarms: { alarmNames: ['x'] } }],
  ])('a service property the helper owns (%s)', (key, extra) => {
    const { serviceProps, make } = cluster();
    expect(errorOf(() => make().fargateServiceProps({ ...serviceProps, ...extra })))
      .toMatch(new RegExp(`^fargateServiceProps\\(props\\)\\.${key}: .* is set, but EcsProgressiveDeployment sets it from its shift, bakeTime and alarms`));
  });

  test('a CodeDeploy deployment controller', () => {
    const { serviceProps, make } = cluster();
    expect(errorOf(() => make().fargateServiceProps({ ...serviceProps, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } })))
      .toMatch(/^fargateServiceProps\(props\)\.deploymentController: CODE_DEPLOY, but ECS's own deployment strategies need the ECS deployment controller/);
    expect(() => make().fargateServiceProps({ ...serviceProps, deploymentController: { type: ecs.DeploymentControllerType.ECS } })).not.toThrow();
  });

  test('untyped callers', () => {
    const { make } = cluster();
    expect(errorOf(() => make({ shift: js('CANARY') }))).toMatch(/shift.*TrafficShift/);
    expect(errorOf(() => make().fargateServiceProps(js(undefined)))).toMatch(/fargateServiceProps\(props\).*required/);
  });
});

describe('older aws-cdk-lib versions without the strategies', () => {
  test('the installed aws-cdk-lib has every strategy', () => {
    for (const kind of [TrafficShiftKind.CANARY, TrafficShiftKind.LINEAR, TrafficShiftKind.BLUE_GREEN]) {
      expect([kind, missingEcsApi(ecs, kind), EcsProgressiveDeployment.isStrategyAvailable(kind)]).toEqual([kind, undefined, true]);
    }
  });

  test('a module without them names what is missing (as aws-cdk-lib 2.186 lacks them)', () => {
    expect(missingEcsApi({}, TrafficShiftKind.CANARY)).toBe('ecs.DeploymentStrategy.CANARY');
    expect(missingEcsApi({ DeploymentStrategy: { ROLLING: 'ROLLING', BLUE_GREEN: 'BLUE_GREEN' } }, TrafficShiftKind.LINEAR)).toBe('ecs.DeploymentStrategy.LINEAR');
    expect(missingEcsApi({ DeploymentStrategy: { CANARY: 'CANARY' } }, TrafficShiftKind.CANARY)).toBe('ecs.AlarmBehavior');
    expect(missingEcsApi({ DeploymentStrategy: { CANARY: 'CANARY' }, AlarmBehavior: {} }, TrafficShiftKind.CANARY)).toBeUndefined();
  });

  test('the helper refuses a strategy the module lacks, naming the installed aws-cdk-lib version and the fix', () => {
    expect(installedCdkVersion()).toMatch(/^2\.\d+\.\d+$/);
    const version = installedCdkVersion();
    const canary = TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) });
    expect(errorOf(() => checkEcsStrategy({}, canary))).toBe(
      `shift: TrafficShift.canary() needs ECS's CANARY deployment strategy, but aws-cdk-lib ${version} has no ecs.DeploymentStrategy.CANARY. `
      + "Upgrade aws-cdk-lib in your app's package.json (2.276.0 renders CANARY, LINEAR and BLUE_GREEN), or deploy this service without "
      + 'EcsProgressiveDeployment (EcsProgressiveDeployment.isStrategyAvailable() tells which strategies the installed version has).');
    expect(errorOf(() => checkEcsStrategy({ DeploymentStrategy: { BLUE_GREEN: 'BLUE_GREEN' } }, TrafficShift.blueGreen()))).toMatch(/has no ecs\.AlarmBehavior/);
    expect(() => checkEcsStrategy(ecs, canary)).not.toThrow();
  });
});
