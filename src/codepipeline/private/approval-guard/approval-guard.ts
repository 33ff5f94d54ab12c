import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { APPROVAL_ACTION_NAMES_VARIABLE, encodeActionNames, STAGE_NAME_VARIABLE } from './reject-approval-variables';
import { NAME_PATTERN } from '../../../private/codepipeline-limits';
import { ValidationError } from '../../../private/errors';
import { EventDrivenFunction } from '../../../private/event-driven-function';
import { notifyOrAcknowledge } from '../../../private/hygiene';

/** Properties of `ApprovalGuard`. */
export interface ApprovalGuardProps {
  /** The pipeline whose stage holds the approval. It must be in the guard's account and region. */
  readonly pipeline: codepipeline.IPipeline;
  /**
   * The stage that holds the approval and the watched actions, as CodePipeline names it (CDK Pipelines splits a
   * stage of more than 50 actions into `<stage>.1 … <stage>.N`: name the part that holds the approval).
   */
  readonly stageName: string;
  /** The manual approval actions of that stage to reject (usually one, e.g. `PromoteToProduction`). */
  readonly approvalActionNames: string[];
  /** The verification actions of that stage whose failure rejects the approvals (e.g. the smoke tests). */
  readonly watchedActionNames: string[];
  /**
   * Key to encrypt the function's logs with (the pipeline's artifact key).
   *
   * @default - CloudWatch Logs' own encryption at rest
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Topic notified when the dead-letter queue is not empty (an approval may still be waiting).
   *
   * @default - no notification; the alarm is visible in CloudWatch only
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Log retention: a year of automated rejections is kept for audit (who or what stopped a release, and why). */
const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * Rejects the pending manual approval of a stage as soon as a verification action of the same execution fails.
 *
 * CodePipeline keeps a stage whose parallel approval is pending waiting for it even after a verification action
 * in the stage failed — up to the approval's timeout (7 days by default) — and newer executions queue behind it.
 * This construct listens for FAILED events of the watched actions and rejects the approval with a summary that
 * names the failed step, so the stage fails at once.
 *
 * It creates: an EventBridge rule, a Lambda function (bundled handler, Node.js 24) with its own log group and a
 * least-privilege role, and an encrypted, SSL-only dead-letter queue that receives events EventBridge could not
 * deliver and events the function failed on after its retries, with an alarm when the queue is not empty.
 */
export class ApprovalGuard extends Construct {
  /** The function that rejects the approvals. */
  public readonly function: lambda.Function;
  /** The EventBridge rule that invokes the function when a watched action fails. */
  public readonly rule: events.Rule;
  /** Events that could not be delivered, or that the function failed on after its retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** In ALARM while the dead-letter queue holds events: an approval may be waiting that the guard did not reject. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApprovalGuardProps) {
    super(scope, id);
    validateProps(this, props);
    const { pipeline, stageName, approvalActionNames, watchedActionNames } = props;

    const handler = new EventDrivenFunction(this, {
      bundle: 'codepipeline/private/approval-guard/reject-approval.lambda',
      description: 'Approval guard: rejects the pending approval when a verification action of the same execution fails',
      roleDescription: `Approval guard of stage ${stageName}: reads the pipeline state and rejects its approvals`,
      permissions: [
        new iam.PolicyStatement({
          actions: ['codepipeline:GetPipelineState'],
          resources: [pipeline.pipelineArn],
        }),
        new iam.PolicyStatement({
          actions: ['codepipeline:PutApprovalResult'],
          // The action resource: arn:<partition>:codepipeline:<region>:<account>:<pipeline>/<stage>/<action>
          resources: approvalActionNames.map(name => `${pipeline.pipelineArn}/${stageName}/${name}`),
        }),
      ],
      calls: 'the CodePipeline API',
      environment: {
        [STAGE_NAME_VARIABLE]: stageName,
        [APPROVAL_ACTION_NAMES_VARIABLE]: encodeActionNames(approvalActionNames),
      },
      timeout: Duration.seconds(30),
      logRetention: LOG_RETENTION,
      encryptionKey: props.encryptionKey,
      deadLetterOwner: 'the guard\'s rule and function',
      deadLetterAlarmDescription: `The approval guard of stage '${stageName}' could not handle a failed verification action: `
        + 'an approval may still be pending. Read the events in the dead-letter queue and the function\'s logs.',
    });
    this.function = handler.function;
    this.logGroup = handler.logGroup;
    this.deadLetterQueue = handler.deadLetterQueue;
    this.deadLetterAlarm = handler.deadLetterAlarm;
    notifyOrAcknowledge(this.deadLetterAlarm, {
      topic: props.alarmTopic,
      onOk: false,
      withoutTopic: 'No topic to notify was configured (approval.notificationTopic); the alarm still shows in CloudWatch. Set a topic to be told '
        + 'when an approval may be waiting that the guard could not reject.',
    });

    this.rule = handler.addRule('Rule', {
      description: `Approval guard: a watched action failed in stage ${stageName}`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Action Execution State Change'],
        detail: {
          pipeline: [pipeline.pipelineName],
          stage: [stageName],
          action: watchedActionNames,
          state: ['FAILED'],
        },
      },
    });
  }
}

/** Throws on props the guard cannot work with; names the prop, the value and the fix. */
function validateProps(scope: Construct, props: ApprovalGuardProps): void {
  checkName('stageName', props.stageName);
  checkNames('approvalActionNames', props.approvalActionNames, 'Pass the manual approval action(s) of the stage, e.g. [\'PromoteToProduction\'].');
  checkNames('watchedActionNames', props.watchedActionNames, 'Pass the verification action(s) whose failure must reject the approval, e.g. [\'SmokeTest\'].');
  const both = props.watchedActionNames.filter(name => props.approvalActionNames.includes(name));
  if (both.length > 0) {
    throw new ValidationError(`ApprovalGuard: '${both[0]}' is in both 'approvalActionNames' and 'watchedActionNames'. `
      + 'An approval cannot watch itself: list it only in approvalActionNames.');
  }
  // EventBridge delivers a pipeline's events only to rules of its own account and region.
  const here = Stack.of(scope);
  for (const [what, theirs, ours] of [['region', props.pipeline.env.region, here.region], ['account', props.pipeline.env.account, here.account]]) {
    if (!Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours) {
      throw new ValidationError(`ApprovalGuard: 'pipeline' is in ${what} ${theirs}, but the guard is in ${what} ${ours}. `
        + `Its EventBridge rule would never see the pipeline's events: create the guard in a stack of ${what} ${theirs}.`);
    }
  }
}

function checkNames(prop: string, names: readonly string[], fix: string): void {
  if (names.length === 0) {
    throw new ValidationError(`ApprovalGuard: '${prop}' is empty. ${fix}`);
  }
  names.forEach((name, i) => checkName(`${prop}[${i}]`, name));
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new ValidationError(`ApprovalGuard: '${prop}' lists '${duplicate}' twice. List each action once.`);
  }
}

function checkName(prop: string, name: string): void {
  if (!Token.isUnresolved(name) && !NAME_PATTERN.test(name)) {
    throw new ValidationError(`ApprovalGuard: '${prop}' is '${name}', which is not a CodePipeline stage or action name `
      + '(1-100 characters from A-Z, a-z, 0-9, ".", "@", "_", "-"). Use the name exactly as the pipeline declares it.');
  }
}
