import { CfnOutput, Duration, Stack, Stage, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeploymentWindow } from './deployment-window';
import { EnvironmentInput, StepTypes } from './release-input';
import { CommandStepOptions, VerificationStepOptions } from './steps';
import { BUILD_STAGE, isEmailAddress, NAME_PATTERN, PRODUCTION_STAGE, SOURCE_STAGE } from '../contract';
import { MAX_ACTION_CONFIGURATION_VALUE } from '../private/codepipeline-limits';
import { ValidationError } from '../private/errors';

/**
 * Synth-time validation of the release model. Every message names the property, the bad value and the fix.
 */


/** Stage names that the pipeline itself uses and a CDK `Stage` therefore cannot have (the engine adds its own). */
const RESERVED_STAGE_NAMES = [SOURCE_STAGE, BUILD_STAGE];

/** A CDK `Stage` handed to the pipeline, with the property that carried it (for messages). */
export interface PlacedStage {
  readonly stage: Stage;
  readonly property: string;
}

/** A step name with the property that carried it. */
export interface NamedStep {
  readonly name: string;
  readonly property: string;
}

/** The stacks that belong directly to `stage` (not to a nested stage). */
export function stacksOf(stage: Stage): Stack[] {
  return stage.node.findAll().filter((c): c is Stack => Stack.isStack(c) && !c.nested && Stage.of(c) === stage);
}

export function validateStepName(name: string, property: string): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ValidationError(`${property}: ${describe(name)} is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name).`);
  }
}

export function validateWaveName(name: string, property: string): void {
  // The wave becomes the CodePipeline stage `Production-<name>`.
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.length > 100 - `${PRODUCTION_STAGE}-`.length) {
    throw new ValidationError(`${property}: ${describe(name)} is not a valid wave name. Use 1 to 89 letters, digits, '.', '@', '-' or '_' (it becomes the CodePipeline stage name 'Production-${name}').`);
  }
}

export function validateCommands(commands: string[], property: string, fix: string): void {
  if (!Array.isArray(commands)) {
    throw new ValidationError(`${property}: ${describe(commands)} is not a list of commands. ${fix}`);
  }
  commands.forEach((c, i) => {
    if (typeof c !== 'string') {
      throw new ValidationError(`${indexed(property, i)}: ${describe(c)} is not a command (a string). ${fix}`);
    }
  });
  if (commands.length === 0 || commands.every(c => c.trim() === '')) {
    throw new ValidationError(`${property}: ${JSON.stringify(commands)} has no command to run. ${fix}`);
  }
}

export function validateUniqueStepNames(steps: NamedStep[]): void {
  const seen = new Map<string, string>();
  for (const step of steps) {
    const previous = seen.get(step.name);
    if (previous !== undefined) {
      throw new ValidationError(`${step.property}: the step name '${step.name}' is already used by ${previous}. Give every test and verification step a unique name.`);
    }
    seen.set(step.name, step.property);
  }
}

export function validateStages(staging: PlacedStage, production: PlacedStage[], engineStageNames: string[]): void {
  const reserved = [...RESERVED_STAGE_NAMES, ...engineStageNames];
  if (production.length === 0) {
    throw new ValidationError("production: no production Stage was given. Pass at least one CDK Stage in 'production.stages' (or in 'production.waves[].stages').");
  }
  const all = [staging, ...production];

  const seen = new Map<Stage, string>();
  for (const placed of all) {
    const previous = seen.get(placed.stage);
    if (previous !== undefined) {
      throw new ValidationError(`${placed.property}: the Stage '${placed.stage.node.path}' is already used as ${previous}. A Stage deploys to one environment: create one Stage instance per environment.`);
    }
    seen.set(placed.stage, placed.property);

    if (reserved.includes(placed.stage.stageName)) {
      throw new ValidationError(`${placed.property}: the Stage name '${placed.stage.stageName}' is reserved for the pipeline's own '${placed.stage.stageName}' stage. Give the Stage another construct id.`);
    }

    if (stacksOf(placed.stage).length === 0) {
      throw new ValidationError(`${placed.property}: the Stage '${placed.stage.node.path}' has no stacks, so it would deploy nothing. Add the application's stacks to the Stage (new MyStack(stage, 'Id')) before handing it to the pipeline.`);
    }
  }

  const stagingTargets = targetsOf(staging.stage);
  for (const placed of production) {
    for (const target of targetsOf(placed.stage)) {
      if (stagingTargets.has(target)) {
        const [account, region] = target.split('/');
        throw new ValidationError(`${placed.property}: the Stage '${placed.stage.node.path}' targets account ${account} region ${region}, the same as staging ('${staging.stage.node.path}'). Staging must be a separate environment: deploy it to another account or region.`);
      }
    }
  }
}

