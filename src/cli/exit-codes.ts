import { DeliveryErrorCode } from '../runtime/errors';

/** The documented exit statuses of `cdk-delivery`. */
export enum ExitCode {
  /** The command did what was asked (for `wait`: the execution succeeded). */
  OK = 0,
  /** The operation failed (AWS or network error, throttled beyond retries), or the awaited execution did not succeed. */
  FAILED = 1,
  /** Usage error: unknown or missing option, bad value, unreadable history file, several approvals pending. */
  USAGE = 2,
  /** Not found: pipeline, stage, action or execution does not exist, or no approval is pending. */
  NOT_FOUND = 3,
  /** Access denied, or credentials invalid or expired. */
  ACCESS_DENIED = 4,
  /** Timed out: `wait --timeout` elapsed, or CodePipeline did not answer within the command deadline. */
  TIMEOUT = 5,
  /** Conflict: the approval was already approved or rejected (by someone else), or its token is no longer valid. */
  CONFLICT = 6,
  /** No AWS credentials were found. */
  NO_CREDENTIALS = 7,
  /** Outcome unknown: a change was sent, and whether CodePipeline recorded it could not be confirmed. */
  UNCERTAIN = 8,
  /** Declined: a rollback, stop or override was not confirmed, so nothing was sent. */
  DECLINED = 9,
  /** `approve --commit`: the pending approval is for another commit (or its commit could not be read); nothing was approved. */
  COMMIT_MISMATCH = 10,
  /** Interrupted by SIGINT (Ctrl-C) or SIGTERM: 128 + 2, as shells report Ctrl-C. */
  INTERRUPTED = 130,
}

export function exitCodeFor(code: DeliveryErrorCode): ExitCode {
  switch (code) {
    case DeliveryErrorCode.INVALID_INPUT: return ExitCode.USAGE;
    case DeliveryErrorCode.NOT_FOUND: return ExitCode.NOT_FOUND;
    case DeliveryErrorCode.ACCESS_DENIED: return ExitCode.ACCESS_DENIED;
    case DeliveryErrorCode.TIMEOUT: return ExitCode.TIMEOUT;
    case DeliveryErrorCode.CONFLICT: return ExitCode.CONFLICT;
    case DeliveryErrorCode.FAILED: return ExitCode.FAILED;
    case DeliveryErrorCode.NO_CREDENTIALS: return ExitCode.NO_CREDENTIALS;
    case DeliveryErrorCode.UNCERTAIN: return ExitCode.UNCERTAIN;
    case DeliveryErrorCode.INTERRUPTED: return ExitCode.INTERRUPTED;
    case DeliveryErrorCode.DECLINED: return ExitCode.DECLINED;
    case DeliveryErrorCode.COMMIT_MISMATCH: return ExitCode.COMMIT_MISMATCH;
  }
}
