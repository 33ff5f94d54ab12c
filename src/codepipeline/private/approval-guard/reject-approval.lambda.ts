import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { configFromEnvironment, GuardResult, rejectPendingApprovals } from './reject-approval';

/**
 * Lambda entry point of the approval guard: a watched verification action failed, so reject the pending
 * approval of the same execution (see `reject-approval.ts`). Bundled by esbuild into assets/ at build time;
 * the Node.js runtime provides the AWS SDK v3.
 */
const client = new CodePipelineClient({});

export const handler = async (event: unknown): Promise<GuardResult> =>
  rejectPendingApprovals(event, client, configFromEnvironment(process.env));