/** `account/region` of every stack in the stage whose environment is known at synth time. */
function targetsOf(stage: Stage): Set<string> {
  const targets = new Set<string>();
  for (const stack of stacksOf(stage)) {
    if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) {
      targets.add(`${stack.account}/${stack.region}`);
    }
  }
  return targets;
}

/** The approval settings the validator needs (kept engine-independent). */
export interface ApprovalSettings {
  readonly reviewUrl?: string;
  readonly notifyEmails?: string[];
  readonly timeout?: Duration;
  readonly comment?: string;
}


export function validateApproval(approval: ApprovalSettings, property: string): void {
  if (approval.timeout && !Token.isUnresolved(approval.timeout.toSeconds())) {
    const minutes = approval.timeout.toSeconds() / 60;
    if (minutes < 5 || minutes > 86400 || !Number.isInteger(minutes)) {
      throw new ValidationError(`${property}.timeout: ${approval.timeout.toHumanString()} is outside what CodePipeline allows for a manual approval. Use whole minutes from Duration.minutes(5) to Duration.days(60).`);
    }
  }
  for (const email of approval.notifyEmails ?? []) {
    if (!Token.isUnresolved(email) && !isEmailAddress(email)) {
      throw new ValidationError(`${property}.notifyEmails: '${email}' is not an e-mail address. Use addresses such as 'release-managers@example.com'.`);
    }
  }
  if (approval.comment !== undefined && !Token.isUnresolved(approval.comment)
    && (approval.comment.trim() === '' || approval.comment.length > MAX_ACTION_CONFIGURATION_VALUE)) {
    throw new ValidationError(`${property}.comment: ${describe(approval.comment)} is ${approval.comment.trim() === '' ? 'blank' : 'too long'}. CodePipeline accepts 1 to ${MAX_ACTION_CONFIGURATION_VALUE} characters for an approval's comment (CustomData): shorten it and put the details behind reviewUrl, or leave it out for the default comment.`);
  }
  if (approval.reviewUrl !== undefined && !Token.isUnresolved(approval.reviewUrl) && approval.reviewUrl.length > MAX_ACTION_CONFIGURATION_VALUE) {
    throw new ValidationError(`${property}.reviewUrl: ${describe(approval.reviewUrl)} is too long. CodePipeline accepts at most ${MAX_ACTION_CONFIGURATION_VALUE} characters for an approval's review URL (ExternalEntityLink): link to a shorter address.`);
  }
  if (approval.reviewUrl !== undefined && !Token.isUnresolved(approval.reviewUrl) && !/^https?:\/\/\S+$/.test(approval.reviewUrl)) {
    throw new ValidationError(`${property}.reviewUrl: '${approval.reviewUrl}' is not an http(s) URL. Use the full address of the page to review, e.g. 'https://dashboards.example.com/staging'.`);
  }
}

/*
 * Untyped callers. jsii languages (Python, Java, .NET, Go) and plain JavaScript can pass null, nothing or a value
 * of another type where TypeScript would not compile: every property is checked here before it is used.
 */

/** A value as a message shows it: `null`, `'text'`, `42`, `an array of 2`, `the Stack 'App/Api'`. */
export function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing (undefined)';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'string') {
    return `'${value.length > 60 ? `${value.slice(0, 60)}…' (${value.length} characters)` : `${value}'`}`;
  }
  if (typeof value !== 'object') {
    return typeof value === 'function' ? 'a function' : String(value);
  }
  if (Array.isArray(value)) {
    return `an array of ${value.length}`;
  }
  if (Construct.isConstruct(value)) {
    // aws-cdk-lib's bundled classes can carry a numeric suffix (Stack2).
    return `the ${Stack.isStack(value) ? 'Stack' : value.constructor.name} '${value.node.path}'`;
  }
  const name = value.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : `an object with ${Object.keys(value).length === 0 ? 'no keys' : `keys ${Object.keys(value).join(', ')}`}`;
}

