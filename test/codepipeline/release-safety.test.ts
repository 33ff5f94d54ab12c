import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BakeFailureAction, DeliveryPipeline, DeliveryPipelineProps, DeploymentWindow, NotificationTarget, PipelineShape } from '../../src';
import { REVIEW_ACTION } from '../../src/blueprint/release-model';
import { RenderedStage } from '../../src/private/rendered-pipeline';
import { fixture, Fixture, referenceProps } from '../fixtures/app';
import { withCloudFormationValidation } from '../fixtures/cloudformation-validation';
import { renderedStages } from '../fixtures/rendered';

function build(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>): { f: Fixture; stages: RenderedStage[]; pipeline: DeliveryPipeline } {
  const f = fixture();
  const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
  return { f, stages: renderedStages(f.stack), pipeline };
}

const slots = (stage: RenderedStage) => stage.actions
  .map(a => [a.name, a.runOrder] as [string, number])
  .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
/**
 * The approvals of the release (a person's), without the change-set review's `Review` approvals: those are on by default
 * wherever change sets are used, decided by the review function, and tested in change-review.test.ts.
 */
const approvalsIn = (stages: RenderedStage[]) => stages.flatMap(s => s.actions
  .filter(a => a.actionTypeId.category === 'Approval' && a.name !== REVIEW_ACTION).map(a => `${s.name}/${a.name}@${a.runOrder}`));
const twoWaves = (f: Fixture) => [{ name: 'canary', stages: [f.production[0]] }, { name: 'rest', stages: f.production.slice(1) }];

describe('per-environment approval overrides', () => {
  test('continuous deployment with one gated wave: only that wave has an approval, before its deployments', () => {
    const { stages } = build(f => ({
      requireManualApproval: false,
      production: { waves: [{ name: 'canary', stages: [f.production[0]] }, { name: 'rest', stages: f.production.slice(1), requireManualApproval: true }] },
    }));
    expect(approvalsIn(stages)).toEqual(['Production-rest/Approve@1']);
    const rest = stages.find(s => s.name === 'Production-rest')!;
    expect(Math.min(...rest.actions.filter(a => a.actionTypeId.provider === 'CloudFormation').map(a => a.runOrder))).toBe(2);
  });

  test('continuous delivery with the canary let through: the one approval moves to the next wave', () => {
    const { stages, pipeline } = build(f => ({
      production: { waves: [{ name: 'canary', stages: [f.production[0]], requireManualApproval: false }, { name: 'rest', stages: f.production.slice(1) }] },
    }));
    expect(pipeline.releaseMode).toBe('continuous-delivery');
    expect(approvalsIn(stages)).toEqual(['Production-rest/Approve@1']);
  });

  test('staging can require its own approval', () => {
    const { stages } = build(f => ({
      requireManualApproval: false,
      staging: { stage: f.staging, requireManualApproval: true },
    }));
    expect(approvalsIn(stages)).toEqual(['Staging/Approve@1']);
  });

  test('the whole production phase can opt out under continuous delivery', () => {
    const { stages } = build(f => ({ production: { stages: f.production, requireManualApproval: false } }));
    expect(approvalsIn(stages)).toEqual([]);
  });

  test('the approval comment names what it gates', () => {
    const { stages } = build(f => ({ requireManualApproval: false, production: { waves: [{ name: 'eu', stages: f.production, requireManualApproval: true }] } }));
    const approve = stages.find(s => s.name === 'Production-eu')!.actions.find(a => a.name === 'Approve')!;
    // The only production wave follows staging, so its gate runs beside the staging verification instead.
    expect(approve).toBeUndefined();
    const promote = stages.find(s => s.name === 'Staging')!.actions.find(a => a.name === 'PromoteToProduction')!;
    expect(promote.configuration.CustomData).toBe('Approve the deployment to Production-eu. It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}');
  });
});

