import { App, Environment, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { PreviewAccess, PullRequestChecks } from '../../src';
import { DeliveryPipeline } from '../../src/codepipeline/delivery-pipeline';
import { AppStage, fixture, referenceProps } from '../fixtures/app';

/**
 * cdk-nag AwsSolutions on the checks, the previews and the preview account's role: the acknowledged findings are
 * exactly aws-cdk-lib's per-project grants and the preview role's deliberate patterns; a user's wildcard on the
 * same roles is still reported.
 */

function findings(scope: Construct): Array<[string, string]> {
  return new AwsSolutionsChecks().validateScope(scope).violations
    .flatMap(v => v.violatingResources.map((r): [string, string] => [v.ruleName, r.constructPath ?? '']))
    .sort();
}

function pipelineWithChecks() {
  const f = fixture();
  const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f));
  const checks = new PullRequestChecks(f.stack, 'Checks', {
    pipeline,
    previews: {
      account: '444444444444',
      region: 'eu-west-1',
      trustedAuthors: ['1'],
      stage: { createStage: (s: Construct, id: string, env: Environment) => new AppStage(s, id, { env }) },
    },
  });
  return { f, checks };
}

test('the checks and previews have no cdk-nag finding; a user\'s wildcard on their roles is reported', () => {
  const clean = pipelineWithChecks();
  clean.f.app.synth();
  expect(findings(clean.checks)).toEqual([]);

  const { f, checks } = pipelineWithChecks();
  checks.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shared/*'] }));
  checks.previews!.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: ['*'] }));
  f.app.synth();
  expect(findings(checks)).toEqual([
    ['AwsSolutions-IAM5[Resource::*]', 'PipelineStack/Checks/Previews/Role/DefaultPolicy/Resource'],
    ['AwsSolutions-IAM5[Resource::arn:aws:s3:::shared/*]', 'PipelineStack/Checks/Role/DefaultPolicy/Resource'],
  ]);
});

test('the preview account\'s role has no finding; a user\'s broader stack pattern is reported', () => {
  const build = () => {
    const app = new App();
    const stack = new Stack(app, 'PreviewAccess', { env: { account: '444444444444', region: 'eu-west-1' } });
    return { app, access: new PreviewAccess(stack, 'Access', { pipelineAccount: '111111111111', pipelineRegion: 'us-east-1' }) };
  };
  const clean = build();
  clean.app.synth();
  expect(findings(clean.access)).toEqual([]);

  const { app, access } = build();
  access.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DeleteStack'], resources: ['arn:aws:cloudformation:eu-west-1:444444444444:stack/*'] }));
  app.synth();
  expect(findings(access)).toEqual([
    ['AwsSolutions-IAM5[Resource::arn:aws:cloudformation:eu-west-1:444444444444:stack/*]', 'PreviewAccess/Access/Role/DefaultPolicy/Resource'],
  ]);
});

test('a user\'s iam:PassRole on * added to the preview account\'s role is reported: the library acknowledges Resource::* only on its own policy of unscoped actions', () => {
  const app = new App();
  const stack = new Stack(app, 'PreviewAccess', { env: { account: '444444444444', region: 'eu-west-1' } });
  const access = new PreviewAccess(stack, 'Access', { pipelineAccount: '111111111111', pipelineRegion: 'us-east-1' });
  access.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] }));
  app.synth();
  expect(findings(access)).toEqual([
    ['AwsSolutions-IAM5[Resource::*]', 'PreviewAccess/Access/Role/DefaultPolicy/Resource'],
  ]);
  // The library's own unscoped actions are in a policy of their own, which holds nothing else.
  const unscoped = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .map(p => p.Properties.PolicyDocument.Statement)
    .filter((statements: any[]) => statements.some(st => st.Resource === '*' && st.Action !== 'iam:PassRole'));
  expect(unscoped).toEqual([[
    { Sid: 'ListStacks', Effect: 'Allow', Action: ['cloudformation:ListStacks', 'cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'], Resource: '*' },
    { Sid: 'LogInToEcr', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
  ]]);
});
