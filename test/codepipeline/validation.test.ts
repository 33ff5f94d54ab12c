import { App, CfnOutput, Duration, Stack, Stage } from 'aws-cdk-lib';
import { DeliveryPipeline, DeliveryPipelineProps } from '../../src';
import { ValidationError } from '../../src/private/errors';
import { AppStage, fixture, Fixture, PIPELINE_ENV, referenceProps } from '../fixtures/app';
import { renderedStages } from '../fixtures/rendered';

/** A value a jsii caller in another language (or plain JavaScript) can pass where TypeScript would not compile. */
const untyped = (value: unknown): never => value as never;

function attempt(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>, f: Fixture = fixture()): () => DeliveryPipeline {
  return () => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
}

describe('synth-time validation: each message names the property, the bad value and the fix', () => {
  test('no production stage', () => {
    expect(attempt(() => ({ production: { stages: [] } })))
      .toThrow("production: no production Stage was given. Pass at least one CDK Stage in 'production.stages' (or in 'production.waves[].stages').");
    expect(attempt(() => ({ production: {} }))).toThrow(/production: no production Stage was given/);
  });

  test('production waves: empty list, both stages and waves, duplicate or invalid wave names', () => {
    expect(attempt(() => ({ production: { waves: [] } })))
      .toThrow("production.waves: the list is empty. Pass at least one wave with at least one Stage, or use 'production.stages'.");
    expect(attempt(f => ({ production: { stages: f.production, waves: [{ name: 'a', stages: f.production }] } })))
      .toThrow("production: both 'stages' and 'waves' are set. Use 'stages' for one parallel wave, or 'waves' for ordered waves, not both.");
    expect(attempt(f => ({ production: { waves: [{ name: 'eu', stages: [f.production[0]] }, { name: 'eu', stages: [f.production[1]] }] } })))
      .toThrow("production.waves[1].name: the wave name 'eu' is already used by production.waves[0]. Give every production wave a unique name.");
    expect(attempt(f => ({ production: { waves: [{ name: 'has space', stages: [f.production[0]] }] } })))
      .toThrow("production.waves[0].name: 'has space' is not a valid wave name. Use 1 to 89 letters, digits, '.', '@', '-' or '_' (it becomes the CodePipeline stage name 'Production-has space').");
  });

  test('a Stage with no stacks', () => {
    const f = fixture();
    const empty = new Stage(f.app, 'Empty', { env: { account: '444444444444', region: 'us-east-1' } });
    expect(attempt(() => ({ production: { stages: [...f.production, empty] } }), f))
      .toThrow("production.stages[3]: the Stage 'Empty' has no stacks, so it would deploy nothing. Add the application's stacks to the Stage (new MyStack(stage, 'Id')) before handing it to the pipeline.");
  });

  test('the same Stage used twice', () => {
    expect(attempt(f => ({ production: { stages: [f.production[0], f.production[0]] } })))
      .toThrow("production.stages[1]: the Stage 'Prod-us-east-1' is already used as production.stages[0]. A Stage deploys to one environment: create one Stage instance per environment.");
    expect(attempt(f => ({ production: { stages: [f.staging] } })))
      .toThrow("production.stages[0]: the Stage 'Staging' is already used as staging.stage. A Stage deploys to one environment: create one Stage instance per environment.");
  });

  test('staging and a production stage targeting the same account and region', () => {
    const f = fixture();
    const clash = new AppStage(f.app, 'Clash', { env: { account: '222222222222', region: 'us-east-1' } });
    expect(attempt(() => ({ production: { stages: [clash] } }), f))
      .toThrow("production.stages[0]: the Stage 'Clash' targets account 222222222222 region us-east-1, the same as staging ('Staging'). Staging must be a separate environment: deploy it to another account or region.");
  });

  test.each(['Source', 'Build', 'UpdatePipeline', 'Assets'])('a Stage named like the stage CDK Pipelines asks for: %s', name => {
    const f = fixture();
    const stage = new AppStage(f.app, name, { env: { account: '444444444444', region: 'us-east-1' } });
    expect(attempt(() => ({ production: { stages: [stage] } }), f))
      .toThrow(`production.stages[0]: the Stage name '${name}' is reserved for the pipeline's own '${name}' stage. Give the Stage another construct id.`);
  });

  test('Stages named like the library\'s own stages (Test, Staging, Production) are fine: the layout names the pipeline\'s stages', () => {
    const f = fixture();
    const env = (region: string) => ({ env: { account: '333333333333', region } });
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      staging: { stage: new AppStage(f.app, 'Production', { env: { account: '222222222222', region: 'eu-west-1' } }) },
      production: { waves: [{ name: 'a', stages: [new AppStage(f.app, 'Test', env('eu-west-1'))] }, { name: 'b', stages: [new AppStage(f.app, 'Staging-b', env('eu-west-2'))] }] },
    }));
    expect(pipeline.stageNames).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production-a', 'Production-b']);
  });

  test('duplicate step names', () => {
    expect(attempt(() => ({ tests: [{ name: 'Check', commands: ['a'] }, { name: 'Check', commands: ['b'] }] })))
      .toThrow("tests[1].name: the step name 'Check' is already used by tests[0].name. Give every test and verification step a unique name.");
    expect(attempt(f => ({
      tests: [{ name: 'Smoke', commands: ['a'] }],
      staging: { stage: f.staging, verify: [{ name: 'Smoke', commands: ['b'] }] },
    }))).toThrow("staging.verify[0].name: the step name 'Smoke' is already used by tests[0].name. Give every test and verification step a unique name.");
  });

  test('step names the pipeline uses itself, or that CodePipeline rejects', () => {
    expect(attempt(() => ({ tests: [{ name: 'SelfMutate', commands: ['a'] }] })))
      .toThrow("tests[0].name: the step name 'SelfMutate' is used by the pipeline's own actions. Choose another name.");
    expect(attempt(() => ({ tests: [{ name: 'unit tests!', commands: ['a'] }] })))
      .toThrow("tests[0].name: 'unit tests!' is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name).");
    expect(attempt(f => ({ staging: { stage: f.staging, verify: [{ name: '', commands: ['a'] }] } })))
      .toThrow(/^PipelineStack\/Delivery: staging\.verify\[0\]\.name: '' is not a valid step name/);
  });

  test('empty build commands', () => {
    expect(attempt(() => ({ synth: { commands: [] } })))
      .toThrow("synth.commands: [] has no command to run. Pass the commands that build the app and run 'cdk synth', e.g. ['npm ci', 'npm run build', 'npx cdk synth'].");
    expect(attempt(() => ({ synth: { commands: ['  '] } }))).toThrow(/synth\.commands: \["  "\] has no command to run/);
  });

  test('a test step with no commands', () => {
    expect(attempt(() => ({ tests: [{ name: 'UnitTests', commands: [] }] })))
      .toThrow("tests[0].commands (step 'UnitTests'): [] has no command to run. Give the test step the commands that run the tests, e.g. ['npm ci', 'npm test'].");
  });

  test('a verification step with no commands', () => {
    expect(attempt(f => ({ staging: { stage: f.staging, verify: [{ name: 'Smoke', commands: [] }] } })))
      .toThrow("staging.verify[0].commands (step 'Smoke'): [] has no command to run. Give the verification step the commands that check the deployed environment.");
  });

  test('a pipeline stack without a region deploying to a pinned region', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const staging = new AppStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } });
    const prod = new AppStage(app, 'Prod', { env: { account: '333333333333', region: 'us-east-1' } });
    expect(() => new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production: [prod] })))
      .toThrow("DeliveryPipeline: the pipeline stack 'Agnostic' has no explicit region, but the Stage 'Staging' deploys to us-east-1. Give the pipeline stack an explicit env: new Stack(app, 'Agnostic', { env: { account: '111111111111', region: 'us-east-1' } }).");
  });

  test('environment-agnostic stages are not compared', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const staging = new AppStage(app, 'Staging');
    const prod = new AppStage(app, 'Prod');
    const pipeline = new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production: [prod] }));
    expect(pipeline.crossAccountKeys).toBe(false);
  });

  test('a verification step may read outputs of its own environment and of earlier ones', () => {
    const f = fixture();
    const [first, second] = f.production;
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: {
        waves: [
          { name: 'a', stages: [first], verify: [{ name: 'ReadsStaging', commands: ['x'], envFromOutputs: { U: f.staging.url } }] },
          { name: 'b', stages: [second], verify: [{ name: 'ReadsEarlierWave', commands: ['x'], envFromOutputs: { U: first.url, V: second.url } }] },
        ],
      },
    }));
    expect(pipeline.stageNames).toContain('Production-b');
  });
});