describe('database migrations', () => {
  test('under continuous deployment a migration gets its own approval; it runs before the stacks deploy', () => {
    const { stages } = build(f => ({
      requireManualApproval: false,
      production: { waves: [{ name: 'canary', stages: [f.production[0]] }, { name: 'rest', stages: f.production.slice(1), migrations: [{ name: 'Migrate', commands: ['npm run migrate'] }] }] },
    }));
    const rest = stages.find(s => s.name === 'Production-rest')!;
    expect(slots(rest).slice(0, 2)).toEqual([['Approve', 1], ['Migrate', 2]]);
    const firstDeploy = Math.min(...rest.actions.filter(a => a.actionTypeId.provider === 'CloudFormation').map(a => a.runOrder));
    expect(firstDeploy).toBe(3);
    expect(rest.actions.find(a => a.name === 'Approve')!.configuration.CustomData)
      .toBe('Approve the migration(s) Migrate before they run in Production-rest. It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}');
  });

  test('a migration right after staging is approved beside the staging verification (no extra hop)', () => {
    const plain = build(() => ({ requireManualApproval: false }));
    const migrated = build(f => ({
      requireManualApproval: false,
      production: { stages: f.production, migrations: [{ name: 'Migrate', commands: ['npm run migrate'] }] },
    }));
    expect(approvalsIn(migrated.stages)).toEqual(['Staging/PromoteToProduction@2']);
    expect(slots(migrated.stages.find(s => s.name === 'Production')!)[0]).toEqual(['Migrate', 1]);
    // The migration itself is one hop; its approval runs beside the smoke test.
    expect(PipelineShape.fromStack(migrated.f.stack).criticalPathHops).toBe(PipelineShape.fromStack(plain.f.stack).criticalPathHops + 1);
  });

  test('under continuous delivery the production approval also covers the migration', () => {
    const { stages } = build(f => ({ production: { stages: f.production, migrations: [{ name: 'Migrate', commands: ['npm run migrate'] }] } }));
    expect(approvalsIn(stages)).toEqual(['Staging/PromoteToProduction@2']);
    expect(stages.find(s => s.name === 'Staging')!.actions.find(a => a.name === 'PromoteToProduction')!.configuration.CustomData)
      .toBe('Approve the release to Production. Staging is deployed; its verification runs in parallel with this approval. Approving also lets the migration(s) Migrate run before Production deploys. It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}');
  });

  test('a migration can opt out of its approval', () => {
    const { stages } = build(f => ({
      requireManualApproval: false,
      production: { stages: f.production, migrations: [{ name: 'Migrate', commands: ['x'], requireManualApproval: false }] },
    }));
    expect(approvalsIn(stages)).toEqual([]);
  });

  test('a migration runs in a VPC with security groups and reads secrets from Secrets Manager', () => {
    const { f } = build(fx => {
      const vpc = new ec2.Vpc(fx.stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      const sg = new ec2.SecurityGroup(fx.stack, 'DbClients', { vpc });
      return {
        production: {
          stages: fx.production,
          migrations: [{ name: 'Migrate', commands: ['npm run migrate'], vpc, securityGroups: [sg], secretEnv: { DB_PASSWORD: 'prod/db:password' } }],
        },
      };
    });
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      VpcConfig: Match.objectLike({ SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DbClients'), 'GroupId'] }] }),
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([
          { Name: 'DB_PASSWORD', Type: 'SECRETS_MANAGER', Value: 'prod/db:password' },
          { Name: 'DEPLOY_ENVIRONMENT', Type: 'PLAINTEXT', Value: 'Production' },
        ]),
      }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue' })]) },
    });
  });

  test.each([
    [(f: Fixture) => ({ production: { stages: f.production, migrations: [{ name: 'Migrate', commands: [] }] } }),
      "production.migrations[0].commands (step 'Migrate'): [] has no command to run. Give the migration the commands that run it, e.g. ['npm run migrate']."],
    [(f: Fixture) => ({ production: { stages: f.production, migrations: [{ name: 'Migrate', commands: ['x'], subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }] } }),
      "production.migrations[0].subnetSelection: subnets are set but 'vpc' is not. Pass the VPC the subnets belong to."],
    [(f: Fixture) => ({ production: { stages: f.production, migrations: [{ name: 'Migrate', commands: ['x'], securityGroups: [] }] } }),
      "production.migrations[0].securityGroups: security groups are set but 'vpc' is not. Pass the VPC to run the migration in."],
    [(f: Fixture) => ({ staging: { stage: f.staging, migrations: [{ name: 'UnitTests', commands: ['x'] }] } }),
      "staging.migrations[0].name: the step name 'UnitTests' is already used by tests[0].name. Give every test and verification step a unique name."],
    [(f: Fixture) => ({ production: { waves: twoWaves(f), migrations: [{ name: 'Migrate', commands: ['x'] }] } }),
      "production.migrations: set it on each wave in 'production.waves' (at the production level only 'deploymentWindow', 'gates', 'useChangeSets', 'changeReview' and 'bake' apply to every wave)."],
    [(f: Fixture) => ({ production: { waves: twoWaves(f), requireManualApproval: true } }),
      "production.requireManualApproval: set it on each wave in 'production.waves' (at the production level only 'deploymentWindow', 'gates', 'useChangeSets', 'changeReview' and 'bake' apply to every wave)."],
  ])('rejects bad migration settings with a clear message (%#)', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe('approval details', () => {
  test('e-mail addresses get a topic that the approval notifies', () => {
    const { f, stages } = build(() => ({ approval: { notifyEmails: ['release@example.com'] } }));
    const [promote] = stages.find(s => s.name === 'Staging')!.actions.filter(a => a.name === 'PromoteToProduction');
    expect(promote.configuration.NotificationArn).toEqual({ Ref: expect.any(String) });
    Template.fromStack(f.stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'release@example.com' });
  });

  test('auto-approve unless permissions broaden: a security diff per gated Stage beside the staging verification', () => {
    const f = fixture();
    const topic = new sns.Topic(f.stack, 'Security');
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { stages: [f.production[0]] },
      approval: { autoApproveUnlessPermissionsBroaden: true, notificationTopic: topic },
    }));
    const shape = PipelineShape.fromStack(f.stack);
    const staging = shape.stages.find(s => s.name === 'Staging')!;
    // Staging deploys directly (one slot), then the check beside the smoke test, then the confirmation.
    expect(staging.slots.slice(1).map(s => [s.actions, s.approvals])).toEqual([
      [['CheckPermissions-Prod-us-east-1.Check', 'Smoke'], 0],
      [['CheckPermissions-Prod-us-east-1.Confirm'], 1],
    ]);
    // The permission check's approval, and production's change-set review.
    expect(shape.approvals).toBe(2);
    expect(JSON.stringify(Template.fromStack(f.stack).toJSON())).toContain('cdk diff');
    // Deprecated: the synth warns and says what replaces it.
    Annotations.fromStack(f.stack).hasWarning('/PipelineStack/Delivery', Match.stringLikeRegexp(
      '^approval.autoApproveUnlessPermissionsBroaden is deprecated: .* set requireManualApproval: false and remove autoApproveUnlessPermissionsBroaden\\. \\[ack: cdk-delivery-pipelines:auto-approve-deprecated\\]$'));
  });

  test('what replaces it: continuous deployment with the default review, with no permission check and no deprecation warning', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { requireManualApproval: false }));
    expect(JSON.stringify(Template.fromStack(f.stack).toJSON())).not.toContain('cdk diff');
    expect(Annotations.fromStack(f.stack).findWarning('*', Match.stringLikeRegexp('autoApproveUnlessPermissionsBroaden'))).toEqual([]);
    // The one approval action is production's Review, whose function holds a release whose permissions broaden.
    expect(PipelineShape.fromStack(f.stack).approvals).toBe(1);
  });

  test.each([
    [{ timeout: Duration.minutes(2) }, 'approval.timeout: 2 minutes is outside what CodePipeline allows for a manual approval. Use whole minutes from Duration.minutes(5) to Duration.days(60).'],
    [{ timeout: Duration.days(61) }, 'approval.timeout: 61 days is outside what CodePipeline allows for a manual approval. Use whole minutes from Duration.minutes(5) to Duration.days(60).'],
    [{ notifyEmails: ['not-an-address'] }, "approval.notifyEmails: 'not-an-address' is not an e-mail address. Use addresses such as 'release-managers@example.com'."],
    [{ reviewUrl: 'dashboards/staging' }, "approval.reviewUrl: 'dashboards/staging' is not an http(s) URL. Use the full address of the page to review, e.g. 'https://dashboards.example.com/staging'."],
    [{ autoApproveUnlessPermissionsBroaden: true, comment: 'x', timeout: Duration.hours(1) },
      "approval: comment, timeout cannot be combined with autoApproveUnlessPermissionsBroaden, whose approval is created by CDK Pipelines' ConfirmPermissionsBroadening (it supports only notificationTopic). Remove comment, timeout or the automatic approval."],
  ])('rejects bad approval settings (%#)', (approval, message) => {
    expect(() => build(() => ({ approval }))).toThrow(message);
  });
});

