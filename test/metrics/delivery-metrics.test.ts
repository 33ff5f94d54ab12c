import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeliveryMetrics, DeliveryMetricsProps } from '../../src/metrics/delivery-metrics';
import { DeliveryFigure } from '../../src/metrics/figures';
import { CIRCLECI_BENCHMARKS } from '../../src/runtime/metrics';
import { withCloudFormationValidation } from '../fixtures/cloudformation-validation';

const ENV = { account: '111111111111', region: 'us-east-1' };
const PIPELINE_ARN = 'arn:aws:codepipeline:us-east-1:111111111111:shop-api';
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'metrics', 'private', 'publish-metrics.lambda', 'index.js');

function fixture(overrides: Partial<Omit<DeliveryMetricsProps, 'pipeline'>> = {}, stackProps: StackProps = { env: ENV }) {
  const app = new App();
  const stack = new Stack(app, 'MetricsStack', stackProps);
  const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', PIPELINE_ARN);
  const metrics = new DeliveryMetrics(stack, 'Metrics', { pipeline, ...overrides });
  return { app, stack, pipeline, metrics, template: Template.fromStack(stack) };
}

interface Widget {
  readonly type: string;
  readonly width: number;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly metrics?: unknown[][];
    readonly alarms?: unknown[];
    readonly annotations?: { horizontal: Array<{ value: number; label: string }> };
    readonly yAxis?: { left: { label: string; min: number; max?: number } };
  };
}

