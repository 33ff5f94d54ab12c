import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeliveryPipeline } from '../../src';
import { AppStage, Fixture, PIPELINE_ENV, referencePipeline, referenceProps } from '../fixtures/app';

/**
 * Every role of the pipeline keeps reporting the wildcards a user adds to it, even where the user's finding id is
 * one that aws-cdk-lib's own statements in the same policy also produce (and which is acknowledged without the
 * user's statement).
 */

interface Statement {
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: { readonly AWS?: unknown; readonly Service?: unknown };
}

function statementsOf(document: iam.PolicyDocument | undefined, stack: Stack): Statement[] {
  return (stack.resolve(document?.toJSON()) as { Statement?: Statement[] } | undefined)?.Statement ?? [];
}

function policyStatementsOf(role: iam.Role): Statement[] {
  return role.node.findAll()
    .filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)
    .flatMap(p => statementsOf(p.policyDocument as iam.PolicyDocument, Stack.of(role)));
}

const actionsOf = (s: Statement) => [s.Action ?? []].flat();
const rolesUnder = (pipeline: DeliveryPipeline) => pipeline.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role);

function onlyOne<T>(found: T[], what: string): T {
  if (found.length !== 1) {
    throw new Error(`expected one ${what}, found ${found.length}`);
  }
  return found[0];
}

/**
 * CDK Pipelines' asset-publishing role for file assets. Not public API (`CodePipeline` keeps its asset roles
 * private): found by type and content, a role CodeBuild assumes that may assume the CDK file-publishing roles.
 */
function assetPublishingRole(pipeline: DeliveryPipeline): iam.Role {
  const stack = Stack.of(pipeline);
  return onlyOne(rolesUnder(pipeline).filter(role =>
    statementsOf(role.assumeRolePolicy, stack).some(s => JSON.stringify(s.Principal?.Service ?? '').includes('codebuild.amazonaws.com'))
    && policyStatementsOf(role).some(s => actionsOf(s).includes('sts:AssumeRole') && JSON.stringify(s.Resource).includes('-file-publishing-role-'))),
  'file asset publishing role');
}

/**
 * The role CodePipeline assumes to start every CodeBuild action. Not public API (`CodePipeline` keeps it private):
 * found by content, a role the pipeline role assumes that may start CodeBuild builds.
 */
function codeBuildActionRole(pipeline: DeliveryPipeline): iam.Role {
  const stack = Stack.of(pipeline);
  const pipelineRoleArn = JSON.stringify(stack.resolve(pipeline.pipeline.role.roleArn));
  return onlyOne(rolesUnder(pipeline).filter(role =>
    statementsOf(role.assumeRolePolicy, stack).some(s => JSON.stringify(s.Principal?.AWS ?? '') === pipelineRoleArn)
    && policyStatementsOf(role).some(s => actionsOf(s).includes('codebuild:StartBuild'))),
  'CodeBuild action role');
}

/**
 * The project role of the reference pipeline's test step (`npm test`). The library's test steps are private: found
 * by type and content, the CodeBuild project whose buildspec runs the step's commands.
 */
function testStepRole(pipeline: DeliveryPipeline): iam.IRole {
  const stack = Stack.of(pipeline);
  const project = onlyOne(pipeline.node.findAll()
    .filter((c): c is codebuild.Project => c instanceof codebuild.Project)
    .filter(p => JSON.stringify(stack.resolve((p.node.defaultChild as codebuild.CfnProject).source)).includes('npm test')),
  'test step project');
  return project.role!;
}

const ROLES: Array<[string, (pipeline: DeliveryPipeline) => iam.IRole]> = [
  ['pipeline role', p => p.pipeline.role],
  ['synth project role', p => p.cdkPipeline.synthProject.role!],
  ['self-mutation project role', p => p.cdkPipeline.selfMutationProject.role!],
  ['file asset publishing role', assetPublishingRole],
  ['test step project role', testStepRole],
  ['shared CodeBuild action role', codeBuildActionRole],
];

/**
 * The reference app in an App with `@aws-cdk/aws-iam:minimizePolicies` (the default of `cdk init` apps): aws-cdk-lib
 * merges statements, the user's with the library's, before cdk-nag (and the acknowledgment aspect) sees them.
 */
function minimizedReferencePipeline(): { f: Fixture; pipeline: DeliveryPipeline } {
  const app = new App({ context: { '@aws-cdk/aws-iam:minimizePolicies': true } });
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  const staging = new AppStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } });
  const production = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].map(region =>
    new AppStage(app, `Prod-${region}`, { env: { account: '333333333333', region } }));
  const f = { app, stack, staging, production };
  return { f, pipeline: new DeliveryPipeline(stack, 'Delivery', referenceProps(f)) };
}

/** Synthesizes the reference pipeline with `statement` added to one role; returns the findings and that role's policy. */
function withUserStatement(
  role: (pipeline: DeliveryPipeline) => iam.IRole,
  statement: (pipeline: DeliveryPipeline) => iam.PolicyStatement,
  build: () => { f: Fixture; pipeline: DeliveryPipeline } = referencePipeline,
) {
  const { f, pipeline } = build();
  const target = role(pipeline);
  expect(target.addToPrincipalPolicy(statement(pipeline)).statementAdded).toBe(true);
  f.app.synth();
  const policy = onlyOne(target.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy), 'policy of the role');
  const violations = new AwsSolutionsChecks().validateScope(f.stack).violations
    .map((v): [string, string[]] => [v.ruleName, v.violatingResources.map(r => r.constructPath ?? '')])
    .sort(([a], [b]) => a.localeCompare(b));
  return { violations, policyPath: policy.node.path };
}

