import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { basics, PIPELINE_ENV, PRODUCTION_ACCOUNT } from './common';
import { BakeFailureAction, DeliveryPipeline } from '../../../src';

/**
 * Alarm-gated bake: staging retries on a failed bake, production rolls back. The alarms live in a stack of their
 * own in the pipeline account (the pipeline stack depends on it) and one is imported by ARN.
 */
export function createApp(app: App): DeliveryPipeline {
  const { stack, props } = basics(app, 'Bake');
  const alarms = new Stack(app, 'BakeAlarms', { env: PIPELINE_ENV });
  const metric = (name: string) => new cloudwatch.Metric({
    namespace: 'AWS/SQS', metricName: name, dimensionsMap: { QueueName: 'service' }, account: PRODUCTION_ACCOUNT,
  });
  const age = new cloudwatch.Alarm(alarms, 'OldestMessage', {
    alarmName: 'service-oldest-message', metric: metric('ApproximateAgeOfOldestMessage'), threshold: 300, evaluationPeriods: 3,
  });
  const imported = cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:service-errors');
  return new DeliveryPipeline(stack, 'Delivery', {
    ...props,
    staging: { ...props.staging, bake: { alarms: [age], duration: Duration.minutes(10), onFailure: BakeFailureAction.RETRY } },
    production: { ...props.production, bake: { alarms: [age, imported], duration: Duration.minutes(30) } },
  });
}