/** `tests[0].commands (step 'x')` → `tests[0].commands[2] (step 'x')`. */
function indexed(property: string, i: number | string): string {
  const key = typeof i === 'number' ? `[${i}]` : `.${i}`;
  const space = property.indexOf(' ');
  return space < 0 ? `${property}${key}` : `${property.slice(0, space)}${key}${property.slice(space)}`;
}

function required(value: unknown, property: string, fix: string): void {
  if (value === undefined || value === null) {
    throw new ValidationError(`${property}: the property is required but was ${value === null ? 'null' : 'not given'}. Pass ${fix}.`);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, property: string, fix: string): void {
  required(value, property, fix);
  if (!isObject(value)) {
    throw new ValidationError(`${property}: ${describe(value)} is not an object. Pass ${fix}.`);
  }
}

/** An optional list whose items `item` checks (null counts as not given). */
export function list<T>(value: T[] | undefined, property: string, fix: string, item?: (v: T, p: string) => void): void {
  if (value === undefined || value === null) {
    return;
  }
  if (!Array.isArray(value)) {
    throw new ValidationError(`${property}: ${describe(value)} is not a list. Pass ${fix}.`);
  }
  value.forEach((v, i) => {
    if (v === undefined || v === null) {
      throw new ValidationError(`${property}[${i}]: the list holds ${describe(v)}. Remove it, or pass ${fix}.`);
    }
    item?.(v, `${property}[${i}]`);
  });
}

function stringList(value: string[] | undefined, property: string, fix: string): void {
  list(value, property, fix, (v, p) => {
    if (typeof v !== 'string') {
      throw new ValidationError(`${p}: ${describe(v)} is not a string. Pass ${fix}.`);
    }
  });
}

function stringMap(value: Record<string, string> | undefined, property: string, fix: string): void {
  if (value === undefined || value === null) {
    return;
  }
  if (!isObject(value)) {
    throw new ValidationError(`${property}: ${describe(value)} is not a map of names to values. Pass ${fix}.`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new ValidationError(`${property}.${key}: ${describe(v)} is not a string. Pass ${fix}.`);
    }
  }
}

function optionalBoolean(value: unknown, property: string, meaning: string): void {
  if (value !== undefined && value !== null && typeof value !== 'boolean') {
    throw new ValidationError(`${property}: ${describe(value)} is not a boolean. Pass true or false (${meaning}).`);
  }
}

function optionalInstance(value: unknown, type: Function, property: string, fix: string): void {
  if (value !== undefined && value !== null && !(value instanceof type)) {
    throw new ValidationError(`${property}: ${describe(value)} is not a ${type.name}. Pass ${fix}.`);
  }
}

/** An interface value (an `IVpc`, `ITopic`, `IAlarm`…) recognised by a member every implementation has. */
export function optionalInterface(value: unknown, member: string, type: string, property: string, fix: string): void {
  if (value !== undefined && value !== null && !(isObject(value) && value[member] !== undefined)) {
    throw new ValidationError(`${property}: ${describe(value)} is not ${type}. Pass ${fix}.`);
  }
}

function aStage(value: unknown, property: string): void {
  const fix = `a CDK Stage with the application's stacks, e.g. new MyStage(app, '${property.startsWith('staging') ? 'Staging' : 'Production'}', { env })`;
  required(value, property, fix);
  if (!Stage.isStage(value)) {
    throw new ValidationError(`${property}: ${describe(value)} is not a CDK Stage. Pass ${fix}${Stack.isStack(value) ? ' (put the stack inside a Stage)' : ''}.`);
  }
}

/**
 * The secret names or ARNs a step reads from Secrets Manager (`secretEnv`). An empty id would render a CodeBuild
 * variable that fails only when the build starts.
 */
export function validateSecretEnv(secretEnv: Record<string, string> | undefined, property: string): void {
  const fix = "a secret name or ARN, optionally with ':json-key', e.g. { DATABASE_URL: 'prod/service/database:url' }";
  stringMap(secretEnv, property, fix);
  for (const [name, secret] of Object.entries(secretEnv ?? {})) {
    // CodeBuild's format: secret-id:json-key:version-stage:version-id, where the secret id may be an ARN.
    const id = secret.startsWith('arn:') ? secret.split(':').slice(0, 7).join(':') : secret.split(':')[0];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ValidationError(`${property}: '${name}' is not a valid environment variable name. Use letters, digits and '_', not starting with a digit.`);
    }
    if (Token.isUnresolved(secret)) {
      continue;
    }
    if (id.trim() === '' || id !== id.trim()) {
      throw new ValidationError(`${property}.${name}: ${describe(secret)} has ${id.trim() === '' ? 'no secret id' : 'spaces around the secret id'}. Pass ${fix}.`);
    }
    if (id.startsWith('arn:') && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(id)) {
      throw new ValidationError(`${property}.${name}: '${id}' is not a Secrets Manager secret ARN. Pass the ARN shown in the console (arn:aws:secretsmanager:region:account:secret:name-suffix) or the secret's name.`);
    }
  }
}

