import { describe } from '../blueprint/validate';
import { ValidationError } from '../private/errors';
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
  /**
   * The release carries more new source revisions since the last production release than the policy's
   * `maxReleaseRevisions` (checked only when that limit is set).
   */
  LARGE_RELEASE = 'LARGE_RELEASE',
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
  /**
   * Hold when more than this many new source revisions reached the pipeline since the last production release
   * (the last execution that succeeded). Each revision is one push or more, so this is a lower bound on commits.
   * Read from the pipeline's execution history in the same review, no extra hop.
   *
   * @default - no limit: the release size is not checked
   */
  readonly maxReleaseRevisions?: number;
  /**
   * What to do when the release carries more new source revisions than `maxReleaseRevisions`.
   *
   * @default ReviewOutcome.HOLD
   */
  readonly largeRelease?: ReviewOutcome;
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
    checkReleaseSizeLimit(options);
    checkArguments('ChangeReviewPolicy.of', [options]);
    checkLargeReleaseOutcome(options);
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
  /**
   * The most new source revisions a release may carry since the last production release before `largeRelease` applies.
   *
   * @default - no limit
   */
  public readonly maxReleaseRevisions?: number;
  /** The outcome of a release larger than `maxReleaseRevisions` (only used when that limit is set). */
  public readonly largeRelease: ReviewOutcome;

  private constructor(options: ChangeReviewPolicyOptions, enabled = true) {
    this.enabled = enabled;
    this.statefulReplacement = outcome(options.statefulReplacement, ReviewOutcome.HOLD);
    this.securityBroadening = outcome(options.securityBroadening, ReviewOutcome.HOLD);
    this.stackRemoval = outcome(options.stackRemoval, ReviewOutcome.CONTINUE);
    this.maxReleaseRevisions = options.maxReleaseRevisions ?? undefined;
    this.largeRelease = outcome(options.largeRelease, ReviewOutcome.HOLD);
  }

  /** The outcome of a change of class `changeClass`. */
  public outcomeFor(changeClass: ChangeClass): ReviewOutcome {
    checkArguments('ChangeReviewPolicy.outcomeFor', [changeClass]);
    return {
      [ChangeClass.STATEFUL_REPLACEMENT]: this.statefulReplacement,
      [ChangeClass.SECURITY_BROADENING]: this.securityBroadening,
      [ChangeClass.STACK_REMOVAL]: this.stackRemoval,
      [ChangeClass.LARGE_RELEASE]: this.largeRelease,
    }[changeClass];
  }

  /**
   * Whether every class continues: the review can approve every change set by itself. The release size counts only
   * when a limit is set (without one, `largeRelease` never applies).
   */
  public get continuesAlways(): boolean {
    const outcomes = [this.statefulReplacement, this.securityBroadening, this.stackRemoval];
    if (this.maxReleaseRevisions !== undefined) {
      outcomes.push(this.largeRelease);
    }
    return outcomes.every(o => o === ReviewOutcome.CONTINUE);
  }
}

/**
 * `maxReleaseRevisions` is a whole number of at least 1. Checked before the type check, so that an untyped caller's
 * string or NaN gets the same message with the fix; options that are not an object are left to the type check. Null is
 * no limit, as for every optional property (jsii languages pass it for "not set").
 */
function checkReleaseSizeLimit(options: ChangeReviewPolicyOptions): void {
  const limit: unknown = typeof options === 'object' && options !== null ? options.maxReleaseRevisions : undefined;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    throw new ValidationError(`ChangeReviewPolicy.of(options).maxReleaseRevisions: ${describe(limit)} is not a whole number of at least 1. `
      + 'Pass the most new source revisions a release may carry without a person, e.g. 20, or leave it out for no limit.');
  }
}

/** A large-release outcome applies only with a limit: without one, it is a mistake (it would never apply). */
function checkLargeReleaseOutcome(options: ChangeReviewPolicyOptions): void {
  if ((options.maxReleaseRevisions ?? undefined) === undefined && (options.largeRelease ?? undefined) !== undefined) {
    throw new ValidationError(`ChangeReviewPolicy.of(options).largeRelease: ${describe(options.largeRelease)} is given without maxReleaseRevisions, `
      + 'so it would never apply. Set maxReleaseRevisions (e.g. 20) too, or leave largeRelease out.');
  }
}

/** The value given (checked by `checkArguments`: a ReviewOutcome), or the default. */
function outcome(value: ReviewOutcome | undefined, fallback: ReviewOutcome): ReviewOutcome {
  return value ?? fallback;
}
