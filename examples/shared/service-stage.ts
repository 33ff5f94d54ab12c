import * as path from 'node:path';
import { CfnOutput, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { hardenedKey } from './keys';
import { LambdaProgressiveDeployment, ReleaseAlarm, TrafficShift, VerificationStepOptions } from '../../src';

export interface ServiceStageProps extends StageProps {
  /**
   * Release the function through CodeDeploy: the function gets this name (the release alarm's metric names it), and
   * each deployment shifts its `live` alias canary, 10 % for 5 minutes, rolled back when the alarm fires.
   *
   * @default - the function is updated in place
   */
  readonly progressive?: { readonly functionName: string; readonly alarm: ReleaseAlarm };
}

/**
 * The application the example pipelines release: one stack with a Lambda function whose code is a file
 * asset (so the pipeline's asset publishing is exercised) and a function URL output for smoke tests.
 */
export class ServiceStage extends Stage {
  /** The function URL, read by the staging smoke test. */
  public readonly urlOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: ServiceStageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Service');
    // Logs kept a year (AWS Control Tower CT.CLOUDWATCH.PR.2), encrypted with the service's own key (PR.3).
    const logsKey = hardenedKey(stack, 'LogsKey', `Encrypts the ${id} service logs`);
    logsKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logsKey });
    // An explicit role that may write to its own log group only (no AWS managed policy).
    const role = new iam.Role(stack, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    const fn = new lambda.Function(stack, 'Handler', {
      functionName: props.progressive?.functionName,
      runtime: lambda.Runtime.NODEJS_24_X,
      role,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'handler')),
      environment: { ENVIRONMENT_NAME: id },
      logGroup,
    });
    acknowledge(fn, 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'The example service has no private resources to reach; a real service that talks to a database would run in its VPC.');
    // With a progressive release, callers reach the alias, whose traffic CodeDeploy shifts to each new version.
    const release = props.progressive && new LambdaProgressiveDeployment(stack, 'Release', {
      lambdaFunction: fn,
      shift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
      alarms: [props.progressive.alarm],
    });
    release?.alarms.forEach(alarm => acknowledge(alarm, 'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
      'A release gate: CodeDeploy and the pipeline\'s bake read this alarm and roll the release back; paging on errors is the service\'s own alarms\' job.'));
    const url = (release?.alias ?? fn).addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.urlOutput = new CfnOutput(stack, 'Url', { value: url.url });
  }
}

/** The staging smoke test: calls the function URL (IAM-signed) read from the stack output. */
export function smokeTest(stage: ServiceStage): VerificationStepOptions {
  return {
    name: 'SmokeTest',
    commands: ['curl --fail --aws-sigv4 "aws:amz:us-east-1:lambda" "$SERVICE_URL"'],
    envFromOutputs: { SERVICE_URL: stage.urlOutput },
  };
}
