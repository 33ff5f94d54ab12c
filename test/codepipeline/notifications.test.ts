import { App, CfnElement, CfnParameter, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { addPipelineNotifications, NotificationOptions, NotificationTarget, PipelineEvent } from '../../src/codepipeline/notifications';
import { errorOf } from '../fixtures/app';
import { DENY_GRANTS_EXCEPT_FOR_AWS_SERVICES } from '../fixtures/policies';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** A minimal two-stage pipeline: S3 source, manual approval. */
function pipelineStack(props: StackProps = { env: ENV }) {
  const stack = new Stack(new App(), 'PipelineStack', props);
  const source = new codepipeline.Artifact('Source');
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    crossAccountKeys: false,
    stages: [
      {
        stageName: 'Source',
        actions: [new actions.S3SourceAction({
          actionName: 'Source', bucket: s3.Bucket.fromBucketName(stack, 'SourceBucket', 'source-bucket'), bucketKey: 'app.zip', output: source,
        })],
      },
      { stageName: 'Approve', actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] },
    ],
  });
  return { stack, pipeline };
}

function synth(options: NotificationOptions, props?: StackProps) {
  const { stack, pipeline } = pipelineStack(props);
  addPipelineNotifications(stack, pipeline, options);
  return Template.fromStack(stack);
}

/** The Properties of the only resource of `type`. */
function only(template: Template, type: string): Record<string, unknown> {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

/** `{ Ref }` to the L1 resource of `construct`. */
function ref(construct: IConstruct) {
  return { Ref: Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement) };
}

const PIPELINE_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:eu-west-1:111111111111:', { Ref: 'PipelineC660917D' }]],
};
const TOPIC = { Ref: 'NotificationsTopicAE679CBD' };
const CODESTAR = { Service: 'codestar-notifications.amazonaws.com' };

describe('addPipelineNotifications: e-mail and HTTPS through the library topic', () => {
  const template = synth({
    targets: [NotificationTarget.email('release-team@example.com'), NotificationTarget.https('https://events.example.com/integration/KEY/enqueue')],
  });

  test('one notification rule on the pipeline with the default events, full detail, the topic as target', () => {
    expect(only(template, 'AWS::CodeStarNotifications::NotificationRule')).toEqual({
      Name: 'PipelineStackPipelineNotifications59DA7632',
      DetailType: 'FULL',
      EventTypeIds: [
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-manual-approval-needed',
        'codepipeline-pipeline-pipeline-execution-succeeded',
      ],
      Resource: PIPELINE_ARN,
      Targets: [{ TargetType: 'SNS', TargetAddress: TOPIC }],
    });
  });

  test('the topic is encrypted with the library key', () => {
    expect(only(template, 'AWS::SNS::Topic')).toEqual({
      DisplayName: 'Pipeline notifications',
      KmsMasterKeyId: { 'Fn::GetAtt': ['NotificationsKeyADCFA950', 'Arn'] },
    });
  });

  test('the key rotates; CodeStar Notifications may use it only through SNS in the region', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'));
    expect(key).toHaveLength(1);
    expect(key[0].DeletionPolicy).toBe('Delete');
    expect(key[0].Properties).toEqual({
      Description: 'Encrypts the pipeline notification topic of PipelineStack/Notifications',
      EnableKeyRotation: true,
      KeyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'CodeStarNotificationsUseKeyViaSns',
            Effect: 'Allow',
            Principal: CODESTAR,
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Resource: '*',
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
          },
          // AWS Control Tower CT.KMS.PR.3: grants only for AWS resources or by AWS services.
          DENY_GRANTS_EXCEPT_FOR_AWS_SERVICES,
        ],
      },
    });
  });

  test('the topic policy denies publishing without TLS and lets CodeStar Notifications publish for this account only', () => {
    expect(only(template, 'AWS::SNS::TopicPolicy')).toEqual({
      Topics: [TOPIC],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: TOPIC,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'CodeStarNotificationsPublish',
            Effect: 'Allow',
            Principal: CODESTAR,
            Action: 'sns:Publish',
            Resource: TOPIC,
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          },
        ],
      },
    });
  });

  test('one e-mail and one HTTPS subscription', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map(r => r.Properties);
    expect(subscriptions).toEqual([
      { Protocol: 'email', Endpoint: 'release-team@example.com', TopicArn: TOPIC },
      { Protocol: 'https', Endpoint: 'https://events.example.com/integration/KEY/enqueue', TopicArn: TOPIC },
    ]);
  });
});

