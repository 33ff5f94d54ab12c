import { CommandAborted } from './command-signal';

/**
 * Errors raised by the operations client. Every failure the CLI can report is a `DeliveryError` with a
 * `DeliveryErrorCode`; the CLI maps the code to its documented exit status.
 */
export enum DeliveryErrorCode {
  /** The request was invalid: bad option, bad input file, ambiguous choice. */
  INVALID_INPUT = 'INVALID_INPUT',
  /** The pipeline, stage, action or execution does not exist, or nothing is pending. */
  NOT_FOUND = 'NOT_FOUND',
  /** The caller's credentials are invalid, expired or not allowed to do this. */
  ACCESS_DENIED = 'ACCESS_DENIED',
  /** No credentials were found: none in the environment, the profile or the instance/container role. */
  NO_CREDENTIALS = 'NO_CREDENTIALS',
  /** A request, or the wait for an execution, took longer than allowed. */
  TIMEOUT = 'TIMEOUT',
  /**
   * The approval was already decided, or its token is no longer valid; or the pipeline's state refuses an on-call
   * change (the stage is busy, the execution already stopped, the condition already overridden).
   */
  CONFLICT = 'CONFLICT',
  /** Anything else: service or network failure, throttling beyond the retries, a reply of the wrong shape. */
  FAILED = 'FAILED',
  /** A change was sent but whether CodePipeline recorded it could not be confirmed. */
  UNCERTAIN = 'UNCERTAIN',
  /** The user interrupted the command (SIGINT, SIGTERM). */
  INTERRUPTED = 'INTERRUPTED',
  /** A change that needs a confirmation was not confirmed: nothing was sent. */
  DECLINED = 'DECLINED',
  /** `approve --commit`: the pending approval is for another commit, or its commit could not be read. */
  COMMIT_MISMATCH = 'COMMIT_MISMATCH',
}

export class DeliveryError extends Error {
  constructor(public readonly code: DeliveryErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** What the operation was doing when an SDK call failed; used to write the message. */
export interface ErrorContext {
  /** The CodePipeline API operation, e.g. `GetPipelineState`. */
  readonly operation: string;
  /** The pipeline the operation targets. */
  readonly pipelineName: string;
}

const NOT_FOUND_ERRORS = new Set([
  'PipelineNotFoundException',
  'StageNotFoundException',
  'ActionNotFoundException',
  'PipelineExecutionNotFoundException',
  'ActionExecutionNotFoundException',
  'ResourceNotFoundException',
]);

const ACCESS_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'UnauthorizedOperation',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
]);

const APPROVAL_CONFLICT_ERRORS = new Set(['InvalidApprovalTokenException', 'ApprovalAlreadyCompletedException']);

/**
 * CodePipeline's refusals of an on-call change (rollback, retry, stop, override) because of the state the pipeline is
 * in now: the stage is busy, already retried, stopped or overridden, or the execution is not the latest.
 */
export const STATE_CONFLICT_ERRORS: ReadonlySet<string> = new Set([
  'ConflictException',
  'UnableToRollbackStageException',
  'PipelineExecutionOutdatedException',
  'StageNotRetryableException',
  'NotLatestPipelineExecutionException',
  'DuplicatedStopRequestException',
  'PipelineExecutionNotStoppableException',
  'ConditionNotOverridableException',
  'ConcurrentPipelineExecutionsLimitExceededException',
]);

const TIMEOUT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ETIMEDOUT']);

interface ErrorFields {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly attempts?: number;
  readonly httpStatusCode?: number;
}

function fieldsOf(error: unknown): ErrorFields {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: String(error) };
  }
  const record = error as Error & { code?: unknown; $metadata?: { attempts?: unknown; httpStatusCode?: unknown } };
  return {
    name: error.name,
    message: error.message,
    code: typeof record.code === 'string' ? record.code : undefined,
    attempts: typeof record.$metadata?.attempts === 'number' ? record.$metadata.attempts : undefined,
    httpStatusCode: typeof record.$metadata?.httpStatusCode === 'number' ? record.$metadata.httpStatusCode : undefined,
  };
}

/** Operations that only read: an interrupted one changed nothing. */
function isReadOnly(operation: string): boolean {
  return /^(Get|List)/.test(operation);
}

function abortedMessage(aborted: CommandAborted, context: ErrorContext): DeliveryError {
  const doing = `${context.operation} on pipeline '${context.pipelineName}'`;
  const effect = isReadOnly(context.operation)
    ? 'Nothing was changed.'
    : `The request may or may not have taken effect: check with \`cdk-delivery status --pipeline ${context.pipelineName}\`.`;
  if (aborted.kind === 'interrupted') {
    return new DeliveryError(DeliveryErrorCode.INTERRUPTED, `${aborted.message} during ${doing}. ${effect}`, { cause: aborted });
  }
  return new DeliveryError(DeliveryErrorCode.TIMEOUT,
    `No answer to ${doing} within the command deadline of ${aborted.seconds} s. ${effect} ` +
    'Check the network and the endpoint, or raise --deadline (CDK_DELIVERY_DEADLINE).', { cause: aborted });
}

