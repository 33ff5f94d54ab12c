import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
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
import { ChangeClass, ChangeReviewPolicy } from '../change-review-policy';
import { CONFIG_VARIABLE, consoleFragmentEncode, decisionLink, encodeConfig, Policy, ReleaseSizeLimit, ReviewConfig, ReviewTarget } from './review-contract';
import { describe } from '../../blueprint/validate';
import { scoped, ValidationError } from '../../private/errors';
import { EventDrivenFunction } from '../../private/event-driven-function';
import { notifyOrAcknowledge } from '../../private/hygiene';
import { REGION_PATTERN } from '../../private/shell';

/** One stack whose change set the review reads. */
export interface ChangeSetReviewTarget {
  /** The stack's name in CloudFormation (CDK Pipelines' `StackDeployment.stackName`). */
  readonly stackName: string;
  /** The change set its prepare action creates (CDK Pipelines: `PipelineChange`). */
  readonly changeSetName: string;
  /** The stack's account (12 digits). */
  readonly account: string;
  /** The stack's region. */
  readonly region: string;
  /**
   * The role the review assumes to read the stack: CDK bootstrap's lookup role of that account and region.
   *
   * @default - `cdk-hnb659fds-lookup-role-<account>-<region>` (the default bootstrap qualifier)
   */
  readonly lookupRoleArn?: string;
}

/** Properties of `ChangeSetReview`. */
export interface ChangeSetReviewProps {
  /** The pipeline whose stage holds the review approval. It must be in the review's account and region. */
  readonly pipeline: codepipeline.IPipeline;
  /** The stage that holds the review approval and the stacks' prepare and execute actions. */
  readonly stageName: string;
  /** The manual approval action between the prepare (CHANGE_SET_REPLACE) and execute (CHANGE_SET_EXECUTE) actions. */
  readonly approvalActionName: string;
  /** How the summary names the environment (e.g. `Production`). */
  readonly environmentName: string;
  /** The stacks of the stage, with their change sets. */
  readonly targets: ChangeSetReviewTarget[];
  /**
   * Stack name prefixes the environment owns (`Prod-` for a CDK Stage named `Prod`): a live stack with such a name in a
   * target account and region that is no longer a target is reported as removed from the app.
   *
   * @default - removed stacks are not looked for
   */
  readonly stackNamePrefixes?: string[];
  /**
   * What each class of change does.
   *
   * @default ChangeReviewPolicy.defaults()
   */
  readonly policy?: ChangeReviewPolicy;
  /**
   * Topic told about a held release, with the summary.
   *
   * @default - the summary is only in the function's log (and the approval stays pending)
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Key to encrypt the function's logs with (the pipeline's artifact key).
   *
   * @default - CloudWatch Logs' own encryption at rest
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Topic notified when the dead-letter queue is not empty (a review approval may be waiting undecided).
   *
   * @default - no notification; the alarm is visible in CloudWatch only
   */
  readonly alarmTopic?: sns.ITopic;
}

