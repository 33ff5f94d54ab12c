import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChangeReviewPolicy, ReviewOutcome } from '../../src';
import { ChangeSetReview, ChangeSetReviewProps } from '../../src/review/private/change-set-review';
import { CONFIG_VARIABLE } from '../../src/review/private/review-contract';
import { PipelineShape } from '../../src/testing/pipeline-shape';
import { errorOf, referencePipeline } from '../fixtures/app';

const ENV = { account: '111111111111', region: 'us-east-1' };
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'review', 'private', 'review-change-sets.lambda', 'index.js');

/** A V2 pipeline whose Production stage prepares a change set, waits for the Review approval, then executes it. */
function pipelineIn(stack: Stack): codepipeline.Pipeline {
  const source = new codepipeline.Artifact('Source');
  const stackName = 'Prod-App';
  return new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    stages: [
      {
        stageName: 'Source',
        actions: [new actions.S3SourceAction({
          actionName: 'Source', bucket: s3.Bucket.fromBucketName(stack, 'SourceBucket', 'my-app-source'), bucketKey: 'source.zip', output: source,
        })],
      },
      {
        stageName: 'Production',
        actions: [
          new actions.CloudFormationCreateReplaceChangeSetAction({
            actionName: 'App.Prepare',
            stackName,
            changeSetName: 'PipelineChange',
            adminPermissions: false,
            templatePath: source.atPath('App.template.json'),
            runOrder: 1,
          }),
          new actions.ManualApprovalAction({ actionName: 'Review', runOrder: 2 }),
          new actions.CloudFormationExecuteChangeSetAction({ actionName: 'App.Deploy', stackName, changeSetName: 'PipelineChange', runOrder: 3 }),
        ],
      },
    ],
  });
}

type Overrides = Partial<Omit<ChangeSetReviewProps, 'pipeline'>>;

const DEFAULTS: Omit<ChangeSetReviewProps, 'pipeline'> = {
  stageName: 'Production',
  approvalActionName: 'Review',
  environmentName: 'Production',
  targets: [
    { stackName: 'Prod-App', changeSetName: 'PipelineChange', account: '222222222222', region: 'eu-west-1' },
    { stackName: 'Prod-Data', changeSetName: 'PipelineChange', account: '222222222222', region: 'eu-west-1' },
    { stackName: 'Prod-Edge', changeSetName: 'PipelineChange', account: '333333333333', region: 'us-east-1' },
  ],
};

