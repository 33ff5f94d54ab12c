import * as path from 'node:path';
import { App, CfnOutput, Fn, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DeliveryPipeline, PipelineSource, RegistryCredential } from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV, PRODUCTION_ACCOUNT, STAGING_ENV } from '../shared/accounts';

const PRODUCTION_REGION = 'us-east-1';
import { acknowledge } from '../shared/acknowledge';
import { hardenedKey } from '../shared/keys';

/**
 * The service's stack, in the region's first two availability zones, resolved by CloudFormation (`Fn::GetAZs`): no
 * context lookup at synthesis (offline, no credentials) and no hard-coded zone names (CloudFormation validation W3010).
 */
class ServiceStack extends Stack {
  public get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }
}

/**
 * An ECS Fargate service built from the Dockerfile in ../shared/container-image. `ContainerImage.fromAsset` only hashes the
 * directory at synthesis (no Docker daemon needed); the pipeline's Docker asset-publishing action builds the image
 * and pushes it to every target account and region.
 *
 * The tasks run in isolated subnets (no internet route, no public IP) and reach ECR, S3 and CloudWatch Logs through
 * VPC endpoints.
 */
export class ContainerServiceStage extends Stage {
  /** The service's name, for operators (`aws ecs describe-services`). */
  public readonly serviceName: CfnOutput;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new ServiceStack(this, 'Service');
    // Logs kept a year (AWS Control Tower CT.CLOUDWATCH.PR.2), encrypted with the service's own key (PR.3).
    const logsKey = hardenedKey(stack, 'LogsKey', `Encrypts the ${id} container service logs`);
    logsKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    const logGroup = (logId: string) => new logs.LogGroup(stack, logId, { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logsKey });

    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'service', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup('FlowLogs')) } },
    });
    const subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
    // Closed endpoints: only the service's tasks may reach them (below).
    const endpoints = ([
      ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
      ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ] as const).map(([endpointId, service]) => vpc.addInterfaceEndpoint(endpointId, { service, subnets, open: false }));

    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromAsset(path.join(__dirname, '..', 'shared', 'container-image')),
      memoryLimitMiB: 512,
      readonlyRootFilesystem: true,
      user: 'node',
      portMappings: [{ containerPort: 8080 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup: logGroup('ServiceLogs') }),
    });
    acknowledge(taskDefinition.obtainExecutionRole().node.findChild('DefaultPolicy').node.defaultChild!,
      'AwsSolutions-IAM5[Resource::*]',
      'Resource \'*\' for ecr:GetAuthorizationToken: ECS pulls the image with the task execution role, and the action has no '
      + 'resource-level permissions; the pull itself is limited to the CDK bootstrap repository by the other statement.');
    const service = new ecs.FargateService(stack, 'Web', {
      cluster,
      taskDefinition,
      desiredCount: 2,
      assignPublicIp: false,
      vpcSubnets: subnets,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
    });
    endpoints.forEach(endpoint => endpoint.connections.allowDefaultPortFrom(service, 'HTTPS from the service tasks'));
    this.serviceName = new CfnOutput(stack, 'ServiceName', { value: service.serviceName });
  }
}

/**
 * Continuous delivery of a container service: the image is built once per commit by the pipeline's single Docker
 * asset-publishing action, logged in to Docker Hub (a Secrets Manager secret) so that base-image pulls never hit
 * the anonymous rate limit.
 */
export function createApp(app: App): DeliveryPipeline {
  const stack = new Stack(app, 'ContainerServicePipeline', { env: PIPELINE_ENV });
  const dockerHub = secretsmanager.Secret.fromSecretNameV2(stack, 'DockerHub', 'dockerhub/credentials');

  return new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'container-service',
    source: PipelineSource.connection('acme/container-service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npm run build', 'npx cdk synth'] },
    tests: [{ name: 'UnitTests', commands: ['npm ci', 'npm test'] }],
    docker: { credentials: [RegistryCredential.dockerHub(dockerHub)] },
    staging: { stage: new ContainerServiceStage(app, 'Staging', { env: STAGING_ENV }) },
    production: { stages: [new ContainerServiceStage(app, 'Production', { env: { account: PRODUCTION_ACCOUNT, region: PRODUCTION_REGION } })] },
  });
}
