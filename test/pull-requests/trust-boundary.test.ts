import { Environment } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PullRequestChecks } from '../../src';
import { DeliveryPipeline } from '../../src/codepipeline/delivery-pipeline';
import { AppStage, fixture, referenceProps } from '../fixtures/app';

/**
 * The synth-time self-check of the trust boundary: no role that runs pull-request code (a check, the preview deploy
 * build) can reach the pipeline, staging or production accounts, and no such project holds a secret. Each case
 * breaks it through an escape hatch and shows the synth fail with the invariant named; as built, it holds.
 */

const REACH = "'pull-request code cannot reach the pipeline, staging or production accounts' is broken";
const SECRETS = "'pull-request code holds no secrets' is broken";

function build(previews = true) {
  const f = fixture();
  const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
    tests: [{ name: 'UnitTests', commands: ['npm test'] }, { name: 'Integ', commands: ['npm run integ'], secretEnv: { TOKEN: 'integ/token' } }],
  }));
  const checks = new PullRequestChecks(f.stack, 'Checks', {
    pipeline,
    previews: previews ? {
      account: '444444444444',
      region: 'eu-west-1',
      trustedAuthors: ['1'],
      stage: { createStage: (s: Construct, id: string, env: Environment) => new AppStage(s, id, { env }) },
    } : undefined,
  });
  return { f, pipeline, checks };
}

/** The release accounts' CDK bootstrap roles, as an attacker would name them. */
const DEPLOY_ROLE = (account: string) => `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-us-east-1`;

describe('as built, the boundary holds', () => {
  test.each([true, false])('with previews: %s, the self-check finds nothing and the app synthesizes', previews => {
    const { f, checks } = build(previews);
    expect(checks.node.validate()).toEqual([]);
    expect(() => f.app.synth()).not.toThrow();
  });
});

