import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnTemplate } from '../../src/review/private/template-model';

/**
 * A small production app in versions: each option is one thing a developer changes between two releases. The review
 * tests synthesize two versions for real and classify the pair of templates, as the handler does with the deployed
 * template and the change set's template.
 */
export interface AppVersion {
  /** The orders table's partition key (changing it replaces the table). */
  readonly tableKey: string;
  /** Whether the uploads bucket (RemovalPolicy.DESTROY) is still in the app. */
  readonly uploadsBucket: boolean;
  /** Whether the archive bucket (the default RemovalPolicy.RETAIN) is still in the app. */
  readonly archiveBucket: boolean;
  /** The database's name (changing it replaces the instance; it has RemovalPolicy.RETAIN). */
  readonly databaseName: string;
  /** What the function may do with the assets bucket. */
  readonly assetsAccess: 'read' | 'readWrite';
  /** Whether the web security group admits SSH from anywhere. */
  readonly sshFromAnywhere: boolean;
  /** Whether the legacy stack is still in the app. */
  readonly legacyStack: boolean;
  /** The function's code and its GREETING variable (a harmless change). */
  readonly greeting: string;
}

export const V1: AppVersion = {
  tableKey: 'orderId',
  uploadsBucket: true,
  archiveBucket: true,
  databaseName: 'orders',
  assetsAccess: 'read',
  sshFromAnywhere: false,
  legacyStack: true,
  greeting: 'hello',
};

/**
 * The templates of every stack of the app in version `v`, by stack name. `pathMetadata`: with the `aws:cdk:path` of
 * each resource, as the CDK CLI writes it by default (unit-test apps do not).
 */
export function synthesize(v: AppVersion, pathMetadata = false): Record<string, CfnTemplate> {
  const app = new App(pathMetadata ? { context: { 'aws:cdk:enable-path-metadata': true } } : {});
  const stack = new Stack(app, 'Prod-App');
  new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: v.tableKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  if (v.uploadsBucket) {
    new s3.Bucket(stack, 'Uploads', { removalPolicy: RemovalPolicy.DESTROY });
  }
  if (v.archiveBucket) {
    new s3.Bucket(stack, 'Archive');
  }
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  new rds.DatabaseInstance(stack, 'Database', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    databaseName: v.databaseName,
    storageEncrypted: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const web = new ec2.SecurityGroup(stack, 'Web', { vpc, description: 'web servers' });
  web.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS');
  if (v.sshFromAnywhere) {
    web.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH');
  }
  const assets = new s3.Bucket(stack, 'Assets');
  const fn = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async () => '${v.greeting}';`),
    environment: { GREETING: v.greeting },
  });
  if (v.assetsAccess === 'read') {
    assets.grantRead(fn);
  } else {
    assets.grantReadWrite(fn);
  }
  if (v.legacyStack) {
    const legacy = new Stack(app, 'Prod-Legacy');
    new dynamodb.Table(legacy, 'Sessions', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    new s3.Bucket(legacy, 'Reports');
  }
  const templates: Record<string, CfnTemplate> = {};
  for (const child of app.node.children) {
    if (child instanceof Stack) {
      templates[child.stackName] = Template.fromStack(child).toJSON() as CfnTemplate;
    }
  }
  return templates;
}