describe('deployment windows', () => {
  const window = DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Berlin');
  const windowCondition = (stageName: string) => ({
    conditions: [{
      result: 'FAIL',
      rules: [{
        name: `${stageName}-DeploymentWindow`,
        ruleTypeId: { category: 'Rule', owner: 'AWS', provider: 'DeploymentWindow', version: '1' },
        configuration: { Cron: '* * 9-16 ? * MON-THU', TimeZone: 'Europe/Berlin' },
        inputArtifacts: [],
      }],
    }],
  });

  test('a production environment can only be entered inside the window (beforeEntry, DeploymentWindow rule)', () => {
    const { stages } = build(f => ({ production: { stages: f.production, deploymentWindow: window } }));
    expect(stages.find(s => s.name === 'Production')!.beforeEntry).toEqual(windowCondition('Production'));
    expect(stages.find(s => s.name === 'Staging')!.beforeEntry).toBeUndefined();
  });

  test('a window for the whole production phase applies to every wave; a wave can set its own', () => {
    const own = DeploymentWindow.weekly({ startHour: 6, endHour: 8, days: 'TUE', timeZone: 'UTC' });
    const { stages } = build(f => ({
      production: { deploymentWindow: window, waves: [{ name: 'canary', stages: [f.production[0]] }, { name: 'rest', stages: f.production.slice(1), deploymentWindow: own }] },
    }));
    expect(stages.find(s => s.name === 'Production-canary')!.beforeEntry).toEqual(windowCondition('Production-canary'));
    expect(stages.find(s => s.name === 'Production-rest')!.beforeEntry).toEqual({
      conditions: [{ result: 'FAIL', rules: [expect.objectContaining({ configuration: { Cron: '* * 6-8 ? * TUE', TimeZone: 'UTC' } })] }],
    });
  });

  test('conditions add no hop and no action', () => {
    const plain = build(() => ({}));
    const guarded = build(f => ({ production: { stages: f.production, deploymentWindow: window } }));
    expect(PipelineShape.fromStack(guarded.f.stack).criticalPathHops).toBe(PipelineShape.fromStack(plain.f.stack).criticalPathHops);
    expect(guarded.stages.flatMap(s => s.actions).length).toBe(plain.stages.flatMap(s => s.actions).length);
  });

  test.each([
    ['* * 9-16 ? *', "deploymentWindow: the cron expression '* * 9-16 ? *' has 5 field(s), not 6 or 7."],
    ['0 * 9-16 ? * MON-FRI', "deploymentWindow: the cron expression '0 * 9-16 ? * MON-FRI' has '0' in the seconds field, where CodePipeline allows only '*'."],
    ['* * 9-25 ? * MON-FRI', "deploymentWindow: the cron expression '* * 9-25 ? * MON-FRI' has '9-25' in the hours field, outside 0-23."],
    ['* * 9-16 * * MON-FRI', "deploymentWindow: the cron expression '* * 9-16 * * MON-FRI' must have '?' in exactly one of day-of-month and day-of-week."],
    ['* * 9-16 ? * FUN', "deploymentWindow: the cron expression '* * 9-16 ? * FUN' has 'FUN' in the day-of-week field, outside 1-7 or SUN-SAT."],
    ['* 0/x 9 ? * MON', "deploymentWindow: the cron expression '* 0/x 9 ? * MON' has an invalid step '0/x' in the minutes field."],
  ])('rejects the cron expression %s', (expression, message) => {
    expect(() => DeploymentWindow.cron(expression)).toThrow(message);
  });

  test('accepts CodePipeline cron features: names, steps, L, W, #, a year', () => {
    for (const expression of ['* 0/15 9-17 ? JAN-MAR MON-FRI', '* * 10 L * ? 2027', '* * 8 ? * 6#3', '* * 8 15W * ?', '* 0,30 * ? * 2-6', '* * 8-11 ? * 6L']) {
      expect(DeploymentWindow.cron(expression).expression).toBe(expression);
    }
  });

  test.each([
    [() => DeploymentWindow.cron('* * 9 ? * MON', 'Mars/Olympus'), "deploymentWindow.timeZone: 'Mars/Olympus' is not an IANA time zone name. Use a name from the IANA time zone database such as 'UTC', 'Europe/Berlin' or 'America/New_York' (aws-cdk-lib's TimeZone lists the canonical ones)."],
    [() => DeploymentWindow.weekly({ startHour: 9, endHour: 24 }), 'deploymentWindow: endHour 24 is not an hour. Use a whole number from 0 to 23.'],
    [() => DeploymentWindow.weekly({ startHour: 18, endHour: 6 }), 'deploymentWindow: endHour 6 is before startHour 18. A window cannot span midnight; use DeploymentWindow.cron() for that.'],
  ])('rejects bad time zones and hours (%#)', (make, message) => {
    expect(make).toThrow(message);
  });
});

