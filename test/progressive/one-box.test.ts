import * as path from 'node:path';
import { App, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  DeliveryPipeline, LambdaProgressiveDeployment, PipelineSource, ProgressiveDeployment, ReleaseAlarm, TrafficShift,
} from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV } from '../fixtures/app';

/**
 * The "prod one-box" pattern (AWS Deployment Pipeline Reference Architecture): a first production wave of one Stage
 * (one region) with a longer bake, then the rest; inside each Stage a canary traffic shift. The alarms are declared
 * once per region (ReleaseAlarm) and read by both layers: the pipeline's bake and CodeDeploy's shift.
 */

const PRODUCTION_ACCOUNT = '333333333333';

function errorsIn(region: string, account = PRODUCTION_ACCOUNT): ReleaseAlarm {
  return new ReleaseAlarm({
    alarmName: `service-errors-${region}`,
    account,
    region,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensionsMap: { FunctionName: 'service' },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
    }),
    threshold: 1,
    evaluationPeriods: 3,
  });
}

class ServiceStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly alarm: ReleaseAlarm }) {
    super(scope, id, props);
    const stack = new Stack(this, 'Service');
    const fn = new lambda.Function(stack, 'Handler', {
      functionName: 'service',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'fixtures', 'handler')),
    });
    new LambdaProgressiveDeployment(stack, 'Release', {
      lambdaFunction: fn,
      shift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
      alarms: [props.alarm],
    });
  }
}

interface RuleJson { Name: string; RuleTypeId: { Provider: string }; Configuration: Record<string, unknown>; Region?: string }
interface ActionJson { Name: string; ActionTypeId: { Provider: string }; Configuration?: Record<string, unknown> }
interface StageJson { Name: string; Actions: ActionJson[]; OnSuccess?: { Conditions: Array<{ Rules: RuleJson[] }> } }

