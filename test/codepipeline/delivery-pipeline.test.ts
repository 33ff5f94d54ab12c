import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { ChangeReviewPolicy, DeliveryPipeline, PipelineShape, ReleaseMode } from '../../src';
import { RenderedAction, RenderedStage } from '../../src/private/rendered-pipeline';
import { AppStage, fixture, PIPELINE_ENV, referencePipeline, referenceProps } from '../fixtures/app';
import { renderedStages } from '../fixtures/rendered';

const pipelineStages = renderedStages;

function approvals(stages: RenderedStage[]): Array<{ stage: string; action: RenderedAction }> {
  return stages.flatMap(s => s.actions.filter(a => a.actionTypeId.category === 'Approval').map(action => ({ stage: s.name, action })));
}

/** The approvals a person gives: every approval but the change-set review's `Review`, which its function decides. */
function personApprovals(stages: RenderedStage[]): Array<{ stage: string; action: RenderedAction }> {
  return approvals(stages).filter(a => a.action.name !== 'Review');
}

describe('continuous delivery (requireManualApproval: true, the default)', () => {
  const { f, pipeline } = referencePipeline();
  const stages = pipelineStages(f.stack);

  test('is the default and is recorded on the pipeline as the release-mode tag', () => {
    expect(pipeline.releaseMode).toBe(ReleaseMode.CONTINUOUS_DELIVERY);
    Template.fromStack(f.stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Tags: Match.arrayWith([{ Key: 'release-mode', Value: 'continuous-delivery' }]),
    });
  });

  test('stages are Source, Build, Test, Staging, Production in that order', () => {
    expect(stages.map(s => s.name)).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production']);
    expect(pipeline.stageNames).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production']);
  });

  test('exactly one approval for a person, after the staging deployment and before every production deployment', () => {
    const found = personApprovals(stages);
    expect(found).toHaveLength(1);
    // Besides it, production's change-set review (on by default), which a function decides.
    expect(approvals(stages).filter(a => a.action.name === 'Review').map(a => a.stage)).toEqual(['Production']);
    const [{ stage, action }] = found;
    expect(stage).toBe('Staging');
    const staging = stages.find(s => s.name === 'Staging')!;
    const lastDeploy = Math.max(...staging.actions.filter(a => a.actionTypeId.provider === 'CloudFormation').map(a => a.runOrder));
    expect(action.runOrder).toBeGreaterThan(lastDeploy);
    // Every production deployment is in a later stage.
    const stageIndex = (name: string) => stages.findIndex(s => s.name === name);
    for (const s of stages.filter(st => st.actions.some(a => a.actionTypeId.provider === 'CloudFormation' && st.name.startsWith('Production')))) {
      expect(stageIndex(s.name)).toBeGreaterThan(stageIndex('Staging'));
    }
  });

  test('the approval runs in parallel with the staging verification', () => {
    const staging = stages.find(s => s.name === 'Staging')!;
    const smoke = staging.actions.find(a => a.name === 'Smoke')!;
    const approve = staging.actions.find(a => a.name === 'PromoteToProduction')!;
    expect(approve.runOrder).toBe(smoke.runOrder);
    expect(approve.configuration).toEqual(expect.objectContaining({
      CustomData: expect.stringContaining('Production'),
    }));
  });

  test('is a V2 pipeline with 8 hops for the reference app (staging deploys directly; production prepares, reviews, executes)', () => {
    const shape = PipelineShape.fromStack(f.stack);
    expect(shape.pipelineType).toBe('V2');
    expect(shape.criticalPathHops).toBe(8);
  });

  test('self-mutation and asset publishing run in parallel with the test steps', () => {
    const test = stages.find(s => s.name === 'Test')!;
    expect(test.actions.map(a => [a.name, a.runOrder])).toEqual([['SelfMutate', 1], ['FileAssets', 1], ['UnitTests', 1]]);
  });

  test('production stages deploy in parallel', () => {
    const production = stages.find(s => s.name === 'Production')!;
    const deploys = production.actions.filter(a => a.actionTypeId.provider === 'CloudFormation');
    const byOrder = new Map<number, string[]>();
    deploys.forEach(a => byOrder.set(a.runOrder, [...(byOrder.get(a.runOrder) ?? []), a.name]));
    expect([...byOrder.values()].map(v => v.length)).toEqual([3, 3]);
  });

  test('artifacts are encrypted with a rotating KMS key because stages target other accounts', () => {
    expect(pipeline.crossAccountKeys).toBe(true);
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // One artifact store per region (cross-region deployments), every one encrypted with KMS.
    const stores = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.ArtifactStores as
      Array<{ Region: string; ArtifactStore: { EncryptionKey?: { Type: string } } }>;
    expect(stores.map(s => s.Region).sort()).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    expect(stores.every(s => s.ArtifactStore.EncryptionKey?.Type === 'KMS')).toBe(true);
  });

  test('verification steps read stack outputs as environment variables', () => {
    const staging = stages.find(s => s.name === 'Staging')!;
    const smoke = staging.actions.find(a => a.name === 'Smoke')!;
    const deploy = staging.actions.find(a => a.name.endsWith('Deploy'))!;
    const env = JSON.parse(String(smoke.configuration.EnvironmentVariables)) as Array<{ name: string; value: string }>;
    expect(env).toEqual(expect.arrayContaining([{ name: 'URL', type: 'PLAINTEXT', value: `#{${deploy.namespace}.Url}` }]));
  });

  test('verification steps receive the deploy context: environment, execution id and source revision', () => {
    const staging = stages.find(s => s.name === 'Staging')!;
    const smoke = staging.actions.find(a => a.name === 'Smoke')!;
    const source = stages[0].actions[0];
    const env = JSON.parse(String(smoke.configuration.EnvironmentVariables)) as Array<{ name: string; value: string }>;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'PIPELINE_EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
      { name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: `#{${source.namespace}.CommitId}` },
    ]));
    // The static part lives on the CodeBuild project.
    Template.fromStack(f.stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ EnvironmentVariables: [{ Name: 'DEPLOY_ENVIRONMENT', Type: 'PLAINTEXT', Value: 'Staging' }] }),
      Source: Match.objectLike({ BuildSpec: Match.stringLikeRegexp('curl -f') }),
    });
  });

  test('exposes the CDK Pipelines and CodePipeline escape hatches', () => {
    expect(pipeline.cdkPipeline).toBeInstanceOf(pipelines.CodePipeline);
    expect(pipeline.pipeline).toBeInstanceOf(codepipeline.Pipeline);
    expect(pipeline.pipeline).toBe(pipeline.cdkPipeline.pipeline);
  });
});

