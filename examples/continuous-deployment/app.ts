import { App, Stack } from 'aws-cdk-lib';
import { DeliveryPipeline, PipelineSource } from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV, PRODUCTION_ACCOUNT, STAGING_ENV } from '../shared/accounts';
import { ServiceStage, smokeTest } from '../shared/service-stage';

/**
 * Continuous deployment: no person in the path. Unit tests and linting run in parallel, staging is verified by
 * a smoke test, and every passing change reaches production: first a canary region, then the rest in parallel.
 * Each stack deploys with one action (no separate change-set step) to keep the path short.
 */
export function createApp(app: App): DeliveryPipeline {
  const stack = new Stack(app, 'ContinuousDeploymentPipeline', { env: PIPELINE_ENV });
  const staging = new ServiceStage(app, 'Staging', { env: STAGING_ENV });
  const production = (region: string) =>
    new ServiceStage(app, `Production-${region}`, { env: { account: PRODUCTION_ACCOUNT, region } });

  return new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'service-continuous-deployment',
    source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npm run build', 'npx cdk synth'] },
    tests: [
      { name: 'UnitTests', commands: ['npm ci', 'npm test'], junitReportPaths: ['test-reports/junit.xml'] },
      { name: 'Lint', commands: ['npm ci', 'npm run lint'] },
    ],
    staging: {
      stage: staging,
      verify: [smokeTest(staging)],
    },
    production: {
      waves: [
        { name: 'canary', stages: [production('us-east-1')] },
        { name: 'global', stages: [production('eu-west-1'), production('ap-southeast-2')] },
      ],
    },
    requireManualApproval: false,
    useChangeSets: false,
  });
}
