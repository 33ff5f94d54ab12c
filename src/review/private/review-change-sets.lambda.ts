import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { configFromEnvironment, ReviewDependencies, ReviewResult, reviewChangeSets } from './review-handler';

/**
 * One log event per call, as an object: in Lambda's JSON log format (the function's) the runtime writes it under
 * `message` as JSON, so a filter pattern can select on its fields (`{ $.message.event = "ReviewDecision" && … }`); a
 * string would be written as one escaped text that no filter pattern looks into.
 */
export const log: ReviewDependencies['log'] = (level, message, fields) => (level === 'WARN' ? console.warn : console.log)({ level, message, ...fields });

/**
 * Lambda entry point of the change-set review (see `review-handler.ts`). Bundled by esbuild into assets/ at build
 * time; the Node.js runtime provides the AWS SDK v3.
 */
const dependencies: ReviewDependencies = {
  codePipeline: new CodePipelineClient({}),
  sts: new STSClient({}),
  sns: new SNSClient({}),
  cloudFormation: (region, credentials) => new CloudFormationClient({ region, credentials }),
  sleep: milliseconds => new Promise(resolve => setTimeout(resolve, milliseconds)),
  log,
};

export const handler = async (event: unknown): Promise<ReviewResult> =>
  reviewChangeSets(event, configFromEnvironment(process.env), dependencies);