test('the six roles are six different roles of the pipeline', () => {
  const { pipeline } = referencePipeline();
  const roles = ROLES.map(([, role]) => role(pipeline));
  expect(new Set(roles).size).toBe(ROLES.length);
  expect(roles.every(r => r.node.scopes.includes(pipeline))).toBe(true);
});

describe.each(ROLES)('%s', (_name, role) => {
  test.each([
    ['iam:PassRole on *', ['iam:PassRole'], ['AwsSolutions-IAM5[Resource::*]']],
    ['s3:* on *', ['s3:*'], ['AwsSolutions-IAM5[Action::s3:*]', 'AwsSolutions-IAM5[Resource::*]']],
  ])('a user\'s %s is reported on this role\'s policy, and nothing else is', (_what, actions, expected) => {
    const { violations, policyPath } = withUserStatement(role, () => new iam.PolicyStatement({ actions, resources: ['*'] }));
    expect(violations).toEqual([...expected].sort().map(id => [id, [policyPath]]));
  });
});

describe('a user statement that shares a finding id with aws-cdk-lib\'s statements, or looks like one, is reported', () => {
  test.each<[string, (pipeline: DeliveryPipeline) => iam.IRole, (pipeline: DeliveryPipeline) => iam.PolicyStatement, string[]]>([
    ['s3:GetObject* on another bucket, synth role (aws-cdk-lib grants s3:GetObject* on the artifact bucket)',
      p => p.cdkPipeline.synthProject.role!,
      () => new iam.PolicyStatement({ actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::user-bucket/*'] }),
      ['AwsSolutions-IAM5[Action::s3:GetObject*]', 'AwsSolutions-IAM5[Resource::arn:aws:s3:::user-bucket/*]']],
    ['kms:Decrypt on *, pipeline role (aws-cdk-lib grants the replication buckets\' keys on *)',
      p => p.pipeline.role,
      () => new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }),
      ['AwsSolutions-IAM5[Resource::*]']],
    ['sts:AssumeRole on the account\'s roles without the bootstrap-role condition, self-mutation role',
      p => p.cdkPipeline.selfMutationProject.role!,
      () => new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:*:iam::111111111111:role/*'] }),
      ['AwsSolutions-IAM5[Resource::arn:*:iam::111111111111:role/*]']],
    ['logs:GetLogEvents on all CodeBuild log groups, file asset publishing role (aws-cdk-lib grants log writes there)',
      assetPublishingRole,
      p => new iam.PolicyStatement({
        actions: ['logs:GetLogEvents'],
        resources: [Stack.of(p).formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: '/aws/codebuild/*' })],
      }),
      ['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:111111111111:log-group:/aws/codebuild/*]']],
    ['codebuild:StartBuild on *, test step role (what aws-cdk-lib grants the asset role only)',
      testStepRole,
      () => new iam.PolicyStatement({ actions: ['codebuild:StartBuild'], resources: ['*'] }),
      ['AwsSolutions-IAM5[Resource::*]']],
    ['cloudformation:DescribeStacks on *, synth role (what aws-cdk-lib grants the self-mutation role only)',
      p => p.cdkPipeline.synthProject.role!,
      () => new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: ['*'] }),
      ['AwsSolutions-IAM5[Resource::*]']],
  ])('%s', (_what, role, statement, expected) => {
    const { violations, policyPath } = withUserStatement(role, statement);
    expect(violations).toEqual([...expected].sort().map(id => [id, [policyPath]]));
  });
});

describe('with @aws-cdk/aws-iam:minimizePolicies', () => {
  test('the reference pipeline has no finding', () => {
    const { f } = minimizedReferencePipeline();
    f.app.synth();
    expect(new AwsSolutionsChecks().validateScope(f.stack).violations.map(v => v.ruleName)).toEqual([]);
  });

  test.each(ROLES)('a user\'s iam:PassRole on * is reported on the %s, merged or not', (_name, role) => {
    const { violations, policyPath } = withUserStatement(role,
      () => new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] }), minimizedReferencePipeline);
    expect(violations).toEqual([['AwsSolutions-IAM5[Resource::*]', [policyPath]]]);
  });

  test('the user\'s action is indeed merged into the self-mutation role\'s library statement on *', () => {
    const { f, pipeline } = minimizedReferencePipeline();
    const role = pipeline.cdkPipeline.selfMutationProject.role!;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] }));
    f.app.synth();
    const policy = onlyOne(role.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy), 'policy of the role');
    const onStar = statementsOf(policy.policyDocument as iam.PolicyDocument, f.stack).filter(s => s.Resource === '*');
    expect(onStar.map(actionsOf)).toEqual([expect.arrayContaining(['iam:PassRole', 'cloudformation:DescribeStacks', 's3:ListBucket'])]);
  });
});
