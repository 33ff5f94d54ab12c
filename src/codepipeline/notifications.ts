import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { isEmailAddress } from '../contract';
import { ValidationError } from '../private/errors';
import { denyGrantsExceptForAwsServices } from '../private/hygiene';
import { checkArguments } from '../private/props-check';

/**
 * A pipeline event that can be notified.
 */
export enum PipelineEvent {
  /** A pipeline execution started. */
  EXECUTION_STARTED = 'EXECUTION_STARTED',
  /** A pipeline execution failed. */
  EXECUTION_FAILED = 'EXECUTION_FAILED',
  /** A pipeline execution was stopped (canceled). */
  EXECUTION_CANCELED = 'EXECUTION_CANCELED',
  /** A pipeline execution was superseded by a newer one. */
  EXECUTION_SUPERSEDED = 'EXECUTION_SUPERSEDED',
  /** A manual approval is waiting for a person. */
  APPROVAL_NEEDED = 'APPROVAL_NEEDED',
  /** A manual approval was approved. */
  APPROVAL_APPROVED = 'APPROVAL_APPROVED',
  /** A manual approval was rejected (or timed out). */
  APPROVAL_REJECTED = 'APPROVAL_REJECTED',
  /**
   * A pipeline execution succeeded. Production is the last stage of a `DeliveryPipeline`, so this means the
   * release is deployed to production.
   */
  PRODUCTION_SUCCEEDED = 'PRODUCTION_SUCCEEDED',
}

/** The CodeStar Notifications event type of each event. */
const EVENT_TYPES: Record<PipelineEvent, codepipeline.PipelineNotificationEvents> = {
  [PipelineEvent.EXECUTION_STARTED]: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_STARTED,
  [PipelineEvent.EXECUTION_FAILED]: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
  [PipelineEvent.EXECUTION_CANCELED]: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_CANCELED,
  [PipelineEvent.EXECUTION_SUPERSEDED]: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUPERSEDED,
  [PipelineEvent.APPROVAL_NEEDED]: codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
  [PipelineEvent.APPROVAL_APPROVED]: codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_SUCCEEDED,
  [PipelineEvent.APPROVAL_REJECTED]: codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_FAILED,
  [PipelineEvent.PRODUCTION_SUCCEEDED]: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
};

const DEFAULT_EVENTS = [PipelineEvent.EXECUTION_FAILED, PipelineEvent.APPROVAL_NEEDED, PipelineEvent.PRODUCTION_SUCCEEDED];

/** The service that publishes notification rule events to SNS topics. */
const CODESTAR_NOTIFICATIONS = 'codestar-notifications.amazonaws.com';

/**
 * Where pipeline events are sent. Create one with a static factory.
 */
export abstract class NotificationTarget {
  /**
   * An SNS topic you own, used as given (its subscriptions, encryption and policy are yours).
   */
  public static topic(topic: sns.ITopic): NotificationTarget {
    checkArguments('NotificationTarget.topic', [topic]);
    return new RuleTarget(`the SNS topic '${topic.node.path}'`, identityOf('topic', topic.topicArn, topic), topic);
  }

  /**
   * An e-mail address, subscribed to the encrypted topic the library creates. The recipient must confirm the
   * subscription from the e-mail SNS sends.
   */
  public static email(address: string): NotificationTarget {
    checkArguments('NotificationTarget.email', [address]);
    if (!Token.isUnresolved(address) && !isEmailAddress(address)) {
      throw new ValidationError(`NotificationTarget.email: '${address}' is not an e-mail address. Pass an address such as 'release-team@example.com'.`);
    }
    const key = Token.isUnresolved(address) ? address : address.toLowerCase();
    return new SubscriptionTarget(`the e-mail address '${address}'`, `email:${key}`, new subscriptions.EmailSubscription(address));
  }

  /**
   * An AWS Chatbot Slack channel.
   */
  public static slack(channel: chatbot.ISlackChannelConfiguration): NotificationTarget {
    checkArguments('NotificationTarget.slack', [channel]);
    return new RuleTarget(`the Slack channel '${channel.node.path}'`, identityOf('slack', channel.slackChannelConfigurationArn, channel), channel);
  }

  /**
   * An HTTPS endpoint (e.g. an incident tool's events URL), subscribed to the encrypted topic the library creates.
   * The endpoint must confirm the subscription (SNS posts a `SubscriptionConfirmation` message to it).
   */
  public static https(url: string): NotificationTarget {
    checkArguments('NotificationTarget.https', [url]);
    if (!Token.isUnresolved(url)) {
      checkHttpsUrl(url);
    }
    return new SubscriptionTarget(`the URL '${url}'`, `https:${url}`,
      new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
  }

  /** What the target is, for messages. */
  public abstract readonly description: string;
}

/** A target the notification rule addresses directly (an SNS topic or a Chatbot channel). */
class RuleTarget extends NotificationTarget {
  constructor(
    public readonly description: string,
    public readonly identity: string,
    public readonly target: codestarnotifications.INotificationRuleTarget) {
    super();
  }
}

/** A target subscribed to the topic that the library creates. */
class SubscriptionTarget extends NotificationTarget {
  constructor(
    public readonly description: string,
    public readonly identity: string,
    public readonly subscription: sns.ITopicSubscription) {
    super();
  }
}

/** Same resource, same identity: by ARN when it is known at synth, else by construct. */
function identityOf(kind: string, arn: string, construct: IConstruct): string {
  return Token.isUnresolved(arn) ? `${kind}:${construct.node.path}` : `${kind}:${arn}`;
}

function checkHttpsUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`NotificationTarget.https: '${url}' is not a URL. Pass the endpoint's full URL, e.g. 'https://events.example.com/integration/KEY/enqueue'.`);
  }
  if (parsed.protocol !== 'https:') {
    throw new ValidationError(`NotificationTarget.https: '${url}' uses ${parsed.protocol.replace(':', '')}. Pass an https:// URL: only HTTPS endpoints are subscribed, so that pipeline events are never sent unencrypted.`);
  }
}

