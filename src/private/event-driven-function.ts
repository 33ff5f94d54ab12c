import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, CFN_GUARD } from './acknowledgments';
import { BundledFunction } from './bundled-handler';
import { InternalError } from './errors';
import { deadLetterQueue, libraryLogGroup } from './hygiene';

/** Props of `EventDrivenFunction`. */
export interface EventDrivenFunctionProps {
  /** The handler's path under `src/` without `.ts` (`<room>/private/<name>.lambda`), bundled into `assets/` by the build. */
  readonly bundle: string;
  /** What the function does: its `Description`. */
  readonly description: string;
  /** Whose role it is and what it may do: the role's `Description`. */
  readonly roleDescription: string;
  /**
   * What the handler may do besides writing its own log group and dead-lettering its failed invocations: exact
   * actions on exact resources. Added before the function is created (the order of the role's statements).
   */
  readonly permissions: iam.PolicyStatement[];
  /**
   * The AWS APIs the handler calls, for the reason it runs outside a VPC (e.g. `the CodePipeline API`): they are
   * regional public endpoints, and the function touches no private resource.
   */
  readonly calls: string;
  /** The handler's configuration. Keep the names in a dependency-free module that the handler imports too. */
  readonly environment: Record<string, string>;
  /** The longest one invocation may take. */
  readonly timeout: Duration;
  /**
   * Memory of the function, in MiB.
   *
   * @default - Lambda's default, 128 MiB
   */
  readonly memorySize?: number;
  /** How long the function's logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Key to encrypt the function's logs with (the pipeline's artifact key).
   *
   * @default - CloudWatch Logs' own encryption at rest (acknowledged for cfn-guard)
   */
  readonly encryptionKey?: kms.IKey;
  /** Whose dead-letter queue it is, e.g. `the guard's rule and function` (the reason of its cfn-guard acknowledgment). */
  readonly deadLetterOwner: string;
  /** The dead-letter alarm's description: what an event in the queue means and what to do. */
  readonly deadLetterAlarmDescription: string;
}

/**
 * The library's hardened event-driven function, built one way for every feature that reacts to EventBridge events
 * (the approval guard, the delivery metrics, …):
 *
 * - the bundled handler (`BundledFunction`: Node.js 24, `assets/<bundle>`), JSON logs (application INFO,
 *   system WARN);
 * - an explicit least-privilege role: it may write its own log group, send to its dead-letter queue and do exactly
 *   `permissions` (no managed policy: the default role's AWSLambdaBasicExecutionRole writes to every log group);
 * - its own log group, with a retention and, when given, the pipeline's key;
 * - an encrypted, SSL-only dead-letter queue (14 days) with an alarm while it holds events, shared by the function
 *   (asynchronous invocation: 2 retries, events at most an hour old) and by every rule that targets it
 *   (10 retries, events at most an hour old);
 * - `addRule` for the EventBridge rules that invoke it, each with that target.
 *
 * It is not a construct level of its own: it creates `DeadLetterQueue`, `DeadLetterAlarm`, `Logs`, `Role` and
 * `Function` directly in `scope`, the feature's construct, so one scope holds one such function and the feature's
 * logical ids are its own. Use it inside a construct of your feature:
 *
 * ```ts
 * class ChangeSetReview extends Construct {
 *   constructor(scope: Construct, id: string, props: ChangeSetReviewProps) {
 *     super(scope, id);
 *     const handler = new EventDrivenFunction(this, {
 *       bundle: 'codepipeline/private/change-set-review/review.lambda',
 *       description: 'Change-set review: …', roleDescription: 'Change-set review: reads …',
 *       permissions: [new iam.PolicyStatement({ actions: ['cloudformation:DescribeChangeSet'], resources: [stackArn] })],
 *       calls: 'the CloudFormation and CodePipeline APIs',
 *       environment: { [STACK_VARIABLE]: stackName }, timeout: Duration.seconds(30),
 *       logRetention: logs.RetentionDays.ONE_YEAR, encryptionKey: props.encryptionKey,
 *       deadLetterOwner: 'the review\'s rule and function',
 *       deadLetterAlarmDescription: 'The change-set review could not handle an event: …',
 *     });
 *     handler.addRule('Rule', { eventPattern: { source: ['aws.codepipeline'], … } });
 *     notifyOrAcknowledge(handler.deadLetterAlarm, { topic: props.alarmTopic, onOk: false, withoutTopic: '…' });
 *   }
 * }
 * ```
 */
export class EventDrivenFunction {
  /** The function. */
  public readonly function: lambda.Function;
  /** Its role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** Events that could not be delivered, or that the function failed on after its retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** In ALARM while the dead-letter queue holds events. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The rule target that invokes the function, with retries and the dead-letter queue. */
  public readonly target: events.IRuleTarget;

  private readonly scope: Construct;

  constructor(scope: Construct, props: EventDrivenFunctionProps) {
    if (scope.node.tryFindChild('Function') !== undefined) {
      throw new InternalError(`EventDrivenFunction: '${scope.node.path}' already holds a function. An EventDrivenFunction creates its `
        + 'resources directly in its scope (Function, Role, Logs, DeadLetterQueue, DeadLetterAlarm): give each one a construct of its own.');
    }
    this.scope = scope;
    const dlq = deadLetterQueue(scope, props.deadLetterOwner, props.deadLetterAlarmDescription);
    this.deadLetterQueue = dlq.queue;
    this.deadLetterAlarm = dlq.alarm;

    this.logGroup = libraryLogGroup(scope, 'Logs', props.logRetention, props.encryptionKey);

    // An explicit role: the function's default role carries the AWS managed AWSLambdaBasicExecutionRole policy
    // (logs on every log group). This one may write only to its own log group.
    this.role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription,
    });
    this.logGroup.grantWrite(this.role);
    for (const statement of props.permissions) {
      this.role.addToPrincipalPolicy(statement);
    }

    this.function = new BundledFunction(scope, 'Function', {
      bundle: props.bundle,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: props.environment,
      // Asynchronous invocation (EventBridge): two retries after an error, then the event goes to the queue.
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: this.deadLetterQueue,
    });
    acknowledge(this.function, `${CFN_GUARD}::lambda_inside_vpc_check`,
      `The function only calls ${props.calls} of its own region; in a VPC it would need a NAT gateway or an interface `
      + 'endpoint to reach it, and it touches no private resource.');

    this.target = new targets.LambdaFunction(this.function, {
      retryAttempts: 10,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: this.deadLetterQueue,
    });
  }

  /** An EventBridge rule, in the feature's scope, that invokes the function (through `target`). */
  public addRule(id: string, props: events.RuleProps): events.Rule {
    return new events.Rule(this.scope, id, { ...props, targets: [...(props.targets ?? []), this.target] });
  }
}
