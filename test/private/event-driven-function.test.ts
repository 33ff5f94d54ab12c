import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { EventDrivenFunction, EventDrivenFunctionProps } from '../../src/private/event-driven-function';
import { notifyOrAcknowledge } from '../../src/private/hygiene';

/** The hardened event-driven function itself; the approval guard's and the metrics' tests check it in place. */

const ENV = { account: '111111111111', region: 'eu-west-1' };

const PROPS: EventDrivenFunctionProps = {
  bundle: 'metrics/private/publish-metrics.lambda',
  description: 'Test function: does one thing',
  roleDescription: 'Test function: may read one bucket',
  permissions: [
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::one-bucket/one-key'] }),
    new iam.PolicyStatement({ actions: ['codepipeline:GetPipelineState'], resources: ['arn:aws:codepipeline:eu-west-1:111111111111:one'] }),
  ],
  calls: 'the S3 and CodePipeline APIs',
  environment: { ONE: '1' },
  timeout: Duration.seconds(20),
  logRetention: logs.RetentionDays.ONE_MONTH,
  deadLetterOwner: 'the test rule and function',
  deadLetterAlarmDescription: 'The test function failed: read the dead-letter queue.',
};

function fixture(props: Partial<EventDrivenFunctionProps> = {}) {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const feature = new Construct(stack, 'Feature');
  const handler = new EventDrivenFunction(feature, { ...PROPS, ...props });
  return { stack, feature, handler };
}

function acknowledgmentsOf(construct: IConstruct): Record<string, string> {
  return Object.assign({}, ...construct.node.metadata
    .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .map(m => m.data as Record<string, string>));
}

describe('EventDrivenFunction', () => {
  test('creates its resources directly in the feature\'s scope, under fixed ids', () => {
    const { feature, handler } = fixture();
    expect(feature.node.children.map(c => c.node.id).sort()).toEqual(['DeadLetterAlarm', 'DeadLetterQueue', 'Function', 'Logs', 'Role']);
    expect(handler.function.node.path).toBe('Stack/Feature/Function');
  });

  test('a second one in the same scope fails with the fix, not with a clash of ids', () => {
    const { feature } = fixture();
    expect(() => new EventDrivenFunction(feature, PROPS))
      .toThrow("EventDrivenFunction: 'Stack/Feature' already holds a function. An EventDrivenFunction creates its resources directly in its scope");
    // One each in two constructs is fine.
    const other = new Construct(feature.node.scope as Construct, 'Other');
    expect(() => new EventDrivenFunction(other, PROPS)).not.toThrow();
  });

  test('the role may write its own log group, do exactly the given permissions in order, and dead-letter; no managed policy', () => {
    const { stack, handler } = fixture();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { Description: 'Test function: may read one bucket', ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [stack.getLogicalId(handler.logGroup.node.defaultChild as never), 'Arn'] } }),
          Match.objectLike({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::one-bucket/one-key' }),
          Match.objectLike({ Action: 'codepipeline:GetPipelineState', Resource: 'arn:aws:codepipeline:eu-west-1:111111111111:one' }),
          Match.objectLike({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [stack.getLogicalId(handler.deadLetterQueue.node.defaultChild as never), 'Arn'] } }),
        ],
      },
    });
  });

  test('the function: bundled handler, JSON logs to its own log group, the given settings; memory only when given', () => {
    const withDefault = Template.fromStack(fixture().stack);
    withDefault.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Description: 'Test function: does one thing',
      Timeout: 20,
      MemorySize: Match.absent(),
      Environment: { Variables: { ONE: '1', AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' } },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' }),
    });
    withDefault.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    withDefault.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    Template.fromStack(fixture({ memorySize: 512 }).stack).hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512 });
  });

  test('the function\'s cfn-guard acknowledgment names the APIs it calls', () => {
    const { handler } = fixture();
    expect(acknowledgmentsOf(handler.function)['cdk-validator-cfnguard::lambda_inside_vpc_check'])
      .toMatch(/^The function only calls the S3 and CodePipeline APIs of its own region;/);
  });

  test('addRule: each rule in the feature\'s scope invokes the function with retries and the dead-letter queue', () => {
    const { stack, feature, handler } = fixture();
    const onEvent = handler.addRule('OnEvent', { eventPattern: { source: ['aws.codepipeline'] } });
    const hourly = handler.addRule('Hourly', { schedule: events.Schedule.rate(Duration.hours(1)) });
    expect([onEvent.node.scope, hourly.node.scope]).toEqual([feature, feature]);

    const template = Template.fromStack(stack);
    const queueArn = { 'Fn::GetAtt': [stack.getLogicalId(handler.deadLetterQueue.node.defaultChild as never), 'Arn'] };
    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(2);
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({
        Arn: { 'Fn::GetAtt': [stack.getLogicalId(handler.function.node.defaultChild as never), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: queueArn },
      })]);
    }
    template.resourceCountIs('AWS::Lambda::Permission', 2);
  });
});

describe('notifyOrAcknowledge', () => {
  function alarmIn(stack: Stack): cloudwatch.Alarm {
    return new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
  }

  test.each([
    ['on ALARM and on OK', true, 1],
    ['on ALARM only', false, 0],
  ])('with a topic: notifies it %s, and acknowledges nothing', (_when, onOk, okActions) => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const alarm = alarmIn(stack);
    const topic = new sns.Topic(stack, 'Topic');
    notifyOrAcknowledge(alarm, { topic, onOk, withoutTopic: 'unused' });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(resource.Properties.AlarmActions).toEqual([{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }]);
    expect(resource.Properties.OKActions ?? []).toHaveLength(okActions);
    expect(acknowledgmentsOf(alarm)).toEqual({});
  });

  test('without a topic: no action, and cfn-guard\'s alarm-action rule is acknowledged with the given reason', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const alarm = alarmIn(stack);
    notifyOrAcknowledge(alarm, { onOk: true, withoutTopic: 'No topic was configured: the alarm shows in CloudWatch.' });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(resource.Properties.AlarmActions).toBeUndefined();
    expect(acknowledgmentsOf(alarm)).toEqual({ 'cdk-validator-cfnguard::cloudwatch_alarm_action_check': 'No topic was configured: the alarm shows in CloudWatch.' });
  });
});
