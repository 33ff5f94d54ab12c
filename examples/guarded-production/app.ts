import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  BakeFailureAction, ChangeReviewPolicy, DeliveryPipeline, DeploymentWindow, NotificationTarget, PipelineEvent, PipelineSource, ReleaseAlarm,
  SecurityCheck, VerificationStepOptions,
} from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV, PRODUCTION_ACCOUNT, PRODUCTION_REGIONS, STAGING_ENV } from '../shared/accounts';
import { acknowledge } from '../shared/acknowledge';
import { hardenedKey } from '../shared/keys';
import { ServiceStage, smokeTest } from '../shared/service-stage';

/**
 * The release alarm of one production region, declared once: the Lambda errors of the region's function. The
 * pipeline's bake reads its copy in the pipeline account (through CloudWatch cross-account observability), CodeDeploy's
 * canary the copy inside the production Stage.
 */
function productionErrors(region: string): ReleaseAlarm {
  return new ReleaseAlarm({
    alarmName: `service-errors-${region}`,
    account: PRODUCTION_ACCOUNT,
    region,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensionsMap: { FunctionName: `service-production-${region}` },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
    }),
    threshold: 1,
    evaluationPeriods: 3,
  });
}

/**
 * The bake's copies of the release alarms, in the pipeline account (the CodePipeline CloudWatchAlarm rule reads
 * alarms with the pipeline's role). One stack per production region, deployed with the pipeline stack.
 */
class ReleaseAlarmsStack extends Stack {
  public readonly errors: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: StackProps & { readonly alarm: ReleaseAlarm }) {
    super(scope, id, props);
    this.errors = props.alarm.alarmIn(this);
    acknowledge(this.errors, 'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
      'A release gate: the pipeline\'s bake rule reads this alarm and rolls the release back; paging on errors is the service\'s own alarms\' job.');
  }
}

/** A deploy marker for the error tracker (Sentry-style), with its token from Secrets Manager. */
function deployMarker(name: string): VerificationStepOptions {
  return {
    name,
    commands: [
      'curl --fail -X POST "https://sentry.example.com/api/0/organizations/acme/releases/$SOURCE_REVISION/deploys/"'
        + ' -H "Authorization: Bearer $SENTRY_AUTH_TOKEN" -H "Content-Type: application/json"'
        + ' -d "{\\"environment\\": \\"$DEPLOY_ENVIRONMENT\\", \\"name\\": \\"$PIPELINE_EXECUTION_ID\\"}"',
    ],
    secretEnv: { SENTRY_AUTH_TOKEN: 'release/sentry-token' },
  };
}

/**
 * Continuous deployment with guard rails: the DPRA security checks beside the unit tests, a gated database
 * migration, a deployment window, every production change set reviewed before it executes (a stateful resource replaced
 * or deleted, or permissions broadened, wait for a person; safe changes flow), alarm-gated bake with automatic rollback
 * in two production waves, deploy markers, and notifications to a topic and e-mail.
 */
export function createApp(app: App): DeliveryPipeline {
  const stack = new Stack(app, 'GuardedProductionPipeline', { env: PIPELINE_ENV });
  const staging = new ServiceStage(app, 'Staging', { env: STAGING_ENV });
  // Each production region's alarm, declared once and read by both layers: CodeDeploy's canary inside the Stage,
  // and the wave's bake after it.
  const releaseAlarms = new Map(PRODUCTION_REGIONS.map(region => [region, productionErrors(region)]));
  const releaseAlarm = (region: string) => releaseAlarms.get(region)!;
  const production = (region: string) => new ServiceStage(app, `Production-${region}`, {
    env: { account: PRODUCTION_ACCOUNT, region },
    progressive: { functionName: `service-production-${region}`, alarm: releaseAlarm(region) },
  });
  const alarms = (region: string) => new ReleaseAlarmsStack(app, `ReleaseAlarms-${region}`, {
    env: { account: PIPELINE_ENV.account, region },
    alarm: releaseAlarm(region),
  }).errors;

  const onCall = new sns.Topic(stack, 'OnCall', {
    masterKey: hardenedKey(stack, 'OnCallKey', 'Encrypts the on-call topic'),
    enforceSSL: true,
  });

  return new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'service-guarded-production',
    source: PipelineSource.connection('acme/service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npm run build', 'npx cdk synth'] },
    tests: [{ name: 'UnitTests', commands: ['npm ci', 'npm test'], junitReportPaths: ['test-reports/junit.xml'] }],
    // No person between a commit and production: secrets, code and dependencies are checked on every change.
    securityChecks: [
      SecurityCheck.secretsDetection(),
      SecurityCheck.staticAnalysis(),
      SecurityCheck.dependencyScan(),
      SecurityCheck.sbom(),
    ],
    requireManualApproval: false,
    // Every production change set is reviewed before it executes: a table or bucket replaced or deleted, or permissions
    // broadened, hold the release for a person with a summary sent to on-call; every other change flows.
    changeReview: ChangeReviewPolicy.defaults(),
    approval: { notificationTopic: onCall },
    staging: {
      stage: staging,
      migrations: [{ name: 'MigrateStagingDatabase', commands: ['npm ci', 'npm run migrate'], requireManualApproval: false }],
      verify: [smokeTest(staging)],
    },
    production: {
      // Production is only entered Monday to Thursday, 09:00-16:59 Berlin time.
      deploymentWindow: DeploymentWindow.weekly({ startHour: 9, endHour: 16, days: 'MON-THU', timeZone: 'Europe/Berlin' }),
      waves: [
        {
          name: 'canary',
          stages: [production('us-east-1')],
          // A person approves the schema change, even though every other change flows automatically.
          migrations: [{ name: 'MigrateDatabase', commands: ['npm ci', 'npm run migrate'] }],
          bake: { alarms: [alarms('us-east-1')], duration: Duration.minutes(30), onFailure: BakeFailureAction.ROLLBACK },
          verify: [deployMarker('CanaryDeployMarker')],
        },
        {
          name: 'global',
          stages: [production('eu-west-1'), production('ap-southeast-2')],
          bake: { alarms: [alarms('eu-west-1'), alarms('ap-southeast-2')], duration: Duration.minutes(60) },
          verify: [deployMarker('GlobalDeployMarker')],
        },
      ],
    },
    notifications: {
      events: [PipelineEvent.EXECUTION_FAILED, PipelineEvent.APPROVAL_NEEDED, PipelineEvent.PRODUCTION_SUCCEEDED],
      targets: [NotificationTarget.topic(onCall), NotificationTarget.email('release-team@example.com')],
    },
  });
}