describe('addPipelineNotifications: targets addressed directly', () => {
  test('an AWS Chatbot Slack channel: no topic or key is created', () => {
    const { stack, pipeline } = pipelineStack();
    const slack = new chatbot.SlackChannelConfiguration(stack, 'Slack', {
      slackChannelConfigurationName: 'releases', slackWorkspaceId: 'T0123456', slackChannelId: 'C0123456',
    });
    addPipelineNotifications(stack, pipeline, { targets: [NotificationTarget.slack(slack)] });
    const template = Template.fromStack(stack);
    expect(only(template, 'AWS::CodeStarNotifications::NotificationRule').Targets).toEqual([
      { TargetType: 'AWSChatbotSlack', TargetAddress: ref(slack) },
    ]);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('a user topic is used as given: aws-cdk-lib grants CodeStar Notifications publish on it', () => {
    const { stack, pipeline } = pipelineStack();
    const topic = new sns.Topic(stack, 'OpsTopic');
    addPipelineNotifications(stack, pipeline, { targets: [NotificationTarget.topic(topic)] });
    const template = Template.fromStack(stack);
    expect(only(template, 'AWS::CodeStarNotifications::NotificationRule').Targets).toEqual([
      { TargetType: 'SNS', TargetAddress: ref(topic) },
    ]);
    expect(only(template, 'AWS::SNS::TopicPolicy').PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: CODESTAR, Action: 'sns:Publish', Resource: ref(topic), Sid: '0' }],
    });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('all kinds at once: ONE rule whose targets are in the given order, the library topic last', () => {
    const { stack, pipeline } = pipelineStack();
    const topic = new sns.Topic(stack, 'OpsTopic');
    const slack = new chatbot.SlackChannelConfiguration(stack, 'Slack', {
      slackChannelConfigurationName: 'releases', slackWorkspaceId: 'T0123456', slackChannelId: 'C0123456',
    });
    const rule = addPipelineNotifications(stack, pipeline, {
      targets: [
        NotificationTarget.email('a@example.com'),
        NotificationTarget.topic(topic),
        NotificationTarget.https('https://events.example.com/a'),
        NotificationTarget.slack(slack),
        NotificationTarget.email('b@example.com'),
      ],
    });
    const template = Template.fromStack(stack);
    expect(only(template, 'AWS::CodeStarNotifications::NotificationRule').Targets).toEqual([
      { TargetType: 'SNS', TargetAddress: ref(topic) },
      { TargetType: 'AWSChatbotSlack', TargetAddress: ref(slack) },
      { TargetType: 'SNS', TargetAddress: TOPIC },
    ]);
    expect(stack.resolve(rule.notificationRuleArn)).toEqual({ Ref: 'PipelineNotifications6D4DD3FC' });
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.resourceCountIs('AWS::SNS::Subscription', 3);
  });
});

describe('events and detail', () => {
  test.each([
    [PipelineEvent.EXECUTION_STARTED, 'codepipeline-pipeline-pipeline-execution-started'],
    [PipelineEvent.EXECUTION_FAILED, 'codepipeline-pipeline-pipeline-execution-failed'],
    [PipelineEvent.EXECUTION_CANCELED, 'codepipeline-pipeline-pipeline-execution-canceled'],
    [PipelineEvent.EXECUTION_SUPERSEDED, 'codepipeline-pipeline-pipeline-execution-superseded'],
    [PipelineEvent.APPROVAL_NEEDED, 'codepipeline-pipeline-manual-approval-needed'],
    [PipelineEvent.APPROVAL_APPROVED, 'codepipeline-pipeline-manual-approval-succeeded'],
    [PipelineEvent.APPROVAL_REJECTED, 'codepipeline-pipeline-manual-approval-failed'],
    [PipelineEvent.PRODUCTION_SUCCEEDED, 'codepipeline-pipeline-pipeline-execution-succeeded'],
  ])('%s is the CodeStar event %s', (event, id) => {
    const template = synth({ targets: [NotificationTarget.email('a@example.com')], events: [event] });
    expect(only(template, 'AWS::CodeStarNotifications::NotificationRule').EventTypeIds).toEqual([id]);
  });

  test('every PipelineEvent is covered above', () => {
    expect(Object.values(PipelineEvent)).toHaveLength(8);
  });

  test('selected events keep their order, duplicates once; basic detail', () => {
    const template = synth({
      targets: [NotificationTarget.email('a@example.com')],
      events: [PipelineEvent.APPROVAL_REJECTED, PipelineEvent.EXECUTION_STARTED, PipelineEvent.APPROVAL_REJECTED],
      detailType: codestarnotifications.DetailType.BASIC,
    });
    const rule = only(template, 'AWS::CodeStarNotifications::NotificationRule');
    expect(rule.EventTypeIds).toEqual(['codepipeline-pipeline-manual-approval-failed', 'codepipeline-pipeline-pipeline-execution-started']);
    expect(rule.DetailType).toBe('BASIC');
  });

  test('an environment-agnostic stack scopes the key and the topic policy with the deploy-time region and account', () => {
    const template = synth({ targets: [NotificationTarget.email('a@example.com')] }, {});
    const keyStatements = (only(template, 'AWS::KMS::Key').KeyPolicy as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(keyStatements[1].Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
    });
    const topicStatements = (only(template, 'AWS::SNS::TopicPolicy').PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(topicStatements[1].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });
});

describe('validation', () => {
  test('empty targets', () => {
    const { stack, pipeline } = pipelineStack();
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, { targets: [] }))).toBe(
      "notifications.targets: the list is empty. Pass at least one target, e.g. NotificationTarget.email('release-team@example.com'), or leave out 'notifications'.");
  });

  test('empty events', () => {
    const { stack, pipeline } = pipelineStack();
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, { targets: [NotificationTarget.email('a@example.com')], events: [] }))).toBe(
      "notifications.events: the list is empty. Pass at least one PipelineEvent, or leave out 'events' for the default (EXECUTION_FAILED, APPROVAL_NEEDED, PRODUCTION_SUCCEEDED).");
  });

  test('the same e-mail address twice (case does not matter)', () => {
    const { stack, pipeline } = pipelineStack();
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, {
      targets: [NotificationTarget.email('ops@example.com'), NotificationTarget.https('https://x.example.com'), NotificationTarget.email('OPS@example.com')],
    }))).toBe("notifications.targets[2]: the e-mail address 'OPS@example.com' is already notifications.targets[0]. Remove the duplicate.");
  });

  test('the same URL twice', () => {
    const { stack, pipeline } = pipelineStack();
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, {
      targets: [NotificationTarget.https('https://x.example.com/e'), NotificationTarget.https('https://x.example.com/e')],
    }))).toBe("notifications.targets[1]: the URL 'https://x.example.com/e' is already notifications.targets[0]. Remove the duplicate.");
  });

  test('the same topic twice', () => {
    const { stack, pipeline } = pipelineStack();
    const topic = new sns.Topic(stack, 'OpsTopic');
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, {
      targets: [NotificationTarget.topic(topic), NotificationTarget.topic(topic)],
    }))).toBe("notifications.targets[1]: the SNS topic 'PipelineStack/OpsTopic' is already notifications.targets[0]. Remove the duplicate.");
  });

  test('the same imported topic ARN twice, through two constructs', () => {
    const { stack, pipeline } = pipelineStack();
    const arn = 'arn:aws:sns:eu-west-1:111111111111:ops';
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, {
      targets: [
        NotificationTarget.topic(sns.Topic.fromTopicArn(stack, 'A', arn)),
        NotificationTarget.topic(sns.Topic.fromTopicArn(stack, 'B', arn)),
      ],
    }))).toBe("notifications.targets[1]: the SNS topic 'PipelineStack/B' is already notifications.targets[0]. Remove the duplicate.");
  });

  test('the same Slack channel twice', () => {
    const { stack, pipeline } = pipelineStack();
    const slack = new chatbot.SlackChannelConfiguration(stack, 'Slack', {
      slackChannelConfigurationName: 'releases', slackWorkspaceId: 'T0123456', slackChannelId: 'C0123456',
    });
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, {
      targets: [NotificationTarget.slack(slack), NotificationTarget.slack(slack)],
    }))).toBe("notifications.targets[1]: the Slack channel 'PipelineStack/Slack' is already notifications.targets[0]. Remove the duplicate.");
  });

  test('a target subclass the library does not know', () => {
    class Custom extends NotificationTarget {
      public readonly description = 'a custom target';
    }
    const { stack, pipeline } = pipelineStack();
    expect(errorOf(() => addPipelineNotifications(stack, pipeline, { targets: [new Custom()] }))).toBe(
      'notifications.targets[0]: a custom target is not a target this library can send to. Create targets with NotificationTarget.topic(), email(), slack() or https().');
  });

  test.each(['release-team', 'a b@example.com', 'ops@localhost', ''])('e-mail %j is rejected', address => {
    expect(errorOf(() => NotificationTarget.email(address))).toBe(
      `NotificationTarget.email: '${address}' is not an e-mail address. Pass an address such as 'release-team@example.com'.`);
  });

  test.each([
    ['http://events.example.com/e', 'http'],
    ['ftp://events.example.com/e', 'ftp'],
  ])('URL %s is rejected: %s', (url, protocol) => {
    expect(errorOf(() => NotificationTarget.https(url))).toBe(
      `NotificationTarget.https: '${url}' uses ${protocol}. Pass an https:// URL: only HTTPS endpoints are subscribed, so that pipeline events are never sent unencrypted.`);
  });

  test('a string that is not a URL is rejected', () => {
    expect(errorOf(() => NotificationTarget.https('events.example.com/e'))).toBe(
      "NotificationTarget.https: 'events.example.com/e' is not a URL. Pass the endpoint's full URL, e.g. 'https://events.example.com/integration/KEY/enqueue'.");
  });

  test('tokens are not validated: the values are known at deployment', () => {
    const { stack, pipeline } = pipelineStack();
    const address = new CfnParameter(stack, 'EmailParameter').valueAsString;
    const url = new CfnParameter(stack, 'UrlParameter').valueAsString;
    addPipelineNotifications(stack, pipeline, { targets: [NotificationTarget.email(address), NotificationTarget.https(url)] });
    const subscriptions = Object.values(Template.fromStack(stack).findResources('AWS::SNS::Subscription')).map(r => r.Properties);
    expect(subscriptions).toEqual([
      { Protocol: 'email', Endpoint: { Ref: 'EmailParameter' }, TopicArn: TOPIC },
      { Protocol: 'https', Endpoint: { Ref: 'UrlParameter' }, TopicArn: TOPIC },
    ]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('the notification resources have no finding and no acknowledgment', () => {
    const { stack, pipeline } = pipelineStack();
    const slack = new chatbot.SlackChannelConfiguration(stack, 'Slack', {
      slackChannelConfigurationName: 'releases', slackWorkspaceId: 'T0123456', slackChannelId: 'C0123456',
    });
    addPipelineNotifications(stack, pipeline, {
      targets: [NotificationTarget.email('a@example.com'), NotificationTarget.https('https://x.example.com/e'), NotificationTarget.slack(slack)],
    });
    const notifications = stack.node.findChild('Notifications');
    const rule = pipeline.node.findChild('Notifications');
    const ours = [...notifications.node.findAll(), ...rule.node.findAll()];
    expect(ours.map(c => c.node.path)).toEqual(expect.arrayContaining([
      'PipelineStack/Notifications/Key/Resource',
      'PipelineStack/Notifications/Topic/Resource',
      'PipelineStack/Notifications/Topic/Policy/Resource',
      'PipelineStack/Pipeline/Notifications/Resource',
    ]));

    const report = new AwsSolutionsChecks().validateScope(stack);
    const oursFindings = report.violations.flatMap(v => v.violatingResources
      .filter(r => ours.some(c => c.node.path === r.constructPath))
      .map(r => `${v.ruleName} ${r.constructPath}`));
    expect(oursFindings).toEqual([]);
    // The findings that remain belong to the plain test pipeline (artifact bucket, key and role), not to this module.
    expect(report.violations.length).toBeGreaterThan(0);
    expect(ours.filter(c => c.node.metadata.some(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))).toEqual([]);
  });
});