/**
 * Which pipeline events are sent, and where.
 */
export interface NotificationOptions {
  /**
   * Where the events are sent. E-mail and HTTPS targets share one KMS-encrypted SNS topic that the library creates.
   */
  readonly targets: NotificationTarget[];

  /**
   * The events that are sent.
   *
   * @default - EXECUTION_FAILED, APPROVAL_NEEDED and PRODUCTION_SUCCEEDED
   */
  readonly events?: PipelineEvent[];

  /**
   * How much of the event the notification carries.
   *
   * @default DetailType.FULL
   */
  readonly detailType?: codestarnotifications.DetailType;
}

/**
 * Sends the selected events of `pipeline` to the targets, through ONE CodeStar Notifications rule.
 *
 * E-mail and HTTPS targets are subscribed to one SNS topic created in `scope` (construct id `Notifications`),
 * encrypted with a customer-managed KMS key with rotation, and which accepts only TLS publishing.
 * The rule is created in the pipeline (construct id `Notifications`).
 *
 * Validation messages name the properties `notifications.targets` and `notifications.events`.
 *
 * @returns the notification rule
 */
export function addPipelineNotifications(
  scope: Construct, pipeline: codepipeline.IPipeline, options: NotificationOptions): codestarnotifications.INotificationRule {
  const targets = options.targets;
  const events = options.events ?? DEFAULT_EVENTS;
  if (targets.length === 0) {
    throw new ValidationError('notifications.targets: the list is empty. Pass at least one target, e.g. NotificationTarget.email(\'release-team@example.com\'), or leave out \'notifications\'.');
  }
  if (events.length === 0) {
    throw new ValidationError(`notifications.events: the list is empty. Pass at least one PipelineEvent, or leave out 'events' for the default (${DEFAULT_EVENTS.join(', ')}).`);
  }
  const ruleTargets: codestarnotifications.INotificationRuleTarget[] = [];
  const subscriptionTargets: sns.ITopicSubscription[] = [];
  const seen = new Map<string, number>();
  targets.forEach((target, i) => {
    if (!(target instanceof RuleTarget || target instanceof SubscriptionTarget)) {
      throw new ValidationError(`notifications.targets[${i}]: ${target.description} is not a target this library can send to. Create targets with NotificationTarget.topic(), email(), slack() or https().`);
    }
    const first = seen.get(target.identity);
    if (first !== undefined) {
      throw new ValidationError(`notifications.targets[${i}]: ${target.description} is already notifications.targets[${first}]. Remove the duplicate.`);
    }
    seen.set(target.identity, i);
    if (target instanceof RuleTarget) {
      ruleTargets.push(target.target);
    } else {
      subscriptionTargets.push(target.subscription);
    }
  });

  if (subscriptionTargets.length > 0) {
    ruleTargets.push(subscriptionTopic(scope, subscriptionTargets));
  }

  const [firstTarget, ...otherTargets] = ruleTargets;
  const rule = pipeline.notifyOn('Notifications', firstTarget, {
    events: [...new Set(events)].map(event => EVENT_TYPES[event]),
    detailType: options.detailType ?? codestarnotifications.DetailType.FULL,
  });
  for (const target of otherTargets) {
    rule.addTarget(target);
  }
  return rule;
}

/**
 * The library's topic for e-mail and HTTPS targets, with the subscriptions, as a notification rule target.
 *
 * Publishing and key use are granted to CodeStar Notifications here, with conditions, rather than by the topic's
 * own `bindAsNotificationRuleTarget` (whose `grantPublish` adds the same statements without conditions).
 */
function subscriptionTopic(scope: Construct, subscriptionTargets: sns.ITopicSubscription[]): codestarnotifications.INotificationRuleTarget {
  const container = new Construct(scope, 'Notifications');
  const stack = Stack.of(container);
  const key = new kms.Key(container, 'Key', {
    description: `Encrypts the pipeline notification topic of ${container.node.path}`,
    enableKeyRotation: true,
    // The key protects only messages in flight (SNS keeps none after delivery): nothing to recover after deletion.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // Key policy statement from https://docs.aws.amazon.com/dtconsole/latest/userguide/set-up-sns.html (step 6):
  // CodeStar Notifications may use the key only through SNS in the key's region.
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CodeStarNotificationsUseKeyViaSns',
    principals: [new iam.ServicePrincipal(CODESTAR_NOTIFICATIONS)],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.${stack.urlSuffix}` } },
  }));
  denyGrantsExceptForAwsServices(key);
  const topic = new sns.Topic(container, 'Topic', {
    displayName: 'Pipeline notifications',
    masterKey: key,
    enforceSSL: true,
  });
  // Topic policy statement from https://docs.aws.amazon.com/dtconsole/latest/userguide/security_iam_troubleshoot.html:
  // CodeStar Notifications may publish only on behalf of this account.
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CodeStarNotificationsPublish',
    principals: [new iam.ServicePrincipal(CODESTAR_NOTIFICATIONS)],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  for (const subscription of subscriptionTargets) {
    topic.addSubscription(subscription);
  }
  return {
    bindAsNotificationRuleTarget: () => ({ targetType: 'SNS', targetAddress: topic.topicArn }),
  };
}
