import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { createApp as guardedProduction } from '../../examples/guarded-production/app';
import {
  BakeOptions, DeliveryPipeline, DeploymentWindow, EcsProgressiveDeployment, LambdaProgressiveDeployment, PipelineDiagram, PipelineShape,
  PipelineSource, ReleaseAlarm, TrafficShift,
} from '../../src';
import { renderDiagrams } from '../../src/cli/diagram';
import {
  BAKE_SHORTER_THAN_SHIFT_STEP_WARNING, PROGRESSIVE_WITHOUT_BAKE_WARNING, WINDOW_SHORTER_THAN_DEPLOYMENT_WARNING, windowOpenMinutes,
} from '../../src/codepipeline/private/progressive-check';
import { flowchartsOfTemplate } from '../../src/private/flowchart';
import { PROGRESSIVE_METADATA_KEY } from '../../src/private/progressive-record';
import { parseMermaid } from '../diagram-mermaid';
import { CONNECTION_ARN, errorOf, PIPELINE_ENV } from '../fixtures/app';

/**
 * The pipeline knows about the progressive deployments inside the Stages it deploys (issue 21, item 3): a Lambda
 * canary and an ECS linear shift in production, each stopped by the alarm its wave bakes on.
 */

const PRODUCTION = { account: '333333333333', region: 'us-east-1' };

function releaseAlarm(name: string): ReleaseAlarm {
  return new ReleaseAlarm({
    alarmName: name,
    account: PRODUCTION.account,
    region: PRODUCTION.region,
    metric: new cloudwatch.Metric({ namespace: 'Acme', metricName: 'Errors', statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 3,
  });
}

class LambdaStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly alarm?: ReleaseAlarm }) {
    super(scope, id, props);
    const stack = new Stack(this, 'Api');
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'fixtures', 'handler')),
    });
    if (props.alarm) {
      new LambdaProgressiveDeployment(stack, 'Release', {
        lambdaFunction: fn,
        shift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
        alarms: [props.alarm],
      });
    }
  }
}

class EcsStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly alarm: ReleaseAlarm }) {
    super(scope, id, props);
    const stack = new Stack(this, 'Web');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    cluster.addDefaultCloudMapNamespace({ name: 'web.internal', useForServiceConnect: true });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'),
      portMappings: [{ name: 'web', containerPort: 8080, appProtocol: ecs.AppProtocol.http }],
    });
    const release = new EcsProgressiveDeployment(stack, 'Release', {
      shift: TrafficShift.linear({ percent: 25, interval: Duration.minutes(3) }),
      bakeTime: Duration.minutes(10),
      alarms: [props.alarm],
    });
    new ecs.FargateService(stack, 'Service', release.fargateServiceProps({
      cluster, taskDefinition, serviceConnectConfiguration: { services: [{ portMappingName: 'web' }] },
    }));
  }
}

interface Options {
  /** The api wave's bake (`null`: none). */
  readonly apiBake?: (bakeAlarm: (alarm: ReleaseAlarm) => cloudwatch.IAlarm) => BakeOptions | undefined;
  readonly webWindow?: DeploymentWindow;
  readonly webBakeMinutes?: number;
  /** The alarm the web Stage's shift is stopped by (default: the one its wave bakes on). */
  readonly webShiftAlarm?: ReleaseAlarm;
}

function progressivePipeline(options: Options = {}) {
  const app = new App();
  const pipelineStack = new Stack(app, 'Pipeline', { env: PIPELINE_ENV });
  const bakeStack = new Stack(app, 'BakeAlarms', { env: PIPELINE_ENV });
  const bakeAlarm = (alarm: ReleaseAlarm) => alarm.alarmIn(bakeStack);
  const apiErrors = releaseAlarm('api-errors');
  const webErrors = releaseAlarm('web-errors');
  const api = new LambdaStage(app, 'Api', { env: PRODUCTION, alarm: apiErrors });
  const web = new EcsStage(app, 'Web', { env: PRODUCTION, alarm: options.webShiftAlarm ?? webErrors });
  const apiBake = options.apiBake ? options.apiBake(bakeAlarm) : { alarms: [bakeAlarm(apiErrors)], duration: Duration.minutes(30) };
  new DeliveryPipeline(pipelineStack, 'Delivery', {
    pipelineName: 'service',
    source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npx cdk synth'] },
    staging: { stage: new LambdaStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } }) },
    production: {
      waves: [
        { name: 'api', stages: [api], bake: apiBake },
        { name: 'web', stages: [web], bake: { alarms: [bakeAlarm(webErrors)], duration: Duration.minutes(options.webBakeMinutes ?? 30) }, deploymentWindow: options.webWindow },
      ],
    },
  });
  return { app, pipelineStack };
}

