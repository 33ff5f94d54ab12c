import { App, Duration, Environment, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { actionsOf, flatten, grantsOf, projectByDescription, roleOf } from './helpers';
import { IPreviewStageFactory, PreviewAccess, PreviewOptions, PullRequestChecks } from '../../src';
import { DeliveryPipeline } from '../../src/codepipeline/delivery-pipeline';
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

describe('forks and least privilege', () => {
  test('only trusted authors start a preview build; the others, forks included, never get the deploy role', () => {
    const { template } = render();
    const deploy = projectByDescription(template, /cdk-delivery\/preview/);
    expect(deploy.properties.Triggers.FilterGroups).toEqual([[
      { Type: 'EVENT', Pattern: 'PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED' },
      { Type: 'BASE_REF', Pattern: '^refs/heads/main$' },
      { Type: 'ACTOR_ACCOUNT_ID', Pattern: '^(1234567|89)$' },
    ]]);
    expect(deploy.properties.Triggers.PullRequestBuildPolicy).toEqual({ RequiresCommentApproval: 'ALL_PULL_REQUESTS', ApproverRoles: ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN'] });
    // The checks (which every pull request runs) use another role, which cannot assume anything.
    const check = projectByDescription(template, /cdk-delivery\/Synth/);
    expect(roleOf(check)).not.toBe(roleOf(deploy));
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

  test('PreviewAccess needs a stack with an explicit environment', () => {
    expect(() => new PreviewAccess(new Stack(new App(), 'S'), 'Access', { pipelineAccount: '111111111111', pipelineRegion: 'us-east-1' }))
      .toThrow("PreviewAccess: the stack 'S' has no explicit account and region. Deploy PreviewAccess in a stack with the preview env, e.g. new Stack(app, 'PreviewAccess', { env: { account: '444444444444', region: 'us-east-1' } }).");
  });
});

describe('validation', () => {
  test('a preview in a production account is a synth-time error (any production Stage)', () => {
    expect(() => render({ account: '333333333333' }))
      .toThrow("previews.account: '333333333333' is the account of the production Stage 'Prod-us-east-1'. Previews must never deploy into a production account: use a separate preview account (or the staging account).");
    // The staging account is allowed.
    expect(() => render({ account: '222222222222' })).not.toThrow();
  });

  test('a production Stage whose stacks carry the account (not the Stage) is found too', () => {
    const f = fixture();
    const prod = new Stage(f.app, 'ProdByStack');
    new Stack(prod, 'Api', { env: { account: '555555555555', region: 'us-east-1' } });
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages: [prod] } }));
    expect(() => new PullRequestChecks(f.stack, 'Checks', { pipeline, previews: options({ account: '555555555555' }) }))
      .toThrow("previews.account: '555555555555' is the account of the production Stage 'ProdByStack'.");
  });

  class NamedStage extends Stage {
    constructor(scope: Construct, id: string, env: Environment, stackName: string) {
      super(scope, id, { env });
      new Stack(this, 'Api', { stackName });
    }
  }

  test.each<[string, Partial<PreviewOptions>, string]>([
    ['account', { account: 'preview' }, "previews.account: 'preview' is not an AWS account id. Pass the 12-digit id of the preview account."],
    ['prefix', { stackPrefix: '1st' }, "previews.stackPrefix: '1st' is not a valid preview prefix. Use a letter then up to 19 letters, digits or hyphens, e.g. 'preview' (it starts every preview stack name and the preview roles' names)."],
    ['prefix colliding with staging', { stackPrefix: 'Sta' }, ''],
    ['authors', { trustedAuthors: [] }, "previews.trustedAuthors: no author was given, so no pull request would get a preview. Pass the GitHub user ids (numbers) of the people whose pull requests get previews, e.g. ['1234567']."],
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