/**
 * Bad input from untyped callers and CodePipeline's limits. Each message names the property, shows the bad value
 * and says what to pass instead.
 */
type Case = [string, (f: Fixture) => Partial<DeliveryPipelineProps>, string];
const verify = (f: Fixture, step: object) => ({ staging: { stage: f.staging, verify: [untyped({ name: 'Smoke', commands: ['a'], ...step })] } });
const test0 = (step: object) => ({ tests: [untyped({ name: 'UnitTests', commands: ['a'], ...step })] });
const STAGE_FIX = "Pass a CDK Stage with the application's stacks, e.g. new MyStage(app, 'Production', { env }).";
const SECRET_FIX = "Pass a secret name or ARN, optionally with ':json-key', e.g. { DATABASE_URL: 'prod/service/database:url' }.";
const SYNTH_FIX = "Pass the commands that build the app and run 'cdk synth', e.g. ['npm ci', 'npm run build', 'npx cdk synth'].";

const cases: Case[] = [
  // Required properties: missing, null or of another type.
  ['source null', () => ({ source: untyped(null) }),
    "source: the property is required but was null. Pass a PipelineSource, e.g. PipelineSource.connection('owner/repo', 'main', { connectionArn })."],
  ['source missing', () => ({ source: untyped(undefined) }),
    "source: the property is required but was not given. Pass a PipelineSource, e.g. PipelineSource.connection('owner/repo', 'main', { connectionArn })."],
  ['source a string', () => ({ source: untyped('acme/app') }),
    "source: 'acme/app' is not a PipelineSource. Create one with a factory, e.g. PipelineSource.connection('owner/repo', 'main', { connectionArn })."],
  ['synth null', () => ({ synth: untyped(null) }),
    "synth: the property is required but was null. Pass the build, e.g. { commands: ['npm ci', 'npx cdk synth'] }."],
  ['synth a list', () => ({ synth: untyped(['npm ci']) }),
    "synth: an array of 1 is not an object. Pass the build, e.g. { commands: ['npm ci', 'npx cdk synth'] }."],
  ['synth.commands missing', () => ({ synth: untyped({}) }),
    `synth.commands: the property is required but was not given. ${SYNTH_FIX}`],
  ['synth.commands a string', () => ({ synth: untyped({ commands: 'npm ci' }) }),
    `synth.commands: 'npm ci' is not a list of commands. ${SYNTH_FIX}`],
  ['synth.commands holding null', () => ({ synth: untyped({ commands: ['npm ci', null] }) }),
    `synth.commands[1]: null is not a command (a string). ${SYNTH_FIX}`],
  ['synth.commands holding a number', () => ({ synth: untyped({ commands: [42] }) }),
    `synth.commands[0]: 42 is not a command (a string). ${SYNTH_FIX}`],
  ['synth.installCommands a string', () => ({ synth: untyped({ commands: ['a'], installCommands: 'n 22' }) }),
    "synth.installCommands: 'n 22' is not a list. Pass the install-phase commands, e.g. ['n 22']."],
  ['synth.env with a null value', () => ({ synth: untyped({ commands: ['a'], env: { STAGE: null } }) }),
    "synth.env.STAGE: null is not a string. Pass variable names and values, e.g. { NODE_OPTIONS: '--max-old-space-size=4096' }."],
  ['staging null', () => ({ staging: untyped(null) }),
    "staging: the property is required but was null. Pass the staging environment, e.g. { stage: new MyStage(app, 'Staging', { env }) }."],
  ['staging a Stage instead of { stage }', f => ({ staging: untyped(f.staging) }),
    "staging: the AppStage 'Staging' was passed directly. Pass it as the environment's stage: staging: { stage: staging, verify: [...] }."],
  ['staging.stage missing', () => ({ staging: untyped({}) }),
    "staging.stage: the property is required but was not given. Pass the CDK Stage to deploy and verify before production, e.g. { stage: new MyStage(app, 'Staging', { env }) }."],
  ['staging.stage a Stack', f => ({ staging: untyped({ stage: f.stack }) }),
    "staging.stage: the Stack 'PipelineStack' is not a CDK Stage. Pass a CDK Stage with the application's stacks, e.g. new MyStage(app, 'Staging', { env }) (put the stack inside a Stage)."],
  ['staging.stage a plain object', () => ({ staging: untyped({ stage: { stageName: 'Staging' } }) }),
    "staging.stage: an object with keys stageName is not a CDK Stage. Pass a CDK Stage with the application's stacks, e.g. new MyStage(app, 'Staging', { env })."],
  ['production null', () => ({ production: untyped(null) }),
    "production: the property is required but was null. Pass the production environments, e.g. { stages: [new MyStage(app, 'Production', { env })] }."],
  ['production.stages a single Stage', f => ({ production: untyped({ stages: f.production[0] }) }),
    "production.stages: the AppStage 'Prod-us-east-1' is not a list. Pass the production Stages, e.g. [new MyStage(app, 'Production', { env })]."],
  ['production.stages holding null', f => ({ production: untyped({ stages: [f.production[0], null] }) }),
    "production.stages[1]: the list holds null. Remove it, or pass the production Stages, e.g. [new MyStage(app, 'Production', { env })]."],
  ['production.stages holding a string', () => ({ production: untyped({ stages: ['Prod'] }) }),
    `production.stages[0]: 'Prod' is not a CDK Stage. ${STAGE_FIX}`],
  ['production.waves an object', () => ({ production: untyped({ waves: {} }) }),
    "production.waves: an object with no keys is not a list. Pass ordered waves, e.g. [{ name: 'canary', stages: [canary] }, { name: 'rest', stages: [europe, asia] }]."],
  ['production.waves holding null', () => ({ production: untyped({ waves: [null] }) }),
    "production.waves[0]: the list holds null. Remove it, or pass ordered waves, e.g. [{ name: 'canary', stages: [canary] }, { name: 'rest', stages: [europe, asia] }]."],
  ['production.waves[].name null', f => ({ production: untyped({ waves: [{ name: null, stages: [f.production[0]] }] }) }),
    "production.waves[0].name: null is not a valid wave name. Use 1 to 89 letters, digits, '.', '@', '-' or '_' (it becomes the CodePipeline stage name 'Production-null')."],
  ['production.waves[].stages missing', () => ({ production: untyped({ waves: [{ name: 'canary' }] }) }),
    "production.waves[0].stages: the property is required but was not given. Pass the Stages of the wave 'canary', e.g. [new MyStage(app, 'Canary', { env })]."],
  ['production.waves[].stages holding undefined', () => ({ production: untyped({ waves: [{ name: 'canary', stages: [undefined] }] }) }),
    "production.waves[0].stages[0]: the list holds nothing (undefined). Remove it, or pass the Stages of the wave 'canary'."],
  ['tests an object', () => ({ tests: untyped({ name: 'UnitTests' }) }),
    "tests: an object with keys name is not a list. Pass test steps, e.g. [{ name: 'UnitTests', commands: ['npm ci', 'npm test'] }]."],
  ['tests holding null', () => ({ tests: untyped([null]) }),
    "tests[0]: the list holds null. Remove it, or pass test steps, e.g. [{ name: 'UnitTests', commands: ['npm ci', 'npm test'] }]."],
  ['tests[].name null', () => test0({ name: null }),
    "tests[0].name: null is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name)."],
  ['tests[].name a number', () => test0({ name: 7 }),
    "tests[0].name: 7 is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name)."],
  ['tests[].commands null', () => test0({ commands: null }),
    "tests[0].commands (step 'UnitTests'): null is not a list of commands. Give the test step the commands that run the tests, e.g. ['npm ci', 'npm test']."],
  ['tests[].commands holding null', () => test0({ commands: ['npm ci', null] }),
    "tests[0].commands[1] (step 'UnitTests'): null is not a command (a string). Give the test step the commands that run the tests, e.g. ['npm ci', 'npm test']."],
  ['tests[].junitReportPaths a string', () => test0({ junitReportPaths: 'junit.xml' }),
    "tests[0].junitReportPaths: 'junit.xml' is not a list. Pass report paths, e.g. ['test-reports/junit.xml']."],
  ['tests[].env a list', () => test0({ env: ['A=1'] }),
    "tests[0].env: an array of 1 is not a map of names to values. Pass variable names and values, e.g. { STAGE: 'staging' }."],
  ['staging.verify an object', f => ({ staging: untyped({ stage: f.staging, verify: { name: 'Smoke' } }) }),
    "staging.verify: an object with keys name is not a list. Pass verification steps, e.g. [{ name: 'SmokeTest', commands: ['curl --fail \"$URL\"'] }]."],
  ['staging.verify holding null', f => ({ staging: untyped({ stage: f.staging, verify: [null] }) }),
    "staging.verify[0]: the list holds null. Remove it, or pass verification steps, e.g. [{ name: 'SmokeTest', commands: ['curl --fail \"$URL\"'] }]."],
  ['staging.verify[].commands missing', f => verify(f, { commands: undefined }),
    "staging.verify[0].commands (step 'Smoke'): nothing (undefined) is not a list of commands. Give the verification step the commands that check the deployed environment."],
  ['staging.migrations holding null', f => ({ staging: untyped({ stage: f.staging, migrations: [null] }) }),
    "staging.migrations[0]: the list holds null. Remove it, or pass migrations, e.g. [{ name: 'Migrate', commands: ['npm run migrate'] }]."],
  ['staging.requireManualApproval a string', f => ({ staging: untyped({ stage: f.staging, requireManualApproval: 'yes' }) }),
    "staging.requireManualApproval: 'yes' is not a boolean. Pass true or false (true gates the environment with a manual approval)."],
  ['envFromOutputs a string', f => verify(f, { envFromOutputs: 'URL' }),
    "staging.verify[0].envFromOutputs: 'URL' is not a map of variable names to CfnOutputs. Pass e.g. { URL: stage.urlOutput }."],
  ['envFromOutputs value null', f => verify(f, { envFromOutputs: { URL: null } }),
    'staging.verify[0].envFromOutputs.URL: null is not a CfnOutput. Pass a CfnOutput of a stack in a Stage the pipeline deploys, e.g. { URL: stage.urlOutput }.'],
  ['envFromOutputs value the output\'s value', f => verify(f, { envFromOutputs: { URL: 'https://example.com' } }),
    "staging.verify[0].envFromOutputs.URL: 'https://example.com' is not a CfnOutput. Pass a CfnOutput of a stack in a Stage the pipeline deploys, e.g. { URL: stage.urlOutput }."],
  ['bake.alarms null', f => ({ production: untyped({ stages: f.production, bake: { alarms: null, duration: Duration.minutes(5) } }) }),
    'production.bake.alarms: the property is required but was null. Pass the CloudWatch alarms to watch, e.g. [errorAlarm].'],
  ['bake.duration a number', f => ({ production: untyped({ stages: f.production, bake: { alarms: [], duration: 30 } }) }),
    'production.bake.duration: 30 is not a Duration. Pass the bake time, e.g. Duration.minutes(30).'],
  ['approval a string', () => ({ approval: untyped('please check') }),
    "approval: 'please check' is not an object. Pass the approval settings, e.g. { comment: 'Check the staging dashboard.' }."],
  ['approval.notifyEmails a string', () => ({ approval: untyped({ notifyEmails: 'ops@example.com' }) }),
    "approval.notifyEmails: 'ops@example.com' is not a list. Pass e-mail addresses, e.g. ['release-managers@example.com']."],
  ['approval.timeout a number', () => ({ approval: untyped({ timeout: 60 }) }),
    'approval.timeout: 60 is not a Duration. Pass a Duration from 5 minutes to 60 days, e.g. Duration.hours(8).'],
  ['approval.comment a number', () => ({ approval: untyped({ comment: 42 }) }),
    "approval.comment: 42 is not a string. Pass text, e.g. 'Check the staging dashboard.'."],
  ['requireManualApproval the string false', () => ({ requireManualApproval: untyped('false') }),
    "requireManualApproval: 'false' is not a boolean. Pass true or false (true for continuous delivery, false for continuous deployment)."],
  ['useChangeSets a number', () => ({ useChangeSets: untyped(0) }),
    'useChangeSets: 0 is not a boolean. Pass true or false (false deploys each stack with one action).'],
  ['crossAccountKeys a string', () => ({ crossAccountKeys: untyped('true') }),
    "crossAccountKeys: 'true' is not a boolean. Pass true or false (true encrypts the artifacts with a customer-managed KMS key)."],

  ['synth.computeType not a compute type', () => ({ synth: untyped({ commands: ['a'], computeType: 'HUGE' }) }),
    "synth.computeType: 'HUGE' is not a CodeBuild compute type. Pass a codebuild.ComputeType, e.g. codebuild.ComputeType.MEDIUM."],
  ['tests[].computeType not a compute type', () => test0({ computeType: 'SMALL' }),
    "tests[0].computeType: 'SMALL' is not a CodeBuild compute type. Pass a codebuild.ComputeType, e.g. codebuild.ComputeType.MEDIUM."],
  ['deploymentWindow a cron string', f => ({ production: untyped({ stages: f.production, deploymentWindow: '* * 9-16 ? * MON-FRI' }) }),
    "production.deploymentWindow: '* * 9-16 ? * MON-FRI' is not a DeploymentWindow. Pass a window from a factory, e.g. DeploymentWindow.weekly({ startHour: 9, endHour: 16, days: 'MON-THU', timeZone: 'Europe/Berlin' })."],
  ['wave deploymentWindow a plain object', f => ({ production: untyped({ waves: [{ name: 'eu', stages: [f.production[0]], deploymentWindow: { expression: '* * 9 ? * *' } }] }) }),
    "production.waves[0].deploymentWindow: an object with keys expression is not a DeploymentWindow. Pass a window from a factory, e.g. DeploymentWindow.weekly({ startHour: 9, endHour: 16, days: 'MON-THU', timeZone: 'Europe/Berlin' })."],
  ['bake.alarms holding an alarm ARN string', f => ({ production: untyped({ stages: f.production, bake: { alarms: ['arn:aws:cloudwatch:us-east-1:111111111111:alarm:Errors'], duration: Duration.minutes(5) } }) }),
    "production.bake.alarms[0]: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:Errors' is not a cloudwatch.IAlarm. Pass an alarm, e.g. cloudwatch.Alarm.fromAlarmArn(this, 'Errors', arn)."],
  ['migration vpc a VPC id', f => ({ staging: untyped({ stage: f.staging, migrations: [{ name: 'Migrate', commands: ['a'], vpc: 'vpc-0abc' }] }) }),
    "staging.migrations[0].vpc: 'vpc-0abc' is not an ec2.IVpc. Pass the VPC to run in, e.g. ec2.Vpc.fromLookup(this, 'Vpc', { vpcId })."],
  ['migration securityGroups holding a group id', f => ({ staging: untyped({ stage: f.staging, migrations: [{ name: 'Migrate', commands: ['a'], securityGroups: ['sg-0abc'] }] }) }),
    "staging.migrations[0].securityGroups[0]: 'sg-0abc' is not an ec2.ISecurityGroup. Pass a security group, e.g. ec2.SecurityGroup.fromSecurityGroupId(this, 'Db', id)."],
  ['approval.notificationTopic a topic ARN', () => ({ approval: untyped({ notificationTopic: 'arn:aws:sns:us-east-1:111111111111:approvers' }) }),
    "approval.notificationTopic: 'arn:aws:sns:us-east-1:111111111111:approvers' is not an sns.ITopic. Pass a topic, e.g. sns.Topic.fromTopicArn(this, 'Approvers', arn)."],
  ['notifications.targets null', () => ({ notifications: untyped({ targets: null }) }),
    "notifications.targets: the property is required but was null. Pass targets, e.g. [NotificationTarget.email('release-team@example.com')]."],
  ['notifications.targets holding an e-mail string', () => ({ notifications: untyped({ targets: ['release-team@example.com'] }) }),
    "notifications.targets[0]: 'release-team@example.com' is not a NotificationTarget. Pass a target, e.g. NotificationTarget.email('release-team@example.com')."],
  ['artifactRetention a number of days', () => ({ artifactRetention: untyped(90) }),
    'artifactRetention: 90 is not a Duration. Pass whole days, e.g. Duration.days(90).'],
  ['logRetention a name', () => ({ logRetention: untyped('ONE_YEAR') }),
    "logRetention: 'ONE_YEAR' is not a logs.RetentionDays value. Pass e.g. logs.RetentionDays.ONE_YEAR."],

  // Secret ids, wherever a step takes them.
  ['tests secretEnv empty', () => test0({ secretEnv: { TOKEN: '' } }), `tests[0].secretEnv.TOKEN: '' has no secret id. ${SECRET_FIX}`],
  ['tests secretEnv blank', () => test0({ secretEnv: { TOKEN: '   ' } }), `tests[0].secretEnv.TOKEN: '   ' has no secret id. ${SECRET_FIX}`],
  ['tests secretEnv only a json key', () => test0({ secretEnv: { TOKEN: ':token' } }), `tests[0].secretEnv.TOKEN: ':token' has no secret id. ${SECRET_FIX}`],
  ['tests secretEnv null', () => test0({ secretEnv: { TOKEN: null } }), `tests[0].secretEnv.TOKEN: null is not a string. ${SECRET_FIX}`],
  ['verify secretEnv blank', f => verify(f, { secretEnv: { SENTRY_AUTH_TOKEN: ' ' } }), `staging.verify[0].secretEnv.SENTRY_AUTH_TOKEN: ' ' has no secret id. ${SECRET_FIX}`],
  ['verify secretEnv spaces around the id', f => verify(f, { secretEnv: { T: ' release/sentry-token' } }),
    `staging.verify[0].secretEnv.T: ' release/sentry-token' has spaces around the secret id. ${SECRET_FIX}`],
  ['migration secretEnv empty', f => ({ staging: { stage: f.staging, migrations: [{ name: 'Migrate', commands: ['a'], secretEnv: { DATABASE_URL: '' } }] } }),
    `staging.migrations[0].secretEnv.DATABASE_URL: '' has no secret id. ${SECRET_FIX}`],
  ['production wave migration secretEnv blank', f => ({ production: { waves: [{ name: 'eu', stages: [f.production[0]], migrations: [{ name: 'Migrate', commands: ['a'], secretEnv: { DB: '\t' } }] }] } }),
    `production.waves[0].migrations[0].secretEnv.DB: '\t' has no secret id. ${SECRET_FIX}`],
  ['secretEnv a malformed ARN', () => test0({ secretEnv: { T: 'arn:aws:s3:::bucket/key' } }),
    "tests[0].secretEnv.T: 'arn:aws:s3:::bucket/key' is not a Secrets Manager secret ARN. Pass the ARN shown in the console (arn:aws:secretsmanager:region:account:secret:name-suffix) or the secret's name."],
  ['secretEnv variable name with a dash', () => test0({ secretEnv: { 'API-TOKEN': 'release/token' } }),
    "tests[0].secretEnv: 'API-TOKEN' is not a valid environment variable name. Use letters, digits and '_', not starting with a digit."],

  // Limits CodePipeline enforces.
  ['approval comment over 1000 characters', () => ({ approval: { comment: 'x'.repeat(2000) } }),
    `approval.comment: '${'x'.repeat(60)}…' (2000 characters) is too long. CodePipeline accepts 1 to 1000 characters for an approval's comment (CustomData): shorten it and put the details behind reviewUrl, or leave it out for the default comment.`],
  ['approval comment blank', () => ({ approval: { comment: ' ' } }),
    "approval.comment: ' ' is blank. CodePipeline accepts 1 to 1000 characters for an approval's comment (CustomData): shorten it and put the details behind reviewUrl, or leave it out for the default comment."],
  ['approval reviewUrl over 1000 characters', () => ({ approval: { reviewUrl: `https://example.com/${'p'.repeat(990)}` } }),
    `approval.reviewUrl: 'https://example.com/${'p'.repeat(40)}…' (1010 characters) is too long. CodePipeline accepts at most 1000 characters for an approval's review URL (ExternalEntityLink): link to a shorter address.`],
  ['approval reviewUrl empty', () => ({ approval: { reviewUrl: '' } }),
    "approval.reviewUrl: '' is not an http(s) URL. Use the full address of the page to review, e.g. 'https://dashboards.example.com/staging'."],
  ['pipelineName over 100 characters', () => ({ pipelineName: 'p'.repeat(101) }),
    `pipelineName: '${'p'.repeat(60)}…' (101 characters) is not a valid CodePipeline pipeline name. Use 1 to 100 letters, digits, '.', '@', '-' or '_', e.g. 'shop-api', or leave it out for a generated name.`],
  ['pipelineName with a space', () => ({ pipelineName: 'shop api' }),
    "pipelineName: 'shop api' is not a valid CodePipeline pipeline name. Use 1 to 100 letters, digits, '.', '@', '-' or '_', e.g. 'shop-api', or leave it out for a generated name."],
  ['step name over 100 characters', () => ({ tests: [{ name: 'T'.repeat(101), commands: ['a'] }] }),
    `tests[0].name: '${'T'.repeat(60)}…' (101 characters) is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name).`],
  ['wave name over 89 characters', f => ({ production: { waves: [{ name: 'w'.repeat(90), stages: [f.production[0]] }] } }),
    `production.waves[0].name: '${'w'.repeat(60)}…' (90 characters) is not a valid wave name. Use 1 to 89 letters, digits, '.', '@', '-' or '_' (it becomes the CodePipeline stage name 'Production-${'w'.repeat(90)}').`],

  // Outputs read across stages.
  ['staging verification reading a production output', f => verify(f, { envFromOutputs: { URL: f.production[0].url } }),
    "staging.verify[0].envFromOutputs.URL (step 'Smoke'): reads the output 'Prod-us-east-1/Api/Url' of the Stage 'Prod-us-east-1' (production.stages[0]), which deploys after staging, so the output does not exist yet when the step runs. Read an output of staging's own Stage(s) or of an earlier environment, or move the step to production.verify."],
  ['wave verification reading a later wave\'s output', f => ({
    production: {
      waves: [
        { name: 'canary', stages: [f.production[0]], verify: [{ name: 'Check', commands: ['a'], envFromOutputs: { URL: f.production[1].url } }] },
        { name: 'rest', stages: [f.production[1]] },
      ],
    },
  }),
  "production.waves[0].verify[0].envFromOutputs.URL (step 'Check'): reads the output 'Prod-eu-west-1/Api/Url' of the Stage 'Prod-eu-west-1' (production.waves[1].stages[0]), which deploys after production.waves[0], so the output does not exist yet when the step runs. Read an output of production.waves[0]'s own Stage(s) or of an earlier environment, or move the step to production.waves[1].verify."],
  ['verification reading an output of a stack outside the pipeline', f => verify(f, { envFromOutputs: { URL: new CfnOutput(new Stack(f.app, 'Elsewhere'), 'Url', { value: 'x' }) } }),
    "staging.verify[0].envFromOutputs.URL (step 'Smoke'): the output 'Elsewhere/Url' belongs to the stack 'Elsewhere', which no Stage of the pipeline deploys, so no deploy action exports it. Read an output of a stack in staging's Stage(s), or pass the value with 'env' instead."],
  ['verification reading an output of the pipeline stack', f => verify(f, { envFromOutputs: { URL: new CfnOutput(f.stack, 'Url', { value: 'x' }) } }),
    "staging.verify[0].envFromOutputs.URL (step 'Smoke'): the output 'PipelineStack/Url' belongs to the stack 'PipelineStack', which no Stage of the pipeline deploys, so no deploy action exports it. Read an output of a stack in staging's Stage(s), or pass the value with 'env' instead."],
];

