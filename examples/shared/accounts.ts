/**
 * Example accounts and regions. Replace them with yours; every target account must be bootstrapped with
 * `cdk bootstrap aws://ACCOUNT/REGION --trust 111111111111 --cloudformation-execution-policies ...`.
 */
export const PIPELINE_ENV = { account: '111111111111', region: 'us-east-1' };
export const STAGING_ENV = { account: '222222222222', region: 'us-east-1' };
export const PRODUCTION_ACCOUNT = '333333333333';
export const PRODUCTION_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
export const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
