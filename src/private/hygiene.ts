import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, CFN_GUARD } from './acknowledgments';
import { ValidationError } from './errors';

/**
 * Cost, retention and key hygiene on the resources the library creates (the pipeline, the metrics, the approval
 * guard, the pull-request checks), so that AWS Control Tower's proactive controls (cfn-guard) and cdk-nag pass on
 * them: artifact retention, logs with an end, key policies that keep grants for AWS services, dead-letter queues
 * with an alarm. What cannot be honestly fixed is acknowledged narrowly (`acknowledgments.ts`), one rule on one
 * resource, with a reason.
 */

/** Noncurrent versions (a deleted or expired artifact) are kept this long, then removed. */
export const NONCURRENT_ARTIFACT_DAYS = 7;

/**
 * Versioning and a lifecycle rule on a bucket of pipeline artifacts (the artifact store or a cross-region
 * replication bucket): artifacts expire after `retention`, their noncurrent versions 7 days later, incomplete
 * uploads after a day.
 */
export function artifactLifecycle(bucket: s3.IBucket, retention: Duration, property: string): void {
  if (!(bucket instanceof s3.Bucket)) {
    return; // a bucket the user brought: theirs to configure
  }
  const days = retention.toDays({ integral: false });
  if (!Token.isUnresolved(days) && (days < 1 || !Number.isInteger(days))) {
    throw new ValidationError(`${property}: ${retention.toHumanString()} is not a whole number of days of at least 1. S3 lifecycle rules count in days: use e.g. Duration.days(90).`);
  }
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.versioningConfiguration = { status: 'Enabled' };
  bucket.addLifecycleRule({
    id: 'ExpirePipelineArtifacts',
    expiration: retention,
    noncurrentVersionExpiration: Duration.days(NONCURRENT_ARTIFACT_DAYS),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  });
  acknowledge(bucket, `${CFN_GUARD}::s3_bucket_logging_enabled_check`,
    'The bucket holds only pipeline artifacts, written and read by the pipeline\'s own roles. Server access logs would need a '
    + 'separate log bucket per region; enable CloudTrail S3 data events on it if object-level audit is required.');
  acknowledge(bucket, `${CFN_GUARD}::s3_event_notifications_enabled_check`,
    'Nothing consumes events of pipeline artifacts: CodePipeline itself reports every execution and action (EventBridge).');
  acknowledge(bucket, `${CFN_GUARD}::s3_bucket_object_lock_enabled_check`,
    'Object Lock would keep artifacts past their lifecycle expiry (and cannot be removed once set); artifacts are '
    + 'reproducible from the source revision, and their retention is the lifecycle rule\'s.');
}

/**
 * The key policy statement Control Tower's CT.KMS.PR.3 asks for: nobody may create grants on the key unless the
 * grant is for an AWS resource or the caller is an AWS service. The pipeline uses its keys directly (no grants).
 */
export function denyGrantsExceptForAwsServices(keyOrAlias: kms.IKey | undefined): void {
  // aws-cdk-lib's cross-region replication buckets name their key through an alias.
  const key = keyOrAlias instanceof kms.Alias ? keyOrAlias.aliasTargetKey : keyOrAlias;
  if (!(key instanceof kms.Key)) {
    return;
  }
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}

/** Keys whose policy already lets CloudWatch Logs use them. */
const keysForLogs = new WeakSet<kms.IKey>();

/**
 * A log group for the library's CodeBuild projects or functions: a retention, and encryption with `key` when the
 * pipeline has one (CloudWatch Logs in the stack's region may use it for this log group's data only).
 */
export function libraryLogGroup(scope: Construct, id: string, retention: logs.RetentionDays, key: kms.IKey | undefined): logs.LogGroup {
  const group = new logs.LogGroup(scope, id, { retention, encryptionKey: key });
  if (key && !keysForLogs.has(key)) {
    keysForLogs.add(key);
    const stack = Stack.of(scope);
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
  } else if (!key) {
    acknowledge(group, `${CFN_GUARD}::cloudwatch_log_group_encrypted_check`,
      'This pipeline has no customer-managed key (crossAccountKeys: false): CloudWatch Logs encrypts the log data at rest '
      + 'with its own keys. Set crossAccountKeys: true to encrypt it with the pipeline\'s key.');
  }
  return group;
}

/**
 * The dead-letter queue of a library function and its EventBridge rule (encrypted, SSL-only, 14 days), with an
 * alarm while it holds events. `owner` says whose queue it is, for the cfn-guard acknowledgment.
 */
export function deadLetterQueue(scope: Construct, owner: string, alarmDescription: string): { queue: sqs.Queue; alarm: cloudwatch.Alarm } {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(queue, `${CFN_GUARD}::sqs_dlq_check`, `This queue is itself the dead-letter queue of ${owner}; a queue behind it would add nothing.`);
  const alarm = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }).createAlarm(scope, 'DeadLetterAlarm', {
    alarmDescription,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { queue, alarm };
}

/** How an alarm of the library tells someone: `notifyOrAcknowledge`. */
export interface AlarmNotification {
  /** The topic to notify; without one the alarm shows in CloudWatch only. */
  readonly topic?: sns.ITopic;
  /** Notify the topic when the alarm returns to OK too, not only on ALARM. */
  readonly onOk: boolean;
  /** The reason for cfn-guard's `cloudwatch_alarm_action_check` when there is no topic: where the alarm shows, how to get told. */
  readonly withoutTopic: string;
}

/** Sends an alarm's state changes to a topic, or, without a topic, acknowledges that the alarm has no action. */
export function notifyOrAcknowledge(alarm: cloudwatch.Alarm, notification: AlarmNotification): void {
  if (notification.topic) {
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(notification.topic));
    if (notification.onOk) {
      alarm.addOkAction(new cloudwatchActions.SnsAction(notification.topic));
    }
  } else {
    acknowledge(alarm, `${CFN_GUARD}::cloudwatch_alarm_action_check`, notification.withoutTopic);
  }
}
