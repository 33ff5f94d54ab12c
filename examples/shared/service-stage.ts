import * as path from 'node:path';
import { CfnOutput, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { VerificationStepOptions } from '../../src';

/**
 * The application the example pipelines release: one stack with a Lambda function whose code is a file
 * asset (so the pipeline's asset publishing is exercised) and a function URL output for smoke tests.
 */
export class ServiceStage extends Stage {
  /** The function URL, read by the staging smoke test. */
  public readonly urlOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Service');
    const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    // An explicit role that may write to its own log group only (no AWS managed policy).
    const role = new iam.Role(stack, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      role,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'handler')),
      environment: { ENVIRONMENT_NAME: id },
      logGroup,
    });
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
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
