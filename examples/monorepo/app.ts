import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { DeliveryPipeline, GateRule, PipelineSource, ReleaseTrigger, VariableCheckOperator } from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV, PRODUCTION_ACCOUNT, STAGING_ENV } from '../shared/accounts';
import { acknowledge } from '../shared/acknowledge';
import { ServiceStage, smokeTest } from '../shared/service-stage';

/**
 * One service of a monorepo, released on its own: the pipeline starts on pushes to main that change the service
 * or the libraries it shares (not on documentation), and on the service's release tags. Executions queue (none is
 * superseded), a pipeline variable carries a release note to the build, the platform team's infrastructure
 * repository is checked out beside the app, and production is not entered while its error alarm is firing.
 */
export function createApp(app: App): DeliveryPipeline {
  const stack = new Stack(app, 'MonorepoPipeline', { env: PIPELINE_ENV });
  const staging = new ServiceStage(app, 'Staging', { env: STAGING_ENV });
  const production = new ServiceStage(app, 'Production', { env: { account: PRODUCTION_ACCOUNT, region: 'us-east-1' } });
  // The production service's error alarm, in the pipeline's account (e.g. through CloudWatch cross-account observability).
  const productionErrors = new cloudwatch.Alarm(stack, 'ProductionErrors', {
    alarmName: 'api-production-errors',
    metric: new cloudwatch.Metric({ namespace: 'Api', metricName: 'Errors' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  acknowledge(productionErrors, 'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
    'A release gate: the pipeline\'s beforeEntry rule reads this alarm; paging on errors is the service\'s own alarms\' job.');

  return new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'api-monorepo',
    source: PipelineSource.connection('acme/monorepo', 'main', {
      connectionArn: CONNECTION_ARN,
      triggers: [
        ReleaseTrigger.onPush({ includes: ['services/api/**', 'libs/**'], excludes: ['**/*.md'] }),
        ReleaseTrigger.onTag({ includes: ['api-v*'], excludes: ['api-v*-rc*'] }),
      ],
    }),
    additionalSources: [{ directory: 'platform', source: PipelineSource.connection('acme/platform', 'main', { connectionArn: CONNECTION_ARN }) }],
    executionMode: codepipeline.ExecutionMode.QUEUED,
    variables: [{ name: 'RELEASE_NOTE', defaultValue: 'none', description: 'Why this release (shown in the build log)' }],
    synth: {
      commands: ['cd services/api', 'npm ci', 'npm run build', 'npx cdk synth'],
      primaryOutputDirectory: 'services/api/cdk.out',
      env: { RELEASE_NOTE: '#{variables.RELEASE_NOTE}' },
    },
    tests: [{ name: 'UnitTests', commands: ['cd services/api', 'npm ci', 'npm test'] }],
    staging: { stage: staging, verify: [smokeTest(staging)] },
    production: {
      stages: [production],
      gates: [
        GateRule.noAlarm(productionErrors),
        GateRule.variableCheck('#{variables.RELEASE_NOTE}', VariableCheckOperator.NOT_EQUALS, 'hold'),
      ],
    },
  });
}