/** A test, verification or migration step as an untyped caller may pass it. */
function commandStep(step: CommandStepOptions, property: string): void {
  object(step, property, "a step, e.g. { name: 'UnitTests', commands: ['npm ci', 'npm test'] }");
  stringList(step.installCommands, `${property}.installCommands`, "the install-phase commands, e.g. ['n 22']");
  stringMap(step.env, `${property}.env`, "variable names and values, e.g. { STAGE: 'staging' }");
  validateSecretEnv(step.secretEnv, `${property}.secretEnv`);
}

/** The engine's checks of its own step settings, for untyped callers (`tests[0].computeType`, `…migrations[0].vpc`). */
export interface EngineInputChecks {
  readonly synth: (synth: object, property: string) => void;
  readonly test: (test: object, property: string) => void;
  readonly migration: (migration: object, property: string) => void;
}

function environment(env: EnvironmentInput<StepTypes>, property: string, engine: EngineInputChecks): void {
  optionalBoolean(env.requireManualApproval, `${property}.requireManualApproval`, 'true gates the environment with a manual approval');
  list(env.verify, `${property}.verify`, "verification steps, e.g. [{ name: 'SmokeTest', commands: ['curl --fail \"$URL\"'] }]", (v, p) => {
    commandStep(v, p);
    const outputs = (v as VerificationStepOptions).envFromOutputs;
    if (outputs !== undefined && outputs !== null && !isObject(outputs)) {
      throw new ValidationError(`${p}.envFromOutputs: ${describe(outputs)} is not a map of variable names to CfnOutputs. Pass e.g. { URL: stage.urlOutput }.`);
    }
    for (const [name, output] of Object.entries(outputs ?? {})) {
      if (!(output instanceof CfnOutput)) {
        throw new ValidationError(`${p}.envFromOutputs.${name}: ${describe(output)} is not a CfnOutput. Pass a CfnOutput of a stack in a Stage the pipeline deploys, e.g. { ${name}: stage.urlOutput }.`);
      }
    }
  });
  list(env.migrations, `${property}.migrations`, "migrations, e.g. [{ name: 'Migrate', commands: ['npm run migrate'] }]", (m, p) => {
    commandStep(m, p);
    engine.migration(m, p);
  });
  optionalInstance(env.deploymentWindow, DeploymentWindow, `${property}.deploymentWindow`,
    "a window from a factory, e.g. DeploymentWindow.weekly({ startHour: 9, endHour: 16, days: 'MON-THU', timeZone: 'Europe/Berlin' })");
  if (env.bake !== undefined && env.bake !== null) {
    object(env.bake, `${property}.bake`, 'the alarms and the bake time, e.g. { alarms: [errors], duration: Duration.minutes(30) }');
    required(env.bake.alarms, `${property}.bake.alarms`, 'the CloudWatch alarms to watch, e.g. [errorAlarm]');
    list(env.bake.alarms, `${property}.bake.alarms`, 'the CloudWatch alarms to watch, e.g. [errorAlarm]', (a, p) =>
      optionalInterface(a, 'alarmArn', 'a cloudwatch.IAlarm', p, "an alarm, e.g. cloudwatch.Alarm.fromAlarmArn(this, 'Errors', arn)"));
    required(env.bake.duration, `${property}.bake.duration`, 'the bake time, e.g. Duration.minutes(30)');
    optionalInstance(env.bake.duration, Duration, `${property}.bake.duration`, 'the bake time, e.g. Duration.minutes(30)');
  }
}

/** What `validateInput` reads of the construct's properties. */
export interface InputShape {
  readonly source: unknown;
  readonly synth: { readonly commands: string[]; readonly installCommands?: string[]; readonly env?: Record<string, string> };
  readonly tests?: CommandStepOptions[];
  readonly staging: EnvironmentInput<StepTypes> & { readonly stage: Stage };
  readonly production: EnvironmentInput<StepTypes> & {
    readonly stages?: Stage[];
    readonly waves?: Array<EnvironmentInput<StepTypes> & { readonly name: string; readonly stages: Stage[] }>;
  };
  readonly approval?: ApprovalSettings & { readonly notificationTopic?: unknown };
  readonly notifications?: { readonly targets: unknown[]; readonly events?: unknown[] };
  readonly artifactRetention?: Duration;
  readonly logRetention?: number;
}

