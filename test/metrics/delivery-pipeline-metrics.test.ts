import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeliveryMetrics } from '../../src';
import { DeliveryPipeline } from '../../src/codepipeline/delivery-pipeline';
import { AppStage, PIPELINE_ENV, referencePipeline, referenceProps } from '../fixtures/app';
import { synthCapturingReport } from '../fixtures/cloudformation-validation';

describe('DeliveryPipeline metrics', () => {
  test('off by default: no function, dashboard or metrics alarm', () => {
    const { f, pipeline } = referencePipeline();
    const template = Template.fromStack(f.stack);

    expect(pipeline.deliveryMetrics).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(f.stack.node.findAll().filter(c => c instanceof DeliveryMetrics)).toEqual([]);
  });

  test('metrics: {} measures this pipeline, with its log retention and its artifact key on the function\'s logs', () => {
    const { f, pipeline } = referencePipeline({ metrics: {}, logRetention: logs.RetentionDays.SIX_MONTHS });
    const template = Template.fromStack(f.stack);
    const metrics = pipeline.deliveryMetrics!;
    const pipelineRef = { Ref: f.stack.getLogicalId(pipeline.pipeline.node.defaultChild as never) };

    expect(metrics).toBeInstanceOf(DeliveryMetrics);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { pipeline: [pipelineRef] } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { PIPELINE_NAME: pipelineRef, METRICS_NAMESPACE: 'CdkDeliveryPipelines', WINDOW_DAYS: '30', AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' } },
    });
    const logGroup = template.toJSON().Resources[f.stack.getLogicalId(metrics.logGroup.node.defaultChild as never)];
    expect(logGroup.Properties.RetentionInDays).toBe(180);
    // the reference pipeline deploys cross-account: its artifact key encrypts the logs
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [f.stack.getLogicalId(pipeline.pipeline.artifactBucket.encryptionKey!.node.defaultChild as never), 'Arn'] });
  });

  test('the options reach the construct: window, namespace, dashboard name', () => {
    const { f, pipeline } = referencePipeline({
      metrics: { window: Duration.days(7), namespace: 'Shop/Delivery', dashboardName: 'shop-delivery' },
    });
    const template = Template.fromStack(f.stack);

    expect(pipeline.deliveryMetrics!.namespace).toBe('Shop/Delivery');
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'shop-delivery' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Shop/Delivery', MetricName: 'SuccessRate' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { WINDOW_DAYS: '7' } } });
  });

  test('a bad option fails synthesis naming it', () => {
    expect(() => referencePipeline({ metrics: { namespace: 'AWS/Mine' } })).toThrow('DeliveryMetrics: \'namespace\' is \'AWS/Mine\'');
  });

  test('cdk-nag AwsSolutions: the reference pipeline with metrics has no finding', () => {
    const { f } = referencePipeline({ metrics: {} });
    f.app.synth(); // acknowledgments are made by an aspect, during synthesis

    expect(new AwsSolutionsChecks().validateScope(f.stack).violations.map(v => `${v.ruleName} ${v.violatingResources.map(r => r.constructPath).join(',')}`)).toEqual([]);
  });

  test('cfn-guard (Control Tower proactive controls): no violation on the metrics resources, with an alarm topic', () => {
    const app = new App();
    Validations.of(app).addPlugins(new CfnGuardValidator());
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const f = {
      app,
      stack,
      staging: new AppStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } }),
      production: [new AppStage(app, 'Prod', { env: { account: '333333333333', region: 'us-east-1' } })],
    };
    const topic = new sns.Topic(stack, 'Releases', { enforceSSL: true });
    const pipeline = new DeliveryPipeline(stack, 'Delivery', referenceProps(f, { metrics: { alarmTopic: topic } }));
    // aws-cdk-lib prints the report with console.error when a plugin finds violations (the fixture's own Lambda
    // functions are outside a VPC): captured here, and checked below to be the report the test reads.
    const { outdir, printed: printedReport } = synthCapturingReport(app);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8')) as {
      pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath?: string }> }> }>;
    };
    const guard = report.pluginReports.find(p => p.pluginName === 'cdk-validator-cfnguard');
    expect(guard).toBeDefined();
    // What was printed is the report: the fixture's functions outside a VPC (Control Tower's CT.LAMBDA.PR.3), each
    // with its acknowledgment id, and nothing on the metrics resources.
    const fixtureFunctions = guard!.violations.flatMap(v => v.violatingConstructs.map(c => `${v.ruleName} on ${c.constructPath}`))
      .filter(v => /on (Prod|Staging)\/Api\/Fn\/Resource$/.test(v)).sort();
    expect(fixtureFunctions).toEqual(['lambda_inside_vpc_check on Prod/Api/Fn/Resource', 'lambda_inside_vpc_check on Staging/Api/Fn/Resource']);
    expect(printedReport).toContain('[CT.LAMBDA.PR.3]');
    expect(printedReport).toContain('Prod/Api/Fn/Resource');
    expect(printedReport).toContain('Staging/Api/Fn/Resource');
    for (const violation of guard!.violations) {
      expect(printedReport).toContain(`cdk-validator-cfnguard::${violation.ruleName}`);
    }
    expect(printedReport).not.toContain('PipelineStack/Delivery/Metrics');
    const onMetrics = guard!.violations.flatMap(v => v.violatingConstructs
      .filter(c => (c.constructPath ?? '').startsWith('PipelineStack/Delivery/Metrics'))
      .map(c => `${v.ruleName} on ${c.constructPath}`));
    expect(onMetrics).toEqual([]);
    // the filter above is the metrics resources' real path
    expect(pipeline.deliveryMetrics!.function.node.path).toBe('PipelineStack/Delivery/Metrics/Function');
  });
});
