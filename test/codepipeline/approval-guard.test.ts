import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApprovalGuard, ApprovalGuardProps } from '../../src/codepipeline/private/approval-guard/approval-guard';
import { withCloudFormationValidation } from '../fixtures/cloudformation-validation';

const ENV = { account: '111111111111', region: 'us-east-1' };
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'codepipeline', 'private', 'approval-guard', 'reject-approval.lambda', 'index.js');

/** A plain L2 V2 pipeline: a source, then a Staging stage where an approval and a smoke test run in parallel. */
function pipelineIn(stack: Stack): codepipeline.Pipeline {
  const source = new codepipeline.Artifact('Source');
  return new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    stages: [
      {
        stageName: 'Source',
        actions: [new actions.S3SourceAction({
          actionName: 'Source',
          bucket: s3.Bucket.fromBucketName(stack, 'SourceBucket', 'my-app-source'),
          bucketKey: 'source.zip',
          output: source,
        })],
      },
      {
        stageName: 'Staging',
        actions: [
          new actions.ManualApprovalAction({ actionName: 'PromoteToProduction', runOrder: 1 }),
          new actions.ManualApprovalAction({ actionName: 'SecurityReview', runOrder: 1 }),
          new actions.CodeBuildAction({ actionName: 'SmokeTest', input: source, project: new codebuild.PipelineProject(stack, 'SmokeTests'), runOrder: 1 }),
          new actions.CodeBuildAction({ actionName: 'ApiTest', input: source, project: new codebuild.PipelineProject(stack, 'ApiTests'), runOrder: 1 }),
        ],
      },
    ],
  });
}

const DEFAULTS: Omit<ApprovalGuardProps, 'pipeline'> = {
  stageName: 'Staging',
  approvalActionNames: ['PromoteToProduction'],
  watchedActionNames: ['SmokeTest'],
};

