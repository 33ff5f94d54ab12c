import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

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