function oneBox(pipelineEnv: { account: string; region: string }) {
  const app = new App();
  const pipelineStack = new Stack(app, 'Pipeline', { env: pipelineEnv });
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
  const alarms = new Map(regions.map(region => [region, errorsIn(region)]));
  // The bake's copies: in the pipeline's account, in each application region (an alarm watches its own region).
  const bakeStacks = new Map(regions.map(region => [region, new Stack(app, `BakeAlarms-${region}`, { env: { account: pipelineEnv.account, region } })]));
  const bakeAlarm = (region: string) => alarms.get(region)!.alarmIn(bakeStacks.get(region)!);
  const stages = new Map(regions.map(region => [region,
    new ServiceStage(app, `Production-${region}`, { env: { account: PRODUCTION_ACCOUNT, region }, alarm: alarms.get(region)! })]));
  new DeliveryPipeline(pipelineStack, 'Delivery', {
    source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npx cdk synth'] },
    staging: { stage: new ServiceStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' }, alarm: errorsIn('us-east-1', '222222222222') }) },
    production: {
      waves: [
        // One Stage, one region, a long bake: a bad change stops here, before the rest of production.
        { name: 'one-box', stages: [stages.get('us-east-1')!], bake: { alarms: [bakeAlarm('us-east-1')], duration: Duration.minutes(60) } },
        {
          name: 'rest',
          stages: [stages.get('eu-west-1')!, stages.get('ap-southeast-2')!],
          bake: { alarms: [bakeAlarm('eu-west-1'), bakeAlarm('ap-southeast-2')], duration: Duration.minutes(30) },
        },
      ],
    },
  });
  const [pipeline] = Object.values(Template.fromStack(pipelineStack).findResources('AWS::CodePipeline::Pipeline'));
  return { app, pipelineStack, bakeStacks, stages, pipelineStages: pipeline.Properties.Stages as StageJson[] };
}

/** The literal name of the alarm a rule's `AlarmName` refers to (through the export of the bake stack). */
function alarmNameOf(value: unknown, app: App, bakeStacks: Map<string, Stack>): string {
  if (typeof value === 'string') {
    return value;
  }
  const exportName = (value as { 'Fn::ImportValue': string })['Fn::ImportValue'];
  for (const stack of bakeStacks.values()) {
    const template = Template.fromStack(stack).toJSON();
    const output = Object.values(template.Outputs ?? {}).find((o: any) => o.Export?.Name === exportName) as { Value: { Ref: string } } | undefined;
    if (output) {
      return template.Resources[output.Value.Ref].Properties.AlarmName;
    }
  }
  throw new Error(`no bake stack exports ${exportName} (app ${app.node.path})`);
}

/** The alarm names a Stage's CodeDeploy group watches (created in the Stage, or imported from another stack). */
function codeDeployAlarmNames(stage: Stage): string[] {
  const stack = stage.node.findChild('Service') as Stack;
  const template = Template.fromStack(stack).toJSON();
  const [group] = Object.values(Template.fromStack(stack).findResources('AWS::CodeDeploy::DeploymentGroup'));
  return group.Properties.AlarmConfiguration.Alarms.map((a: { Name: unknown }) => {
    const name = a.Name as { Ref?: string } | string;
    return typeof name === 'object' && name.Ref ? template.Resources[name.Ref].Properties.AlarmName : JSON.stringify(stack.resolve(name));
  });
}

describe('prod one-box: a first production wave of one Stage with a longer bake, canary inside each Stage', () => {
  test('the first production wave deploys one Stage and bakes longest; the rest bake after it', () => {
    const { pipelineStages, app, bakeStacks } = oneBox(PIPELINE_ENV);
    const production = pipelineStages.filter(s => s.Name.startsWith('Production'));
    expect(production.map(s => s.Name)).toEqual(['Production-one-box', 'Production-rest']);
    const deployedStacks = (s: StageJson) => s.Actions.filter(a => a.ActionTypeId.Provider === 'CloudFormation' && a.Name.endsWith('Deploy'))
      .map(a => a.Configuration?.StackName);
    expect(deployedStacks(production[0])).toEqual(['Production-us-east-1-Service']);
    expect(deployedStacks(production[1]).sort()).toEqual(['Production-ap-southeast-2-Service', 'Production-eu-west-1-Service']);
    const bake = (s: StageJson) => s.OnSuccess!.Conditions[0].Rules
      .map(r => [alarmNameOf(r.Configuration.AlarmName, app, bakeStacks), r.Configuration.WaitTime, r.Region]);
    expect(bake(production[0])).toEqual([['service-errors-us-east-1', '60', undefined]]);
    expect(bake(production[1])).toEqual([['service-errors-eu-west-1', '30', 'eu-west-1'], ['service-errors-ap-southeast-2', '30', 'ap-southeast-2']]);
  });

  test("the alarms that gate each wave's bake are the ones that stop the traffic shift of its Stages (declared once)", () => {
    const { pipelineStages, stages, app, bakeStacks } = oneBox(PIPELINE_ENV);
    for (const [wave, regions] of [['Production-one-box', ['us-east-1']], ['Production-rest', ['eu-west-1', 'ap-southeast-2']]] as const) {
      const bakeNames = pipelineStages.find(s => s.Name === wave)!.OnSuccess!.Conditions[0].Rules
        .map(r => alarmNameOf(r.Configuration.AlarmName, app, bakeStacks));
      const shiftNames = regions.flatMap(region => ProgressiveDeployment.summariesOf(stages.get(region)!).flatMap(s => s.alarmNames));
      const codeDeployNames = regions.flatMap(region => codeDeployAlarmNames(stages.get(region)!));
      expect([wave, shiftNames]).toEqual([wave, bakeNames]);
      expect([wave, codeDeployNames]).toEqual([wave, bakeNames]);
    }
  });

  test("across accounts each layer has its copy: the pipeline's reads the production account's metric, the Stage's its own", () => {
    const { stages, bakeStacks } = oneBox(PIPELINE_ENV);
    const bakeAlarm = Template.fromStack(bakeStacks.get('eu-west-1')!).findResources('AWS::CloudWatch::Alarm');
    expect(Object.values(bakeAlarm).map(a => [a.Properties.AlarmName, a.Properties.Metrics?.[0]?.AccountId]))
      .toEqual([['service-errors-eu-west-1', PRODUCTION_ACCOUNT]]);
    const stageStack = stages.get('eu-west-1')!.node.findChild('Service') as Stack;
    const stageAlarm = Template.fromStack(stageStack).findResources('AWS::CloudWatch::Alarm');
    expect(Object.values(stageAlarm).map(a => [a.Properties.AlarmName, a.Properties.MetricName, a.Properties.Metrics]))
      .toEqual([['service-errors-eu-west-1', 'Errors', undefined]]);
  });

  test('with the pipeline in the production account, one alarm per region serves both layers: the bake imports the Stage\'s', () => {
    const { stages, bakeStacks, pipelineStages } = oneBox({ account: PRODUCTION_ACCOUNT, region: 'us-east-1' });
    // The Stages are made first (as an app does), so each Stage holds the alarm and the bake stack imports it by ARN:
    // the bake reads it after the Stage's deployment, when it exists.
    const stageStack = stages.get('eu-west-1')!.node.findChild('Service') as Stack;
    Template.fromStack(stageStack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'service-errors-eu-west-1' });
    Template.fromStack(bakeStacks.get('eu-west-1')!).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    const rule = pipelineStages.find(s => s.Name === 'Production-rest')!.OnSuccess!.Conditions[0].Rules[0];
    expect([rule.Configuration.AlarmName, rule.Region]).toEqual(['service-errors-eu-west-1', 'eu-west-1']);
  });

  test('the pipeline can read what the one-box Stage shifts, and for how long', () => {
    const { stages } = oneBox(PIPELINE_ENV);
    expect(ProgressiveDeployment.summariesOf(stages.get('us-east-1')!).map(s => [s.path, s.description, s.totalMinutes]))
      .toEqual([['Production-us-east-1/Service/Release', 'canary 10 % for 5 min, then all', 5]]);
  });
});
