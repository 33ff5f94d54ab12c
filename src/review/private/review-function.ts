import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bundledHandlerCode } from '../../private/bundled-handler';

/**
 * The change-set review's function: runs src/review/private/review-change-sets.lambda.ts, bundled by the build (the
 * `bundle` task) into assets/.
 */
export class ReviewFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: lambda.FunctionOptions) {
    super(scope, id, {
      ...props,
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      handler: 'index.handler',
      code: bundledHandlerCode(scope, id, 'review/private/review-change-sets.lambda'),
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
