import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { configFromEnvironment, publishDeliveryMetrics, PublishResult } from './publish-metrics';

/**
 * Lambda entry point of `DeliveryMetrics`: recompute the pipeline's delivery figures and publish them in embedded
 * metric format (see `publish-metrics.ts`). Bundled by esbuild into assets/ at build time; the Node.js runtime
 * provides the AWS SDK v3.
 *
 * The EMF document goes straight to standard output, not through `console.log`: with the function's JSON log
 * format, `console.log` wraps each line in a JSON envelope and CloudWatch would not extract the metrics (the EMF
 * client library and Powertools metrics moved to writing to stdout directly for the same reason).
 */
const client = new CodePipelineClient({});

export const handler = async (event: unknown): Promise<PublishResult> => {
  const result = await publishDeliveryMetrics(event, client, configFromEnvironment(process.env), (line) => process.stdout.write(line));
  console.log(JSON.stringify({ level: 'INFO', message: result.reason, ...result }));
  return result;
};