describe('bad input from untyped callers and CodePipeline\'s limits', () => {
  test('the table covers enough cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  test.each(cases)('%s', (_name, overrides, message) => {
    expect(attempt(overrides)).toThrow(message);
    // Exact message, not a TypeError from deep inside.
    try {
      attempt(overrides)();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toBe(`PipelineStack/Delivery: ${message}`);
    }
    expect.assertions(3);
  });

  test('no properties at all', () => {
    const f = fixture();
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', untyped(null)))
      .toThrow('DeliveryPipeline: the properties are null. Pass an object with source, synth, staging and production.');
  });

  test('at the limits: a 1000-character comment and review URL, a 100-character pipeline name, secret ARNs and JSON keys are accepted', () => {
    const f = fixture();
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      pipelineName: 'p'.repeat(100),
      approval: { comment: 'x'.repeat(1000), reviewUrl: `https://example.com/${'p'.repeat(980)}` },
      tests: [{
        name: 'UnitTests',
        commands: ['a'],
        secretEnv: { A: 'release/token', B: 'release/db:url', C: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:release/db-AbCdEf:password' },
      }],
    }));
    expect(pipeline.stageNames[0]).toBe('Source');
  });
});

test('the default approval comment stays within CodePipeline\'s 1000 characters: many long migration names are counted', () => {
  const comments = (migrations: number) => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      requireManualApproval: false,
      staging: {
        stage: f.staging,
        migrations: Array.from({ length: migrations }, (_, i) => ({ name: `Migrate${i}-${'m'.repeat(90)}`, commands: ['npm run migrate'] })),
      },
    }));
    // The migration gate's approval (production's change-set review has its own fixed comment).
    return renderedStages(f.stack).flatMap(stage => stage.actions).filter(a => a.actionTypeId.category === 'Approval' && a.name !== 'Review')
      .map(a => String(a.configuration.CustomData));
  };
  const few = comments(2);
  expect(few).toHaveLength(1);
  expect(few[0]).toContain(`Migrate1-${'m'.repeat(90)}`);
  const many = comments(12);
  expect(many).toEqual(['Approve the migration(s) 12 listed in the stage before they run in Staging. It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}']);
});

