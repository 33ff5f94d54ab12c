import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeliveryPipeline, NotificationTarget } from '../../src';
import { AppStage, fixture, PIPELINE_ENV, referencePipeline, referenceProps } from '../fixtures/app';
import { synthCapturingReport } from '../fixtures/cloudformation-validation';
import { DENY_GRANTS_EXCEPT_FOR_AWS_SERVICES } from '../fixtures/policies';

/** Cost, retention and key hygiene on the resources the library creates (AWS Control Tower proactive controls). */

const DENY_GRANTS = DENY_GRANTS_EXCEPT_FOR_AWS_SERVICES;

function supportStacks(app: App): Stack[] {
  return app.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c.stackName.includes('-support-'));
}

describe('artifact retention', () => {
  test('the artifact bucket is versioned and expires artifacts after 90 days, noncurrent versions 7 days later', () => {
    const { f } = referencePipeline();
    Template.fromStack(f.stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [{
          Id: 'ExpirePipelineArtifacts',
          Status: 'Enabled',
          ExpirationInDays: 90,
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }],
      },
    });
  });

  test('artifactRetention sets it, on the cross-region replication buckets too', () => {
    const { f } = referencePipeline({ artifactRetention: Duration.days(30) });
    const stacks = [f.stack, ...supportStacks(f.app)];
    expect(stacks.length).toBe(3); // the pipeline and two regions (eu-west-1, ap-southeast-2)
    for (const stack of stacks) {
      Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 7 } })] },
      });
    }
  });

  test.each([
    [Duration.hours(12), '12 hours'],
    [Duration.hours(36), '1 day 12 hours'],
  ])('artifactRetention of %s is rejected', (retention, human) => {
    const f = fixture();
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { artifactRetention: retention })))
      .toThrow(`artifactRetention: ${human} is not a whole number of days of at least 1. S3 lifecycle rules count in days: use e.g. Duration.days(90).`);
  });
});

describe('build logs', () => {
  test('every CodeBuild project logs to one log group kept a year, encrypted with the pipeline key', () => {
    const { f } = referencePipeline();
    const template = Template.fromStack(f.stack);
    const groups = template.findResources('AWS::Logs::LogGroup');
    const [buildLogs] = Object.entries(groups).filter(([id]) => id.startsWith('DeliveryBuildLogs'));
    expect(buildLogs[1].Properties.RetentionInDays).toBe(365);
    expect(buildLogs[1].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/ArtifactsBucketEncryptionKey/), 'Arn'] });
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(projects.length).toBeGreaterThanOrEqual(5);
    for (const project of projects) {
      expect(project.Properties.LogsConfig).toEqual({ CloudWatchLogs: { GroupName: { Ref: buildLogs[0] }, Status: 'ENABLED' } });
    }
    // CloudWatch Logs of this account and region may use the key, for log groups only.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'CloudWatchLogsOfThisAccountAndRegion',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:log-group:*']] } } },
        })]),
      },
    });
  });

  test('logRetention sets it; without a pipeline key the group is not KMS-encrypted', () => {
    // Staging and production in the pipeline's account: no cross-account key.
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const staging = new AppStage(app, 'Staging', { env: { account: PIPELINE_ENV.account, region: 'us-west-2' } });
    const production = [new AppStage(app, 'Prod', { env: { account: PIPELINE_ENV.account, region: 'us-east-1' } })];
    const pipeline = new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production }, { logRetention: logs.RetentionDays.TWO_YEARS }));
    expect(pipeline.crossAccountKeys).toBe(false);
    const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
    const buildLogs = Object.entries(groups).find(([id]) => id.startsWith('DeliveryBuildLogs'))![1];
    expect(buildLogs.Properties.RetentionInDays).toBe(731);
    expect(buildLogs.Properties.KmsKeyId).toBeUndefined();
  });
});

