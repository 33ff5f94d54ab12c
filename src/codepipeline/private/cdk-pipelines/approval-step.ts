import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { ApprovalOptions } from '../../approval-options';

/**
 * A manual approval rendered as a CodePipeline `Manual` approval action.
 *
 * A custom step (rather than `pipelines.ManualApprovalStep`) so that e-mail targets and the timeout, which the
 * CodePipeline action supports, are available.
 */
export class ApprovalStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  constructor(id: string, private readonly options: ApprovalOptions & { readonly comment: string }) {
    super(id);
    // The comment may name source variables (the released commit): CDK Pipelines then gives the source action a
    // namespace and resolves the references to `#{<namespace>.<variable>}`.
    this.discoverReferencedOutputs(options.comment);
  }

  public produceAction(stage: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    stage.addAction(new cpactions.ManualApprovalAction({
      actionName: options.actionName,
      runOrder: options.runOrder,
      additionalInformation: this.options.comment,
      externalEntityLink: this.options.reviewUrl,
      notificationTopic: this.options.notificationTopic,
      notifyEmails: this.options.notifyEmails,
      timeout: this.options.timeout,
    }));
    return { runOrdersConsumed: 1 };
  }
}