describe('bake time, alarm gates and automatic rollback', () => {
  const errorsAlarm = (stack: Stack) => new cloudwatch.Alarm(stack, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'Service', metricName: 'Errors' }),
    threshold: 1,
    evaluationPeriods: 1,
  });

  test('onSuccess: every alarm must stay out of ALARM through the bake time, or the stage rolls back (ROLLBACK on the onSuccess condition itself, as AWS documents it); onFailure: ROLLBACK by default', () => {
    const { f, stages } = build(fx => ({
      production: { stages: fx.production, bake: { alarms: [errorsAlarm(fx.stack)], duration: Duration.minutes(30) } },
    }));
    const production = stages.find(s => s.name === 'Production')!;
    expect(production.onSuccess).toEqual({
      conditions: [{
        result: 'ROLLBACK',
        rules: [{
          name: 'Production-Alarm1',
          ruleTypeId: { category: 'Rule', owner: 'AWS', provider: 'CloudWatchAlarm', version: '1' },
          configuration: { AlarmName: { Ref: expect.stringMatching(/^Errors/) }, AlarmStates: 'ALARM', WaitTime: '30' },
          inputArtifacts: [],
        }],
      }],
    });
    expect(production.onFailure).toEqual({ result: 'ROLLBACK', conditions: [] });
    // The rule runs with the pipeline role, which may read exactly these alarms.
    Template.fromStack(f.stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Errors'), 'Arn'] } }]) },
    });
  });

  test.each([
    [BakeFailureAction.FAIL, 'FAIL', undefined],
    [BakeFailureAction.RETRY, 'FAIL', { result: 'RETRY', retryConfiguration: { retryMode: 'FAILED_ACTIONS' }, conditions: [] }],
    [BakeFailureAction.ROLLBACK, 'ROLLBACK', { result: 'ROLLBACK', conditions: [] }],
  ])('onFailure %s: the bake\'s onSuccess result is %s, the stage\'s onFailure %j', (onFailure, bakeResult, expected) => {
    const { stages } = build(f => ({
      staging: { stage: f.staging, bake: { alarms: [errorsAlarm(f.stack)], duration: Duration.minutes(5), onFailure } },
    }));
    const staging = stages.find(s => s.name === 'Staging')!;
    expect(staging.onSuccess!.conditions.map(c => c.result)).toEqual([bakeResult]);
    expect(staging.onFailure).toEqual(expected);
  });

  test('an alarm in another region of the pipeline account is read in its region', () => {
    const { stages } = build(f => ({
      production: {
        stages: f.production,
        bake: { alarms: [cloudwatch.Alarm.fromAlarmArn(f.stack, 'EuErrors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:service-errors')], duration: Duration.hours(1) },
      },
    }));
    expect(stages.find(s => s.name === 'Production')!.onSuccess).toEqual({
      conditions: [{ result: 'ROLLBACK', rules: [expect.objectContaining({ configuration: { AlarmName: 'service-errors', AlarmStates: 'ALARM', WaitTime: '60' }, region: 'eu-west-1' })] }],
    });
  });

  test('bake and window on one stage still add no action', () => {
    const plain = build(() => ({}));
    const { stages } = build(f => ({
      production: {
        stages: f.production,
        deploymentWindow: DeploymentWindow.weekly({ startHour: 9, endHour: 16 }),
        bake: { alarms: [errorsAlarm(f.stack)], duration: Duration.minutes(30) },
      },
    }));
    expect(stages.flatMap(s => s.actions).length).toBe(plain.stages.flatMap(s => s.actions).length);
  });

  test.each([
    [(f: Fixture) => ({ production: { stages: f.production, bake: { alarms: [cloudwatch.Alarm.fromAlarmArn(f.stack, 'Other', 'arn:aws:cloudwatch:us-east-1:333333333333:alarm:prod-errors')], duration: Duration.minutes(10) } } }),
      "production.bake.alarms[0]: the alarm 'PipelineStack/Other' is in account 333333333333, but the CloudWatchAlarm rule runs with the pipeline's role in account 111111111111 and cannot read alarms in other accounts. Create the alarm in 111111111111 (CloudWatch cross-account observability lets it watch the application account's metrics)."],
    [(f: Fixture) => ({ production: { stages: f.production, bake: { alarms: [], duration: Duration.minutes(10) } } }),
      "production.bake.alarms: the list is empty. Pass the CloudWatch alarms that must stay out of ALARM during the bake, or remove 'bake'."],
    [(f: Fixture) => ({ production: { stages: f.production, bake: { alarms: [errorsAlarm(f.stack)], duration: Duration.seconds(90) } } }),
      "production.bake.duration: 1 minute 30 seconds is not a whole number of minutes of at least 1. CodePipeline's CloudWatchAlarm rule waits in minutes: use e.g. Duration.minutes(30)."],
  ])('rejects bad bake settings (%#)', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe('CloudFormation validation', () => {
  test('every feature together synthesizes with zero findings from aws-cdk-lib\'s CloudFormation validation', () => {
    // build() synthesizes (Template.fromStack): the whole build runs with validation on.
    const outdir = withCloudFormationValidation(() => build(fx => {
      const alarm = (id: string) => new cloudwatch.Alarm(fx.stack, id, {
        metric: new cloudwatch.Metric({ namespace: 'Service', metricName: id }), threshold: 1, evaluationPeriods: 1,
      });
      return {
        requireManualApproval: false,
        staging: {
          stage: fx.staging,
          migrations: [{ name: 'Seed', commands: ['x'] }],
          bake: { alarms: [alarm('StagingErrors')], duration: Duration.minutes(5), onFailure: BakeFailureAction.FAIL },
        },
        production: {
          deploymentWindow: DeploymentWindow.weekly({ startHour: 9, endHour: 16, timeZone: 'Europe/Berlin' }),
          waves: [
            { name: 'canary', stages: [fx.production[0]], bake: { alarms: [alarm('CanaryErrors')], duration: Duration.minutes(10), onFailure: BakeFailureAction.RETRY } },
            { name: 'rest', stages: fx.production.slice(1), requireManualApproval: true, bake: { alarms: [alarm('RestErrors')], duration: Duration.minutes(30) } },
          ],
        },
        approval: { notifyEmails: ['release@example.com'], timeout: Duration.hours(2) },
        notifications: { targets: [NotificationTarget.email('oncall@example.com'), NotificationTarget.https('https://events.example.com/hook')] },
      };
    }).f.app.synth().directory);
    // The validation ran: with no other plugin registered, its report exists only when it did (test/synthesis-setup.test.ts).
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8'));
    const findings = (report.pluginReports as Array<{ violations: Array<{ ruleName: string; description: string }> }>)
      .flatMap(p => p.violations.map(v => `${v.ruleName}: ${v.description}`));
    expect(findings).toEqual([]);
  });
});

describe('notifications', () => {
  test('one property creates a CodeStar notification rule on the pipeline', () => {
    const { f, pipeline } = build(fx => ({ notifications: { targets: [NotificationTarget.topic(new sns.Topic(fx.stack, 'OnCall'))] } }));
    expect(pipeline.notificationRule).toBeDefined();
    Template.fromStack(f.stack).hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Resource: Match.anyValue(),
      EventTypeIds: Match.arrayWith(['codepipeline-pipeline-pipeline-execution-failed']),
    });
  });
});
