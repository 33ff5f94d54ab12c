import { App } from 'aws-cdk-lib';
import { basics } from './common';
import { DeliveryPipeline, PipelineSource } from '../../../src';

/** A full git clone as the source: the synth build exports the commit's author and the approval names it. */
export function createApp(app: App): DeliveryPipeline {
  const { stack, props } = basics(app, 'CommitAuthor');
  return new DeliveryPipeline(stack, 'Delivery', {
    ...props,
    source: PipelineSource.connection('acme/service', 'main', {
      connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      codeBuildCloneOutput: true,
    }),
  });
}
