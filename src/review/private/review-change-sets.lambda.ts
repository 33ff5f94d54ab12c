import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { configFromEnvironment, ReviewDependencies, ReviewResult, reviewChangeSets } from './review-handler';

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
  log: (level, message, fields) => (level === 'WARN' ? console.warn : console.log)(JSON.stringify({ level, message, ...fields })),
};

export const handler = async (event: unknown): Promise<ReviewResult> =>
  reviewChangeSets(event, configFromEnvironment(process.env), dependencies);
