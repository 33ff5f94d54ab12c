import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeliveryPipeline, DeliveryPipelineProps, GateRule, NotificationTarget, PipelineSource, PullRequestEvent, ReleaseTrigger } from '../../src';
import { checkTrust, renderTrust, TrustInvariant } from '../../src/codepipeline/private/self-check';
import { CONNECTION_ARN, errorOf, fixture, Fixture, referenceProps } from '../fixtures/app';

/**
 * Trust boundaries: the release pipeline never runs unmerged code, and a rule that runs user commands has its own
 * role that cannot reach deploy, publishing or lookup roles. Each boundary is shown to hold as built, and the
 * synth-time self-check is shown to fail, naming the invariant, when an escape hatch breaks it afterwards.
 */

function build(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>): { f: Fixture; delivery: DeliveryPipeline } {
  const f = fixture();
  const delivery = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
  return { f, delivery };
}

const synthError = (overrides: (f: Fixture) => Partial<DeliveryPipelineProps>) => errorOf(() => build(overrides));

function connection(repository: string, triggers: ReleaseTrigger[]): PipelineSource {
  return PipelineSource.connection(repository, 'main', { connectionArn: CONNECTION_ARN, triggers });
}

const refusal = (property: string) => `${property}: ReleaseTrigger.onPullRequest() would start the release pipeline on a pull request's unmerged head commit, `
  + "which would then run with the release's credentials (self-mutation with the pipeline account's deploy role, test steps with their secrets, "
  + "asset publishing into the target accounts, the staging deployment); CodePipeline's pull-request trigger has no fork policy. "
  + 'The release pipeline runs only merged code, in either release mode: remove the trigger, and build and test pull requests with '
  + "PullRequestChecks (new PullRequestChecks(stack, 'PullRequests', { pipeline })), which runs the same steps without deploy rights or secrets.";

describe('the release pipeline never runs unmerged code', () => {
  test.each([
    ['continuous delivery (production gated by an approval)', true],
    ['continuous deployment', false],
  ])('a pull-request trigger is refused in %s, naming PullRequestChecks', (_mode, requireManualApproval) => {
    expect(synthError(() => ({
      requireManualApproval,
      source: connection('acme/app', [ReleaseTrigger.onPush(), ReleaseTrigger.onPullRequest({ events: [PullRequestEvent.OPEN] })]),
    }))).toBe(refusal('source.triggers[1]'));
  });

  test('on an additional source too, with its property path', () => {
    expect(synthError(() => ({
      additionalSources: [{ directory: 'infra', source: connection('acme/infra', [ReleaseTrigger.onPullRequest()]) }],
    }))).toBe(refusal('additionalSources[0].source.triggers[0]'));
  });

  test('untyped callers get a clear error, never a TypeError; several pull-request triggers are not miscounted as filters', () => {
    // The factory's arguments are type-checked where every entry point's are (test/untyped-callers.test.ts).
    expect(() => ReleaseTrigger.onPullRequest({ events: 'OPEN' } as unknown as { events: PullRequestEvent[] }))
      .toThrow("ReleaseTrigger.onPullRequest(options).events: 'OPEN' is not a list of PullRequestEvent values.");
    const many = [1, 2, 3, 4].map(() => ReleaseTrigger.onPullRequest());
    expect(synthError(() => ({ source: connection('acme/app', many) }))).toBe(refusal('source.triggers[0]'));
  });

  test('push and tag triggers still render; the rendered pipeline has no pull-request trigger', () => {
    const { f } = build(() => ({ source: connection('acme/app', [ReleaseTrigger.onPush(), ReleaseTrigger.onTag({ includes: ['v*'] })]) }));
    const [pipeline] = Object.values(Template.fromStack(f.stack).findResources('AWS::CodePipeline::Pipeline'));
    const triggers = pipeline.Properties.Triggers;
    expect(triggers).toHaveLength(1);
    expect(triggers[0].GitConfiguration.Push).toEqual([{ Branches: { Includes: ['main'] } }, { Tags: { Includes: ['v*'] } }]);
    expect(triggers[0].GitConfiguration.PullRequest).toBeUndefined();
  });
});