/**
 * The shape of the properties, before anything uses them: every required property is there and every value has
 * the type the API declares. Property-specific rules (names, limits, environments) come after.
 */
export function validateInput(props: InputShape, flags: Record<string, string>, engine: EngineInputChecks): void {
  if (!isObject(props)) {
    throw new ValidationError(`DeliveryPipeline: the properties are ${describe(props)}. Pass an object with source, synth, staging and production.`);
  }
  required(props.source, 'source', "a PipelineSource, e.g. PipelineSource.connection('owner/repo', 'main', { connectionArn })");
  if (typeof (props.source as { toCodePipelineSource?: unknown }).toCodePipelineSource !== 'function') {
    throw new ValidationError(`source: ${describe(props.source)} is not a PipelineSource. Create one with a factory, e.g. PipelineSource.connection('owner/repo', 'main', { connectionArn }).`);
  }
  object(props.synth, 'synth', "the build, e.g. { commands: ['npm ci', 'npx cdk synth'] }");
  required(props.synth.commands, 'synth.commands', "the commands that build the app and run 'cdk synth', e.g. ['npm ci', 'npm run build', 'npx cdk synth']");
  stringList(props.synth.installCommands, 'synth.installCommands', "the install-phase commands, e.g. ['n 22']");
  stringMap(props.synth.env, 'synth.env', "variable names and values, e.g. { NODE_OPTIONS: '--max-old-space-size=4096' }");
  engine.synth(props.synth, 'synth');
  list(props.tests, 'tests', "test steps, e.g. [{ name: 'UnitTests', commands: ['npm ci', 'npm test'] }]", (t, p) => {
    commandStep(t, p);
    engine.test(t, p);
    stringList((t as { junitReportPaths?: string[] }).junitReportPaths, `${p}.junitReportPaths`, "report paths, e.g. ['test-reports/junit.xml']");
  });

  object(props.staging, 'staging', "the staging environment, e.g. { stage: new MyStage(app, 'Staging', { env }) }");
  if (Stage.isStage(props.staging)) {
    throw new ValidationError(`staging: ${describe(props.staging)} was passed directly. Pass it as the environment's stage: staging: { stage: ${props.staging.node.id === 'Staging' ? 'staging' : 'myStage'}, verify: [...] }.`);
  }
  required(props.staging.stage, 'staging.stage', "the CDK Stage to deploy and verify before production, e.g. { stage: new MyStage(app, 'Staging', { env }) }");
  aStage(props.staging.stage, 'staging.stage');
  environment(props.staging, 'staging', engine);

  object(props.production, 'production', "the production environments, e.g. { stages: [new MyStage(app, 'Production', { env })] }");
  list(props.production.stages, 'production.stages', "the production Stages, e.g. [new MyStage(app, 'Production', { env })]", aStage);
  list(props.production.waves, 'production.waves', "ordered waves, e.g. [{ name: 'canary', stages: [canary] }, { name: 'rest', stages: [europe, asia] }]", (w, p) => {
    object(w, p, "a wave, e.g. { name: 'canary', stages: [canary] }");
    validateWaveName(w.name, `${p}.name`);
    required(w.stages, `${p}.stages`, `the Stages of the wave '${w.name}', e.g. [new MyStage(app, 'Canary', { env })]`);
    list(w.stages, `${p}.stages`, `the Stages of the wave '${w.name}'`, aStage);
    environment(w, p, engine);
  });
  environment(props.production, 'production', engine);

  if (props.approval !== undefined && props.approval !== null) {
    object(props.approval, 'approval', "the approval settings, e.g. { comment: 'Check the staging dashboard.' }");
    stringList(props.approval.notifyEmails, 'approval.notifyEmails', "e-mail addresses, e.g. ['release-managers@example.com']");
    optionalInstance(props.approval.timeout, Duration, 'approval.timeout', 'a Duration from 5 minutes to 60 days, e.g. Duration.hours(8)');
    optionalInterface(props.approval.notificationTopic, 'topicArn', 'an sns.ITopic', 'approval.notificationTopic', "a topic, e.g. sns.Topic.fromTopicArn(this, 'Approvers', arn)");
    for (const key of ['comment', 'reviewUrl'] as const) {
      if (props.approval[key] !== undefined && props.approval[key] !== null && typeof props.approval[key] !== 'string') {
        throw new ValidationError(`approval.${key}: ${describe(props.approval[key])} is not a string. Pass text, e.g. ${key === 'comment' ? "'Check the staging dashboard.'" : "'https://dashboards.example.com/staging'"}.`);
      }
    }
  }
  if (props.notifications !== undefined && props.notifications !== null) {
    const fix = "a target, e.g. NotificationTarget.email('release-team@example.com')";
    object(props.notifications, 'notifications', "the events and targets, e.g. { targets: [NotificationTarget.email('release-team@example.com')] }");
    required(props.notifications.targets, 'notifications.targets', "targets, e.g. [NotificationTarget.email('release-team@example.com')]");
    list(props.notifications.targets, 'notifications.targets', fix, (t, p) => optionalInterface(t, 'description', 'a NotificationTarget', p, fix));
    list(props.notifications.events, 'notifications.events', 'PipelineEvent values, e.g. [PipelineEvent.EXECUTION_FAILED]');
  }
  optionalInstance(props.artifactRetention, Duration, 'artifactRetention', 'whole days, e.g. Duration.days(90)');
  if (props.logRetention !== undefined && props.logRetention !== null && typeof props.logRetention !== 'number') {
    throw new ValidationError(`logRetention: ${describe(props.logRetention)} is not a logs.RetentionDays value. Pass e.g. logs.RetentionDays.ONE_YEAR.`);
  }
  for (const [key, meaning] of Object.entries(flags)) {
    optionalBoolean((props as unknown as Record<string, unknown>)[key], key, meaning);
  }
}