/** The pipeline and the guard in one stack. */
function fixture(overrides: Partial<Omit<ApprovalGuardProps, 'pipeline'>> = {}, stackProps: StackProps = { env: ENV }) {
  const app = new App();
  const stack = new Stack(app, 'PipelineStack', stackProps);
  const pipeline = pipelineIn(stack);
  const guard = new ApprovalGuard(stack, 'Guard', { pipeline, ...DEFAULTS, ...overrides });
  return { app, stack, pipeline, guard, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** `arn:<partition>:codepipeline:us-east-1:111111111111:<pipeline><suffix>`, as the template renders it. */
function pipelineArn(pipelineId: string, suffix = '') {
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:us-east-1:111111111111:', { Ref: pipelineId }, ...(suffix ? [suffix] : [])]],
  };
}

describe('ApprovalGuard', () => {
  test('the rule matches FAILED events of the watched actions in the guarded stage of this pipeline only', () => {
    const { stack, pipeline, template } = fixture({ watchedActionNames: ['SmokeTest', 'ApiTest'] });

    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.exact({
        'source': ['aws.codepipeline'],
        'detail-type': ['CodePipeline Action Execution State Change'],
        'detail': {
          pipeline: [{ Ref: logicalId(stack, pipeline) }],
          stage: ['Staging'],
          action: ['SmokeTest', 'ApiTest'],
          state: ['FAILED'],
        },
      }),
      State: 'ENABLED',
    });
  });

  test('the rule invokes the function with retries and a dead-letter queue for failed deliveries', () => {
    const { stack, guard, template } = fixture();

    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [{
        Id: Match.anyValue(),
        Arn: { 'Fn::GetAtt': [logicalId(stack, guard.function), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack, guard.deadLetterQueue), 'Arn'] } },
      }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(stack, guard.rule), 'Arn'] },
    });
  });

  test('the dead-letter queue is encrypted, SSL-only, keeps events 14 days, and also receives the function\'s failed invocations', () => {
    const { stack, guard, template } = fixture();
    const queueArn = { 'Fn::GetAtt': [logicalId(stack, guard.deadLetterQueue), 'Arn'] };

    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: queueArn }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Resource: queueArn,
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack, guard.rule), 'Arn'] } } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: queueArn } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, guard.function) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, guard.deadLetterQueue), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });

  test('the function runs the bundled handler on nodejs24.x, logs JSON to its own log group, and knows the stage and approvals', () => {
    const { stack, guard, template } = fixture();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 30,
      Role: { 'Fn::GetAtt': [logicalId(stack, guard.node.findChild('Role')), 'Arn'] },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(stack, guard.logGroup) }, ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      Environment: { Variables: Match.objectLike({ STAGE_NAME: 'Staging', APPROVAL_ACTION_NAMES: 'PromoteToProduction' }) },
    });
  });

  test('the log group keeps a year of logs and survives the stack (audit of automated rejections)', () => {
    const { template } = fixture();

    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  test('the role has exactly the permissions the handler needs: no managed policy, no wildcard', () => {
    const { stack, pipeline, guard, template } = fixture({ approvalActionNames: ['PromoteToProduction', 'SecurityReview'] });
    const pipelineId = logicalId(stack, pipeline);
    const role = guard.node.findChild('Role');

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(stack, role) }] } });
    expect(Object.values(policies)).toHaveLength(1);
    expect(Object.values(policies)[0].Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalId(stack, guard.logGroup), 'Arn'] } },
      { Effect: 'Allow', Action: 'codepipeline:GetPipelineState', Resource: pipelineArn(pipelineId) },
      {
        Effect: 'Allow',
        Action: 'codepipeline:PutApprovalResult',
        Resource: [pipelineArn(pipelineId, '/Staging/PromoteToProduction'), pipelineArn(pipelineId, '/Staging/SecurityReview')],
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalId(stack, guard.deadLetterQueue), 'Arn'] } },
    ]);
    expect(JSON.stringify(Object.values(policies)[0].Properties.PolicyDocument)).not.toContain('*');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ APPROVAL_ACTION_NAMES: 'PromoteToProduction,SecurityReview' }) },
    });
  });

  test('the guard of an imported pipeline names its ARN in the permissions', () => {
    const app = new App();
    const stack = new Stack(app, 'GuardStack', { env: ENV });
    const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Imported', 'arn:aws:codepipeline:us-east-1:111111111111:my-app');
    new ApprovalGuard(stack, 'Guard', { pipeline, ...DEFAULTS });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'codepipeline:GetPipelineState', Resource: 'arn:aws:codepipeline:us-east-1:111111111111:my-app' },
          { Effect: 'Allow', Action: 'codepipeline:PutApprovalResult', Resource: 'arn:aws:codepipeline:us-east-1:111111111111:my-app/Staging/PromoteToProduction' },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: Match.objectLike({ pipeline: ['my-app'] }) } });
  });

  describe('validation', () => {
    test.each<[string, Partial<Omit<ApprovalGuardProps, 'pipeline'>>, string]>([
      ['no approval', { approvalActionNames: [] },
        "ApprovalGuard: 'approvalActionNames' is empty. Pass the manual approval action(s) of the stage, e.g. ['PromoteToProduction']."],
      ['nothing watched', { watchedActionNames: [] },
        "ApprovalGuard: 'watchedActionNames' is empty. Pass the verification action(s) whose failure must reject the approval, e.g. ['SmokeTest']."],
      ['an approval that watches itself', { watchedActionNames: ['SmokeTest', 'PromoteToProduction'] },
        "ApprovalGuard: 'PromoteToProduction' is in both 'approvalActionNames' and 'watchedActionNames'. An approval cannot watch itself: list it only in approvalActionNames."],
      ['a name CodePipeline cannot have', { approvalActionNames: ['Promote,Prod'] },
        "ApprovalGuard: 'approvalActionNames[0]' is 'Promote,Prod', which is not a CodePipeline stage or action name"],
      ['a bad stage name', { stageName: 'Staging 1' },
        "ApprovalGuard: 'stageName' is 'Staging 1', which is not a CodePipeline stage or action name"],
      ['a duplicate', { watchedActionNames: ['SmokeTest', 'SmokeTest'] },
        "ApprovalGuard: 'watchedActionNames' lists 'SmokeTest' twice. List each action once."],
    ])('rejects %s', (_, overrides, message) => {
      expect(() => fixture(overrides)).toThrow(message);
    });

    test('rejects a pipeline of another region (EventBridge would never deliver its events)', () => {
      const app = new App();
      const stack = new Stack(app, 'GuardStack', { env: ENV });
      const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Imported', 'arn:aws:codepipeline:eu-west-1:111111111111:my-app');

      expect(() => new ApprovalGuard(stack, 'Guard', { pipeline, ...DEFAULTS })).toThrow(
        "ApprovalGuard: 'pipeline' is in region eu-west-1, but the guard is in region us-east-1. Its EventBridge rule would never see the pipeline's events: create the guard in a stack of region eu-west-1.");
    });

    test('accepts an environment-agnostic stack (nothing to compare)', () => {
      expect(() => fixture({}, {})).not.toThrow();
    });
  });

  describe('policy checks', () => {
    test('cdk-nag AwsSolutions: zero findings and no cdk-nag acknowledgment; cfn-guard rules acknowledged one per resource', () => {
      // The pipeline lives in its own stack (a plain L2 pipeline has findings of its own); the guard in a second stack.
      const app = new App();
      const pipelineStack = new Stack(app, 'PipelineStack', { env: ENV });
      const guardStack = new Stack(app, 'GuardStack', { env: ENV });
      new ApprovalGuard(guardStack, 'Guard', { pipeline: pipelineIn(pipelineStack), ...DEFAULTS });

      expect(new AwsSolutionsChecks().validateScope(guardStack).violations.map(v => v.ruleName)).toEqual([]);

      // aws-cdk-lib records acknowledge() ids as 'Annotation::<id>'; cdk-nag reads either form.
      const acknowledgments = guardStack.node.findAll().flatMap(c => c.node.metadata
        .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap(m => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/i, ''), reason }))));
      expect(acknowledgments.map(a => [a.path, a.id])).toEqual([
        ['GuardStack/Guard/DeadLetterQueue', 'cdk-validator-cfnguard::sqs_dlq_check'],
        ['GuardStack/Guard/DeadLetterAlarm', 'cdk-validator-cfnguard::cloudwatch_alarm_action_check'],
        ['GuardStack/Guard/Logs', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check'],
        ['GuardStack/Guard/Function', 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
      ]);
      for (const a of acknowledgments) {
        expect(a.reason.length).toBeGreaterThan(60);
      }
    });

    test('cdk-nag AwsSolutions: zero findings for the guard next to the pipeline in one stack', () => {
      const { guard } = fixture({ approvalActionNames: ['PromoteToProduction', 'SecurityReview'], watchedActionNames: ['SmokeTest', 'ApiTest'] });

      expect(new AwsSolutionsChecks().validateScope(guard).violations.map(v => v.ruleName)).toEqual([]);
    });

    test('aws-cdk-lib\'s CloudFormation validation reports nothing (no deprecated runtime)', () => {
      const app = new App();
      const stack = new Stack(app, 'GuardStack', { env: ENV });
      const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Imported', 'arn:aws:codepipeline:us-east-1:111111111111:my-app');
      new ApprovalGuard(stack, 'Guard', { pipeline, ...DEFAULTS });

      const outdir = withCloudFormationValidation(() => app.synth().directory);

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

    const { app, guard } = fixture();
    const assembly = app.synth();
    const code = (guard.function.node.defaultChild as unknown as { code: { s3Key: string } }).code;
    const assetDir = path.join(assembly.directory, `asset.${path.basename(Stack.of(guard).resolve(code.s3Key), '.zip')}.lambda`);
    expect(fs.readFileSync(path.join(assetDir, 'index.js'), 'utf-8')).toEqual(fs.readFileSync(BUNDLE, 'utf-8'));
  });

  test('the bundle requires only Node.js built-ins and the AWS SDK v3 that the runtime provides (no aws-cdk-lib)', () => {
    const source = fs.readFileSync(BUNDLE, 'utf-8');
    const required = [...source.matchAll(/require\(["']([^"']+)["']\)/g)].map(m => m[1]);

    expect(required).toContain('@aws-sdk/client-codepipeline');
    expect(required.filter(name => !name.startsWith('@aws-sdk/') && !name.startsWith('node:') && !builtinModules.includes(name))).toEqual([]);
  });

  test('loaded with require in a fresh Node.js process, the bundle exports a handler that runs', () => {
    // A copy outside the repository, as in the Lambda zip: only NODE_PATH resolves @aws-sdk/client-codepipeline.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'approval-guard-'));
    try {
      fs.copyFileSync(BUNDLE, path.join(dir, 'index.js'));
      const script = `
        const mod = require('./index.js');
        const event = { source: 'aws.codepipeline', 'detail-type': 'CodePipeline Action Execution State Change',
          detail: { pipeline: 'my-app', 'execution-id': 'e-1', stage: 'Staging', action: 'SmokeTest', state: 'SUCCEEDED' } };
        mod.handler(event).then(r => process.stdout.write(JSON.stringify({ type: typeof mod.handler, outcome: r.outcome })));`;
      const out = execFileSync(process.execPath, ['-e', script], {
        cwd: dir,
        encoding: 'utf-8',
        env: {
          PATH: process.env.PATH,
          NODE_PATH: path.join(__dirname, '..', '..', 'node_modules'),
          AWS_REGION: 'us-east-1',
          STAGE_NAME: 'Staging',
          APPROVAL_ACTION_NAMES: 'PromoteToProduction',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
      expect(JSON.parse(out.slice(out.lastIndexOf('{"type"')))).toEqual({ type: 'function', outcome: 'IGNORED' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
