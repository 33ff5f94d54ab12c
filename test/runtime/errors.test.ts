import {
  ActionNotFoundException,
  ApprovalAlreadyCompletedException,
  CodePipelineServiceException,
  InvalidApprovalTokenException,
  PipelineNotFoundException,
  ValidationException,
} from '@aws-sdk/client-codepipeline';
import { callCodePipeline, DeliveryError, DeliveryErrorCode, toDeliveryError } from '../../src/runtime/errors';

const context = { operation: 'GetPipelineState', pipelineName: 'my-app' };
const meta = (attempts = 1, httpStatusCode = 400) => ({ $metadata: { attempts, httpStatusCode }, $fault: 'client' as const });

function serviceError(name: string, message: string, attempts = 1, httpStatusCode = 400): CodePipelineServiceException {
  return new CodePipelineServiceException({ name, message, ...meta(attempts, httpStatusCode) });
}

describe('toDeliveryError', () => {
  test.each([
    [new PipelineNotFoundException({ message: 'The account with id 1 does not include a pipeline with the name my-app', ...meta() }),
      DeliveryErrorCode.NOT_FOUND,
      "PipelineNotFoundException during GetPipelineState on pipeline 'my-app': The account with id 1 does not include a pipeline with the name my-app. " +
      'Check the pipeline name, the region (--region) and the account of your credentials.'],
    [new ActionNotFoundException({ message: 'no such action', ...meta() }), DeliveryErrorCode.NOT_FOUND, 'ActionNotFoundException during GetPipelineState'],
    [serviceError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized'), DeliveryErrorCode.ACCESS_DENIED,
      "Access denied for GetPipelineState on pipeline 'my-app' (AccessDeniedException): User: arn:aws:iam::1:user/x is not authorized. " +
      'Check your credentials (--profile, AWS_PROFILE) and that their policy allows codepipeline:GetPipelineState.'],
    [serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.'), DeliveryErrorCode.ACCESS_DENIED,
      'Access denied for GetPipelineState'],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), DeliveryErrorCode.NO_CREDENTIALS,
      "No AWS credentials found for GetPipelineState on pipeline 'my-app': Could not load credentials from any providers. Provide them with AWS_ACCESS_KEY_ID"],
    [new InvalidApprovalTokenException({ message: 'The token is invalid', ...meta() }), DeliveryErrorCode.CONFLICT,
      'The approval was not recorded: it was already approved or rejected, or its token is no longer valid (InvalidApprovalTokenException): The token is invalid. ' +
      'Nothing was approved twice; run `cdk-delivery status` to see what is pending now.'],
    [new ApprovalAlreadyCompletedException({ message: 'done', ...meta() }), DeliveryErrorCode.CONFLICT, 'ApprovalAlreadyCompletedException'],
    [Object.assign(new Error('a request has exceeded the configured 200 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 2 } }),
      DeliveryErrorCode.TIMEOUT,
      "CodePipeline did not answer GetPipelineState on pipeline 'my-app' in time (after 2 attempts): a request has exceeded the configured 200 ms requestTimeout.. " +
      'Check the network or raise --request-timeout.'],
    [serviceError('ThrottlingException', 'Rate exceeded', 3), DeliveryErrorCode.FAILED,
      "CodePipeline throttled GetPipelineState on pipeline 'my-app' (after 3 attempts): Rate exceeded. Try again later or raise AWS_MAX_ATTEMPTS."],
    [new ValidationException({ message: 'bad input', ...meta() }), DeliveryErrorCode.INVALID_INPUT,
      "CodePipeline rejected GetPipelineState on pipeline 'my-app' as invalid: bad input"],
    [new Error('Region is missing'), DeliveryErrorCode.INVALID_INPUT,
      "No AWS region for GetPipelineState on pipeline 'my-app': pass --region, set AWS_REGION, or set a region in the profile."],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), DeliveryErrorCode.FAILED,
      "Could not reach CodePipeline for GetPipelineState on pipeline 'my-app' (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1. " +
      'Check the network, --region and AWS_ENDPOINT_URL_CODEPIPELINE.'],
    [serviceError('InternalFailure', 'boom', 3, 500), DeliveryErrorCode.FAILED,
      "GetPipelineState on pipeline 'my-app' failed (InternalFailure, HTTP 500) (after 3 attempts): boom"],
    ['a string', DeliveryErrorCode.FAILED, "GetPipelineState on pipeline 'my-app' failed (Error): a string"],
  ])('GIVEN %p WHEN translated THEN code %s and a message saying what to do', (error, code, message) => {
    const translated = toDeliveryError(error, context);

    expect(translated).toBeInstanceOf(DeliveryError);
    expect(translated.code).toBe(code);
    expect(translated.message).toContain(message);
    expect(translated.cause).toBe(error);
  });

  test('GIVEN a DeliveryError WHEN translated THEN it passes through unchanged', () => {
    const original = new DeliveryError(DeliveryErrorCode.NOT_FOUND, 'nothing pending');

    expect(toDeliveryError(original, context)).toBe(original);
  });

  test('GIVEN a call that throws WHEN wrapped THEN the translated error is thrown; a result is returned unchanged', async () => {
    await expect(callCodePipeline(context, () => Promise.reject(serviceError('AccessDeniedException', 'no'))))
      .rejects.toMatchObject({ code: DeliveryErrorCode.ACCESS_DENIED });
    await expect(callCodePipeline(context, () => Promise.resolve(42))).resolves.toBe(42);
  });
});
