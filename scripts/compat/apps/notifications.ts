import { App } from 'aws-cdk-lib';
import { basics, topic } from './common';
import { DeliveryPipeline, NotificationTarget, PipelineEvent } from '../../../src';

/** Notifications to a topic of the app, an e-mail address and an HTTPS endpoint. */
export function createApp(app: App): DeliveryPipeline {
  const { stack, props } = basics(app, 'Notifications');
  const onCall = topic(stack, 'OnCall');
  return new DeliveryPipeline(stack, 'Delivery', {
    ...props,
    notifications: {
      events: [PipelineEvent.EXECUTION_FAILED, PipelineEvent.APPROVAL_NEEDED, PipelineEvent.PRODUCTION_SUCCEEDED],
      targets: [
        NotificationTarget.topic(onCall),
        NotificationTarget.email('release-team@example.com'),
        NotificationTarget.https('https://events.example.com/hooks/pipeline'),
      ],
    },
  });
}