function fixture(overrides: Overrides = {}, stackProps: StackProps = { env: ENV }) {
  const app = new App();
  const stack = new Stack(app, 'PipelineStack', stackProps);
  const pipeline = pipelineIn(stack);
  const review = new ChangeSetReview(stack, 'Review', { pipeline, ...DEFAULTS, ...overrides });
  return { app, stack, pipeline, review, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

function pipelineArn(pipelineId: string, suffix = '') {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:us-east-1:111111111111:', { Ref: pipelineId }, ...(suffix ? [suffix] : [])]] };
}

function lookupRole(account: string, region: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/cdk-hnb659fds-lookup-role-${account}-${region}`]] };
}

describe('ChangeSetReview', () => {
  test('the rule runs the function when the review approval of this pipeline\'s stage STARTS, and only then', () => {
    const { stack, pipeline, review, template } = fixture();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.exact({
        'source': ['aws.codepipeline'],
        'detail-type': ['CodePipeline Action Execution State Change'],
        'detail': { pipeline: [{ Ref: logicalId(stack, pipeline) }], stage: ['Production'], action: ['Review'], state: ['STARTED'] },
      }),
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(stack, review.function), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack, review.deadLetterQueue), 'Arn'] } },
      })],
    });
  });

  test('least privilege: its pipeline\'s state, that one approval, the targets\' lookup roles, its log group and queue; no managed policy', () => {
    const { stack, pipeline, review, template } = fixture();
    const pipelineId = logicalId(stack, pipeline);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(stack, review.role) }] } });
    expect(Object.values(policies)).toHaveLength(1);
    expect(Object.values(policies)[0].Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalId(stack, review.logGroup), 'Arn'] } },
      { Effect: 'Allow', Action: 'codepipeline:GetPipelineState', Resource: pipelineArn(pipelineId) },
      { Effect: 'Allow', Action: 'codepipeline:PutApprovalResult', Resource: pipelineArn(pipelineId, '/Production/Review') },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [lookupRole('222222222222', 'eu-west-1'), lookupRole('333333333333', 'us-east-1')] },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalId(stack, review.deadLetterQueue), 'Arn'] } },
    ]);
    expect(JSON.stringify(Object.values(policies)[0].Properties.PolicyDocument)).not.toContain('*');
  });

  test('a notification topic: the role may publish to it, and the handler is told its ARN', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: ENV });
    const topic = new sns.Topic(stack, 'Approvals', { enforceSSL: true });
    const review = new ChangeSetReview(stack, 'Review', { pipeline: pipelineIn(stack), ...DEFAULTS, notificationTopic: topic });
    const template = Template.fromStack(stack);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(stack, review.role) }] } });
    expect(Object.values(policies)[0].Properties.PolicyDocument.Statement).toContainEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: logicalId(stack, topic) } });
    expect(stack.resolve(review.config.topicArn)).toEqual({ Ref: logicalId(stack, topic) });
  });

  test('the function\'s configuration: stage, approval, targets with their lookup roles, prefixes and the policy', () => {
    const { stack, review, template } = fixture({
      stackNamePrefixes: ['Prod-'],
      policy: ChangeReviewPolicy.of({ stackRemoval: ReviewOutcome.FAIL }),
      targets: [{ stackName: 'Prod-App', changeSetName: 'PipelineChange', account: '222222222222', region: 'eu-west-1', lookupRoleArn: 'arn:aws:iam::222222222222:role/custom-lookup' }],
    });
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { Role: { 'Fn::GetAtt': [logicalId(stack, review.role), 'Arn'] } } });
    const variables = Object.values(fn)[0].Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(['AWS_NODEJS_CONNECTION_REUSE_ENABLED', CONFIG_VARIABLE]);
    expect(JSON.parse(variables[CONFIG_VARIABLE])).toEqual({
      environmentName: 'Production',
      stageName: 'Production',
      approvalActionName: 'Review',
      groups: [{ account: '222222222222', region: 'eu-west-1', roleArn: 'arn:aws:iam::222222222222:role/custom-lookup', changeSetName: 'PipelineChange', stackNames: ['Prod-App'] }],
      stackNamePrefixes: ['Prod-'],
      policy: { STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'FAIL' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Timeout: 120, MemorySize: 256 });
  });

  describe('release size', () => {
    // A lookup role given in full: the configuration is then a plain string (no partition token), read as JSON.
    const targets = [{ stackName: 'Prod-App', changeSetName: 'PipelineChange', account: '222222222222', region: 'eu-west-1', lookupRoleArn: 'arn:aws:iam::222222222222:role/custom-lookup' }];
    const rolePolicy = (stack: Stack, review: ChangeSetReview, template: Template) => {
      const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(stack, review.role) }] } });
      return Object.values(policies)[0].Properties.PolicyDocument.Statement as unknown[];
    };

    test('with a limit: the role may list this pipeline\'s executions (its ARN only), and the function is told the limit and the outcome', () => {
      const policy = ChangeReviewPolicy.of({ maxReleaseRevisions: 20, largeRelease: ReviewOutcome.FAIL });
      const { stack, pipeline, review, template } = fixture({ targets, policy });
      const listing = rolePolicy(stack, review, template).filter(s => JSON.stringify(s).includes('ListPipelineExecutions'));
      expect(listing).toEqual([{ Effect: 'Allow', Action: 'codepipeline:ListPipelineExecutions', Resource: pipelineArn(logicalId(stack, pipeline)) }]);
      const fn = template.findResources('AWS::Lambda::Function', { Properties: { Role: { 'Fn::GetAtt': [logicalId(stack, review.role), 'Arn'] } } });
      const config = JSON.parse(Object.values(fn)[0].Properties.Environment.Variables[CONFIG_VARIABLE]);
      expect(config.releaseSize).toEqual({ maxRevisions: 20, outcome: 'FAIL' });
      expect(config.policy).toEqual({ STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'CONTINUE' });
    });

    test('without a limit: no ListPipelineExecutions permission and no release size in the configuration', () => {
      const { stack, review, template } = fixture({ targets, policy: ChangeReviewPolicy.defaults() });
      expect(JSON.stringify(rolePolicy(stack, review, template))).not.toContain('ListPipelineExecutions');
      expect(review.config.releaseSize).toBeUndefined();
      const fn = template.findResources('AWS::Lambda::Function', { Properties: { Role: { 'Fn::GetAtt': [logicalId(stack, review.role), 'Arn'] } } });
      expect(Object.keys(JSON.parse(Object.values(fn)[0].Properties.Environment.Variables[CONFIG_VARIABLE]))).not.toContain('releaseSize');
    });

    test('cdk-nag AwsSolutions stays clean with a limit (the listing is scoped to the pipeline, no wildcard)', () => {
      const app = new App();
      const pipelineStack = new Stack(app, 'PipelineStack', { env: ENV });
      const reviewStack = new Stack(app, 'ReviewStack', { env: ENV });
      new ChangeSetReview(reviewStack, 'Review', { pipeline: pipelineIn(pipelineStack), ...DEFAULTS, policy: ChangeReviewPolicy.of({ maxReleaseRevisions: 20 }) });
      expect(new AwsSolutionsChecks().validateScope(reviewStack).violations.map(v => v.ruleName)).toEqual([]);
      const statements = Object.values(Template.fromStack(reviewStack).findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
      expect(statements.filter((st: { Action: unknown }) => st.Action === 'codepipeline:ListPipelineExecutions')).toHaveLength(1);
    });
  });

  describe('release size through DeliveryPipeline (the reference app)', () => {
    test('the production review gets the limit and the listing of its pipeline; still one hop, cdk-nag clean', () => {
      const { f, pipeline } = referencePipeline({ changeReview: ChangeReviewPolicy.of({ maxReleaseRevisions: 20 }) });
      const reviews = f.stack.node.findAll().filter((c): c is ChangeSetReview => c instanceof ChangeSetReview);
      expect(reviews.map(r => r.config.releaseSize)).toEqual([{ maxRevisions: 20, outcome: 'HOLD' }]);
      const policies = Template.fromStack(f.stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(f.stack, reviews[0].role) }] } });
      const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[];
      expect(statements.filter(st => st.Action === 'codepipeline:ListPipelineExecutions')).toEqual([
        { Effect: 'Allow', Action: 'codepipeline:ListPipelineExecutions', Resource: f.stack.resolve(pipeline.pipeline.pipelineArn) },
      ]);
      expect(PipelineShape.fromStack(f.stack).criticalPathHops).toBe(8);
      f.app.synth();
      expect(new AwsSolutionsChecks().validateScope(f.stack).violations.map(v => v.ruleName)).toEqual([]);
    });
  });

  describe('validation', () => {
    const target = DEFAULTS.targets[0];
    test.each<[string, Overrides, string]>([
      ['no targets', { targets: [] }, "ChangeSetReview: 'targets' is an array of 0. List the stage's stacks with their change sets"],
      ['targets that are not a list', { targets: 'Prod-App' as never }, "ChangeSetReview: 'targets' is 'Prod-App'."],
      ['a target that is not an object', { targets: [null as never] }, "ChangeSetReview: 'targets[0]' is null. Pass { stackName, changeSetName, account, region }."],
      ['a bad stack name', { targets: [{ ...target, stackName: 'Prod_App' }] }, "ChangeSetReview: 'targets[0].stackName' is 'Prod_App', which is not a CloudFormation stack name"],
      ['a bad change set name', { targets: [{ ...target, changeSetName: '1change' }] }, "ChangeSetReview: 'targets[0].changeSetName' is '1change', which is not a change set name"],
      ['a bad account', { targets: [{ ...target, account: '2222' }] }, "ChangeSetReview: 'targets[0].account' is '2222', which is not an AWS account id of 12 digits"],
      ['an account as a number', { targets: [{ ...target, account: 222222222222 as never }] }, "ChangeSetReview: 'targets[0].account' is 222222222222, which is not an AWS account id"],
      ['a bad region', { targets: [{ ...target, region: 'Europe' }] }, "ChangeSetReview: 'targets[0].region' is 'Europe', which is not an AWS region name"],
      ['a bad lookup role', { targets: [{ ...target, lookupRoleArn: 'cdk-lookup' }] }, "ChangeSetReview: 'targets[0].lookupRoleArn' is 'cdk-lookup', which is not an IAM role ARN"],
      ['a stack twice', { targets: [target, target] }, "ChangeSetReview: 'targets[1]' lists stack Prod-App in 222222222222/eu-west-1 a second time. List each stack once."],
      ['a bad stage name', { stageName: 'Prod stage' }, "ChangeSetReview: 'stageName' is 'Prod stage', which is not a CodePipeline stage or action name"],
      ['a bad approval name', { approvalActionName: '' }, "ChangeSetReview: 'approvalActionName' is '', which is not a CodePipeline stage or action name"],
      ['no environment name', { environmentName: ' ' }, "ChangeSetReview: 'environmentName' is ' '. Pass the name a person knows the environment by"],
      ['a policy that is not one', { policy: { statefulReplacement: 'HOLD' } as never }, "ChangeSetReview: 'policy' is an object"],
      ['prefixes that are not a list', { stackNamePrefixes: 'Prod-' as never }, "ChangeSetReview: 'stackNamePrefixes' is 'Prod-', not a list. Pass e.g. ['Prod-'], or leave it out."],
      ['a bad prefix', { stackNamePrefixes: ['Prod/'] }, "ChangeSetReview: 'stackNamePrefixes[0]' is 'Prod/', which is not the start of the environment's stack names"],
    ])('rejects %s, with the construct path', (_, overrides, message) => {
      expect(errorOf(() => fixture(overrides))).toContain(message);
      expect(() => fixture(overrides)).toThrow(/^PipelineStack\/Review: ChangeSetReview: /);
    });

    test('a full stage (24 stacks with change sets and the review: 49 actions) fits in the environment; a configuration too large is refused, saying how to split it', () => {
      const full = Array.from({ length: 24 }, (_, i) => ({ ...DEFAULTS.targets[0], stackName: `Prod-ServiceWithALongerName${i}` }));
      expect(() => fixture({ targets: full })).not.toThrow();
      const limited = ChangeReviewPolicy.of({ maxReleaseRevisions: 1000, largeRelease: ReviewOutcome.CONTINUE });
      expect(() => fixture({ targets: full, policy: limited })).not.toThrow();
      const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'];
      const scattered = Array.from({ length: 24 }, (_, i) => ({ ...DEFAULTS.targets[0], account: String(100000000000 + i), region: regions[i % 8], stackName: `Prod-Service${i}` }));
      expect(errorOf(() => fixture({ targets: scattered }))).toMatch(
        /^ChangeSetReview: 'targets' lists 24 stacks, whose configuration \(about \d+ characters\) does not fit in a Lambda environment \(4096 bytes in all\)\. Review the stage's stacks in parts/);
    });

    test('rejects a pipeline of another region (EventBridge would never deliver its events)', () => {
      const app = new App();
      const stack = new Stack(app, 'ReviewStack', { env: ENV });
      const pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Imported', 'arn:aws:codepipeline:eu-west-1:111111111111:my-app');
      expect(errorOf(() => new ChangeSetReview(stack, 'Review', { pipeline, ...DEFAULTS }))).toBe(
        "ChangeSetReview: 'pipeline' is in region eu-west-1, but the review is in region us-east-1. Its EventBridge rule would never see the pipeline's events: create the review in a stack of region eu-west-1.");
    });

    test('accepts an environment-agnostic stack and unresolved values', () => {
      expect(() => fixture({}, {})).not.toThrow();
    });
  });

  describe('policy checks', () => {
    test('cdk-nag AwsSolutions: zero findings and no cdk-nag acknowledgment; cfn-guard rules acknowledged one per resource, with reasons', () => {
      const app = new App();
      const pipelineStack = new Stack(app, 'PipelineStack', { env: ENV });
      const reviewStack = new Stack(app, 'ReviewStack', { env: ENV });
      new ChangeSetReview(reviewStack, 'Review', { pipeline: pipelineIn(pipelineStack), ...DEFAULTS });
      expect(new AwsSolutionsChecks().validateScope(reviewStack).violations.map(v => v.ruleName)).toEqual([]);
      const acknowledgments = reviewStack.node.findAll().flatMap(c => c.node.metadata
        .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap(m => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/i, ''), reason }))));
      expect(acknowledgments.map(a => [a.path, a.id])).toEqual([
        ['ReviewStack/Review/DeadLetterQueue', 'cdk-validator-cfnguard::sqs_dlq_check'],
        ['ReviewStack/Review/DeadLetterAlarm', 'cdk-validator-cfnguard::cloudwatch_alarm_action_check'],
        ['ReviewStack/Review/Logs', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check'],
        ['ReviewStack/Review/Function', 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
      ]);
      for (const a of acknowledgments) {
        expect(a.reason.length).toBeGreaterThan(60);
      }
    });
  });

  test('the bundle exists and the function deploys exactly it', () => {
    expect(fs.existsSync(BUNDLE)).toBe(true); // missing: run `npx projen bundle`
    const { app, review } = fixture();
    const assembly = app.synth();
    const code = (review.function.node.defaultChild as unknown as { code: { s3Key: string } }).code;
    const assetDir = path.join(assembly.directory, `asset.${path.basename(Stack.of(review).resolve(code.s3Key), '.zip')}.lambda`);
    expect(fs.readFileSync(path.join(assetDir, 'index.js'), 'utf-8')).toEqual(fs.readFileSync(BUNDLE, 'utf-8'));
  });
});