describe('continuous deployment (requireManualApproval: false)', () => {
  const { f, pipeline } = referencePipeline({ requireManualApproval: false });
  const stages = pipelineStages(f.stack);

  test('has no approval for a person: the one approval action is production\'s Review, which its function decides', () => {
    expect(pipeline.releaseMode).toBe(ReleaseMode.CONTINUOUS_DEPLOYMENT);
    expect(personApprovals(stages)).toEqual([]);
    expect(approvals(stages).map(a => `${a.stage}/${a.action.name}`)).toEqual(['Production/Review']);
    expect(PipelineShape.fromStack(f.stack).approvals).toBe(1);
  });

  test('without the change-set review there is no approval action anywhere in the pipeline', () => {
    const unreviewed = referencePipeline({ requireManualApproval: false, changeReview: ChangeReviewPolicy.disabled() });
    expect(approvals(pipelineStages(unreviewed.f.stack))).toEqual([]);
    expect(PipelineShape.fromStack(unreviewed.f.stack).approvals).toBe(0);
  });

  test('is tagged continuous-deployment', () => {
    Template.fromStack(f.stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Tags: Match.arrayWith([{ Key: 'release-mode', Value: 'continuous-deployment' }]),
    });
  });

  test('keeps the same stage order and critical path', () => {
    expect(stages.map(s => s.name)).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production']);
    expect(PipelineShape.fromStack(f.stack).criticalPathHops).toBe(8);
  });
});

