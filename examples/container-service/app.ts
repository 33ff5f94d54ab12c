import * as path from 'node:path';
import { App, CfnOutput, Duration, Fn, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  DeliveryPipeline, EcsProgressiveDeployment, PipelineSource, RegistryCredential, ReleaseAlarm, TrafficShift, TrafficShiftKind,
} from '../../src';
import { CONNECTION_ARN, PIPELINE_ENV, PRODUCTION_ACCOUNT, STAGING_ENV } from '../shared/accounts';
import { acknowledge } from '../shared/acknowledge';
import { hardenedKey } from '../shared/keys';

const PRODUCTION_REGION = 'us-east-1';

/** The metric the service's error log lines become (a metric filter on its log group, below). */
const ERRORS_NAMESPACE = 'ContainerService';

/**
 * The production environment's release alarm, declared once: the pipeline's bake reads its copy in the pipeline
 * account, ECS's canary the copy inside the production Stage.
 */
const productionErrors = () => new ReleaseAlarm({
  alarmName: 'container-service-errors',
  account: PRODUCTION_ACCOUNT,
  region: PRODUCTION_REGION,
  metric: new cloudwatch.Metric({ namespace: ERRORS_NAMESPACE, metricName: 'Errors', statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) }),
  threshold: 1,
  evaluationPeriods: 3,
});

/** A release alarm has no actions: it stops the release; paging is the service's own alarms' job. */
function acknowledgeReleaseAlarm(alarm: cloudwatch.IAlarm): void {
  acknowledge(alarm, 'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
    'A release gate: the bake rule and the ECS canary read this alarm and roll the release back; paging on errors is the service\'s own alarms\' job.');
}

export interface ContainerServiceStageProps extends StageProps {
  /**
   * The environment's release alarm: the service deploys with an ECS canary (10 % for 5 minutes, the old revision
   * kept 10 minutes) that rolls back when it fires.
   *
   * @default - a rolling deployment, guarded by the circuit breaker
   */
  readonly releaseAlarm?: ReleaseAlarm;
}

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

  constructor(scope: Construct, id: string, props: ContainerServiceStageProps) {
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
    // Service Connect carries the traffic ECS's canary shifts (ECS's strategies shift through a load balancer or it).
    cluster.addDefaultCloudMapNamespace({ name: `${id.toLowerCase()}.container-service.internal`, useForServiceConnect: true });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    const serviceLogs = logGroup('ServiceLogs');
    // Every error line of the service counts in ContainerService/Errors, the metric the release alarm watches.
    serviceLogs.addMetricFilter('Errors', {
      metricNamespace: ERRORS_NAMESPACE,
      metricName: 'Errors',
      filterPattern: logs.FilterPattern.anyTerm('ERROR', 'Error'),
      metricValue: '1',
    });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromAsset(path.join(__dirname, '..', 'shared', 'container-image')),
      memoryLimitMiB: 512,
      readonlyRootFilesystem: true,
      user: 'node',
      portMappings: [{ name: 'web', containerPort: 8080, appProtocol: ecs.AppProtocol.http }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup: serviceLogs }),
    });
    acknowledge(taskDefinition.obtainExecutionRole().node.findChild('DefaultPolicy').node.defaultChild!,
      'AwsSolutions-IAM5[Resource::*]',
      'Resource \'*\' for ecr:GetAuthorizationToken: ECS pulls the image with the task execution role, and the action has no '
      + 'resource-level permissions; the pull itself is limited to the CDK bootstrap repository by the other statement.');
    const serviceProps: ecs.FargateServiceProps = {
      cluster,
      taskDefinition,
      desiredCount: 2,
      assignPublicIp: false,
      vpcSubnets: subnets,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      serviceConnectConfiguration: { services: [{ portMappingName: 'web' }] },
    };
    // ECS's CANARY strategy arrived in aws-cdk-lib after the library's minimum (2.186.0): on an older aws-cdk-lib
    // the service deploys rolling, still guarded by the circuit breaker and the pipeline's bake.
    const canary = props.releaseAlarm && EcsProgressiveDeployment.isStrategyAvailable(TrafficShiftKind.CANARY)
      ? new EcsProgressiveDeployment(stack, 'Release', {
        shift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
        bakeTime: Duration.minutes(10),
        alarms: [props.releaseAlarm],
      })
      : undefined;
    canary?.alarms.forEach(acknowledgeReleaseAlarm);
    const service = new ecs.FargateService(stack, 'Web', canary ? canary.fargateServiceProps(serviceProps) : serviceProps);
    endpoints.forEach(endpoint => endpoint.connections.allowDefaultPortFrom(service, 'HTTPS from the service tasks'));
    this.serviceName = new CfnOutput(stack, 'ServiceName', { value: service.serviceName });
  }
}

/**
 * Continuous delivery of a container service: the image is built once per commit by the pipeline's single Docker
 * asset-publishing action, logged in to Docker Hub (a Secrets Manager secret) so that base-image pulls never hit
 * the anonymous rate limit. Production deploys with an ECS canary, stopped by the same alarm as the bake after it.
 */
export function createApp(app: App): DeliveryPipeline {
  const stack = new Stack(app, 'ContainerServicePipeline', { env: PIPELINE_ENV });
  const dockerHub = secretsmanager.Secret.fromSecretNameV2(stack, 'DockerHub', 'dockerhub/credentials');
  // The bake's copy of the alarm: in the pipeline's account, reading the production account's metric.
  const bakeAlarms = new Stack(app, 'ContainerServiceReleaseAlarms', { env: { account: PIPELINE_ENV.account, region: PRODUCTION_REGION } });
  const releaseAlarm = productionErrors();
  const bakeAlarm = releaseAlarm.alarmIn(bakeAlarms);
  acknowledgeReleaseAlarm(bakeAlarm);

  return new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'container-service',
    source: PipelineSource.connection('acme/container-service', 'main', { connectionArn: CONNECTION_ARN }),
    synth: { commands: ['npm ci', 'npm run build', 'npx cdk synth'] },
    tests: [{ name: 'UnitTests', commands: ['npm ci', 'npm test'] }],
    docker: { credentials: [RegistryCredential.dockerHub(dockerHub)] },
    staging: { stage: new ContainerServiceStage(app, 'Staging', { env: STAGING_ENV }) },
    production: {
      stages: [new ContainerServiceStage(app, 'Production', { env: { account: PRODUCTION_ACCOUNT, region: PRODUCTION_REGION }, releaseAlarm })],
      // The canary takes about 15 minutes inside the deployment; the bake then watches the same alarm for 30 more.
      bake: { alarms: [bakeAlarm], duration: Duration.minutes(30) },
    },
  });
}
