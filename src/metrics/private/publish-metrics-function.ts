import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bundledHandlerCode } from '../../private/bundled-handler';

/**
 * Props for PublishMetricsFunction
 */
export interface PublishMetricsFunctionProps extends lambda.FunctionOptions {
}

/**
 * The delivery metrics' function: runs src/metrics/private/publish-metrics.lambda.ts, bundled by the build (the
 * `bundle` task) into assets/.
 */
export class PublishMetricsFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props?: PublishMetricsFunctionProps) {
    super(scope, id, {
      description: 'src/metrics/private/publish-metrics.lambda.ts',
      ...props,
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      handler: 'index.handler',
      code: bundledHandlerCode(scope, id, 'metrics/private/publish-metrics.lambda'),
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
