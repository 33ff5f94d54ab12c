import { App } from 'aws-cdk-lib';
import { basics, production } from './common';
import { DeliveryPipeline } from '../../../src';

/** Continuous deployment through ordered production waves: a canary region, then two regions in parallel. */
export function createApp(app: App): DeliveryPipeline {
  const { stack, props } = basics(app, 'Waves', {
    waves: [
      { name: 'canary', stages: [production(app, 'us-east-1')] },
      { name: 'global', stages: [production(app, 'eu-west-1'), production(app, 'ap-southeast-2')] },
    ],
  });
  return new DeliveryPipeline(stack, 'Delivery', { ...props, requireManualApproval: false });
}
