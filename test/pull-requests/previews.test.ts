import * as fs from 'node:fs';
import { App, Duration, Environment, Fn, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { actionsOf, flatten, grantsOf, projectByDescription, roleOf } from './helpers';
import { IPreviewStageFactory, PreviewAccess, PreviewAccessProps, PreviewOptions, PullRequestChecks } from '../../src';
import { DeliveryPipeline } from '../../src/codepipeline/delivery-pipeline';
import { BOOTSTRAP_QUALIFIER_PATTERN } from '../../src/pull-requests/private/accounts';
import { AppStage, fixture, referenceProps } from '../fixtures/app';

const PREVIEW = { account: '444444444444', region: 'eu-west-1' };
const appStage: IPreviewStageFactory = { createStage: (scope: Construct, id: string, env: Environment) => new AppStage(scope, id, { env }) };

function options(overrides: Partial<PreviewOptions> = {}): PreviewOptions {
  return { ...PREVIEW, stage: appStage, trustedAuthors: ['1234567', '89'], ...overrides };
}

function render(overrides: Partial<PreviewOptions> = {}, context: Record<string, string> = {}) {
  const f = fixture();
  Object.entries(context).forEach(([k, v]) => f.stack.node.setContext(k, v));
  const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f));
  const checks = new PullRequestChecks(f.stack, 'Checks', { pipeline, previews: options(overrides) });
  return { f, checks, template: Template.fromStack(f.stack) };
}

describe('preview per pull request', () => {
  test('asked for pull request 42, the app holds the preview Stage preview-pr42 in the preview environment, tagged with the pull request', () => {
    const { f, checks } = render({}, { 'cdk-delivery:preview-pull-request': '42' });
    const assembly = f.app.synth();
    const stage = checks.previews!.stage!;
    expect(stage.node.id).toBe('preview-pr42');
    const stacks = assembly.getNestedAssembly(stage.artifactId).stacks;
    expect(stacks.map(s => [s.stackName, s.environment.account, s.environment.region, s.tags['cdk-delivery:pull-request']]))
      .toEqual([['preview-pr42-Api', '444444444444', 'eu-west-1', '42']]);
    // Staging and production are unchanged beside it.
    expect(assembly.getNestedAssembly(f.staging.artifactId).stacks.map(s => s.stackName)).toEqual(['Staging-Api']);
  });

  test('without the request, there is no preview Stage in the app', () => {
    const { f, checks } = render();
    expect(checks.previews!.stage).toBeUndefined();
    expect(f.app.node.children.filter(c => Stage.isStage(c)).map(c => c.node.id)).toEqual(['Staging', 'Prod-us-east-1', 'Prod-eu-west-1', 'Prod-ap-southeast-2']);
  });

  test('a custom prefix names the Stage and the stacks', () => {
    const { checks } = render({ stackPrefix: 'pv' }, { 'cdk-delivery:preview-pull-request': '7' });
    expect(Stack.of(checks.previews!.stage!.node.findChild('Api')).stackName).toBe('pv-pr7-Api');
    expect(checks.previews!.stackNamePrefix).toBe('pv-pr');
  });

  test('the deploy build synthesizes the preview with the pipeline\'s synth, deploys only its stacks with the preview profile, and prints the outputs', () => {
    const { template } = render();
    const deploy = projectByDescription(template, /cdk-delivery\/preview/);
    const commands: string[] = deploy.buildSpec.phases.build.commands;
    expect(commands).toEqual([
      'PR="${CODEBUILD_WEBHOOK_TRIGGER#pr/}"',
      'case "$PR" in ""|*[!0-9]*) echo "Not a pull-request build (CODEBUILD_WEBHOOK_TRIGGER=$CODEBUILD_WEBHOOK_TRIGGER)"; exit 1;; esac',
      'export CDK_DELIVERY_PREVIEW_PULL_REQUEST="$PR"',
      'npm ci', 'npx cdk synth',
      'mkdir -p ~/.aws',
      "printf '[profile preview]\\nrole_arn = %s\\ncredential_source = EcsContainer\\nregion = %s\\n' 'arn:${AWS::Partition}:iam::444444444444:role/cdk-delivery-previews-preview-eu-west-1' 'eu-west-1' >> ~/.aws/config",
      "npx -y 'aws-cdk@2.1148.1' deploy --app 'cdk.out' --profile preview --require-approval never --outputs-file preview-outputs.json 'preview-pr'\"$PR\"'/*'",
      'echo "Preview of pull request #$PR:"',
      'cat preview-outputs.json',
    ]);
    expect(deploy.properties.Source.BuildStatusConfig).toEqual({ Context: 'cdk-delivery/preview' });
  });

  test('the destroy build runs on close and merge, the sweep on a schedule with the time to live', () => {
    const { template } = render({ timeToLive: Duration.days(2), sweepInterval: Duration.hours(12) });
    const destroy = projectByDescription(template, /Pull-request Destroy/);
    expect(destroy.properties.Triggers.FilterGroups).toEqual([[
      { Type: 'EVENT', Pattern: 'PULL_REQUEST_CLOSED, PULL_REQUEST_MERGED' },
      { Type: 'BASE_REF', Pattern: '^refs/heads/main$' },
    ]]);
    expect(destroy.properties.Source.ReportBuildStatus).toBe(false);
    expect(destroy.buildSpec.phases.build.commands.join('\n')).toContain("--query 'StackSummaries[?StackStatus!='\\''DELETE_COMPLETE'\\'' && starts_with(StackName, '\\''preview-pr'\"$PR\"'-'\\'')].StackName'");
    const sweep = projectByDescription(template, /^Removes previews/);
    expect(sweep.properties.Source.Type).toBe('NO_SOURCE');
    expect(sweep.buildSpec.phases.build.commands).toContain("CUTOFF=$(date -u -d '-48 hours' +%Y-%m-%dT%H:%M:%S)");
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(12 hours)',
      Targets: [{ Arn: { 'Fn::GetAtt': [sweep.id, 'Arn'] } }],
    });
  });
});