const PROGRESSIVE_LINES = [
  'Production-api: canary 10 % for 5 min, then all',
  'Production-web: linear 25 % every 3 min (4 steps, 9 min), old revision kept 10 min',
];

describe('the pipeline records the progressive deployment of each environment', () => {
  test("the record in the pipeline's Metadata: per stage, each helper's shift, minutes and alarms", () => {
    const { pipelineStack } = progressivePipeline();
    const [pipeline] = Object.values(Template.fromStack(pipelineStack).findResources('AWS::CodePipeline::Pipeline'));
    expect(pipeline.Metadata[PROGRESSIVE_METADATA_KEY]).toEqual({
      'Production-api': [{ path: 'Api/Api/Release', target: 'LAMBDA', description: 'canary 10 % for 5 min, then all', totalMinutes: 5, alarmNames: ['api-errors'] }],
      'Production-web': [{ path: 'Web/Web/Release', target: 'ECS', description: 'linear 25 % every 3 min (4 steps, 9 min), old revision kept 10 min', totalMinutes: 19, alarmNames: ['web-errors'] }],
    });
  });

  test('PipelineShape shows it per environment, and in describe()', () => {
    const { pipelineStack } = progressivePipeline();
    const shape = PipelineShape.fromStack(pipelineStack);
    expect(shape.progressiveDeployments).toEqual(PROGRESSIVE_LINES);
    const described = shape.describe().split('\n').filter(line => line.startsWith('Production'));
    expect(described.map(line => line.replace(/^.*\(progressive: /, '').replace(/\)$/, ''))).toEqual([
      'canary 10 % for 5 min, then all', 'linear 25 % every 3 min (4 steps, 9 min), old revision kept 10 min',
    ]);
    expect(shape.stages.find(s => s.name === 'Staging')!.progressiveDeployment).toBeUndefined();
  });

  test('the diagram (PipelineDiagram and cdk-delivery diagram) says it under the stage name', () => {
    const { pipelineStack } = progressivePipeline();
    const template = Template.fromStack(pipelineStack).toJSON();
    const [diagram] = PipelineDiagram.fromStack(pipelineStack);
    const titles = diagram.mermaid.split('\n').filter(line => line.startsWith('  subgraph')).map(line => line.replace(/^ {2}subgraph s\d+/, ''));
    expect(titles.filter(t => t.includes('Production'))).toEqual([
      '["Production-api<br/>progressive: canary 10 % for 5 min, then all"]',
      '["Production-web<br/>progressive: linear 25 % every 3 min (4 steps, 9 min), old revision kept 10 min"]',
    ]);
    expect(titles).toContain('["Staging"]');
    const cli = renderDiagrams(flowchartsOfTemplate(template).map(f => ({ stack: 'Pipeline', ...f })), { format: 'mermaid' });
    expect(cli).toEqual(diagram.mermaid);
    // The real Mermaid parser reads the stage titles with the shift.
    expect(parseMermaid([diagram.mermaid])).toEqual([{ ok: true, diagramType: 'flowchart-v2' }]);
  });

  test('one environment whose Stages shift differently names each shift with its helper', () => {
    const app = new App();
    const pipelineStack = new Stack(app, 'Pipeline', { env: PIPELINE_ENV });
    const bakeStack = new Stack(app, 'BakeAlarms', { env: PIPELINE_ENV });
    const apiErrors = releaseAlarm('api-errors');
    const webErrors = releaseAlarm('web-errors');
    new DeliveryPipeline(pipelineStack, 'Delivery', {
      source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
      synth: { commands: ['npm ci', 'npx cdk synth'] },
      staging: { stage: new LambdaStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } }) },
      production: {
        stages: [new LambdaStage(app, 'Api', { env: PRODUCTION, alarm: apiErrors }), new EcsStage(app, 'Web', { env: PRODUCTION, alarm: webErrors })],
        bake: { alarms: [apiErrors.alarmIn(bakeStack), webErrors.alarmIn(bakeStack)], duration: Duration.minutes(30) },
      },
    });
    expect(PipelineShape.fromStack(pipelineStack).progressiveDeployments).toEqual([
      'Production: canary 10 % for 5 min, then all (Api/Api/Release); linear 25 % every 3 min (4 steps, 9 min), old revision kept 10 min (Web/Web/Release)',
    ]);
  });

  test('a hand-edited record is read as far as it goes: entries that are not lists are left out, missing fields read as ?', () => {
    const { pipelineStack } = progressivePipeline();
    const template = Template.fromStack(pipelineStack).toJSON();
    const [id] = Object.keys(template.Resources).filter(k => template.Resources[k].Type === 'AWS::CodePipeline::Pipeline');
    template.Resources[id].Metadata[PROGRESSIVE_METADATA_KEY] = { 'Production-api': 'canary', 'Production-web': [{ description: 7 }, null] };
    expect(PipelineShape.fromTemplateJson(template).progressiveDeployments).toEqual(['Production-web: ?']);
    template.Resources[id].Metadata[PROGRESSIVE_METADATA_KEY] = 'not a record';
    expect(PipelineShape.fromTemplateJson(template).progressiveDeployments).toEqual([]);
  });

  test('a pipeline without progressive deployments has no record, and its shape and diagram say nothing of it', () => {
    const app = new App();
    const pipelineStack = new Stack(app, 'Pipeline', { env: PIPELINE_ENV });
    new DeliveryPipeline(pipelineStack, 'Delivery', {
      source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
      synth: { commands: ['npm ci', 'npx cdk synth'] },
      staging: { stage: new LambdaStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } }) },
      production: { stages: [new LambdaStage(app, 'Prod', { env: PRODUCTION })] },
    });
    const [pipeline] = Object.values(Template.fromStack(pipelineStack).findResources('AWS::CodePipeline::Pipeline'));
    expect(Object.keys(pipeline.Metadata ?? {})).not.toContain(PROGRESSIVE_METADATA_KEY);
    expect(PipelineShape.fromStack(pipelineStack).progressiveDeployments).toEqual([]);
    expect(PipelineDiagram.fromStack(pipelineStack)[0].mermaid).not.toContain('progressive');
  });
});

