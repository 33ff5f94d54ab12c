import { Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import { RunOrderAction } from './direct-deploy-stage';
import { HoldingStage } from './holding-stage';
import { InternalError } from '../../../private/errors';
import { ChangeReviewPolicy } from '../../../review/change-review-policy';

/**
 * A stage whose change sets are reviewed before they execute: it holds CDK Pipelines' actions and, in `flush()`, adds
 * them to the L2 stage with the review approval between the change sets' prepare (CHANGE_SET_REPLACE) and execute
 * (CHANGE_SET_EXECUTE) actions:
 *
 *     [pre steps] -> [every <stack>.Prepare] -> [Review] -> [<stack>.Deploy, in dependency order] -> [post steps]
 *
 * CDK Pipelines prepares a stack that depends on another after that one executes (`A.Prepare`, `A.Deploy`,
 * `B.Prepare`, `B.Deploy`). One review must see every change set before any executes, so every prepare moves to the
 * run order of the first one, and the execute actions keep their order (A before B) after the review: one review, and
 * one hop more only for a stage without dependencies (`P, D` becomes `P, R, D`; `P, D, P, D` becomes `P, R, D, D`).
 * The price: a dependent stack's change set is computed before its dependency executes, so it cannot use an export that
 * the same release adds to the dependency (CloudFormation fails that change set; the review then holds the release with
 * the reason). Ship such an export in an earlier release (docs/change-review.md, "Dependent stacks").
 *
 * Actions are added to the L2 stage only in `flush()`, because the L2 stage copies an action's run order when the
 * action is added.
 */
export class ReviewStage extends HoldingStage {
  /** The review approval's review link (the review's decision in its log), set by `linkReview` before `flush()`. */
  private reviewLink: string | undefined;

  constructor(
    target: codepipeline.IStage,
    /** The review approval's action name. */
    public readonly approvalActionName: string,
    /** The policy of the review. */
    public readonly policy: ChangeReviewPolicy,
    /** The environment's name, for the summary. */
    public readonly environmentName: string,
    /** The environment's property path, for messages. */
    public readonly environmentProperty: string,
    /** The CDK Stages this stage deploys. */
    public readonly targets: Stage[],
    /** The approval's comment (CustomData), written when the stage is flushed (after CDK Pipelines built the pipeline). */
    private readonly comment: () => string,
  ) {
    super(target);
  }

  /** The review approval's review link: where a person reads the review's decision (`ChangeSetReview.decisionLink`). */
  public linkReview(link: string): void {
    this.reviewLink = link;
  }

  /** Adds the held actions to the stage, with the review approval after every prepare and before every execute. */
  public flush(): void {
    if (this.reviewLink === undefined) {
      throw new InternalError(`DeliveryPipeline: the reviewed stage '${this.stageName}' was built before its change-set review was linked to it. Please report it with your aws-cdk-lib version.`);
    }
    this.flushed = true;
    const isPrepare = (a: codepipeline.IAction) => a instanceof cpactions.CloudFormationCreateReplaceChangeSetAction;
    const orderOf = (a: codepipeline.IAction) => a.actionProperties.runOrder ?? 1;
    const prepares = this.held.filter(isPrepare);
    if (prepares.length === 0) {
      throw new InternalError(`DeliveryPipeline: the reviewed stage '${this.stageName}' has no change set to review (no CHANGE_SET_REPLACE action from CDK Pipelines). Please report it with your aws-cdk-lib version.`);
    }
    const first = Math.min(...prepares.map(orderOf));
    const review = first + 1;
    // Everything at or after the first prepare that is not a prepare (the executes, the post steps) follows the
    // review, in its order, without gaps.
    const later = this.held.filter(a => !isPrepare(a) && orderOf(a) >= first);
    const levels = [...new Set(later.map(orderOf))].sort((a, b) => a - b);
    const after = new Map(levels.map((level, i) => [level, review + 1 + i]));
    const placed = this.held.map(action => ({
      action,
      runOrder: isPrepare(action) ? first : orderOf(action) < first ? orderOf(action) : after.get(orderOf(action))!,
    }));
    // In the template's order too: what runs before the review, the review, what runs after it.
    placed.filter(p => p.runOrder < review).forEach(p => this.target.addAction(new RunOrderAction(p.action, p.runOrder)));
    this.target.addAction(new cpactions.ManualApprovalAction({
      actionName: this.approvalActionName,
      runOrder: review,
      additionalInformation: this.comment(),
      externalEntityLink: this.reviewLink,
    }));
    placed.filter(p => p.runOrder > review).forEach(p => this.target.addAction(new RunOrderAction(p.action, p.runOrder)));
  }
}
