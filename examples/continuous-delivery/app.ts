import { App, Stack } from 'aws-cdk-lib';
import { DeliveryPipeline, PipelineSource } from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV, PRODUCTION_ACCOUNT, PRODUCTION_REGIONS, STAGING_ENV } from '../shared/accounts';
import { ServiceStage, smokeTest } from '../shared/service-stage';

/**
 * Continuous delivery: every change is built, tested, deployed to staging and verified there, then waits for
 * a person to approve production. The approval runs while the staging smoke test does.
 */
export function createApp(app: App): DeliveryPipeline {
  const stack = new Stack(app, 'ContinuousDeliveryPipeline', { env: PIPELINE_ENV });
  const staging = new ServiceStage(app, 'Staging', { env: STAGING_ENV });

  return new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'service-continuous-delivery',
    source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npm run build', 'npx cdk synth'] },
    tests: [
      { name: 'UnitTests', commands: ['npm ci', 'npm test'], junitReportPaths: ['test-reports/junit.xml'] },
    ],
    staging: {
      stage: staging,
      verify: [smokeTest(staging)],
    },
    production: {
      stages: PRODUCTION_REGIONS.map(region =>
        new ServiceStage(app, `Production-${region}`, { env: { account: PRODUCTION_ACCOUNT, region } })),
    },
    requireManualApproval: true,
  });
}
