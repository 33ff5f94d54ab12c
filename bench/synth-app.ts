/**
 * The reference app as a CDK app for the real `cdk synth` (bench/bench.ts compiles it to JavaScript first).
 * BENCH_VARIANT picks the implementation: `ours`, `cdk-pipelines-defaults` or `cdk-pipelines-tuned`.
 */
import { App } from 'aws-cdk-lib';
import { CDK_PIPELINES_TUNED, withCdkPipelines, withDeliveryPipeline } from './reference-app';

const variant = process.env.BENCH_VARIANT;
const app = new App();
switch (variant) {
  case 'ours':
    withDeliveryPipeline(app);
    break;
  case 'cdk-pipelines-defaults':
    withCdkPipelines(app);
    break;
  case 'cdk-pipelines-tuned':
    withCdkPipelines(app, undefined, CDK_PIPELINES_TUNED);
    break;
  default:
    throw new Error(`BENCH_VARIANT must be ours, cdk-pipelines-defaults or cdk-pipelines-tuned, got '${variant}'.`);
}
app.synth();