/** The dashboard body as CloudWatch reads it (the region reference resolved). */
function dashboardBody(template: Template): { start: string; widgets: Widget[] } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const token = (part: unknown): string => {
    const ref = part as { 'Ref'?: string; 'Fn::GetAtt'?: string[] };
    if (ref.Ref === 'AWS::Region') return 'us-east-1';
    if (ref['Fn::GetAtt']) return `<${ref['Fn::GetAtt'].join('.')}>`;
    throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(part)}`);
  };
  const text = body['Fn::Join'][1].map(part => typeof part === 'string' ? part : token(part)).join('');
  return JSON.parse(text);
}

/** The metric names a graph widget plots (visible or feeding an expression), and its expressions. */
function plotted(widget: Widget) {
  const rows = widget.properties.metrics ?? [];
  return {
    metrics: rows.filter(row => typeof row[0] === 'string').map(row => `${row[0]}/${row[1]} ${row[2]}=${row[3]}`),
    expressions: rows.filter(row => typeof row[0] === 'object').map(row => (row[0] as { expression: string }).expression),
  };
}

describe('DeliveryMetrics', () => {
  test('the pipeline rule matches the end of an execution of this pipeline only (a rollback is an execution)', () => {
    const { template } = fixture();

    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.exact({
        'source': ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change'],
        'detail': { pipeline: ['shop-api'], state: ['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED', 'CANCELED'] },
      }),
    });
  });

  test('a schedule recomputes the figures every hour, and both rules retry and dead-letter failed deliveries', () => {
    const { stack, metrics, template } = fixture();
    const queue = stack.getLogicalId(metrics.deadLetterQueue.node.defaultChild as never);
    const fn = stack.getLogicalId(metrics.function.node.defaultChild as never);

    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([{
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
      }]);
    }
  });

  test('the function runs the bundled handler on nodejs24.x with its own log group, JSON logs, a dead-letter queue, and knows the pipeline, namespace and window', () => {
    const { stack, metrics, template } = fixture({ window: Duration.days(14), namespace: 'Team/Delivery' });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 300,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: stack.getLogicalId(metrics.logGroup.node.defaultChild as never) } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [stack.getLogicalId(metrics.deadLetterQueue.node.defaultChild as never), 'Arn'] } },
      Environment: { Variables: { PIPELINE_NAME: 'shop-api', METRICS_NAMESPACE: 'Team/Delivery', WINDOW_DAYS: '14', AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
  });

  test('defaults: a 30-day window in namespace CdkDeliveryPipelines, logs kept a year', () => {
    const { template } = fixture();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ METRICS_NAMESPACE: 'CdkDeliveryPipelines', WINDOW_DAYS: '30' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    fixture({ logRetention: logs.RetentionDays.THREE_MONTHS }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('the role may read this pipeline\'s executions, write its own log group and dead-letter its failed invocations, nothing else: no managed policy, no wildcard', () => {
    const { stack, metrics, template } = fixture();
    const logGroup = stack.getLogicalId(metrics.logGroup.node.defaultChild as never);
    const queue = stack.getLogicalId(metrics.deadLetterQueue.node.defaultChild as never);

    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies.map(p => p.Properties.PolicyDocument.Statement)).toEqual([[
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
      { Effect: 'Allow', Action: ['codepipeline:ListPipelineExecutions', 'codepipeline:ListActionExecutions'], Resource: PIPELINE_ARN },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } },
    ]]);
  });

  test('the dead-letter queue is encrypted, SSL-only and keeps events 14 days; its alarm fires on one message', () => {
    const { stack, metrics, template } = fixture();

    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(metrics.deadLetterQueue.node.defaultChild as never), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  describe('dashboard', () => {
    const { template } = fixture({ window: Duration.days(30) });
    const body = dashboardBody(template);
    const graphs = body.widgets.filter(w => w.type === 'metric');
    const byTitle = new Map(graphs.map(w => [w.properties.title!, w]));
    const dimension = 'Pipeline=shop-api';

    test('a header, the CircleCI four, the DORA four (each a quarter row), and the alarms; 60 days shown by default', () => {
      expect(body.start).toBe('-P60D');
      expect(body.widgets.map(w => [w.type, w.width, w.properties.title ?? w.properties.markdown?.split('\n')[0]])).toEqual([
        ['text', 24, '# Delivery metrics'],
        ['metric', 6, 'Throughput (succeeded executions per day)'],
        ['metric', 6, 'Duration (minutes)'],
        ['metric', 6, 'Success rate (%)'],
        ['metric', 6, 'Recovery time (minutes)'],
        ['metric', 6, 'Deployment frequency (to production)'],
        ['metric', 6, 'Lead time for changes (minutes)'],
        ['metric', 6, 'Change failure rate (%)'],
        ['metric', 6, 'Time to restore (minutes)'],
        ['alarm', 24, 'Alarms'],
      ]);
      expect(body.widgets[0].properties.markdown).toContain('the 30 days before it');
    });

    test('the CircleCI four carry their benchmark as a horizontal annotation, in the unit the graph draws', () => {
      const annotation = (title: string) => byTitle.get(title)!.properties.annotations?.horizontal.map(a => [a.value, a.label]);

      expect(annotation('Throughput (succeeded executions per day)')).toEqual([[CIRCLECI_BENCHMARKS.throughputPerDay, 'CircleCI benchmark: >= 1 per day']]);
      expect(annotation('Duration (minutes)')).toEqual([[CIRCLECI_BENCHMARKS.durationSeconds / 60, 'CircleCI benchmark: median <= 10 min']]);
      expect(annotation('Success rate (%)')).toEqual([[90, 'CircleCI benchmark: >= 90 %']]);
      expect(annotation('Recovery time (minutes)')).toEqual([[CIRCLECI_BENCHMARKS.recoverySeconds / 60, 'CircleCI benchmark: < 60 min']]);
      // the annotations are the benchmark constants the CLI compares with
      expect([1, 10, 90, 60]).toEqual([CIRCLECI_BENCHMARKS.throughputPerDay, CIRCLECI_BENCHMARKS.durationSeconds / 60,
        CIRCLECI_BENCHMARKS.successRate * 100, CIRCLECI_BENCHMARKS.recoverySeconds / 60].map(v => Math.round(v * 100) / 100));
    });

    test('the DORA four have no benchmark line (CircleCI publishes none for them)', () => {
      for (const title of ['Deployment frequency (to production)', 'Lead time for changes (minutes)', 'Change failure rate (%)', 'Time to restore (minutes)']) {
        expect([title, byTitle.get(title)!.properties.annotations]).toEqual([title, undefined]);
      }
    });

    test('each graph plots this pipeline\'s figures from the namespace; seconds are drawn in minutes', () => {
      const ns = 'CdkDeliveryPipelines';
      expect(graphs.map(w => [w.properties.title, plotted(w)])).toEqual([
        ['Throughput (succeeded executions per day)', { metrics: [`${ns}/ThroughputPerDay ${dimension}`], expressions: [] }],
        ['Duration (minutes)', { metrics: [`${ns}/DurationMedian ${dimension}`, `${ns}/DurationP95 ${dimension}`], expressions: ['durationmedian / 60', 'durationp95 / 60'] }],
        ['Success rate (%)', { metrics: [`${ns}/SuccessRate ${dimension}`], expressions: [] }],
        ['Recovery time (minutes)', { metrics: [`${ns}/MeanTimeToRecovery ${dimension}`], expressions: ['meantimetorecovery / 60'] }],
        ['Deployment frequency (to production)', { metrics: [`${ns}/DeploymentsPerDay ${dimension}`, `${ns}/DeploymentsPerWeek ${dimension}`], expressions: [] }],
        ['Lead time for changes (minutes)', { metrics: [`${ns}/LeadTimeMedian ${dimension}`], expressions: ['leadtimemedian / 60'] }],
        ['Change failure rate (%)', { metrics: [`${ns}/ChangeFailureRate ${dimension}`], expressions: [] }],
        ['Time to restore (minutes)', { metrics: [`${ns}/TimeToRestore ${dimension}`], expressions: ['timetorestore / 60'] }],
      ]);
      expect(byTitle.get('Success rate (%)')!.properties.yAxis).toEqual({ left: { label: '%', min: 0, max: 100, showUnits: false } });
    });

    test('every published figure but the open-episode flag is on the dashboard', () => {
      const shown = new Set(graphs.flatMap(w => plotted(w).metrics.map(m => m.split(' ')[0].split('/')[1])));
      expect(Object.values(DeliveryFigure).filter(f => !shown.has(f))).toEqual([DeliveryFigure.OPEN_FAILURE_EPISODES]);
    });

    test('the alarm widget shows the health alarm and the dead-letter alarm', () => {
      expect(body.widgets.find(w => w.type === 'alarm')!.properties.alarms).toEqual([
        expect.stringMatching(/^<MetricsHealthAlarm[0-9A-F]{8}\.Arn>$/), expect.stringMatching(/^<MetricsDeadLetterAlarm[0-9A-F]{8}\.Arn>$/),
      ]);
    });
  });

  describe('delivery-health alarm', () => {
    test('by default: in ALARM while the window\'s success rate is below the CircleCI benchmark; no data is not a breach', () => {
      const { template } = fixture();

      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'CdkDeliveryPipelines',
        MetricName: 'SuccessRate',
        Dimensions: [{ Name: 'Pipeline', Value: 'shop-api' }],
        Statistic: 'Average',
        Period: 3600,
        Threshold: 90,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    test('healthAlarm: false leaves only the dead-letter alarm', () => {
      const { metrics, template } = fixture({ healthAlarm: false });

      expect(metrics.healthAlarm).toBeUndefined();
      template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
      expect(dashboardBody(template).widgets.find(w => w.type === 'alarm')!.properties.alarms).toHaveLength(1);
    });

    test('alarmTopic: both alarms notify it on ALARM and on OK', () => {
      const app = new App();
      const stack = new Stack(app, 'MetricsStack', { env: ENV });
      const topic = new sns.Topic(stack, 'Releases', { enforceSSL: true });
      new DeliveryMetrics(stack, 'Metrics', { pipeline: codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', PIPELINE_ARN), alarmTopic: topic });
      const template = Template.fromStack(stack);

      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }]);
      }
    });

    test('metric() gives any figure of this pipeline for alarms of your own', () => {
      const { stack, metrics } = fixture({ namespace: 'Team/Delivery' });
      const metric = metrics.metric(DeliveryFigure.LEAD_TIME_MEDIAN, { statistic: 'Maximum' });

      expect([metric.namespace, metric.metricName, stack.resolve(metric.dimensions), metric.statistic, metric.period.toSeconds()])
        .toEqual(['Team/Delivery', 'LeadTimeMedian', { Pipeline: 'shop-api' }, 'Maximum', 3600]);
    });
  });

  describe('validation', () => {
    test.each([
      [{ window: Duration.days(0) }, 'DeliveryMetrics: \'window\' is 0 days, which is not a whole number of days from 1 to 365. Use e.g. Duration.days(30) (CodePipeline keeps 12 months of history).'],
      [{ window: Duration.days(366) }, 'DeliveryMetrics: \'window\' is 366 days, which is not a whole number of days from 1 to 365.'],
      [{ window: Duration.hours(36) }, 'DeliveryMetrics: \'window\' is 1 day 12 hours, which is not a whole number of days'],
      [{ namespace: 'AWS/CodePipeline' }, 'DeliveryMetrics: \'namespace\' is \'AWS/CodePipeline\', which CloudWatch does not accept for custom metrics (1-255 characters from A-Z, a-z, 0-9, ".", "-", "_", "/", "#", ":", not starting with "AWS/"). Use e.g. \'MyTeam/Delivery\'.'],
      [{ namespace: 'Team Delivery' }, 'DeliveryMetrics: \'namespace\' is \'Team Delivery\', which CloudWatch does not accept'],
      [{ namespace: '' }, 'DeliveryMetrics: \'namespace\' is \'\', which CloudWatch does not accept'],
      [{ dashboardName: 'shop api' }, 'DeliveryMetrics: \'dashboardName\' is \'shop api\', which is not a CloudWatch dashboard name (1-255 characters from A-Z, a-z, 0-9, "-", "_"). Use e.g. \'shop-api-delivery\'.'],
    ])('GIVEN %j THEN synthesis stops with the property, the value and the fix', (props, message) => {
      expect(() => fixture(props as Partial<DeliveryMetricsProps>)).toThrow(message);
    });

    test.each([
      [{ window: Duration.days(1) }], [{ window: Duration.days(365) }], [{ namespace: 'Team/Delivery#1:x' }], [{ dashboardName: 'shop-api_delivery' }],
    ])('GIVEN %j THEN it is accepted', (props) => {
      expect(() => fixture(props as Partial<DeliveryMetricsProps>)).not.toThrow();
    });

    test('rejects a pipeline of another region or account (EventBridge would never deliver its events)', () => {
      expect(() => fixture({}, { env: { account: '111111111111', region: 'eu-west-1' } })).toThrow(
        'DeliveryMetrics: \'pipeline\' is in region us-east-1, but the metrics are in region eu-west-1. Its EventBridge rule would never see the pipeline\'s events: create DeliveryMetrics in a stack of region us-east-1.');
      expect(() => fixture({}, { env: { account: '999999999999', region: 'us-east-1' } })).toThrow('\'pipeline\' is in account 111111111111, but the metrics are in account 999999999999.');
    });

    test('accepts an environment-agnostic stack (nothing to compare)', () => {
      expect(() => fixture({}, {})).not.toThrow();
    });
  });

  describe('policy checks', () => {
    test('cdk-nag AwsSolutions: zero findings and no cdk-nag acknowledgment; cfn-guard rules acknowledged one per resource, with reasons', () => {
      const { stack } = fixture();

      expect(new AwsSolutionsChecks().validateScope(stack).violations.map(v => v.ruleName)).toEqual([]);
      const acknowledgments = stack.node.findAll().flatMap(c => c.node.metadata
        .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap(m => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/i, ''), reason }))));
      expect(acknowledgments.map(a => [a.path, a.id])).toEqual([
        ['MetricsStack/Metrics/DeadLetterQueue', 'cdk-validator-cfnguard::sqs_dlq_check'],
        ['MetricsStack/Metrics/DeadLetterAlarm', 'cdk-validator-cfnguard::cloudwatch_alarm_action_check'],
        ['MetricsStack/Metrics/Logs', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check'],
        ['MetricsStack/Metrics/Function', 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
        ['MetricsStack/Metrics/HealthAlarm', 'cdk-validator-cfnguard::cloudwatch_alarm_action_check'],
      ]);
      for (const a of acknowledgments) {
        expect(a.reason.length).toBeGreaterThan(60);
      }
    });

    test('aws-cdk-lib\'s CloudFormation validation reports nothing (no deprecated runtime, a valid dashboard)', () => {
      // fixture() synthesizes (Template.fromStack): the whole build runs with validation on.
      const outdir = withCloudFormationValidation(() => fixture().app.synth().directory);

      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8')) as {
        pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; description: string }> }>;
      };
      expect(report.pluginReports.flatMap(p => p.violations.map(v => `${p.pluginName} ${v.ruleName}: ${v.description}`))).toEqual([]);
    });
  });
});

describe('bundled handler (npx projen bundle)', () => {
  test('the bundle exists and the function deploys exactly it', () => {
    expect(fs.existsSync(BUNDLE)).toBe(true); // missing: run `npx projen bundle`

    const { app, metrics } = fixture();
    const assembly = app.synth();
    const code = (metrics.function.node.defaultChild as unknown as { code: { s3Key: string } }).code;
    const assetDir = path.join(assembly.directory, `asset.${path.basename(Stack.of(metrics).resolve(code.s3Key), '.zip')}.lambda`);
    expect(fs.readFileSync(path.join(assetDir, 'index.js'), 'utf-8')).toEqual(fs.readFileSync(BUNDLE, 'utf-8'));
  });

  test('the bundle requires only Node.js built-ins and the AWS SDK v3 that the runtime provides (no aws-cdk-lib)', () => {
    const source = fs.readFileSync(BUNDLE, 'utf-8');
    const required = [...source.matchAll(/require\(["']([^"']+)["']\)/g)].map(m => m[1]);

    expect(required).toContain('@aws-sdk/client-codepipeline');
    expect(required.filter(name => !name.startsWith('@aws-sdk/') && !name.startsWith('node:') && !builtinModules.includes(name))).toEqual([]);
  });

  test('the bundle holds ONE copy of the metric definitions, the module the CLI imports (no second implementation)', () => {
    const source = fs.readFileSync(BUNDLE, 'utf-8');
    // esbuild marks each bundled module with its path
    const modules = [...source.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].map(m => m[1]);

    expect(modules.filter(m => m === 'src/runtime/metrics.ts')).toHaveLength(1);
    expect(modules.filter(m => m === 'src/runtime/statistics.ts')).toHaveLength(1);
    expect(modules).toContain('src/runtime/operations-client.ts');
    expect(source.match(/function computeDeliveryMetrics\(/g)).toHaveLength(1);
    // the CLI computes with the same module
    const program = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'cli', 'program.ts'), 'utf-8');
    expect(program).toMatch(/import \{ computeDeliveryMetrics, [^}]*\} from '\.\.\/runtime\/metrics';/);
    // and no other source file defines the figures
    const definers = execFileSync('grep', ['-rl', 'function computeDeliveryMetrics', path.join(__dirname, '..', '..', 'src')], { encoding: 'utf-8' }).trim().split('\n');
    expect(definers.map(f => path.relative(path.join(__dirname, '..', '..'), f))).toEqual(['src/runtime/metrics.ts']);
  });

  test('loaded with require in a fresh Node.js process, the bundle exports a handler that runs', () => {
    // A copy outside the repository, as in the Lambda zip: only NODE_PATH resolves @aws-sdk/client-codepipeline.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'delivery-metrics-'));
    try {
      fs.copyFileSync(BUNDLE, path.join(dir, 'index.js'));
      const script = `
        const mod = require('./index.js');
        const event = { source: 'aws.codepipeline', 'detail-type': 'CodePipeline Pipeline Execution State Change', time: '2025-05-26T00:00:00Z',
          detail: { pipeline: 'another-pipeline', 'execution-id': 'e-1', state: 'SUCCEEDED' } };
        mod.handler(event).then(r => process.stdout.write(JSON.stringify({ type: typeof mod.handler, outcome: r.outcome })));`;
      const out = execFileSync(process.execPath, ['-e', script], {
        cwd: dir,
        encoding: 'utf-8',
        env: {
          PATH: process.env.PATH,
          NODE_PATH: path.join(__dirname, '..', '..', 'node_modules'),
          AWS_REGION: 'us-east-1',
          PIPELINE_NAME: 'shop-api',
          METRICS_NAMESPACE: 'CdkDeliveryPipelines',
          WINDOW_DAYS: '30',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
      expect(JSON.parse(out.slice(out.lastIndexOf('{"type"')))).toEqual({ type: 'function', outcome: 'IGNORED' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