describe('key policies', () => {
  test('the artifact key and every replication key allow grants only for AWS resources or services', () => {
    const { f } = referencePipeline();
    for (const stack of [f.stack, ...supportStacks(f.app)]) {
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([DENY_GRANTS]) },
      });
    }
  });

  test('so does the notification topic\'s key', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      notifications: { targets: [NotificationTarget.email('team@example.com')] },
    }));
    const keys = Object.values(Template.fromStack(f.stack).findResources('AWS::KMS::Key'));
    expect(keys.length).toBe(2);
    for (const key of keys) {
      expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([DENY_GRANTS]));
    }
  });
});

describe('the approval guard', () => {
  test('logs to a group encrypted with the pipeline key; its alarm notifies the approval topic when there is one', () => {
    const f = fixture();
    const topic = new sns.Topic(f.stack, 'Approvers');
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { approval: { notificationTopic: topic } }));
    const template = Template.fromStack(f.stack);
    const groups = Object.entries(template.findResources('AWS::Logs::LogGroup'));
    const guardLogs = groups.find(([id]) => id.startsWith('DeliveryApprovalGuardStaging'))![1];
    expect(guardLogs.Properties.RetentionInDays).toBe(365);
    expect(guardLogs.Properties.KmsKeyId).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Approvers') }] });
  });
});

describe('AWS Control Tower proactive controls (cfn-guard) on everything the library creates', () => {
  /** Violations of the cfn-guard plugin on the library's resources (the pipeline construct and the support stacks). */
  function libraryViolations(build: (app: App, stack: Stack) => void): string[] {
    const app = new App();
    Validations.of(app).addPlugins(new CfnGuardValidator());
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    build(app, stack);
    // aws-cdk-lib prints the report with console.error when a plugin finds violations (the fixture's own Lambda
    // functions are outside a VPC): captured here, and checked below to be the report the test reads.
    const { outdir, printed: printedReport } = synthCapturingReport(app);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8')) as {
      pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath?: string }> }> }>;
    };
    const guard = report.pluginReports.find(p => p.pluginName === 'cdk-validator-cfnguard');
    expect(guard).toBeDefined(); // the plugin ran
    expect(guard!.violations.length).toBeGreaterThan(0); // the fixture's Lambda functions, at least
    for (const violation of guard!.violations) {
      expect(printedReport).toContain(`cdk-validator-cfnguard::${violation.ruleName}`);
    }
    return guard!.violations.flatMap(v => v.violatingConstructs
      .filter(c => /^(PipelineStack\/Delivery|cross-region-stack-)/.test(c.constructPath ?? ''))
      .map(c => `${v.ruleName} on ${c.constructPath}`));
  }

  const everything = (app: App, stack: Stack) => {
    const f = {
      app,
      stack,
      staging: new AppStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } }),
      production: ['us-east-1', 'eu-west-1'].map(r => new AppStage(app, `Prod-${r}`, { env: { account: '333333333333', region: r } })),
    };
    new DeliveryPipeline(stack, 'Delivery', referenceProps(f, {
      approval: { notificationTopic: new sns.Topic(stack, 'Approvers', { enforceSSL: true }) },
      notifications: { targets: [NotificationTarget.email('oncall@example.com')] },
      staging: { stage: f.staging, migrations: [{ name: 'Seed', commands: ['npm run seed'] }], verify: [{ name: 'Smoke', commands: ['curl -f "$URL"'], envFromOutputs: { URL: f.staging.url } }] },
    }));
  };

  test('the pipeline, its buckets, keys, log groups, approval guard and notifications: zero violations', () => {
    expect(libraryViolations(everything)).toEqual([]);
  });

  test('the check has teeth: a bucket the library would create without a lifecycle is reported', () => {
    const violations = libraryViolations((app, stack) => {
      everything(app, stack);
      new s3.Bucket(stack.node.findChild('Delivery'), 'Unmanaged', { enforceSSL: true });
    });
    expect(violations).toEqual(expect.arrayContaining(['s3_lifecycle_policy_check on PipelineStack/Delivery/Unmanaged/Resource']));
  });
});
