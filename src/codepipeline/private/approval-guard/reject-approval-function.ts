import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bundledHandlerCode } from '../../../private/bundled-handler';

/**
 * Props for RejectApprovalFunction
 */
export interface RejectApprovalFunctionProps extends lambda.FunctionOptions {
}

/**
 * The approval guard's function: runs src/codepipeline/private/approval-guard/reject-approval.lambda.ts, bundled
 * by the build (the `bundle` task) into assets/.
 */
export class RejectApprovalFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props?: RejectApprovalFunctionProps) {
    super(scope, id, {
      description: 'src/codepipeline/private/approval-guard/reject-approval.lambda.ts',
      ...props,
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      handler: 'index.handler',
      code: bundledHandlerCode(scope, id, 'codepipeline/private/approval-guard/reject-approval.lambda'),
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
