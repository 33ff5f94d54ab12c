import { App, Environment, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeliveryPipeline, PipelineSource, PreviewAccess, PullRequestChecks } from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV, PRODUCTION_ACCOUNT, PRODUCTION_REGIONS, STAGING_ENV } from '../shared/accounts';
import { ServiceStage, smokeTest } from '../shared/service-stage';

/**
 * Previews live in an account of their own: never the pipeline's, staging's or production's (a synth-time error),
 * because they run pull requests' unreviewed code with whatever the preview account's CDK bootstrap execution role
 * may do there.
 */
export const PREVIEW_ENV = { account: '444444444444', region: 'us-west-2' };

/**
 * Continuous integration before the pipeline: every pull request against `main` runs the pipeline's own build and
 * tests and shows each result on the pull request; trusted authors' pull requests also get a preview of staging,
 * destroyed when the pull request is closed or merged, or after three idle days.
 */
export function createApp(app: App): PullRequestChecks {
  const stack = new Stack(app, 'PullRequestPreviewsPipeline', { env: PIPELINE_ENV });
  const staging = new ServiceStage(app, 'Staging', { env: STAGING_ENV });

  const delivery = new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'service-pull-request-previews',
    source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npm run build', 'npx cdk synth'] },
    tests: [
      { name: 'UnitTests', commands: ['npm ci', 'npm test'], junitReportPaths: ['test-reports/junit.xml'] },
      { name: 'Lint', commands: ['npm ci', 'npm run lint'] },
    ],
    staging: { stage: staging, verify: [smokeTest(staging)] },
    production: {
      stages: PRODUCTION_REGIONS.map(region =>
        new ServiceStage(app, `Production-${region}`, { env: { account: PRODUCTION_ACCOUNT, region } })),
    },
  });

  const checks = new PullRequestChecks(stack, 'PullRequests', {
    pipeline: delivery,
    previews: {
      ...PREVIEW_ENV,
      // The staging Stage's class, for the preview account and region.
      stage: { createStage: (scope: Construct, id: string, env: Environment) => new ServiceStage(scope, id, { env }) },
      // GitHub user ids of the team (https://api.github.com/users/<login> shows them).
      trustedAuthors: ['1024025', '583231'],
    },
  });

  // Deployed once in the preview account and region, like `cdk bootstrap`.
  const access = new Stack(app, 'PreviewAccess', { env: PREVIEW_ENV });
  new PreviewAccess(access, 'Access', { pipelineAccount: PIPELINE_ENV.account, pipelineRegion: PIPELINE_ENV.region });
  return checks;
}