describe('logs', () => {
  test('pull-request checks and preview builds log to separate log groups, each with the retention given', () => {
    const f = fixture();
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f));
    const checks = new PullRequestChecks(f.stack, 'Checks', { pipeline, previews: options(), logRetention: logs.RetentionDays.ONE_MONTH });
    const template = Template.fromStack(f.stack);
    const groupOf = (p: { properties: any }) => p.properties.LogsConfig.CloudWatchLogs.GroupName.Ref;
    const checkGroups = new Set(['Synth', 'UnitTests'].map(step => groupOf(projectByDescription(template, new RegExp(`cdk-delivery/${step} `)))));
    const previewGroups = new Set([/cdk-delivery\/preview/, /Pull-request Destroy/, /^Removes previews/].map(d => groupOf(projectByDescription(template, d))));
    expect([...checkGroups]).toEqual([f.stack.getLogicalId(checks.logGroup.node.defaultChild as any)]);
    expect([...previewGroups]).toEqual([f.stack.getLogicalId(checks.previews!.logGroup.node.defaultChild as any)]);
    expect([...checkGroups][0]).not.toBe([...previewGroups][0]);
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(groups[[...checkGroups][0]].Properties.RetentionInDays).toBe(30);
    expect(groups[[...previewGroups][0]].Properties.RetentionInDays).toBe(30);
  });
});