/** One placed Stage, as `validateOutputReferences` sees it. */
export interface DeployedEnvironment {
  /** Property path of the environment (`staging`, `production`, `production.waves[1]`). */
  readonly property: string;
  readonly stages: Stage[];
  readonly stageProperty: (index: number) => string;
  readonly verify: VerificationStepOptions[];
}

/**
 * A verification step reads stack outputs through the deploy actions' variables: it can only read outputs of
 * stacks deployed before it runs, i.e. in its own environment or an earlier one (CDK Pipelines otherwise reports
 * "Dependency cycle in graph", or that the stack "is not in the pipeline").
 */
export function validateOutputReferences(environments: DeployedEnvironment[]): void {
  const owner = new Map<Stack, { readonly env: number; readonly property: string; readonly stage: Stage }>();
  environments.forEach((env, e) => env.stages.forEach((s, j) => stacksOf(s).forEach(stack =>
    owner.set(stack, { env: e, property: env.stageProperty(j), stage: s }))));
  environments.forEach((env, e) => env.verify.forEach((step, i) => {
    for (const [name, output] of Object.entries(step.envFromOutputs ?? {})) {
      const property = `${env.property}.verify[${i}].envFromOutputs.${name} (step '${step.name}')`;
      const stack = Stack.of(output);
      const producer = owner.get(stack);
      if (!producer) {
        throw new ValidationError(`${property}: the output '${output.node.path}' belongs to the stack '${stack.node.path}', which no Stage of the pipeline deploys, so no deploy action exports it. Read an output of a stack in ${env.property}'s Stage(s), or pass the value with 'env' instead.`);
      }
      if (producer.env > e) {
        throw new ValidationError(`${property}: reads the output '${output.node.path}' of the Stage '${producer.stage.node.path}' (${producer.property}), which deploys after ${env.property}, so the output does not exist yet when the step runs. Read an output of ${env.property}'s own Stage(s) or of an earlier environment, or move the step to ${environments[producer.env].property}.verify.`);
      }
    }
  }));
}

/** Length limit of a manual approval's configuration values (`CustomData`, `ExternalEntityLink`). */

/** CodePipeline's pipeline names: 1 to 100 letters, digits, '.', '@', '-' or '_'. */
export function validatePipelineName(name: string | undefined): void {
  if (name === undefined || name === null || Token.isUnresolved(name)) {
    return;
  }
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ValidationError(`pipelineName: ${describe(name)} is not a valid CodePipeline pipeline name. Use 1 to 100 letters, digits, '.', '@', '-' or '_', e.g. 'shop-api', or leave it out for a generated name.`);
  }
}