describe('layout variants', () => {
  test('without test steps there is no Test stage; self-mutation and assets take a second Build slot', () => {
    const { f, pipeline } = referencePipeline({ tests: [] });
    const stages = pipelineStages(f.stack);
    expect(stages.map(s => s.name)).toEqual(['Source', 'Build', 'Staging', 'Production']);
    expect(pipeline.stageNames).toEqual(['Source', 'Build', 'Staging', 'Production']);
    const build = stages.find(s => s.name === 'Build')!;
    expect(build.actions.map(a => [a.name, a.runOrder])).toEqual([['Synth', 1], ['SelfMutate', 2], ['FileAssets', 2]]);
  });

  test('test steps run in parallel with each other and publish JUnit reports', () => {
    const { f } = referencePipeline({
      tests: [
        { name: 'UnitTests', commands: ['npm test'], junitReportPaths: ['reports/junit.xml'] },
        { name: 'Lint', commands: ['npm run lint'], computeType: codebuild.ComputeType.LARGE, secretEnv: { NPM_TOKEN: 'ci/npm-token' } },
      ],
    });
    const test = pipelineStages(f.stack).find(s => s.name === 'Test')!;
    expect(new Set(test.actions.map(a => a.runOrder))).toEqual(new Set([1]));
    const projects = Object.values(Template.fromStack(f.stack).findResources('AWS::CodeBuild::Project'));
    const withCommand = (command: string) => projects.find(p => String(p.Properties.Source.BuildSpec).includes(command))!;
    const unit = withCommand('npm test');
    expect(JSON.parse(unit.Properties.Source.BuildSpec).reports).toEqual({
      junit: { 'files': ['reports/junit.xml'], 'file-format': 'JUNITXML' },
    });
    expect(unit.Properties.Environment.ComputeType).toBe('BUILD_GENERAL1_SMALL');
    const lint = withCommand('npm run lint');
    expect(JSON.parse(lint.Properties.Source.BuildSpec).reports).toBeUndefined();
    expect(lint.Properties.Environment.ComputeType).toBe('BUILD_GENERAL1_LARGE');
    expect(lint.Properties.Environment.EnvironmentVariables).toEqual([{ Name: 'NPM_TOKEN', Type: 'SECRETS_MANAGER', Value: 'ci/npm-token' }]);
  });

  test('ordered production waves become Production-<name> stages, one after the other', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { waves: [{ name: 'canary', stages: [f.production[0]] }, { name: 'rest', stages: f.production.slice(1) }] },
    }));
    const stages = pipelineStages(f.stack);
    expect(stages.map(s => s.name)).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production-canary', 'Production-rest']);
    // Still exactly one approval for a person, in staging, before both waves (each wave has its change-set review).
    expect(personApprovals(stages).map(a => a.stage)).toEqual(['Staging']);
    expect(approvals(stages).filter(a => a.action.name === 'Review').map(a => a.stage)).toEqual(['Production-canary', 'Production-rest']);
  });

  test('useChangeSets: false deploys each stack with one action', () => {
    const { f } = referencePipeline({ useChangeSets: false });
    const shape = PipelineShape.fromStack(f.stack);
    expect(shape.criticalPathHops).toBe(6);
    const staging = pipelineStages(f.stack).find(s => s.name === 'Staging')!;
    expect(staging.actions.filter(a => a.actionTypeId.provider === 'CloudFormation').map(a => a.configuration.ActionMode))
      .toEqual(['CREATE_UPDATE']);
  });

  test('stage names are public even when the user names a Stage like a pipeline stage', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const staging = new AppStage(app, 'Production', { env: { account: '222222222222', region: 'us-east-1' } });
    const prod = new AppStage(app, 'Staging', { env: { account: '333333333333', region: 'us-east-1' } });
    new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production: [prod] }));
    expect(pipelineStages(stack).map(s => s.name)).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production']);
  });
});

describe('approval details', () => {
  test('comment, review URL, topic and timeout reach the approval action', () => {
    const f = fixture();
    const topic = new sns.Topic(f.stack, 'Approvers');
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      approval: { comment: 'Check the dashboard', reviewUrl: 'https://example.com/dash', notificationTopic: topic, timeout: Duration.hours(4) },
    }));
    const [{ action }] = approvals(pipelineStages(f.stack));
    expect(action.configuration).toEqual({
      CustomData: 'Check the dashboard',
      ExternalEntityLink: 'https://example.com/dash',
      NotificationArn: { Ref: expect.stringMatching(/^Approvers/) },
    });
    expect(action.timeoutInMinutes).toBe(240);
  });
});

describe('cross-account keys', () => {
  test('are off when every stage deploys to the pipeline account', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const staging = new AppStage(app, 'Staging', { env: { account: '111111111111', region: 'us-west-2' } });
    const prod = new AppStage(app, 'Prod', { env: PIPELINE_ENV });
    const pipeline = new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production: [prod] }));
    expect(pipeline.crossAccountKeys).toBe(false);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });

  test('can be forced on', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const staging = new AppStage(app, 'Staging', { env: { account: '111111111111', region: 'us-west-2' } });
    const prod = new AppStage(app, 'Prod', { env: PIPELINE_ENV });
    new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production: [prod] }, { crossAccountKeys: true }));
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});
