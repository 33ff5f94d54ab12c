import { checkArguments } from '../private/props-check';

/**
 * What the change-set review does with an environment's release when it finds a change of some class.
 */
export enum ReviewOutcome {
  /** Go on: the change set executes; the finding is recorded in the summary of the approval. */
  CONTINUE = 'CONTINUE',
  /** Wait for a person: the review approval stays pending and the summary says exactly what is risky. */
  HOLD = 'HOLD',
  /** Stop: the review approval is rejected with the summary as the reason, so the change set never executes. */
  FAIL = 'FAIL',
}

/**
 * The classes of risky change the review recognises in a change set.
 */
export enum ChangeClass {
  /**
   * A stateful resource (a database, table, bucket, file system, queue, key, log group … see docs/change-review.md)
   * is replaced or deleted and its data is not kept (no `Retain` policy).
   */
  STATEFUL_REPLACEMENT = 'STATEFUL_REPLACEMENT',
  /** Security posture broadened: a new IAM or resource-policy permission, a removed deny, a security group opened. */
  SECURITY_BROADENING = 'SECURITY_BROADENING',
  /** A stack that the environment deployed before is no longer in the app (CloudFormation leaves it running). */
  STACK_REMOVAL = 'STACK_REMOVAL',
}

/**
 * The outcome per class of change, for one environment's change-set review.
 */
export interface ChangeReviewPolicyOptions {
  /**
   * What to do when a stateful resource is replaced or deleted without a `Retain` policy.
   *
   * @default ReviewOutcome.HOLD
   */
  readonly statefulReplacement?: ReviewOutcome;
  /**
   * What to do when permissions broaden (IAM statements, resource policies, security group ingress).
   *
   * @default ReviewOutcome.HOLD
   */
  readonly securityBroadening?: ReviewOutcome;
  /**
   * What to do when a stack the environment deployed before is no longer in the app.
   *
   * @default ReviewOutcome.CONTINUE
   */
  readonly stackRemoval?: ReviewOutcome;
}

/**
 * The change-set review policy of one environment: what a change of each class does to the release (continue, hold
 * for a person, fail). The same in both release modes: under continuous deployment a safe change still flows, and a
 * risky one waits with a summary of what is risky.
 *
 * Declared migrations keep their own gate (the environment's migration steps); this policy does not change them.
 */
export class ChangeReviewPolicy {
  /**
   * The defaults: stateful replacement or deletion and security broadening hold for a person; a removed stack is
   * reported and the release continues.
   */
  public static defaults(): ChangeReviewPolicy {
    return new ChangeReviewPolicy({});
  }

  /**
   * No change-set review: the environment's change sets execute right after they are prepared, unread, and the
   * `Review` hop is saved. Every environment that uses change sets is reviewed unless it (or the level it inherits
   * from) says this.
   */
  public static disabled(): ChangeReviewPolicy {
    return new ChangeReviewPolicy({}, false);
  }

  /**
   * A policy with the given outcome per class; a class not named keeps its default.
   */
  public static of(options: ChangeReviewPolicyOptions): ChangeReviewPolicy {
    checkArguments('ChangeReviewPolicy.of', [options]);
    return new ChangeReviewPolicy(options);
  }

  /** False for `ChangeReviewPolicy.disabled()`: nothing is reviewed. */
  public readonly enabled: boolean;
  /** The outcome of a stateful resource replaced or deleted. */
  public readonly statefulReplacement: ReviewOutcome;
  /** The outcome of permissions broadened. */
  public readonly securityBroadening: ReviewOutcome;
  /** The outcome of a stack removed from the app. */
  public readonly stackRemoval: ReviewOutcome;

  private constructor(options: ChangeReviewPolicyOptions, enabled = true) {
    this.enabled = enabled;
    this.statefulReplacement = outcome(options.statefulReplacement, ReviewOutcome.HOLD);
    this.securityBroadening = outcome(options.securityBroadening, ReviewOutcome.HOLD);
    this.stackRemoval = outcome(options.stackRemoval, ReviewOutcome.CONTINUE);
  }

  /** The outcome of a change of class `changeClass`. */
  public outcomeFor(changeClass: ChangeClass): ReviewOutcome {
    checkArguments('ChangeReviewPolicy.outcomeFor', [changeClass]);
    return {
      [ChangeClass.STATEFUL_REPLACEMENT]: this.statefulReplacement,
      [ChangeClass.SECURITY_BROADENING]: this.securityBroadening,
      [ChangeClass.STACK_REMOVAL]: this.stackRemoval,
    }[changeClass];
  }

  /** Whether every class continues: the review can approve every change set by itself. */
  public get continuesAlways(): boolean {
    return [this.statefulReplacement, this.securityBroadening, this.stackRemoval].every(o => o === ReviewOutcome.CONTINUE);
  }
}

/** The value given (checked by `checkArguments`: a ReviewOutcome), or the default. */
function outcome(value: ReviewOutcome | undefined, fallback: ReviewOutcome): ReviewOutcome {
  return value ?? fallback;
}
