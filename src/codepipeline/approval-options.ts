import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * What a person sees and who is told when a manual approval is waiting.
 */
export interface ApprovalOptions {
  /**
   * Text shown to the approver.
   *
   * @default - a text naming the environment the approval gates and the commit it releases (its id and message,
   * filled in by CodePipeline from the source action's variables)
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

  /**
   * Approve automatically when the deployment broadens no IAM permissions or security-group rules.
   *
   * @deprecated The change-set review (`changeReview`, on by default wherever change sets are used) holds a release
   * whose permissions broaden without a CodeBuild hop: set `requireManualApproval: false` instead. Synthesizing with
   * this property adds a warning.
   *
   * Uses CDK Pipelines' `ConfirmPermissionsBroadening`: a `cdk diff --security-only` check per gated `Stage`
   * that approves its own manual approval when nothing broadens, and otherwise leaves it for a person (and
   * notifies `notificationTopic`). It adds one action slot. `comment`, `reviewUrl`, `notifyEmails` and `timeout`
   * do not apply to it.
   *
   * @default false
   */
  readonly autoApproveUnlessPermissionsBroaden?: boolean;
}
