import { App } from 'aws-cdk-lib';
import { basics, topic } from './common';
import { DeliveryPipeline } from '../../../src';

/** Continuous delivery whose production approval is automatic unless the change broadens permissions. */
export function createApp(app: App): DeliveryPipeline {
  const { stack, props } = basics(app, 'AutoApprove');
  return new DeliveryPipeline(stack, 'Delivery', {
    ...props,
    requireManualApproval: true,
    approval: { autoApproveUnlessPermissionsBroaden: true, notificationTopic: topic(stack, 'Approvers') },
  });
}