describe('broken through an escape hatch, synth fails naming the invariant', () => {
  test('a check role that may assume any role', () => {
    const { f, checks } = build();
    checks.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] }));
    expect(() => f.app.synth()).toThrow(`PullRequestChecks self-check: ${REACH}: the role 'PipelineStack/Checks/Role' may sts:AssumeRole on '*'; it runs pull-request code and may assume no role.`);
  });

  test.each([['pipeline', '111111111111'], ['staging', '222222222222'], ['production', '333333333333']])(
    'the preview build role that may assume the %s account\'s bootstrap deploy role (a wildcard action too)', (_what, account) => {
      const { f, checks } = build();
      checks.previews!.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:*'], resources: [DEPLOY_ROLE(account)] }));
      expect(checks.node.validate()).toEqual([
        `PullRequestChecks self-check: ${REACH}: the role 'PipelineStack/Checks/Previews/Role' may sts:* on '${DEPLOY_ROLE(account)}'; it runs pull-request code and may assume only arn:\${AWS::Partition}:iam::444444444444:role/cdk-delivery-previews-preview-eu-west-1.`,
      ]);
      expect(() => f.app.synth()).toThrow(REACH);
    });

  test('a separate policy attached to the check role, with an action wildcard', () => {
    const { f, checks } = build(false);
    new iam.Policy(f.stack, 'Extra', { roles: [checks.role], statements: [new iam.PolicyStatement({ actions: ['*'], resources: [DEPLOY_ROLE('333333333333')] })] });
    expect(checks.node.validate()).toEqual([
      `PullRequestChecks self-check: ${REACH}: the role 'PipelineStack/Checks/Role' may * on '${DEPLOY_ROLE('333333333333')}'; it runs pull-request code and may assume no role.`,
      `PullRequestChecks self-check: ${SECRETS}: the role 'PipelineStack/Checks/Role' may * on ${DEPLOY_ROLE('333333333333')}; it runs pull-request code.`,
    ]);
  });

  test('a managed policy on the check role (e.g. AdministratorAccess) cannot be verified and is refused', () => {
    const { checks } = build(false);
    checks.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    expect(checks.node.validate()).toEqual([
      `PullRequestChecks self-check: ${REACH}: the role 'PipelineStack/Checks/Role' has the managed policies arn:\${AWS::Partition}:iam::aws:policy/AdministratorAccess; a role that runs pull-request code gets only the statements this check can read.`,
    ]);
  });

  test('a NotAction statement grants more than it names', () => {
    const { checks } = build(false);
    checks.role.addToPrincipalPolicy(new iam.PolicyStatement({ notActions: ['s3:DeleteBucket'], resources: ['*'] }));
    expect(checks.node.validate()).toEqual([expect.stringContaining(`${REACH}: the role 'PipelineStack/Checks/Role' has an Allow statement with NotAction or NotResource`)]);
  });

  test('a check project switched to the pipeline\'s deploy-capable role', () => {
    const { pipeline, checks } = build(false);
    const cfn = checks.projects.Synth.node.defaultChild as codebuild.CfnProject;
    cfn.serviceRole = pipeline.pipeline.role.roleArn;
    expect(checks.node.validate()).toEqual([expect.stringMatching(new RegExp(`^PullRequestChecks self-check: ${REACH.replace(/[()]/g, '\\$&')}: the project 'PipelineStack/Checks/SynthProject' runs pull-request code with the role \\$\\{.*Role.*\\.Arn\\}, not with 'PipelineStack/Checks/Role'`))]);
  });

  test('a secret variable on a check project, or read by the check role', () => {
    const { checks } = build(false);
    const cfn = checks.projects.Integ.node.defaultChild as codebuild.CfnProject;
    cfn.environment = {
      type: 'LINUX_CONTAINER',
      image: 'aws/codebuild/standard:7.0',
      computeType: 'BUILD_GENERAL1_SMALL',
      environmentVariables: [{ name: 'CI', value: 'true' }, { name: 'TOKEN', type: 'SECRETS_MANAGER', value: 'integ/token' }],
    };
    checks.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:us-east-1:111111111111:secret:integ/token-*'] }));
    expect(checks.node.validate()).toEqual([
      `PullRequestChecks self-check: ${SECRETS}: the role 'PipelineStack/Checks/Role' may secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:111111111111:secret:integ/token-*; it runs pull-request code.`,
      `PullRequestChecks self-check: ${SECRETS}: the project 'PipelineStack/Checks/IntegProject' reads the SECRETS_MANAGER variable TOKEN.`,
    ]);
  });

  test('a buildspec that reads from Secrets Manager, on the preview deploy project', () => {
    const { checks } = build();
    const cfn = checks.previews!.deployProject.node.defaultChild as codebuild.CfnProject;
    cfn.source = { type: 'GITHUB', buildSpec: JSON.stringify({ version: '0.2', env: { 'secrets-manager': { TOKEN: 'integ/token' } }, phases: { build: { commands: ['true'] } } }) };
    expect(checks.node.validate()).toEqual([
      `PullRequestChecks self-check: ${SECRETS}: the buildspec of 'PipelineStack/Checks/Previews/DeployProject' reads TOKEN from secrets-manager.`,
    ]);
  });
});

test('the role the preview build may assume must itself be a role of the preview account (a changed deployRoleArn is caught)', () => {
  for (const [arn, why] of [
    [DEPLOY_ROLE('333333333333'), "the account of the production Stage 'Prod-us-east-1'"],
    [DEPLOY_ROLE('111111111111'), "the pipeline's account (stack 'PipelineStack'), which every target account's bootstrap trusts"],
    ['arn:aws:iam::*:role/any', 'not a role of one literal account'],
  ]) {
    const { checks } = build();
    // What a future change that renders another role would do: the build role's grant follows, the check does not.
    Object.defineProperty(checks.previews!, 'deployRoleArn', { value: arn });
    expect(checks.node.validate()).toContain(`PullRequestChecks self-check: ${REACH}: the preview deploy role ${arn} is ${why}.`);
  }
});