describe('forks and least privilege', () => {
  test('a preview build starts only on an event caused by one of trustedAuthors (the ACTOR_ACCOUNT_ID filter: the event\'s sender)', () => {
    const { template } = render();
    const deploy = projectByDescription(template, /cdk-delivery\/preview/);
    expect(deploy.properties.Triggers.FilterGroups).toEqual([[
      { Type: 'EVENT', Pattern: 'PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED' },
      { Type: 'BASE_REF', Pattern: '^refs/heads/main$' },
      { Type: 'ACTOR_ACCOUNT_ID', Pattern: '^(1234567|89)$' },
    ]]);
    // The checks (which every pull request runs) use another role, which cannot assume anything.
    const check = projectByDescription(template, /cdk-delivery\/Synth/);
    expect(roleOf(check)).not.toBe(roleOf(deploy));
  });

  test('the author is checked by the pull-request build policy: every pull request needs an approver\'s comment unless its author holds an approver role', () => {
    const byDefault = projectByDescription(render().template, /cdk-delivery\/preview/);
    expect(byDefault.properties.Triggers.PullRequestBuildPolicy).toEqual({ RequiresCommentApproval: 'ALL_PULL_REQUESTS', ApproverRoles: ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN'] });
    const admins = projectByDescription(render({ approverRoles: ['GITHUB_ADMIN'] }).template, /cdk-delivery\/preview/);
    expect(admins.properties.Triggers.PullRequestBuildPolicy).toEqual({ RequiresCommentApproval: 'ALL_PULL_REQUESTS', ApproverRoles: ['GITHUB_ADMIN'] });
    // The checks keep their own policy (forks only, by default): previews never inherit a looser one.
    const checks = render({}, {}).template;
    expect(projectByDescription(checks, /cdk-delivery\/Synth/).properties.Triggers.PullRequestBuildPolicy.RequiresCommentApproval).toBe('FORK_PULL_REQUESTS');
  });

  test('destroy runs no code of the pull request: the project\'s own buildspec, the AWS CLI only, no approval needed', () => {
    const { template } = render();
    const destroy = projectByDescription(template, /Pull-request Destroy/);
    expect(destroy.properties.Triggers.PullRequestBuildPolicy).toEqual({ RequiresCommentApproval: 'DISABLED' });
    const commands: string[] = destroy.buildSpec.phases.build.commands;
    expect(commands.join('\n')).not.toMatch(/npm|npx|cdk synth|\.\/|bash [^-]/);
    expect(destroy.buildSpec.phases.install).toBeUndefined();
  });

  test('the preview build role can only assume the preview account\'s deploy role (and use the connection and its logs)', () => {
    const { f, template } = render();
    const role = roleOf(projectByDescription(template, /cdk-delivery\/preview/));
    const grants = grantsOf(f.stack, template, role);
    expect(actionsOf(grants).filter(a => !a.startsWith('logs:') && !a.startsWith('codebuild:') && !a.startsWith('codeconnections:'))).toEqual(['sts:AssumeRole']);
    expect(grants.filter(g => g.actions.includes('sts:AssumeRole')).flatMap(g => g.resources.map(flatten)))
      .toEqual(['arn:${AWS::Partition}:iam::444444444444:role/cdk-delivery-previews-preview-eu-west-1']);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'cdk-delivery-pr-preview-us-east-1' });
  });

  test('the preview account\'s role changes only stacks named preview-pr*, passes only the bootstrap execution role, and trusts only the preview build role', () => {
    const app = new App();
    const stack = new Stack(app, 'PreviewAccess', { env: PREVIEW });
    const access = new PreviewAccess(stack, 'Access', { pipelineAccount: '111111111111', pipelineRegion: 'us-east-1' });
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(access.role.node.defaultChild as any);
    const grants = grantsOf(stack, template, roleId);
    const mutating = /^cloudformation:(Create|Update|Delete|Execute|Rollback|ContinueUpdateRollback|Tag|Untag|Set|Import|Cancel)/;
    const cfnWrites = grants.filter(g => g.actions.some(a => mutating.test(a) || a === 'cloudformation:*'));
    expect(cfnWrites.length).toBeGreaterThan(0);
    for (const g of cfnWrites) {
      expect(g.resources.map(flatten)).toEqual(['arn:${AWS::Partition}:cloudformation:eu-west-1:444444444444:stack/preview-pr*/*']);
    }
    const passRole = grants.filter(g => g.actions.some(a => a.startsWith('iam:')));
    expect(passRole).toEqual([{
      actions: ['iam:PassRole'],
      resources: [expect.anything()],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    }]);
    expect(flatten(passRole[0].resources[0])).toBe('arn:${AWS::Partition}:iam::444444444444:role/cdk-hnb659fds-cfn-exec-role-444444444444-eu-west-1');
    expect(actionsOf(grants).filter(a => a.startsWith('sts:') || a.startsWith('secretsmanager:'))).toEqual([]);
    const trust = template.findResources('AWS::IAM::Role')[roleId].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(flatten(trust[0].Condition.ArnEquals['aws:PrincipalArn'])).toBe('arn:${AWS::Partition}:iam::111111111111:role/cdk-delivery-pr-preview-us-east-1');
    expect(Object.keys(trust[0].Condition)).toEqual(['ArnEquals']);
    expect(flatten(trust[0].Principal.AWS)).toBe('arn:${AWS::Partition}:iam::111111111111:root');
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'cdk-delivery-previews-preview-eu-west-1' });
  });

  test('what the preview role can do in the preview account is what the CDK bootstrap\'s execution role may: its --cloudformation-execution-policies, or AdministratorAccess without --trust', () => {
    // The role PreviewAccess passes to CloudFormation (see above) is the bootstrap's execution role, by name.
    const text = fs.readFileSync(require.resolve('aws-cdk/lib/api/bootstrap/bootstrap-template.yaml'), 'utf8');
    // The execution role's resource, comments and line breaks removed (the template is plain YAML, no short tags).
    const block = /\n {2}CloudFormationExecutionRole:\n((?: {4}.*\n| *#.*\n)+)/.exec(text)![1]
      .split('\n').map(l => l.replace(/#.*$/, '').trim()).filter(l => l !== '').join(' ');
    expect(block).toContain('Service: cloudformation.amazonaws.com');
    expect(block).toContain('ManagedPolicyArns: Fn::If: - HasCloudFormationExecutionPolicies - Ref: CloudFormationExecutionPolicies - Fn::If: - HasTrustedAccounts - Ref: AWS::NoValue - - Fn::Sub: "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"');
    expect(block).toContain('RoleName: Fn::Sub: cdk-${Qualifier}-cfn-exec-role-${AWS::AccountId}-${AWS::Region}');
  });

  test('PreviewAccess needs a stack with an explicit environment', () => {
    expect(() => new PreviewAccess(new Stack(new App(), 'S'), 'Access', { pipelineAccount: '111111111111', pipelineRegion: 'us-east-1' }))
      .toThrow("PreviewAccess: the stack 'S' has no explicit account and region. Deploy PreviewAccess in a stack with the preview env, e.g. new Stack(app, 'PreviewAccess', { env: { account: '444444444444', region: 'us-east-1' } }).");
  });
});

describe('validation', () => {
  test.each<[string, unknown, string]>([
    ['the pipeline account', '111111111111', "previews.account: '111111111111' is the pipeline's account (stack 'PipelineStack'), which every target account's bootstrap trusts."],
    ['the staging account', '222222222222', "previews.account: '222222222222' is the account of the staging Stage 'Staging'."],
    ['a production account', '333333333333', "previews.account: '333333333333' is the account of the production Stage 'Prod-us-east-1'."],
  ])('a preview in %s is a synth-time error', (_what, account, message) => {
    expect(() => render({ account: account as string })).toThrow(message);
    expect(() => render({ account: account as string })).toThrow("Previews run unreviewed code: deploy them into a separate account that is neither the pipeline's nor a staging or production account.");
  });

  test.each([333333333333, 111111111111, 444444444444])('an account given as a number (%p) never slips past the comparison: it is refused where the props are type-checked', account => {
    expect(() => render({ account: account as unknown as string })).toThrow(`previews.account: ${account} is not a string. If it is an AWS account id, pass its 12 digits as a string: '${account}'.`);
  });

  test('a separate preview account passes', () => {
    const { f, template } = render({ account: '444444444444' });
    const grants = grantsOf(f.stack, template, roleOf(projectByDescription(template, /cdk-delivery\/preview/)));
    expect(grants.filter(g => g.actions.includes('sts:AssumeRole')).flatMap(g => g.resources.map(flatten)))
      .toEqual(['arn:${AWS::Partition}:iam::444444444444:role/cdk-delivery-previews-preview-eu-west-1']);
  });

  test('a production Stage whose stacks carry the account (not the Stage) is found too', () => {
    const f = fixture();
    const prod = new Stage(f.app, 'ProdByStack');
    new Stack(prod, 'Api', { env: { account: '555555555555', region: 'us-east-1' } });
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages: [prod] } }));
    expect(() => new PullRequestChecks(f.stack, 'Checks', { pipeline, previews: options({ account: '555555555555' }) }))
      .toThrow("previews.account: '555555555555' is the account of the production Stage 'ProdByStack'.");
  });

  test('an env-agnostic production stack deploys into the pipeline account: refused there, accepted for a provably different account', () => {
    const build = (account: string) => {
      const f = fixture();
      const prod = new AppStage(f.app, 'Agnostic');
      const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages: [prod] } }));
      return () => new PullRequestChecks(f.stack, 'Checks', { pipeline, previews: options({ account }) });
    };
    expect(build('111111111111')).toThrow("previews.account: '111111111111' is the account the env-agnostic production stack 'Agnostic/Api' deploys into (the pipeline's account).");
    expect(build('444444444444')).not.toThrow();
  });

  test('an env-agnostic pipeline stack with previews is refused: the preview account cannot be proven different', () => {
    const f = fixture();
    const agnostic = new Stack(f.app, 'AgnosticPipeline', { env: { region: 'us-east-1' } });
    const pipeline = new DeliveryPipeline(agnostic, 'Delivery', referenceProps(f, { production: { stages: [f.production[0]] } }));
    expect(() => new PullRequestChecks(agnostic, 'Checks', { pipeline, previews: options() }))
      .toThrow("previews: the pipeline stack 'AgnosticPipeline' has no explicit account, so the preview account cannot be proven different from it (every target account's bootstrap trusts the pipeline's account). Give the pipeline stack an explicit env, e.g. new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'us-east-1' } }).");
    // The same pipeline without previews is accepted: only previews need the proof.
    const g = fixture();
    const other = new Stack(g.app, 'AgnosticPipeline', { env: { region: 'us-east-1' } });
    expect(() => new PullRequestChecks(other, 'Checks', { pipeline: new DeliveryPipeline(other, 'Delivery', referenceProps(g, { production: { stages: [g.production[0]] } })) })).not.toThrow();
  });

  test('a production account that is a token (not the env-agnostic account) cannot be proven different', () => {
    const f = fixture();
    const prod = new Stage(f.app, 'ProdByToken');
    new Stack(prod, 'Api', { env: { account: Fn.importValue('ProdAccount'), region: 'us-east-1' } });
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages: [prod] } }));
    expect(() => new PullRequestChecks(f.stack, 'Checks', { pipeline, previews: options() }))
      .toThrow(/^PipelineStack\/Checks\/Previews: previews: the production stack 'ProdByToken\/Api' has an account that is not a literal \(.*\), so the preview account cannot be proven different from it. Give the production Stage an explicit env with a literal account.$/);
  });

  test.each<[string, unknown, string]>([
    ['a word', 'preview', "previews.account: 'preview' is not an AWS account id. Pass the 12-digit id as a string, e.g. '444444444444'."],
    ['11 digits', '44444444444', "previews.account: '44444444444' is not an AWS account id."],
    ['a fraction', 4444444444.5, 'previews.account: 4444444444.5 is not a string.'],
    ['an account id with leading zeros, as a number', 12345678901, "previews.account: 12345678901 is not a string. If it is an AWS account id, pass its 12 digits as a string: '012345678901'."],
    ['a list', ['444444444444'], 'previews.account: an array of 1 is not a string.'],
    ['missing', undefined, 'previews.account: the property is required but was not given. Pass a string.'],
    ['a token', Fn.importValue('PreviewAccount'), 'previews.account: the account is a token. Pass the literal 12-digit account id'],
  ])('previews.account as %s is rejected', (_what, account, message) => {
    expect(() => render({ account: account as string })).toThrow(message);
  });

  test.each<[unknown, string]>([
    ['*', "previews.region: '*' is not an AWS region name. Pass the literal region, e.g. 'us-east-1' (no wildcard, no token)."],
    ['eu-west-1; id', "previews.region: 'eu-west-1; id' is not an AWS region name."],
    [1, 'previews.region: 1 is not a string.'],
    [undefined, 'previews.region: the property is required but was not given. Pass a string.'],
    [Fn.importValue('Region'), 'is not an AWS region name. Pass the literal region'],
  ])('previews.region %p is rejected', (region, message) => {
    expect(() => render({ region: region as string })).toThrow(message);
  });

  class NamedStage extends Stage {
    constructor(scope: Construct, id: string, env: Environment, stackName: string) {
      super(scope, id, { env });
      new Stack(this, 'Api', { stackName });
    }
  }

  test.each<[string, Partial<PreviewOptions>, string]>([
    ['prefix', { stackPrefix: '1st' }, "previews.stackPrefix: '1st' is not a valid preview prefix. Use a letter then up to 19 letters, digits or hyphens, e.g. 'preview' (it starts every preview stack name and the preview roles' names)."],
    ['prefix colliding with staging', { stackPrefix: 'Sta' }, ''],
    ['authors', { trustedAuthors: [] }, "previews.trustedAuthors: no author was given, so no pull request would get a preview. Pass the GitHub user ids (numbers) of the people whose pull requests get previews, e.g. ['1234567']."],
    ['authors not in a list', { trustedAuthors: '1234567' as unknown as string[] }, "previews.trustedAuthors: '1234567' is not a list of strings. Put the value in a list: [value]."],
    ['approver roles not in a list', { approverRoles: 'GITHUB_ADMIN' as unknown as string[] }, "previews.approverRoles: 'GITHUB_ADMIN' is not a list of strings. Put the value in a list: [value]."],
    ['no approver role', { approverRoles: [] }, "previews.approverRoles: no role was given, so no comment could approve a build. Pass e.g. ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN']."],
    ['an unknown approver role', { approverRoles: ['GITHUB_OWNER'] }, "previews.approverRoles: 'GITHUB_OWNER' is not a GitHub repository role CodeBuild knows. Use GITHUB_READ, GITHUB_TRIAGE, GITHUB_WRITE, GITHUB_MAINTAIN, GITHUB_ADMIN."],
    ['login instead of id', { trustedAuthors: ['octocat'] }, "previews.trustedAuthors: 'octocat' is not a GitHub user id. Pass the numeric id (https://api.github.com/users/<login> shows it as \"id\"), not the login."],
    ['ttl', { timeToLive: Duration.minutes(90) }, 'previews.timeToLive: 1 hour 30 minutes is not a whole number of hours of at least 1. Use e.g. Duration.hours(6) or Duration.days(3).'],
    ['sweep', { sweepInterval: Duration.minutes(30) }, 'previews.sweepInterval: 30 minutes is not a whole number of hours of at least 1. Use e.g. Duration.hours(6) or Duration.days(3).'],
    ['explicit stack name', { stage: { createStage: (s, id, env) => new NamedStage(s, id, env, 'api') } },
      "previews.stage: the preview stack 'preview-pr2147483647/Api' is named 'api', which does not start with 'preview-pr2147483647-': the preview role could not deploy it and previews of two pull requests would collide. Leave stackName unset in the Stage (CDK then names it 'preview-pr2147483647-<id>')."],
    ['too long', { stage: { createStage: (s, id, env) => new NamedStage(s, id, env, `${id}-${'x'.repeat(110)}`) } },
      "previews.stage: creating the preview Stage 'preview-pr2147483647' (the longest pull-request number) failed: Stack name must be <= 128 characters."],
    ['wrong env', { stage: { createStage: (s, id) => new AppStage(s, id, { env: { account: '222222222222', region: 'us-east-1' } }) } },
      "previews.stage: the stack 'preview-pr2147483647/Api' of the preview deploys to 222222222222/us-east-1, not the preview environment 444444444444/eu-west-1. Pass the env that createStage() receives to the Stage."],
    ['no stacks', { stage: { createStage: (s, id, env) => new Stage(s, id, { env }) } }, "previews.stage: the preview Stage 'preview-pr2147483647' has no stacks. Create the same stacks as staging."],
  ])('%s is rejected', (_name, overrides, message) => {
    if (overrides.stackPrefix === 'Sta') {
      // A staging Stage whose stack names start with the namespace 'Sta-pr'.
      const f = fixture();
      const staging = new AppStage(f.app, 'Sta-pr-legacy', { env: { account: '222222222222', region: 'us-east-1' } });
      const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { staging: { stage: staging } }));
      expect(() => new PullRequestChecks(f.stack, 'Checks', { pipeline, previews: options({ stackPrefix: 'Sta' }) }))
        .toThrow("previews.stackPrefix: the staging stack 'Sta-pr-legacy-Api' starts with 'Sta-pr', so the preview role could change it. Choose another prefix.");
      return;
    }
    expect(() => render(overrides)).toThrow(message);
  });

  test('the longest name is checked: 128 characters pass, 129 fail', () => {
    const id = 'preview-pr2147483647';
    const fits = 128 - id.length - 1;
    expect(() => render({ stage: { createStage: (s, sid, env) => new NamedStage(s, sid, env, `${sid}-${'x'.repeat(fits)}`) } })).not.toThrow();
    expect(() => render({ stage: { createStage: (s, sid, env) => new NamedStage(s, sid, env, `${sid}-${'x'.repeat(fits + 1)}`) } }))
      .toThrow("Stack names must stay within CloudFormation's 128 characters for every pull request: use a shorter stackPrefix or shorter stack ids.");
  });

  test('a bad pull-request number in the request is rejected', () => {
    expect(() => render({}, { 'cdk-delivery:preview-pull-request': 'main' }))
      .toThrow("cdk-delivery:preview-pull-request (or CDK_DELIVERY_PREVIEW_PULL_REQUEST): 'main' is not a pull-request number. Pass the number shown on the pull request, e.g. 42.");
  });
});

