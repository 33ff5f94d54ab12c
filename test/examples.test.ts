import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp as containerService } from '../examples/container-service/app';
import { createApp as continuousDelivery } from '../examples/continuous-delivery/app';
import { createApp as continuousDeployment } from '../examples/continuous-deployment/app';
import { createApp as guardedProduction } from '../examples/guarded-production/app';
import { createApp as monorepo } from '../examples/monorepo/app';
import { DeliveryPipeline, DeliverySnapshot, PipelineShape } from '../src';

/** Every example app, built the way its main.ts builds it (without the cdk-nag plugin, checked by `npm run examples`). */
const examples: Array<[string, (app: App) => DeliveryPipeline]> = [
  ['continuous-delivery', continuousDelivery],
  ['continuous-deployment', continuousDeployment],
  ['guarded-production', guardedProduction],
  ['container-service', containerService],
  ['monorepo', monorepo],
];

const builtApps = new Map<(app: App) => DeliveryPipeline, { readonly app: App; readonly pipeline: DeliveryPipeline }>();

/** Each example app, built (and synthesized) once for this file: the tests below only read it. */
function built(create: (app: App) => DeliveryPipeline): { readonly app: App; readonly pipeline: DeliveryPipeline } {
  let example = builtApps.get(create);
  if (example === undefined) {
    const app = new App();
    example = { app, pipeline: create(app) };
    builtApps.set(create, example);
  }
  return example;
}

describe.each(examples)('examples/%s', (_name, create) => {
  const { app, pipeline } = built(create);
  const stack = Stack.of(pipeline);

  test('the whole app (pipeline stack, stage stacks, asset buildspecs) matches the snapshot (asset hashes and CDK versions normalized)', () => {
    expect(DeliverySnapshot.appJson(app)).toMatchSnapshot();
  });

  test('shape matches the mode', () => {
    const shape = PipelineShape.fromStack(stack);
    expect(shape.pipelineType).toBe('V2');
    expect(shape.releaseMode).toBe(pipeline.releaseMode);
    expect(shape.stageNames).toEqual(pipeline.stageNames);
  });
});

test('examples/guarded-production: the pipeline stack depends on every stack whose alarms its bake rules read', () => {
  const pipeline = built(guardedProduction).pipeline;
  // (besides the cross-region support stacks of the artifact replication buckets)
  expect(Stack.of(pipeline).dependencies.map(s => s.stackName).filter(n => n.startsWith('ReleaseAlarms-')).sort())
    .toEqual(['ReleaseAlarms-ap-southeast-2', 'ReleaseAlarms-eu-west-1', 'ReleaseAlarms-us-east-1']);
});

test('hops: delivery 8, deployment without change sets 7, guarded 15 (migrations, deploy markers and change-set reviews are actions; windows and bakes are not), container service 8 (Docker assets publish beside the tests), monorepo 8 (gates are conditions, not actions)', () => {
  // Staging deploys directly by default: the delivery example went from 8 hops to 7, guarded from 14 to 13. The
  // change-set review, on by default wherever change sets are used, adds one hop to each reviewed production stage:
  // delivery, container service and monorepo 7 to 8, guarded (two waves) 13 to 15; the deployment example deploys
  // without change sets, so nothing is reviewed there.
  const hops = examples.map(([, create]) => PipelineShape.fromStack(Stack.of(built(create).pipeline)).criticalPathHops);
  expect(hops).toEqual([8, 7, 15, 8, 8]);
});

test('the guarded example gates production with conditions: a window on every wave, alarm rules, rollback', () => {
  const shape = PipelineShape.fromStack(Stack.of(built(guardedProduction).pipeline));
  expect(shape.stages.filter(s => s.name.startsWith('Production')).map(s => [s.name, s.conditionRules])).toEqual([
    ['Production-canary', ['DeploymentWindow', 'CloudWatchAlarm']],
    ['Production-global', ['DeploymentWindow', 'CloudWatchAlarm', 'CloudWatchAlarm']],
  ]);
  // Continuous deployment: the approval the production migration asks for, and each wave's change-set review (decided
  // by its function: a person only sees it when the change is risky).
  expect(shape.approvals).toBe(3);
  // Every change set is prepared before its wave's Review and executed after it.
  expect(shape.stages.filter(s => s.name.startsWith('Production')).map(s => s.slots.map(slot => slot.actions.join(' | ')))).toEqual([
    ['MigrateDatabase', 'Service.Prepare', 'Review', 'Service.Deploy', 'CanaryDeployMarker'],
    ['Production-eu-west-1.Service.Prepare | Production-ap-southeast-2.Service.Prepare', 'Review',
      'Production-eu-west-1.Service.Deploy | Production-ap-southeast-2.Service.Deploy', 'GlobalDeployMarker'],
  ]);
});

test('examples/container-service: one Docker asset-publishing action beside the tests, the only privileged project', () => {
  const stack = Stack.of(built(containerService).pipeline);
  const shape = PipelineShape.fromStack(stack);
  expect(shape.stages.find(s => s.name === 'Test')!.slots.flatMap(s => s.actions).sort()).toEqual(['DockerAssets', 'SelfMutate', 'UnitTests']);
  const projects = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'));
  expect(projects.filter(p => p.Properties.Environment.PrivilegedMode === true).map(p => String(p.Properties.Description).split('/').pop()))
    .toEqual(['DockerAssets']);
});

test('examples/monorepo: releases on service pushes and tags only, queues executions, gates production on its alarm and the release note', () => {
  const stack = Stack.of(built(monorepo).pipeline);
  const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline')).map(r => r.Properties);
  expect(pipeline.ExecutionMode).toBe('QUEUED');
  expect(pipeline.Triggers).toEqual([{
    ProviderType: 'CodeStarSourceConnection',
    GitConfiguration: {
      SourceActionName: 'acme_monorepo',
      Push: [
        { Branches: { Includes: ['main'] }, FilePaths: { Includes: ['services/api/**', 'libs/**'], Excludes: ['**/*.md'] } },
        { Tags: { Includes: ['api-v*'], Excludes: ['api-v*-rc*'] } },
      ],
    },
  }]);
  expect(pipeline.Variables).toEqual([{ Name: 'RELEASE_NOTE', DefaultValue: 'none', Description: 'Why this release (shown in the build log)' }]);
  const shape = PipelineShape.fromStack(stack);
  expect(shape.stages.find(s => s.name === 'Production')!.conditionRules).toEqual(['CloudWatchAlarm', 'VariableCheck']);
  expect(shape.stages.find(s => s.name === 'Source')!.slots[0].actions).toEqual(['acme_monorepo', 'acme_platform']);
});