/** CodePipeline's pattern for stage and action names. */
const NAME_PATTERN = /^[A-Za-z0-9.@_-]{1,100}$/;
/** CloudFormation's patterns for stack and change-set names. */
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const CHANGE_SET_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
/** Lambda's limit on the size of a function's environment (all variables). */
const ENVIRONMENT_LIMIT = 4096;
/** A year of review decisions is kept for audit (what was approved automatically, and why). */
const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * The change-set review of one environment's stage: when its review approval starts (between the stacks' change-set
 * prepare and execute actions), a bundled function reads every change set and template through the target account's
 * lookup role, classifies the changes and approves (safe), leaves the approval pending and notifies (HOLD) or rejects
 * it (FAIL), as the environment's `ChangeReviewPolicy` says. docs/change-review.md describes the mechanism.
 *
 * It creates an EventBridge rule (the approval action STARTED), the function with its own log group and a
 * least-privilege role (read the pipeline's state, decide that one approval, assume the targets' lookup roles, publish
 * to the notification topic; with a release-size limit, list the pipeline's executions), and an encrypted dead-letter queue with an alarm. It does not add the approval action:
 * the pipeline's layout does (between the prepare and execute run orders), and names it here.
 */
export class ChangeSetReview extends Construct {
  /** The function that reviews the change sets. */
  public readonly function: lambda.Function;
  /** The rule that runs it when the review approval starts. */
  public readonly rule: events.Rule;
  /** The function's role. */
  public readonly role: iam.Role;
  /** Events that could not be delivered, or that the function failed on after its retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** In ALARM while the dead-letter queue holds events: a review approval may be waiting undecided. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The configuration written into the function's environment. */
  public readonly config: ReviewConfig;
  /**
   * The review approval's review link (`ExternalEntityLink`): the function's log group in the CloudWatch console,
   * filtered to the decision line of the execution the approval waits for (`#{codepipeline.PipelineExecutionId}`,
   * which CodePipeline fills in when the approval starts). CodePipeline cannot change a pending approval's text, so
   * this is where a person finds the summary in the console.
   */
  public readonly decisionLink: string;

  constructor(scope: Construct, id: string, props: ChangeSetReviewProps) {
    super(scope, id);
    try {
      validateProps(this, props);
      const { pipeline, stageName, approvalActionName } = props;
      const policy = props.policy ?? ChangeReviewPolicy.defaults();
      const targetsIn = (partition: string): ReviewTarget[] => props.targets.map(t => ({
        stackName: t.stackName,
        changeSetName: t.changeSetName,
        account: t.account,
        region: t.region,
        roleArn: t.lookupRoleArn ?? `arn:${partition}:iam::${t.account}:role/cdk-hnb659fds-lookup-role-${t.account}-${t.region}`,
      }));
      const reviewTargets = targetsIn(Aws.PARTITION);
      this.config = {
        environmentName: props.environmentName,
        stageName,
        approvalActionName,
        targets: reviewTargets,
        stackNamePrefixes: props.stackNamePrefixes ?? [],
        policy: policyOf(policy),
        releaseSize: releaseSizeOf(policy),
        topicArn: props.notificationTopic?.topicArn,
      };
      // The size as deployed, measured before tokens resolve: the partition is written out (its longest common name).
      const size = JSON.stringify(encodeConfig({ ...this.config, targets: targetsIn('aws-us-gov') })).length;
      if (size > ENVIRONMENT_LIMIT - 100) {
        throw new ValidationError(`ChangeSetReview: 'targets' lists ${props.targets.length} stacks, whose configuration (about ${size} characters) `
          + `does not fit in a Lambda environment (${ENVIRONMENT_LIMIT} bytes in all). Review the stage's stacks in parts (one ChangeSetReview per part of the stage).`);
      }
      const environment = Stack.of(this).toJsonString(encodeConfig(this.config));

      const handler = new EventDrivenFunction(this, {
        bundle: 'review/private/review-change-sets.lambda',
        description: `Change-set review of stage ${stageName}: approves safe change sets, holds or rejects risky ones`,
        roleDescription: `Change-set review of stage ${stageName}: reads its change sets through the lookup roles and decides its review approval`,
        permissions: [
          new iam.PolicyStatement({ actions: ['codepipeline:GetPipelineState'], resources: [pipeline.pipelineArn] }),
          // The action resource: arn:<partition>:codepipeline:<region>:<account>:<pipeline>/<stage>/<action>
          new iam.PolicyStatement({ actions: ['codepipeline:PutApprovalResult'], resources: [`${pipeline.pipelineArn}/${stageName}/${approvalActionName}`] }),
          new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [...new Set(reviewTargets.map(t => t.roleArn))] }),
          // The release size: this pipeline's execution history, read only when the policy sets a limit.
          ...(this.config.releaseSize === undefined ? []
            : [new iam.PolicyStatement({ actions: ['codepipeline:ListPipelineExecutions'], resources: [pipeline.pipelineArn] })]),
        ],
        calls: 'the CodePipeline, STS, SNS and CloudFormation APIs',
        environment: { [CONFIG_VARIABLE]: environment },
        // Bounded waits: a change set still being created (10 × 3 s), the approval's token (10 × 3 s), then the reads.
        timeout: Duration.minutes(2),
        memorySize: 256,
        logRetention: LOG_RETENTION,
        encryptionKey: props.encryptionKey,
        deadLetterOwner: 'the review\'s rule and function',
        deadLetterAlarmDescription: `The change-set review of stage '${stageName}' could not handle the start of approval '${approvalActionName}': it stays pending `
          + 'until a person decides. Read the events in the dead-letter queue and the function\'s logs, then approve or reject it yourself.',
      });
      this.function = handler.function;
      this.role = handler.role;
      this.logGroup = handler.logGroup;
      this.deadLetterQueue = handler.deadLetterQueue;
      this.deadLetterAlarm = handler.deadLetterAlarm;
      this.decisionLink = decisionLink({
        region: Stack.of(this).region,
        encodedLogGroupName: encodedLogGroupName(this.logGroup.logGroupName),
        executionId: codepipeline.GlobalVariables.executionId,
      });
      props.notificationTopic?.grantPublish(this.role);
      notifyOrAcknowledge(this.deadLetterAlarm, {
        topic: props.alarmTopic,
        onOk: false,
        withoutTopic: 'No topic to notify was configured; the alarm still shows in CloudWatch, and the review approval stays pending (never '
          + 'approved unread). Set an alarm topic to be told when a review could not run.',
      });
      this.rule = handler.addRule('Rule', {
        description: `Change-set review: approval ${approvalActionName} started in stage ${stageName}`,
        eventPattern: {
          source: ['aws.codepipeline'],
          detailType: ['CodePipeline Action Execution State Change'],
          detail: {
            pipeline: [pipeline.pipelineName],
            stage: [stageName],
            action: [approvalActionName],
            state: ['STARTED'],
          },
        },
      });
    } catch (error) {
      throw scoped(this, error);
    }
  }
}

