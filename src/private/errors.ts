import { IConstruct } from 'constructs';

/**
 * A mistake in what the caller passed: the message names the property, the bad value and the fix.
 *
 * Thrown by validation code that has no construct at hand (the blueprint, static factories); the construct that
 * runs it adds its path (`scoped`), so two pipelines in one app give different messages.
 */
export class ValidationError extends Error {
  /** Path of the construct whose properties were wrong, once known. */
  public readonly constructPath?: string;

  constructor(message: string, constructPath?: string) {
    super(constructPath === undefined ? message : `${constructPath}: ${message}`);
    this.name = 'ValidationError';
    this.constructPath = constructPath;
  }
}

/**
 * A broken assumption of the library about the code it builds on (aws-cdk-lib's CDK Pipelines, its rendering):
 * not the caller's mistake. The message asks for a report with the aws-cdk-lib version.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

/** Whether `error` is a `ValidationError` (also across copies of the library in one process). */
export function isValidationError(error: unknown): error is ValidationError {
  return error instanceof ValidationError || (error instanceof Error && error.name === 'ValidationError');
}

/**
 * The error to rethrow from `scope`'s constructor: a `ValidationError` without a construct path gets `scope`'s path;
 * anything else (an internal assertion, an error that already names its construct) is returned unchanged.
 */
export function scoped(scope: IConstruct, error: unknown): unknown {
  if (isValidationError(error) && error.constructPath === undefined) {
    const withPath = new ValidationError(error.message, scope.node.path);
    withPath.stack = `${withPath.name}: ${withPath.message}\n${(error.stack ?? '').split('\n').slice(1).join('\n')}`;
    return withPath;
  }
  return error;
}
