import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { actionsOf, grantsOf, projectByDescription, projects, roleOf } from './helpers';
import { CommentApproval, DeliveryPipelineProps, PipelineSource, PullRequestChecks, PullRequestChecksProps } from '../../src';
import { referencePipeline } from '../fixtures/app';

const TESTS: DeliveryPipelineProps['tests'] = [
  { name: 'UnitTests', commands: ['npm ci', 'npm test'], env: { CI: 'true' }, junitReportPaths: ['reports/*.xml'] },
  {
    name: 'Integration',
    installCommands: ['n 22'],
    commands: ['npm ci', 'npm run integ'],
    buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
    computeType: codebuild.ComputeType.LARGE,
    secretEnv: { API_TOKEN: 'integ/token' },
  },
];
const SYNTH = { installCommands: ['npm i -g pnpm'], commands: ['pnpm i', 'pnpm cdk synth'], env: { NODE_OPTIONS: '--max-old-space-size=4096' } };

function render(overrides: Partial<DeliveryPipelineProps> = {}, checks: Partial<PullRequestChecksProps> = {}) {
  const { f, pipeline } = referencePipeline({ synth: SYNTH, tests: TESTS, ...overrides });
  const prChecks = new PullRequestChecks(f.stack, 'Checks', { pipeline, ...checks });
  return { stack: f.stack, checks: prChecks, template: Template.fromStack(f.stack) };
}

/** The pipeline's own project of a step (CDK Pipelines describes it by its pipeline path). */
function pipelineProject(template: Template, step: string) {
  return projectByDescription(template, new RegExp(`^Pipeline step .*/${step}$`));
}
function checkProject(template: Template, step: string) {
  return projectByDescription(template, new RegExp(`^Pull-request cdk-delivery/${step} `));
}