/** The warnings of the pipeline construct, with the acknowledgement suffix. */
function warnings(pipelineStack: Stack): string[] {
  return Annotations.fromStack(pipelineStack).findWarning('/Pipeline/Delivery', Match.anyValue()).map(w => String(w.entry.data));
}

describe('warnings when an environment cannot cover its shift', () => {
  test('none when every bake and window covers it', () => {
    expect(warnings(progressivePipeline().pipelineStack).filter(w => /progressive|shift|window/i.test(w))).toEqual([]);
  });

  test('no bake after a progressive deployment', () => {
    const { pipelineStack } = progressivePipeline({ apiBake: () => undefined });
    expect(warnings(pipelineStack)).toContain("production.waves[0]: the Stage 'Api' shifts traffic progressively ('Api/Api/Release' (canary 10 % for 5 min, then all)), "
      + 'but the environment has no bake: once all traffic runs on the new version, no alarm rolls the environment back. '
      + 'Add production.waves[0].bake with the alarms that stop the shift (declare them once with ReleaseAlarm; the bake takes alarm.alarmIn(bakeStack)). '
      + '[ack: cdk-delivery-pipelines:progressiveWithoutBake]');
  });

  test('a bake shorter than one step of the shift', () => {
    const { pipelineStack } = progressivePipeline({ apiBake: bakeAlarm => ({ alarms: [bakeAlarm(releaseAlarm('api-errors'))], duration: Duration.minutes(4) }) });
    expect(warnings(pipelineStack)).toContain('production.waves[0].bake.duration: 4 min watches all of the traffic for less time than the shift watches one step of it '
      + "('Api/Api/Release' (canary 10 % for 5 min, then all): 5 min per step). Bake for at least 5 minutes, so the whole environment is judged as long as its first share. "
      + '[ack: cdk-delivery-pipelines:bakeShorterThanShiftStep]');
  });

  test('a deployment window shorter than the shift and the bake; a window long enough gives none', () => {
    const short = progressivePipeline({ webWindow: DeploymentWindow.cron('* * 9 ? * MON-FRI'), webBakeMinutes: 45 }).pipelineStack;
    expect(warnings(short)).toContain("production.waves[1].deploymentWindow: the window '* * 9 ? * MON-FRI' (UTC) is open 60 min at a stretch, "
      + "but the environment's deployment takes at least 64 min (19 min of progressive deployment 'Web/Web/Release' (linear 25 % every 3 min (4 steps, 9 min), old revision kept 10 min) + 45 min of bake): "
      + 'CodePipeline checks the window only when a release enters the stage, so even a release that enters at the opening finishes after the window closed. '
      + 'Widen the window to at least 64 minutes, or shorten the shift or the bake. [ack: cdk-delivery-pipelines:deploymentLongerThanWindow]');
    const wide = progressivePipeline({ webWindow: DeploymentWindow.weekly({ startHour: 9, endHour: 10 }), webBakeMinutes: 45 }).pipelineStack;
    expect(warnings(wide).filter(w => w.includes('deploymentWindow'))).toEqual([]);
  });

  test.each<[string, number | undefined]>([
    ['* * 9 ? * MON-FRI', 60],
    ['* 0-59 9-16 ? * MON-THU', 480],
    ['* * 18-23 ? * *', 360],
    // Not read (no warning): minute ranges, lists, steps, the whole day.
    ['* 0-30 9 ? * MON-FRI', undefined],
    ['* * 9,11 ? * MON-FRI', undefined],
    ['* * 0/2 ? * MON-FRI', undefined],
    ['* * 0-23 ? * MON-FRI', undefined],
  ])("the window '%s' is open %s minutes at a stretch", (expression, minutes) => {
    expect(windowOpenMinutes(DeploymentWindow.cron(expression))).toBe(minutes);
  });
});

