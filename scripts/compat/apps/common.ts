import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DeliveryPipelineProps, PipelineSource, ProductionOptions } from '../../../src';

/**
 * What the feature apps share: accounts, a one-stack Stage and the props every pipeline needs. The apps import
 * the library from `../../../src` (type-checked and linted with the repository); `npm run cdk-compat` copies them
 * and imports the packed library instead.
 */
export const PIPELINE_ENV = { account: '111111111111', region: 'us-east-1' };
export const STAGING_ENV = { account: '222222222222', region: 'us-east-1' };
export const PRODUCTION_ACCOUNT = '333333333333';

/** An application of one stack with one parameter: enough for a deployment, no asset, no cdk-nag finding. */
export class ParameterStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    new ssm.StringParameter(new Stack(this, 'Service'), 'Version', { stringValue: id });
  }
}

/** An encrypted topic that accepts only TLS (what cdk-nag asks of a topic). */
export function topic(scope: Construct, id: string): sns.Topic {
  return new sns.Topic(scope, id, { masterKey: new kms.Key(scope, `${id}Key`, { enableKeyRotation: true }), enforceSSL: true });
}

export function production(app: App, region: string): ParameterStage {
  return new ParameterStage(app, `Production-${region}`, { env: { account: PRODUCTION_ACCOUNT, region } });
}

/**
 * The pipeline stack and the props of a small pipeline: source, synth, one test, staging, and `productionOptions`
 * (by default one production Stage in us-east-1).
 */
export function basics(app: App, name: string, productionOptions?: ProductionOptions): { stack: Stack; props: DeliveryPipelineProps } {
  const stack = new Stack(app, `${name}Pipeline`, { env: PIPELINE_ENV });
  return {
    stack,
    props: {
      pipelineName: `compat-${name.toLowerCase()}`,
      source: PipelineSource.connection('acme/service', 'main', {
        connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      }),
      synth: { commands: ['npm ci', 'npx cdk synth'] },
      tests: [{ name: 'UnitTests', commands: ['npm ci', 'npm test'] }],
      staging: { stage: new ParameterStage(app, 'Staging', { env: STAGING_ENV }) },
      production: productionOptions ?? { stages: [production(app, 'us-east-1')] },
    },
  };
}