function attemptsNote(fields: ErrorFields): string {
  return fields.attempts && fields.attempts > 1 ? ` (after ${fields.attempts} attempts)` : '';
}

/**
 * Translate anything an SDK call threw into a `DeliveryError` with a message that says what was being done,
 * what went wrong and what to try. A `DeliveryError` passes through unchanged.
 */
export function toDeliveryError(error: unknown, context: ErrorContext): DeliveryError {
  if (error instanceof DeliveryError) {
    return error;
  }
  if (error instanceof CommandAborted) {
    return abortedMessage(error, context);
  }
  const fields = fieldsOf(error);
  const doing = `${context.operation} on pipeline '${context.pipelineName}'`;
  const detail = fields.message ? `: ${fields.message}` : '';

  if (fields.message.includes('Deserialization error')) {
    return new DeliveryError(DeliveryErrorCode.FAILED,
      `The reply to ${doing} is not a valid CodePipeline reply: it could not be parsed (${fields.name}: ${fields.message.split('\n')[0]}). ` +
      'Nothing was decided from it. Check that the endpoint (AWS_ENDPOINT_URL_CODEPIPELINE, a proxy) is CodePipeline.', { cause: error });
  }
  if (NOT_FOUND_ERRORS.has(fields.name)) {
    return new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `${fields.name} during ${doing}${detail}. Check the pipeline name, the region (--region) and the account of your credentials.`,
      { cause: error });
  }
  if (fields.name === 'CredentialsProviderError') {
    return new DeliveryError(DeliveryErrorCode.NO_CREDENTIALS,
      `No AWS credentials found for ${doing}${detail}. Provide them with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
      'with --profile NAME (or AWS_PROFILE) naming a profile in ~/.aws/config or ~/.aws/credentials (run `aws sso login --profile NAME` ' +
      'for an SSO profile), or with an instance or container role.',
      { cause: error });
  }
  if (ACCESS_ERRORS.has(fields.name)) {
    return new DeliveryError(DeliveryErrorCode.ACCESS_DENIED,
      `Access denied for ${doing} (${fields.name})${detail}. Check your credentials (--profile, AWS_PROFILE) and that their policy allows codepipeline:${context.operation}.`,
      { cause: error });
  }
  if (APPROVAL_CONFLICT_ERRORS.has(fields.name)) {
    return new DeliveryError(DeliveryErrorCode.CONFLICT,
      `The approval was not recorded: it was already approved or rejected, or its token is no longer valid (${fields.name})${detail}. ` +
      'Nothing was approved twice; run `cdk-delivery status` to see what is pending now.',
      { cause: error });
  }
  if (STATE_CONFLICT_ERRORS.has(fields.name)) {
    return new DeliveryError(DeliveryErrorCode.CONFLICT,
      `CodePipeline refused ${doing}: the pipeline's state does not allow it now (${fields.name})${detail}. ` +
      `Nothing was changed by this request; run \`cdk-delivery status --pipeline ${context.pipelineName}\` to see the state.`,
      { cause: error });
  }
  if (TIMEOUT_ERRORS.has(fields.name)) {
    return new DeliveryError(DeliveryErrorCode.TIMEOUT,
      `CodePipeline did not answer ${doing} in time${attemptsNote(fields)}${detail}. Check the network or raise --request-timeout.`,
      { cause: error });
  }
  if (fields.name === 'ThrottlingException') {
    return new DeliveryError(DeliveryErrorCode.FAILED,
      `CodePipeline throttled ${doing}${attemptsNote(fields)}${detail}. Try again later or raise AWS_MAX_ATTEMPTS.`,
      { cause: error });
  }
  if (fields.name === 'ValidationException' || fields.name === 'InvalidNextTokenException') {
    return new DeliveryError(DeliveryErrorCode.INVALID_INPUT, `CodePipeline rejected ${doing} as invalid${detail}`, { cause: error });
  }
  if (fields.message === 'Region is missing') {
    return new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `No AWS region for ${doing}: pass --region, set AWS_REGION, or set a region in the profile.`, { cause: error });
  }
  if (fields.code && NETWORK_ERROR_CODES.has(fields.code)) {
    return new DeliveryError(DeliveryErrorCode.FAILED,
      `Could not reach CodePipeline for ${doing} (${fields.code})${detail}. Check the network, --region and AWS_ENDPOINT_URL_CODEPIPELINE.`,
      { cause: error });
  }
  const status = fields.httpStatusCode ? `, HTTP ${fields.httpStatusCode}` : '';
  return new DeliveryError(DeliveryErrorCode.FAILED, `${doing} failed (${fields.name}${status})${attemptsNote(fields)}${detail}`, { cause: error });
}

/** Run one SDK call and translate whatever it throws. */
export async function callCodePipeline<T>(context: ErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDeliveryError(error, context);
  }
}