describe('PreviewAccess validation', () => {
  const access = (props: Record<string, unknown>, account = '444444444444') =>
    () => new PreviewAccess(new Stack(new App(), 'PreviewAccess', { env: { account, region: 'eu-west-1' } }), 'Access',
      { pipelineAccount: '111111111111', pipelineRegion: 'us-east-1', ...props } as unknown as PreviewAccessProps);

  test.each<[string, Record<string, unknown>, string]>([
    ['pipelineAccount not digits', { pipelineAccount: 'abc' }, "pipelineAccount: 'abc' is not an AWS account id. Pass the 12-digit id as a string, e.g. '111111111111'."],
    ['pipelineAccount of 13 digits', { pipelineAccount: '1111111111111' }, "pipelineAccount: '1111111111111' is not an AWS account id."],
    ['pipelineAccount missing', { pipelineAccount: undefined }, 'pipelineAccount: the property is required but was not given. Pass a string.'],
    ['pipelineAccount a number', { pipelineAccount: 111111111111 }, "pipelineAccount: 111111111111 is not a string. If it is an AWS account id, pass its 12 digits as a string: '111111111111'."],
    ['pipelineAccount a token', { pipelineAccount: Fn.importValue('PipelineAccount') }, 'pipelineAccount: the account is a token. Pass the literal 12-digit account id'],
    ['pipelineRegion *', { pipelineRegion: '*' }, "pipelineRegion: '*' is not an AWS region name. Pass the literal region, e.g. 'us-east-1' (no wildcard, no token)."],
    ['pipelineRegion with a wildcard', { pipelineRegion: 'us-*' }, "pipelineRegion: 'us-*' is not an AWS region name."],
    ['pipelineRegion with a space', { pipelineRegion: 'us-east-1 ' }, "pipelineRegion: 'us-east-1 ' is not an AWS region name."],
    ['pipelineRegion a number', { pipelineRegion: 1 }, 'pipelineRegion: 1 is not a string.'],
    ['pipelineRegion a token', { pipelineRegion: Fn.importValue('Region') }, 'is not an AWS region name. Pass the literal region'],
    ['bootstrapQualifier *', { bootstrapQualifier: '*' }, "bootstrapQualifier: '*' is not a CDK bootstrap qualifier. Pass the qualifier the account was bootstrapped with (cdk bootstrap --qualifier): 1 to 10 letters, digits, '_' or '-', e.g. 'hnb659fds'."],
    ['bootstrapQualifier of 11 characters', { bootstrapQualifier: 'abcdefghijk' }, "bootstrapQualifier: 'abcdefghijk' is not a CDK bootstrap qualifier."],
    ['bootstrapQualifier empty', { bootstrapQualifier: '' }, "bootstrapQualifier: '' is not a CDK bootstrap qualifier."],
    ['bootstrapQualifier with a slash', { bootstrapQualifier: 'a/b' }, "bootstrapQualifier: 'a/b' is not a CDK bootstrap qualifier."],
  ])('%s is rejected', (_what, props, message) => {
    expect(access(props)).toThrow(message);
  });

  test('the pipeline account as the preview account is rejected', () => {
    const message = "pipelineAccount: '111111111111' is the account of the stack 'PreviewAccess' that holds PreviewAccess. Previews run unreviewed code and must not deploy into the pipeline's account: deploy PreviewAccess (and the previews) in a separate preview account.";
    expect(access({}, '111111111111')).toThrow(message);
  });

  test('valid values pass: a GovCloud region, the European Sovereign Cloud, the longest qualifier', () => {
    expect(access({})).not.toThrow();
    expect(access({ pipelineRegion: 'us-gov-west-1', bootstrapQualifier: 'my_Qual-10' })).not.toThrow();
    expect(access({ pipelineRegion: 'eusc-de-east-1' })).not.toThrow();
    const app = new App();
    const stack = new Stack(app, 'PreviewAccess', { env: { account: '444444444444', region: 'eu-west-1' } });
    new PreviewAccess(stack, 'Access', { pipelineAccount: '111111111111', pipelineRegion: 'us-east-1' });
    const trust = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(flatten(trust.Principal.AWS)).toBe('arn:${AWS::Partition}:iam::111111111111:root');
  });

  test('the qualifier pattern is the one of the CDK CLI\'s bootstrap template', () => {
    const templatePath = require.resolve('aws-cdk/lib/api/bootstrap/bootstrap-template.yaml');
    const text = fs.readFileSync(templatePath, 'utf8');
    const allowed = /\n {2}Qualifier:\n(?: {4}.*\n)*? {4}AllowedPattern: "([^"]+)"/.exec(text);
    expect(allowed?.[1]).toBe('[A-Za-z0-9_-]{1,10}');
    expect(BOOTSTRAP_QUALIFIER_PATTERN.source).toBe(`^${allowed![1]}$`);
  });

  test('missing properties are rejected', () => {
    expect(() => new PreviewAccess(new Stack(new App(), 'P', { env: { account: '444444444444', region: 'eu-west-1' } }), 'Access', undefined as unknown as PreviewAccessProps))
      .toThrow('PreviewAccess: the properties are required but were not given. Pass an object (PreviewAccessProps).');
  });
});
