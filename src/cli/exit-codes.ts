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
  /** Access denied, or credentials missing, invalid or expired. */
  ACCESS_DENIED = 4,
  /** Timed out: `wait --timeout` elapsed, or CodePipeline did not answer within --request-timeout. */
  TIMEOUT = 5,
  /** Conflict: the approval was already approved or rejected, or its token is no longer valid. */
  CONFLICT = 6,
}

export function exitCodeFor(code: DeliveryErrorCode): ExitCode {
  switch (code) {
    case DeliveryErrorCode.INVALID_INPUT: return ExitCode.USAGE;
    case DeliveryErrorCode.NOT_FOUND: return ExitCode.NOT_FOUND;
    case DeliveryErrorCode.ACCESS_DENIED: return ExitCode.ACCESS_DENIED;
    case DeliveryErrorCode.TIMEOUT: return ExitCode.TIMEOUT;
    case DeliveryErrorCode.CONFLICT: return ExitCode.CONFLICT;
    case DeliveryErrorCode.FAILED: return ExitCode.FAILED;
  }
}
