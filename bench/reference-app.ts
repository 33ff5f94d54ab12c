import * as path from 'node:path';
import { App, CfnOutput, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ChangeReviewPolicy, DeliveryPipeline, DeploymentWindow, PipelineSource } from '../src';

/**
 * The benchmark's reference app: connection source; build; one unit-test step; staging with one smoke test;
 * approval; three production stages in three regions of another account; the app stage has one Lambda asset.
 * Written once with this library and directly with aws-cdk-lib/pipelines, with its defaults and tuned.
 */

const PIPELINE_ENV = { account: '111111111111', region: 'us-east-1' };
const STAGING_ENV = { account: '222222222222', region: 'us-east-1' };
const PRODUCTION = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].map(region => ({ account: '333333333333', region }));
const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d';
const BUILD = ['npm ci', 'npm run build', 'npx cdk synth'];
const UNIT_TESTS = ['npm ci', 'npm test'];
const SMOKE = ['curl --fail "$URL"'];

class ServiceStage extends Stage {
  public readonly url: CfnOutput;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Service');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'examples', 'shared', 'handler')),
      role,
    });
    this.url = new CfnOutput(stack, 'Url', { value: fn.addFunctionUrl().url });
  }
}

/** The production environments: the reference app's three regions, or `count` targets spread over them. */
function production(count?: number): Array<{ id: string; env: { account: string; region: string } }> {
  if (count === undefined) {
    return PRODUCTION.map(env => ({ id: `Production-${env.region}`, env }));
  }
  return Array.from({ length: count }, (_, i) => {
    const env = PRODUCTION[i % PRODUCTION.length];
    return { id: `Production-${i + 1}-${env.region}`, env };
  });
}

/**
 * With cdk-delivery-pipelines.
 *
 * @param productionTargets production Stages (default: the reference app's three regions)
 * @param guarded give production a deployment window and an alarm-gated bake with rollback
 * @param reviewed review production's change sets before they execute (`changeReview`, on by default); false:
 * `ChangeReviewPolicy.disabled()`
 * @param requireManualApproval the release mode (delivery by default)
 */
export function withDeliveryPipeline(app: App, productionTargets?: number, guarded = false, reviewed = true, requireManualApproval = true): Stack {
  const stack = new Stack(app, 'Pipeline', { env: PIPELINE_ENV });
  const staging = new ServiceStage(app, 'Staging', { env: STAGING_ENV });
  new DeliveryPipeline(stack, 'Delivery', {
    source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: BUILD },
    tests: [{ name: 'UnitTests', commands: UNIT_TESTS }],
    staging: { stage: staging, verify: [{ name: 'Smoke', commands: SMOKE, envFromOutputs: { URL: staging.url } }] },
    production: {
      stages: production(productionTargets).map(({ id, env }) => new ServiceStage(app, id, { env })),
      deploymentWindow: guarded ? DeploymentWindow.weekly({ startHour: 9, endHour: 16, timeZone: 'Europe/Berlin' }) : undefined,
      bake: guarded ? {
        alarms: [new cloudwatch.Alarm(stack, 'Errors', {
          alarmName: 'service-errors',
          metric: new cloudwatch.Metric({ namespace: 'Service', metricName: 'Errors' }),
          threshold: 1,
          evaluationPeriods: 1,
        })],
        duration: Duration.minutes(30),
      } : undefined,
    },
    requireManualApproval,
    changeReview: reviewed ? undefined : ChangeReviewPolicy.disabled(),
  });
  return stack;
}

/**
 * CDK Pipelines tuned the way its documentation suggests for a shorter, smaller pipeline: no change sets (one
 * deploy action per stack instead of Prepare + Deploy), one asset-publishing project per asset type instead of one
 * per asset, and a V2 pipeline.
 */
export const CDK_PIPELINES_TUNED: Partial<pipelines.CodePipelineProps> = {
  useChangeSets: false,
  publishAssetsInParallel: false,
  pipelineType: codepipeline.PipelineType.V2,
};

/**
 * Directly with aws-cdk-lib/pipelines: its defaults, or with `tuning` (e.g. CDK_PIPELINES_TUNED).
 * crossAccountKeys is required for the cross-account stages.
 */
export function withCdkPipelines(app: App, productionTargets?: number, tuning: Partial<pipelines.CodePipelineProps> = {}): Stack {
  const stack = new Stack(app, 'Pipeline', { env: PIPELINE_ENV });
  const source = pipelines.CodePipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN });
  const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
    crossAccountKeys: true,
    synth: new pipelines.ShellStep('Synth', { input: source, commands: BUILD }),
    ...tuning,
  });
  const staging = new ServiceStage(app, 'Staging', { env: STAGING_ENV });
  pipeline.addStage(staging, {
    pre: [new pipelines.ShellStep('UnitTests', { input: source, commands: UNIT_TESTS })],
    post: [new pipelines.ShellStep('Smoke', { commands: SMOKE, envFromCfnOutputs: { URL: staging.url } })],
  });
  const productionWave = pipeline.addWave('Production', { pre: [new pipelines.ManualApprovalStep('PromoteToProduction')] });
  for (const { id, env } of production(productionTargets)) {
    productionWave.addStage(new ServiceStage(app, id, { env }));
  }
  pipeline.buildPipeline();
  return stack;
}