describe("the self-check: a shift is stopped only by alarms of its environment's bake", () => {
  test('passes when the shift and the bake share the ReleaseAlarm (the pipelines above synthesize)', () => {
    const { app } = progressivePipeline();
    expect(() => app.synth()).not.toThrow();
  });

  test("fails when the shift's alarm is not one the bake watches", () => {
    const { app } = progressivePipeline({ webShiftAlarm: releaseAlarm('web-latency') });
    expect(errorOf(() => app.synth())).toContain("production.waves[1]: the progressive deployment 'Web/Web/Release' in the Stage 'Web' is stopped by the alarm(s) 'web-latency' "
      + "that production.waves[1].bake does not watch (it watches 'web-errors'). One set of alarms serves both layers: declare each alarm once with ReleaseAlarm "
      + "and pass it to the helper's 'alarms' and, with alarm.alarmIn(bakeStack), to production.waves[1].bake.alarms.");
  });

  test('is not compared without a bake (the warning above says so)', () => {
    const { app } = progressivePipeline({ apiBake: () => undefined });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('the README', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');

  test("shows examples/guarded-production's progressive deployment per environment, as PipelineShape reads it", () => {
    const block = /\*\*The pipeline knows\.\*\*[\s\S]*?```text\n([\s\S]*?)```/.exec(readme);
    const lines = block![1].split('\n').map(line => line.trim()).filter(line => line !== '');
    const pipeline = guardedProduction(new App());
    expect(PipelineShape.fromStack(Stack.of(pipeline)).progressiveDeployments).toEqual(lines);
  });

  test('names the warnings the pipeline gives', () => {
    for (const id of [PROGRESSIVE_WITHOUT_BAKE_WARNING, BAKE_SHORTER_THAN_SHIFT_STEP_WARNING, WINDOW_SHORTER_THAN_DEPLOYMENT_WARNING]) {
      expect(readme).toContain(`(\`${id}\`)`);
    }
  });
});