/** A pipeline whose staging is gated by a Commands rule (and, optionally, a push trigger). */
function commandsGated(extra: Partial<DeliveryPipelineProps> = {}) {
  return build(f => ({
    pipelineName: 'acme-app',
    staging: { stage: f.staging, gates: [GateRule.commands(['test -f CHANGELOG.md'])] },
    ...extra,
  }));
}

const cfnOf = (delivery: DeliveryPipeline) => delivery.pipeline.node.defaultChild as codepipeline.CfnPipeline;
const commandsRole = (delivery: DeliveryPipeline) => delivery.pipeline.node.findChild('CommandsRuleRole-staginggates0') as iam.Role;
/** Index of the Staging stage in the rendered Stages (Source, Build, Test, Staging, ...). */
const stagingIndex = (delivery: DeliveryPipeline) => delivery.stageNames.indexOf('Staging');

const synthFailure = (f: Fixture) => errorOf(() => f.app.synth());

describe('GateRule.commands runs with a least-privilege role of its own', () => {
  const { f, delivery } = commandsGated();
  const template = Template.fromStack(f.stack);
  const resources = template.toJSON().Resources as Record<string, any>;
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
  const rule = pipeline.Stages.find((s: any) => s.Name === 'Staging').BeforeEntry.Conditions[0].Rules[0];
  const roleId = rule.RoleArn['Fn::GetAtt'][0];
  const pipelineRoleId = pipeline.RoleArn['Fn::GetAtt'][0];
  const statementsOf = (role: string) => Object.values(resources)
    .filter(r => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === role))
    .flatMap(r => r.Properties.PolicyDocument.Statement);

  test('the rule renders a RoleArn of its own role, not the pipeline\'s', () => {
    expect(rule.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(resources[roleId].Type).toBe('AWS::IAM::Role');
    expect(roleId).not.toBe(pipelineRoleId);
  });

  test('the role trusts exactly the pipeline\'s role, which may assume exactly it', () => {
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [pipelineRoleId, 'Arn'] } } },
    ]);
    expect(statementsOf(pipelineRoleId)).toContainEqual({ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  test('the role may write the rule\'s log group and read the source artifact, nothing else', () => {
    const artifactKey = Object.keys(resources).find(id => resources[id].Type === 'AWS::KMS::Key' && id.includes('ArtifactsBucketEncryptionKey'));
    const bucket = Object.keys(resources).find(id => resources[id].Type === 'AWS::S3::Bucket' && id.includes('ArtifactsBucket'));
    const logs = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:us-east-1:111111111111:log-group:/aws/codepipeline/acme-app${suffix}`]] });
    expect(statementsOf(roleId)).toEqual([
      { Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: [logs(''), logs(':log-stream:*')] },
      { Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] } },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [artifactKey, 'Arn'] } },
    ]);
    expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the pipeline\'s role no longer gets the log permissions only the rule used', () => {
    expect(JSON.stringify(statementsOf(pipelineRoleId))).not.toContain('logs:');
    expect(JSON.stringify(statementsOf(pipelineRoleId))).not.toContain('/aws/codepipeline/');
  });

  test('cdk-nag AwsSolutions: no finding; the role\'s two wildcards are acknowledged by exact id, nothing else', () => {
    expect(new AwsSolutionsChecks().validateScope(f.stack).violations.map(v => v.ruleName)).toEqual([]);
    const policy = commandsRole(delivery).node.findChild('DefaultPolicy').node.defaultChild!;
    const acknowledged = policy.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap(m => Object.keys(m.data));
    expect(acknowledged.sort()).toEqual([
      `AwsSolutions-IAM5[Resource::<${Object.keys(resources).find(id => resources[id].Type === 'AWS::S3::Bucket' && id.includes('ArtifactsBucket'))}.Arn>/*]`,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:111111111111:log-group:/aws/codepipeline/acme-app:log-stream:*]',
    ]);
  });

  test('a statement added to the role that makes another wildcard finding is still reported by cdk-nag', () => {
    const other = commandsGated();
    commandsRole(other.delivery).addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] }));
    other.f.app.synth(); // the library's other acknowledgments are made during synthesis
    const violations = new AwsSolutionsChecks().validateScope(other.f.stack).violations;
    expect(violations.map(v => [v.ruleName, v.violatingResources.map(r => r.constructPath)])).toEqual([
      ['AwsSolutions-IAM5[Resource::*]', ['PipelineStack/Delivery/CodePipeline/CommandsRuleRole-staginggates0/DefaultPolicy/Resource']],
    ]);
  });
});

describe('trust invariants in the self-check', () => {
  const holds = (f: Fixture) => expect(() => f.app.synth()).not.toThrow();

  test('hold as built: a gated pipeline with push and tag triggers and a Commands gate', () => {
    const { f, delivery } = commandsGated({ source: connection('acme/app', [ReleaseTrigger.onPush(), ReleaseTrigger.onTag({ includes: ['v*'] })]) });
    expect(checkTrust(renderTrust(cfnOf(delivery)))).toEqual([]);
    holds(f);
  });

  describe(`"${TrustInvariant.ONLY_MERGED_CODE}"`, () => {
    test('a pull-request filter added by addPropertyOverride fails synthesis, naming the invariant', () => {
      const { f, delivery } = commandsGated({ source: connection('acme/app', [ReleaseTrigger.onPush()]) });
      cfnOf(delivery).addPropertyOverride('Triggers.0.GitConfiguration.PullRequest', [{ Branches: { Includes: ['main'] }, Events: ['OPEN'] }]);
      expect(synthFailure(f)).toContain('DeliveryPipeline self-check: trust invariant "only merged code starts the release pipeline" is broken: '
        + "Triggers[0] (source action 'acme_app') starts the release pipeline on pull requests (GitConfiguration.PullRequest: "
        + '[{"Branches":{"Includes":["main"]},"Events":["OPEN"]}]). A pull request\'s head commit is unmerged code, and the release pipeline runs '
        + 'with deploy, publishing and lookup roles and secrets: remove the pull-request filter, and check pull requests with PullRequestChecks.');
    });

    test('a pull-request trigger added through the L2 pipeline after construction fails synthesis', () => {
      const { f, delivery } = commandsGated();
      const sourceAction = delivery.pipeline.stages[0].actions[0];
      delivery.pipeline.addTrigger({
        providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: { sourceAction, pullRequestFilter: [{ branchesIncludes: ['main'], events: [codepipeline.GitPullRequestEvent.OPEN] }] },
      });
      expect(synthFailure(f)).toMatch(/trust invariant "only merged code starts the release pipeline" is broken: Triggers\[0\] \(source action 'acme_app'\)/);
    });
  });

  describe(`"${TrustInvariant.COMMANDS_RULE_ROLE}"`, () => {
    const prefix = 'DeliveryPipeline self-check: trust invariant "a rule that runs commands has its own role, which cannot assume deploy, publishing or lookup roles" '
      + "is broken: the Commands rule 'Staging-Commands1' (BeforeEntry of stage 'Staging') ";
    const rulePath = (delivery: DeliveryPipeline) => `Stages.${stagingIndex(delivery)}.BeforeEntry.Conditions.0.Rules.0.RoleArn`;

    test('no RoleArn (removed by an override): the rule would run with the pipeline\'s service role', () => {
      const { f, delivery } = commandsGated();
      cfnOf(delivery).addPropertyDeletionOverride(rulePath(delivery));
      expect(synthFailure(f)).toContain(`${prefix}has no RoleArn, so it runs with the pipeline's service role, which can assume the deploy, publishing and lookup roles of every target account. Give it a role of its own.`);
    });

    test('a Commands rule added by an override to a pipeline without command gates is checked too', () => {
      const { f, delivery } = build(() => ({}));
      cfnOf(delivery).addPropertyOverride(`Stages.${stagingIndex(delivery)}.BeforeEntry`, {
        Conditions: [{ Result: 'FAIL', Rules: [{ Name: 'Sneaky', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'Commands', Version: '1' }, Commands: ['true'] }] }],
      });
      expect(synthFailure(f)).toContain("is broken: the Commands rule 'Sneaky' (BeforeEntry of stage 'Staging') has no RoleArn, so it runs with the pipeline's service role");
    });

    test('the pipeline\'s service role as the rule\'s role', () => {
      const { f, delivery } = commandsGated();
      cfnOf(delivery).addPropertyOverride(rulePath(delivery), delivery.pipeline.role.roleArn);
      expect(synthFailure(f)).toContain(`${prefix}runs with the pipeline's service role (its RoleArn is the pipeline's RoleArn)`);
    });

    test('a bootstrap deploy role (a role outside the stack, whose permissions cannot be verified)', () => {
      const { f, delivery } = commandsGated();
      cfnOf(delivery).addPropertyOverride(rulePath(delivery), 'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-1');
      expect(synthFailure(f)).toContain(`${prefix}has the RoleArn "arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-1", `
        + "which is not a role of the pipeline's stack, so its permissions cannot be verified (it names a CDK bootstrap role).");
    });

    test('the role of an action', () => {
      const { f, delivery } = commandsGated();
      const cfn = cfnOf(delivery);
      const stages = Stack.of(cfn).resolve(cfn.stages) as any[];
      const withRole = stages.flatMap(s => s.actions.filter((a: any) => a.roleArn).map((a: any) => ({ stage: s.name, action: a })))[0];
      cfn.addPropertyOverride(rulePath(delivery), withRole.action.roleArn);
      expect(synthFailure(f)).toContain(`${prefix}shares its role with the action '${withRole.action.name}' in stage '${withRole.stage}'. Give it a role of its own.`);
    });

    test.each<[string, iam.PolicyStatement, RegExp]>([
      ['a bootstrap deploy role', new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1'] }),
        /allows sts:AssumeRole on "arn:aws:iam::333333333333:role\/cdk-hnb659fds-deploy-role-333333333333-us-east-1" \(CDK bootstrap roles: deploy, publishing, lookup\)\. A rule that runs commands must not be able to assume any role: remove the statement\./],
      ['any role, with sts:*', new iam.PolicyStatement({ actions: ['sts:*'], resources: ['*'] }), /allows sts:AssumeRole on "\*" \(CDK bootstrap roles/],
      ['a lookup role, with a wildcard action', new iam.PolicyStatement({ actions: ['sts:Assume*'], resources: ['arn:aws:iam::*:role/cdk-*-lookup-role-*'] }), /allows sts:AssumeRole on "arn:aws:iam::\*:role\/cdk-\*-lookup-role-\*"/],
      ['everything but S3 (NotAction)', new iam.PolicyStatement({ notActions: ['s3:*'], resources: ['*'] }), /allows sts:AssumeRole on "\*"/],
    ])('the rule\'s role allowed to assume %s', (_name, statement, message) => {
      const { f, delivery } = commandsGated();
      commandsRole(delivery).addToPrincipalPolicy(statement);
      const failure = synthFailure(f);
      expect(failure).toContain(`${prefix}has the role `);
      expect(failure).toMatch(message);
    });

    test('a managed policy from outside the stack cannot be verified', () => {
      const { f, delivery } = commandsGated();
      commandsRole(delivery).addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
      expect(synthFailure(f)).toMatch(/has the role \w+, which has the managed policy .*AdministratorAccess.*: a policy outside the pipeline's stack cannot be verified \(it may allow sts:AssumeRole\)/);
    });

    test('a managed policy of the stack is read: harmless passes, sts:AssumeRole fails', () => {
      const harmless = commandsGated();
      commandsRole(harmless.delivery).addManagedPolicy(new iam.ManagedPolicy(harmless.f.stack, 'ReadParams', {
        statements: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:111111111111:parameter/app/*'] })],
      }));
      holds(harmless.f);
      const assumes = commandsGated();
      commandsRole(assumes.delivery).addManagedPolicy(new iam.ManagedPolicy(assumes.f.stack, 'Assume', {
        statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] })],
      }));
      expect(synthFailure(assumes.f)).toMatch(/whose the managed policy Assume\w+ allows sts:AssumeRole on "\*"/);
    });

    test('a deny on sts:AssumeRole is not a grant; harmless statements keep the invariant', () => {
      const { f, delivery } = commandsGated();
      commandsRole(delivery).addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['sts:*'], resources: ['*'] }));
      commandsRole(delivery).addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:111111111111:parameter/x'] }));
      holds(f);
    });
  });
});

describe('service principals the library trusts are scoped to this pipeline where AWS supports it', () => {
  const f = fixture();
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
    pipelineName: 'acme-app',
    metrics: {},
    notifications: { targets: [NotificationTarget.email('release-team@example.com')] },
    staging: { stage: f.staging, gates: [GateRule.commands(['true'])], verify: [{ name: 'Smoke', commands: ['true'] }] },
  }));
  const resources = Template.fromStack(f.stack).toJSON().Resources as Record<string, any>;
  const serviceOf = (statement: any): string[] => [statement.Principal?.Service ?? []].flat();
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  test('resource policies: EventBridge may deliver to the queues and functions only from the pipeline\'s own rules; CodeStar Notifications may publish only for this account', () => {
    const queueStatements = ofType('AWS::SQS::QueuePolicy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement).filter(s => serviceOf(s).length > 0);
    expect(queueStatements.length).toBeGreaterThanOrEqual(2);
    for (const statement of queueStatements) {
      expect(serviceOf(statement)).toEqual(['events.amazonaws.com']);
      expect(statement.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } });
      expect(resources[statement.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]].Type).toBe('AWS::Events::Rule');
    }
    const permissions = ofType('AWS::Lambda::Permission');
    expect(permissions.length).toBeGreaterThanOrEqual(2);
    for (const [, permission] of permissions) {
      expect(permission.Properties.Principal).toBe('events.amazonaws.com');
      expect(resources[permission.Properties.SourceArn['Fn::GetAtt'][0]].Type).toBe('AWS::Events::Rule');
    }
    const topicStatements = ofType('AWS::SNS::TopicPolicy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement).filter(s => serviceOf(s).length > 0);
    expect(topicStatements).toEqual([expect.objectContaining({ Principal: { Service: 'codestar-notifications.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } })]);
  });

  test('key policies: CloudWatch Logs only for log groups of this account and region, CodeStar Notifications only through SNS', () => {
    const keyStatements = ofType('AWS::KMS::Key').flatMap(([, r]) => r.Properties.KeyPolicy.Statement).filter(s => serviceOf(s).length > 0);
    expect(keyStatements.map(s => [serviceOf(s), Object.keys(s.Condition ?? {})]).sort()).toEqual([
      [['codestar-notifications.amazonaws.com'], ['StringEquals']],
      [['logs.us-east-1.amazonaws.com'], ['ArnLike']],
    ]);
  });

  test('role trust policies: a service principal without aws:SourceAccount/aws:SourceArn is one of the three kept on purpose; the Commands rule role trusts the pipeline role only', () => {
    const unscoped = new Set<string>();
    for (const [, role] of ofType('AWS::IAM::Role')) {
      for (const statement of role.Properties.AssumeRolePolicyDocument.Statement) {
        const conditions = JSON.stringify(statement.Condition ?? {});
        if (!conditions.includes('aws:SourceAccount') && !conditions.includes('aws:SourceArn')) {
          serviceOf(statement).forEach(s => unscoped.add(s));
        }
      }
    }
    // lambda.amazonaws.com execution roles (approval guard, metrics): Lambda assumes them without a source to
    // condition on. codebuild and codepipeline roles are created by aws-cdk-lib (CDK Pipelines' projects, the L2
    // pipeline); a condition the service does not send would break every build: see docs/architecture.md.
    expect([...unscoped].sort()).toEqual(['codebuild.amazonaws.com', 'codepipeline.amazonaws.com', 'lambda.amazonaws.com']);
    const commandsRoles = ofType('AWS::IAM::Role').filter(([id]) => id.includes('CommandsRuleRole'));
    expect(commandsRoles.map(([, r]) => r.Properties.AssumeRolePolicyDocument.Statement.map((s: any) => Object.keys(s.Principal)))).toEqual([[['AWS']]]);
  });
});
