import { App } from 'aws-cdk-lib';
import { basics } from './common';
import { DeliveryPipeline } from '../../../src';

/** Database migrations under continuous deployment: staging's runs unattended, production's is gated (the default). */
export function createApp(app: App): DeliveryPipeline {
  const { stack, props } = basics(app, 'Migrations');
  return new DeliveryPipeline(stack, 'Delivery', {
    ...props,
    requireManualApproval: false,
    staging: { ...props.staging, migrations: [{ name: 'MigrateStaging', commands: ['npm run migrate'], requireManualApproval: false }] },
    production: {
      ...props.production,
      migrations: [{ name: 'MigrateProduction', commands: ['npm run migrate'], secretEnv: { DATABASE_URL: 'prod/db:url' } }],
    },
  });
}
