import { App, TimeZone } from 'aws-cdk-lib';
import { basics } from './common';
import { DeliveryPipeline, DeploymentWindow } from '../../../src';

/** Deployment windows: a weekly window by IANA name for production, a cron window with a typed TimeZone for staging. */
export function createApp(app: App): DeliveryPipeline {
  const { stack, props } = basics(app, 'Window');
  return new DeliveryPipeline(stack, 'Delivery', {
    ...props,
    staging: { ...props.staging, deploymentWindow: DeploymentWindow.cronIn('* * 0-5 ? * MON-FRI', TimeZone.ASIA_KOLKATA) },
    production: {
      ...props.production,
      deploymentWindow: DeploymentWindow.weekly({ startHour: 9, endHour: 16, days: 'MON-THU', timeZone: 'Europe/Berlin' }),
    },
  });
}