/**
 * The log group's name as the console link writes it. The function's log group has no name of ours: CloudFormation
 * generates one from the stack name, the logical id and a random suffix, which are letters, digits and `-` only, and
 * need no encoding (so the name can stay a reference, resolved at deployment). A name known at synthesis is encoded.
 */
export function encodedLogGroupName(name: string): string {
  return Token.isUnresolved(name) ? name : consoleFragmentEncode(name);
}

function policyOf(policy: ChangeReviewPolicy): Policy {
  return {
    STATEFUL_REPLACEMENT: policy.outcomeFor(ChangeClass.STATEFUL_REPLACEMENT),
    SECURITY_BROADENING: policy.outcomeFor(ChangeClass.SECURITY_BROADENING),
    STACK_REMOVAL: policy.outcomeFor(ChangeClass.STACK_REMOVAL),
  };
}

/** The release-size limit, when the policy sets one (then the function reads the pipeline's execution history). */
function releaseSizeOf(policy: ChangeReviewPolicy): ReleaseSizeLimit | undefined {
  return policy.maxReleaseRevisions === undefined ? undefined
    : { maxRevisions: policy.maxReleaseRevisions, outcome: policy.outcomeFor(ChangeClass.LARGE_RELEASE) };
}

/** Throws on props the review cannot work with; names the property, the value and the fix. */
function validateProps(scope: Construct, props: ChangeSetReviewProps): void {
  checkName('stageName', props.stageName);
  checkName('approvalActionName', props.approvalActionName);
  if (typeof props.environmentName !== 'string' || props.environmentName.trim() === '') {
    throw new ValidationError(`ChangeSetReview: 'environmentName' is ${describe(props.environmentName)}. Pass the name a person knows the environment by, e.g. 'Production'.`);
  }
  if (!(props.policy === undefined || props.policy instanceof ChangeReviewPolicy)) {
    throw new ValidationError(`ChangeSetReview: 'policy' is ${describe(props.policy)}, not a ChangeReviewPolicy. Use ChangeReviewPolicy.defaults() or ChangeReviewPolicy.of({...}).`);
  }
  if (!Array.isArray(props.targets) || props.targets.length === 0) {
    throw new ValidationError(`ChangeSetReview: 'targets' is ${describe(props.targets)}. List the stage's stacks with their change sets, `
      + 'e.g. [{ stackName: \'Prod-App\', changeSetName: \'PipelineChange\', account: \'222222222222\', region: \'eu-west-1\' }].');
  }
  const seen = new Set<string>();
  props.targets.forEach((target, i) => {
    const at = `targets[${i}]`;
    if (typeof target !== 'object' || target === null) {
      throw new ValidationError(`ChangeSetReview: '${at}' is ${describe(target)}. Pass { stackName, changeSetName, account, region }.`);
    }
    checkPattern(`${at}.stackName`, target.stackName, STACK_NAME_PATTERN, 'a CloudFormation stack name (a letter, then up to 127 letters, digits and hyphens)');
    checkPattern(`${at}.changeSetName`, target.changeSetName, CHANGE_SET_NAME_PATTERN, 'a change set name (a letter, then up to 127 letters, digits and hyphens), e.g. \'PipelineChange\'');
    checkPattern(`${at}.account`, target.account, ACCOUNT_PATTERN, 'an AWS account id of 12 digits, e.g. \'222222222222\'');
    checkPattern(`${at}.region`, target.region, REGION_PATTERN, 'an AWS region name, e.g. \'eu-west-1\'');
    if (target.lookupRoleArn !== undefined) {
      checkPattern(`${at}.lookupRoleArn`, target.lookupRoleArn, /^arn:[a-z-]+:iam::\d{12}:role\/.+$/, 'an IAM role ARN, e.g. \'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1\'');
    }
    const key = `${target.account}/${target.region}/${target.stackName}`;
    if (seen.has(key)) {
      throw new ValidationError(`ChangeSetReview: '${at}' lists stack ${target.stackName} in ${target.account}/${target.region} a second time. List each stack once.`);
    }
    seen.add(key);
  });
  if (props.stackNamePrefixes !== undefined && !Array.isArray(props.stackNamePrefixes)) {
    throw new ValidationError(`ChangeSetReview: 'stackNamePrefixes' is ${describe(props.stackNamePrefixes)}, not a list. Pass e.g. ['Prod-'], or leave it out.`);
  }
  (props.stackNamePrefixes ?? []).forEach((prefix, i) => {
    checkPattern(`stackNamePrefixes[${i}]`, prefix, /^[A-Za-z][A-Za-z0-9-]{0,126}$/, 'the start of the environment\'s stack names, e.g. \'Prod-\'');
  });
  // EventBridge delivers a pipeline's events only to rules of its own account and region.
  const here = Stack.of(scope);
  for (const [what, theirs, ours] of [['region', props.pipeline.env.region, here.region], ['account', props.pipeline.env.account, here.account]]) {
    if (!Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours) {
      throw new ValidationError(`ChangeSetReview: 'pipeline' is in ${what} ${theirs}, but the review is in ${what} ${ours}. `
        + `Its EventBridge rule would never see the pipeline's events: create the review in a stack of ${what} ${theirs}.`);
    }
  }
}

function checkName(prop: string, name: unknown): void {
  checkPattern(prop, name, NAME_PATTERN, 'a CodePipeline stage or action name (1-100 characters from A-Z, a-z, 0-9, ".", "@", "_", "-")');
}

function checkPattern(prop: string, value: unknown, pattern: RegExp, what: string): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ValidationError(`ChangeSetReview: '${prop}' is ${describe(value)}, which is not ${what}.`);
  }
}
