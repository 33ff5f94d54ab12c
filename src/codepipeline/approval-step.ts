import { Duration } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';

/**
 * What a person sees and who is told when a manual approval is waiting.
 */
export interface ApprovalOptions {
  /**
   * Text shown to the approver.
   *
   * @default - a text naming the environment the approval gates
   */
  readonly comment?: string;

  /**
   * URL the approver should review (a dashboard, the staging site, a change report).
   *
   * @default - no review URL
   */
  readonly reviewUrl?: string;

  /**
   * SNS topic notified when the approval is waiting.
   *
   * @default - no topic is notified
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * E-mail addresses notified when the approval is waiting (a topic is created for them).
   *
   * @default - no e-mail is sent
   */
  readonly notifyEmails?: string[];

  /**
   * Time after which a waiting approval is rejected automatically. CodePipeline allows 5 minutes to 60 days.
   *
   * @default - CodePipeline's default, 7 days
   */
  readonly timeout?: Duration;
}

/**
 * A manual approval rendered as a CodePipeline `Manual` approval action.
 *
 * A custom step (rather than `pipelines.ManualApprovalStep`) so that e-mail targets and the timeout, which the
 * CodePipeline action supports, are available.
 */
export class ApprovalStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  constructor(id: string, private readonly options: ApprovalOptions & { readonly comment: string }) {
    super(id);
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