describe('one source of truth', () => {
  test.each(['Synth', 'UnitTests', 'Integration'])('the %s check runs exactly the pipeline step: commands, image, compute, variables', step => {
    const { template } = render();
    const inPipeline = pipelineProject(template, step);
    const check = checkProject(template, step);
    expect(check.buildSpec.phases.build.commands).toEqual(inPipeline.buildSpec.phases.build.commands);
    expect(check.buildSpec.phases.install?.commands).toEqual(inPipeline.buildSpec.phases.install?.commands);
    expect(check.properties.Environment.Image).toEqual(inPipeline.properties.Environment.Image);
    expect(check.properties.Environment.ComputeType).toEqual(inPipeline.properties.Environment.ComputeType);
    expect(check.buildSpec.reports).toEqual(inPipeline.buildSpec.reports);
    const declared = Object.entries(inPipeline.variables).filter(([n]) => !n.startsWith('_'));
    expect(Object.fromEntries(declared)).toEqual(check.variables);
  });

  test('the definition is what the check reads: the declared commands, variables, image and reports', () => {
    const { template } = render();
    expect(checkProject(template, 'Synth').buildSpec.phases).toEqual({
      install: { commands: ['npm i -g pnpm'] }, build: { commands: ['pnpm i', 'pnpm cdk synth'] },
    });
    expect(checkProject(template, 'Synth').variables).toEqual({ NODE_OPTIONS: '--max-old-space-size=4096' });
    expect(checkProject(template, 'UnitTests').variables).toEqual({ CI: 'true' });
    expect(checkProject(template, 'UnitTests').buildSpec.reports.junit.files).toEqual(['reports/*.xml']);
    expect(checkProject(template, 'Integration').properties.Environment).toMatchObject({ Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0', ComputeType: 'BUILD_GENERAL1_LARGE' });
  });

  test('changing a test command in the DeliveryPipeline changes the pull-request buildspec (and the pipeline\'s) the same way', () => {
    const before = render().template;
    const changed = TESTS.map(t => t.name === 'UnitTests' ? { ...t, commands: ['npm ci', 'npm run test:ci'] } : t);
    const after = render({ tests: changed }).template;
    expect(checkProject(before, 'UnitTests').buildSpec.phases.build.commands).toEqual(['npm ci', 'npm test']);
    expect(checkProject(after, 'UnitTests').buildSpec.phases.build.commands).toEqual(['npm ci', 'npm run test:ci']);
    expect(checkProject(after, 'UnitTests').buildSpec.phases.build.commands).toEqual(pipelineProject(after, 'UnitTests').buildSpec.phases.build.commands);
    // The comparison is not vacuous: the old check differs from the new pipeline step.
    expect(checkProject(before, 'UnitTests').buildSpec.phases.build.commands).not.toEqual(pipelineProject(after, 'UnitTests').buildSpec.phases.build.commands);
  });

  test('a test step added to the pipeline gets a check; one removed loses it', () => {
    const template = render({ tests: [...TESTS, { name: 'Lint', commands: ['npm run lint'] }] }).template;
    expect(checkProject(template, 'Lint').buildSpec.phases.build.commands).toEqual(['npm run lint']);
    const fewer = render({ tests: [TESTS[0]] }).template;
    expect(projects(fewer).filter(p => /^Pull-request/.test(p.properties.Description)).map(p => p.properties.Description))
      .toEqual(['Pull-request cdk-delivery/Synth for acme/app', 'Pull-request cdk-delivery/UnitTests for acme/app']);
  });

  test('codeBuildDefaults\' image applies to the checks as to the pipeline', () => {
    const { template } = render({ codeBuildDefaults: { buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_6_0 } } });
    expect(checkProject(template, 'UnitTests').properties.Environment.Image).toBe('aws/codebuild/standard:6.0');
    expect(pipelineProject(template, 'UnitTests').properties.Environment.Image).toBe('aws/codebuild/standard:6.0');
  });
});

describe('trigger and status', () => {
  test('every check builds pull requests opened, updated or reopened against the tracked branch, through the connection, and reports a commit status', () => {
    const { template } = render({ source: PipelineSource.connection('acme/app', 'release.v2', { connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d' }) });
    for (const step of ['Synth', 'UnitTests', 'Integration']) {
      const p = checkProject(template, step).properties;
      expect(p.Source).toMatchObject({
        Type: 'GITHUB',
        Location: 'https://github.com/acme/app.git',
        ReportBuildStatus: true,
        BuildStatusConfig: { Context: `cdk-delivery/${step}` },
        Auth: { Type: 'CODECONNECTIONS', Resource: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d' },
      });
      expect(p.Triggers.Webhook).toBe(true);
      expect(p.Triggers.FilterGroups).toEqual([[
        { Type: 'EVENT', Pattern: 'PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED' },
        // Exactly the branch: the dot is escaped and the pattern anchored.
        { Type: 'BASE_REF', Pattern: '^refs/heads/release\\.v2$' },
      ]]);
    }
  });

  test('the role may use the connection (codeconnections or the older codestar-connections ARN)', () => {
    const arn = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/0a1b2c3d';
    const { stack, template } = render({ source: PipelineSource.connection('acme/app', 'main', { connectionArn: arn }) });
    const grants = grantsOf(stack, template, roleOf(checkProject(template, 'Synth')));
    expect(grants.filter(g => g.actions.some(a => a.startsWith('codestar-connections:')))).toEqual([{
      actions: ['codestar-connections:GetConnectionToken', 'codestar-connections:GetConnection', 'codestar-connections:UseConnection'],
      resources: [arn],
      conditions: undefined,
    }]);
  });

  test('status context prefix', () => {
    const { template } = render({}, { statusContextPrefix: 'ci/aws' });
    expect(projectByDescription(template, /ci\/aws\/UnitTests/).properties.Source.BuildStatusConfig).toEqual({ Context: 'ci/aws/UnitTests' });
  });
});

describe('forks and secrets', () => {
  test('pull requests from forks wait for an approval comment by a writer by default; stricter and looser policies render', () => {
    const byDefault = render().template;
    expect(checkProject(byDefault, 'Synth').properties.Triggers.PullRequestBuildPolicy).toEqual({
      RequiresCommentApproval: 'FORK_PULL_REQUESTS', ApproverRoles: ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN'],
    });
    const all = render({}, { commentApproval: CommentApproval.ALL_PULL_REQUESTS, approverRoles: ['GITHUB_ADMIN'] }).template;
    expect(checkProject(all, 'Synth').properties.Triggers.PullRequestBuildPolicy).toEqual({ RequiresCommentApproval: 'ALL_PULL_REQUESTS', ApproverRoles: ['GITHUB_ADMIN'] });
    const open = render({}, { commentApproval: CommentApproval.DISABLED }).template;
    expect(checkProject(open, 'Synth').properties.Triggers.PullRequestBuildPolicy).toEqual({ RequiresCommentApproval: 'DISABLED' });
  });

  test('no check gets a secret: the pipeline step that reads one does, its check does not (and a warning names it)', () => {
    const { template, stack } = render();
    // Both directions of the same reading: the pipeline's Integration step has the secret...
    expect(pipelineProject(template, 'Integration').secretVariables).toEqual(['API_TOKEN']);
    expect(actionsOf(grantsOf(stack, template, roleOf(pipelineProject(template, 'Integration'))))).toContain('secretsmanager:GetSecretValue');
    // ...its check has none.
    for (const step of ['Synth', 'UnitTests', 'Integration']) {
      expect(checkProject(template, step).secretVariables).toEqual([]);
    }
    Annotations.fromStack(stack).hasWarning('/PipelineStack/Checks', Match.stringLikeRegexp("'Integration' reads the secret variable\\(s\\) API_TOKEN; its pull-request check runs without them"));
  });

  test('the checks\' role can write logs and test reports and use the connection: no secrets, no deployment, no keys, no artifacts', () => {
    const { template, stack } = render();
    const roles = new Set(['Synth', 'UnitTests', 'Integration'].map(s => roleOf(checkProject(template, s))));
    expect(roles.size).toBe(1);
    const [role] = roles;
    expect(actionsOf(grantsOf(stack, template, role))).toEqual([
      'codebuild:BatchPutCodeCoverages', 'codebuild:BatchPutTestCases', 'codebuild:CreateReport', 'codebuild:CreateReportGroup', 'codebuild:UpdateReport',
      'codeconnections:GetConnection', 'codeconnections:GetConnectionToken', 'codeconnections:UseConnection',
      'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents',
    ]);
    // The same reading of the pipeline's deploy-capable roles finds what the checks must not have.
    const selfMutation = roleOf(projectByDescription(template, /SelfMutate$/));
    expect(actionsOf(grantsOf(stack, template, selfMutation))).toEqual(expect.arrayContaining(['sts:AssumeRole']));
    // Nor does the project get the pipeline's key.
    for (const step of ['Synth', 'UnitTests', 'Integration']) {
      expect(JSON.stringify(checkProject(template, step).properties.EncryptionKey)).not.toContain('ArtifactsBucketEncryptionKey');
    }
  });
});

describe('validation', () => {
  test('a source other than a connection is rejected', () => {
    const bucket = s3.Bucket.fromBucketName(new Stack(undefined, 'Sources', { env: { account: '111111111111', region: 'us-east-1' } }), 'Src', 'sources');
    const { f, pipeline } = referencePipeline({ source: PipelineSource.s3(bucket, 'app.zip') });
    expect(() => new PullRequestChecks(f.stack, 'Checks', { pipeline }))
      .toThrow("PullRequestChecks: the pipeline's source (s3:app.zip) is not a CodeConnections source. Pull-request checks subscribe to a GitHub repository through the pipeline's connection: use PipelineSource.connection('owner/repo', 'main', { connectionArn }).");
  });

  test.each<[Partial<PullRequestChecksProps>, string]>([
    [{ approverRoles: ['GITHUB_OWNER'] }, "approverRoles: 'GITHUB_OWNER' is not a GitHub repository role CodeBuild knows. Use GITHUB_READ, GITHUB_TRIAGE, GITHUB_WRITE, GITHUB_MAINTAIN, GITHUB_ADMIN."],
    [{ approverRoles: [] }, "approverRoles: no role was given, so no comment could approve a build. Pass e.g. ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN']."],
    [{ commentApproval: CommentApproval.DISABLED, approverRoles: ['GITHUB_ADMIN'] }, 'approverRoles: approver roles are set but commentApproval is DISABLED, so nobody approves anything. Leave approverRoles out, or require comment approval.'],
    [{ statusContextPrefix: 'has space' }, "statusContextPrefix: 'has space' is not a valid status context prefix. Use 1 to 60 letters, digits, '.', '_', '/' or '-', e.g. 'cdk-delivery'."],
  ])('%j is rejected', (props, message) => {
    const { f, pipeline } = referencePipeline();
    expect(() => new PullRequestChecks(f.stack, 'Checks', { pipeline, ...props })).toThrow(message);
  });

  test('a missing pipeline is rejected', () => {
    const { f } = referencePipeline();
    expect(() => new PullRequestChecks(f.stack, 'Checks', undefined as unknown as PullRequestChecksProps))
      .toThrow('PullRequestChecks: the properties are required but were not given. Pass an object (PullRequestChecksProps).');
  });
});
