import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { DeliveryPipeline } from '../../src';
import { AppStage, CONNECTION_ARN, fixture, PIPELINE_ENV, referenceProps } from '../fixtures/app';
import { renderedStages, stageNamed } from '../fixtures/rendered';

/**
 * The behaviour of aws-cdk-lib's CDK Pipelines that the layout relies on (docs/architecture.md, "What we rely
 * on"). Each test fails when that behaviour changes, before users see a broken pipeline.
 */

/** An L2 pipeline that records the stage names CDK Pipelines asks for. */
class RecordingPipeline extends codepipeline.Pipeline {
  public readonly requested: string[] = [];

  public addStage(props: codepipeline.StageOptions): codepipeline.IStage {
    this.requested.push(props.stageName);
    return super.addStage(props);
  }
}

class SmallStage extends Stage {
  constructor(scope: Construct, id: string, stacks = 1) {
    super(scope, id, { env: { account: '333333333333', region: 'us-east-1' } });
    for (let i = 0; i < stacks; i++) {
      new ssm.StringParameter(new Stack(this, `S${i}`), 'P', { stringValue: id });
    }
  }
}

function cdkPipeline(build: (p: pipelines.CodePipeline, app: App) => void): { recorder: RecordingPipeline; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  const recorder = new RecordingPipeline(stack, 'L2', { pipelineType: codepipeline.PipelineType.V2 });
  const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
    codePipeline: recorder,
    publishAssetsInParallel: false,
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection('acme/app', 'main', { connectionArn: CONNECTION_ARN }),
      commands: ['npx cdk synth'],
    }),
  });
  build(pipeline, app);
  pipeline.buildPipeline();
  return { recorder, stack };
}

describe('CDK Pipelines behaviour the layout relies on', () => {
  test('stages are requested in a fixed order: Source, Build, UpdatePipeline, Assets, then one per wave', () => {
    const { recorder } = cdkPipeline((p, app) => {
      const staging = new AppStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } });
      p.addWave('Tests', { pre: [new pipelines.ShellStep('Unit', { commands: ['npm test'] })] });
      p.addWave('StagingWave').addStage(staging);
      const many = p.addWave('Many');
      many.addStage(new SmallStage(app, 'A'));
      many.addStage(new SmallStage(app, 'B'));
    });
    // A wave of one Stage is named after the Stage; a wave of several after the wave.
    expect(recorder.requested).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Tests', 'Staging', 'Many']);
  });

  test('a stage of more than 50 actions is split into <name>.1, <name>.2 (which the layout prevents)', () => {
    const { recorder } = cdkPipeline((p, app) => {
      const wave = p.addWave('Big');
      for (let i = 0; i < 26; i++) {
        wave.addStage(new SmallStage(app, `T${i}`));
      }
    });
    expect(recorder.requested.slice(3)).toEqual(['Big.1', 'Big.2']);
  });

  test('self-mutation carries _PROJECT_CONFIG_HASH; a step in a later wave does not (the layout adds it to the folded ones)', () => {
    const { stack } = cdkPipeline(p => {
      p.addWave('Tests', { pre: [new pipelines.CodeBuildStep('Unit', { commands: ['npm test'] })] });
    });
    const actions = renderedStages(stack).flatMap(s => s.actions);
    const env = (name: string) => JSON.stringify(actions.find(a => a.name === name)?.configuration.EnvironmentVariables ?? '');
    expect(env('SelfMutate')).toContain('_PROJECT_CONFIG_HASH');
    expect(env('Synth')).toContain('_PROJECT_CONFIG_HASH');
    expect(env('Unit')).not.toContain('_PROJECT_CONFIG_HASH');
  });

  test('with one publisher per asset type, the asset project reads its buildspec from the cloud assembly', () => {
    // So a new asset (a code change) changes no project and no pipeline definition: no restart per commit.
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f));
    const projects = Template.fromStack(f.stack).findResources('AWS::CodeBuild::Project');
    const assets = Object.values(projects).filter(p => String(p.Properties.Description).endsWith('/FileAssets'));
    expect(assets).toHaveLength(1);
    expect(assets[0].Properties.Source.BuildSpec).toMatch(/^buildspec-[0-9a-f]+-FileAsset\.yaml$/);
  });

  test('a change to the application\'s code leaves the pipeline definition unchanged', () => {
    const definition = (handlerDir: string) => {
      const app = new App();
      const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
      const stage = (id: string, env: { account: string; region: string }) => {
        const s = new Stage(app, id, { env });
        new lambda.Function(new Stack(s, 'Api'), 'Fn', {
          runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromAsset(handlerDir),
        });
        return s;
      };
      const props = referenceProps(fixture(), {});
      new DeliveryPipeline(stack, 'Delivery', {
        ...props,
        staging: { stage: stage('Staging', { account: '222222222222', region: 'us-east-1' }) },
        production: { stages: [stage('Prod', { account: '333333333333', region: 'us-east-1' })] },
      });
      const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'));
      return resource.Properties;
    };
    const a = definition(path.join(__dirname, '..', 'fixtures', 'handler'));
    const b = definition(path.join(__dirname, '..', '..', 'examples', 'shared', 'handler'));
    expect(b).toEqual(a);
  });

  test('ConfirmPermissionsBroadening renders <id>.Check (CodeBuild) and <id>.Confirm (approval)', () => {
    const { stack } = cdkPipeline((p, app) => {
      const stage = new SmallStage(app, 'Prod');
      p.addStage(stage, { pre: [new pipelines.ConfirmPermissionsBroadening('CheckPermissions-Prod', { stage })] });
    });
    const prod = stageNamed(renderedStages(stack), 'Prod');
    expect(prod.actions.filter(a => a.name.startsWith('CheckPermissions-Prod.')).map(a => [a.name, a.actionTypeId.category]))
      .toEqual([['CheckPermissions-Prod.Check', 'Build'], ['CheckPermissions-Prod.Confirm', 'Approval']]);
  });
});
