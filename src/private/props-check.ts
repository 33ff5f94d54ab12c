import { CfnElement, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ValidationError } from './errors';
import { CALLS, CLASSES, ENUMS, EXTERNAL, INTERFACES, STRUCTS } from './props-types.generated';
import { describe } from '../blueprint/validate';

/*
 * Untyped callers: JavaScript, and Python, Java, .NET and Go through jsii, can pass any value where TypeScript
 * would not compile. Every entry point of the library (constructors, static factories, methods with arguments)
 * calls `checkArguments` first; it checks every argument, and every property of every struct inside it, against
 * the type table generated from the jsii assembly (props-types.generated.ts). A wrong value is an error that names
 * the property path, the value and the expected type, before any feature code reads it.
 *
 * Property-specific rules (names, limits, environments) stay beside their features and run after this check, so
 * they can rely on the types.
 */

/** How a type of another package is recognised, and how messages name it. */
interface ExternalType {
  readonly name: string;
  readonly is: (value: unknown) => boolean;
  /** How to make one, for the message. */
  readonly example: string;
  /** An enum's member names, for the message. */
  readonly members?: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain object (a struct), not a construct, class instance with behaviour or list. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isObject(value) && !Construct.isConstruct(value);
}

/**
 * An interface of another package, recognised by a member every implementation has (imported and L2 resources
 * alike). `instanceof` would fail on a second copy of aws-cdk-lib and on objects jsii hands over from other
 * languages.
 */
function withMember(member: string): (value: unknown) => boolean {
  return value => isObject(value) && value[member] !== undefined && value[member] !== null;
}

/** An enum of another package (a numeric enum's reverse mapping is not a value). */
function externalEnum(name: string, values: object): ExternalType {
  const entries = Object.entries(values).filter(([key]) => !/^\d+$/.test(key));
  const allowed = new Set<unknown>(entries.map(([, v]) => v));
  const members = entries.map(([key]) => key);
  return { name, is: value => allowed.has(value), example: `${name}.${members[0]}`, members };
}

const EXTERNAL_TYPES: { readonly [fqn: string]: ExternalType } = {
  'aws-cdk-lib.CfnOutput': {
    name: 'CfnOutput',
    is: v => CfnElement.isCfnElement(v) && 'value' in (v as object) && 'exportName' in (v as object),
    example: "new CfnOutput(stack, 'Url', { value: url })",
  },
  'aws-cdk-lib.Duration': {
    name: 'Duration',
    is: v => isObject(v) && typeof v.toSeconds === 'function' && typeof v.toHumanString === 'function',
    example: 'Duration.minutes(30)',
  },
  'aws-cdk-lib.Stack': { name: 'Stack', is: v => Stack.isStack(v), example: "new Stack(app, 'Pipeline', { env })" },
  'aws-cdk-lib.Stage': { name: 'Stage', is: v => Stage.isStage(v), example: "new MyStage(app, 'Production', { env })" },
  'aws-cdk-lib.TimeZone': {
    name: 'TimeZone',
    is: v => isObject(v) && typeof v.timezoneName === 'string',
    example: 'TimeZone.EUROPE_BERLIN',
  },
  'aws-cdk-lib.aws_chatbot.ISlackChannelConfiguration': {
    name: 'chatbot.ISlackChannelConfiguration',
    is: withMember('slackChannelConfigurationArn'),
    example: "chatbot.SlackChannelConfiguration.fromSlackChannelConfigurationArn(this, 'Slack', arn)",
  },
  'aws-cdk-lib.aws_cloudwatch.IAlarm': {
    name: 'cloudwatch.IAlarm',
    is: withMember('alarmArn'),
    example: "cloudwatch.Alarm.fromAlarmArn(this, 'Errors', arn)",
  },
  'aws-cdk-lib.aws_cloudwatch.ComparisonOperator': externalEnum('cloudwatch.ComparisonOperator', cloudwatch.ComparisonOperator),
  'aws-cdk-lib.aws_cloudwatch.Metric': {
    name: 'cloudwatch.Metric',
    is: v => isObject(v) && typeof v.metricName === 'string' && typeof v.namespace === 'string' && typeof v.with === 'function',
    example: "new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { FunctionName: name } })",
  },
  'aws-cdk-lib.aws_cloudwatch.TreatMissingData': externalEnum('cloudwatch.TreatMissingData', cloudwatch.TreatMissingData),
  'aws-cdk-lib.aws_cloudwatch.MetricOptions': { name: 'cloudwatch.MetricOptions', is: isPlainObject, example: '{ period: Duration.days(1) }' },
  'aws-cdk-lib.aws_codebuild.Cache': {
    name: 'codebuild.Cache',
    is: v => isObject(v) && typeof v._toCloudFormation === 'function',
    example: 'codebuild.Cache.bucket(cacheBucket)',
  },
  'aws-cdk-lib.aws_codebuild.ComputeType': externalEnum('codebuild.ComputeType', codebuild.ComputeType),
  'aws-cdk-lib.aws_codebuild.IBuildImage': {
    name: 'codebuild.IBuildImage',
    is: v => isObject(v) && typeof v.imageId === 'string' && typeof v.type === 'string',
    example: 'codebuild.LinuxBuildImage.STANDARD_7_0',
  },
  'aws-cdk-lib.aws_codecommit.IRepository': {
    name: 'codecommit.IRepository',
    is: withMember('repositoryCloneUrlHttp'),
    example: "codecommit.Repository.fromRepositoryName(this, 'Repo', 'name')",
  },
  'aws-cdk-lib.aws_codepipeline.ExecutionMode': externalEnum('codepipeline.ExecutionMode', codepipeline.ExecutionMode),
  'aws-cdk-lib.aws_codepipeline.IPipeline': { name: 'codepipeline.IPipeline', is: withMember('pipelineArn'), example: 'delivery.pipeline' },
  'aws-cdk-lib.aws_codestarnotifications.DetailType': externalEnum('codestarnotifications.DetailType', codestarnotifications.DetailType),
  'aws-cdk-lib.aws_ec2.ISecurityGroup': {
    name: 'ec2.ISecurityGroup',
    is: withMember('securityGroupId'),
    example: "ec2.SecurityGroup.fromSecurityGroupId(this, 'Db', id)",
  },
  'aws-cdk-lib.aws_ec2.IVpc': { name: 'ec2.IVpc', is: withMember('vpcId'), example: "ec2.Vpc.fromLookup(this, 'Vpc', { vpcId })" },
  'aws-cdk-lib.aws_ec2.SubnetSelection': { name: 'ec2.SubnetSelection', is: isPlainObject, example: '{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }' },
  'aws-cdk-lib.aws_ecr.IRepository': {
    name: 'ecr.IRepository',
    is: withMember('repositoryUri'),
    example: "ecr.Repository.fromRepositoryName(this, 'Base', 'base-images')",
  },
  'aws-cdk-lib.aws_ecs.Ec2ServiceProps': { name: 'ecs.Ec2ServiceProps', is: isPlainObject, example: '{ cluster, taskDefinition }' },
  'aws-cdk-lib.aws_ecs.FargateServiceProps': { name: 'ecs.FargateServiceProps', is: isPlainObject, example: '{ cluster, taskDefinition }' },
  'aws-cdk-lib.aws_iam.IRole': { name: 'iam.IRole', is: withMember('roleArn'), example: "iam.Role.fromRoleArn(this, 'Role', arn)" },
  'aws-cdk-lib.aws_kms.IKey': { name: 'kms.IKey', is: withMember('keyArn'), example: "kms.Key.fromKeyArn(this, 'Key', arn)" },
  'aws-cdk-lib.aws_lambda.IFunction': {
    name: 'lambda.IFunction',
    is: withMember('functionArn'),
    example: "lambda.Function.fromFunctionArn(this, 'Gate', arn)",
  },
  'aws-cdk-lib.aws_lambda.Function': {
    name: 'lambda.Function',
    is: v => withMember('functionArn')(v) && isObject(v) && 'currentVersion' in v, // 'in': reading the getter would publish a version
    example: "new lambda.Function(this, 'Handler', { ... })",
  },
  // CloudWatch Logs accepts only these retention periods: 8 days or NaN is refused here, not at deployment.
  'aws-cdk-lib.aws_logs.RetentionDays': externalEnum('logs.RetentionDays', logs.RetentionDays),
  'aws-cdk-lib.aws_s3.IBucket': { name: 's3.IBucket', is: withMember('bucketName'), example: "s3.Bucket.fromBucketName(this, 'Source', name)" },
  'aws-cdk-lib.aws_secretsmanager.ISecret': {
    name: 'secretsmanager.ISecret',
    is: withMember('secretArn'),
    example: "secretsmanager.Secret.fromSecretNameV2(this, 'DockerHub', 'dockerhub')",
  },
  'aws-cdk-lib.aws_sns.ITopic': { name: 'sns.ITopic', is: withMember('topicArn'), example: "sns.Topic.fromTopicArn(this, 'Topic', arn)" },
  'aws-cdk-lib.pipelines.CodeBuildOptions': { name: 'pipelines.CodeBuildOptions', is: isPlainObject, example: '{ timeout: Duration.hours(1) }' },
  'aws-cdk-lib.pipelines.Step': {
    name: 'pipelines.Step',
    is: withMember('consumedStackOutputs'),
    example: "new pipelines.ShellStep('Lint', { commands: ['npm run lint'] })",
  },
  'constructs.Construct': { name: 'Construct', is: v => Construct.isConstruct(v), example: 'this (a construct)' },
  'constructs.IConstruct': { name: 'IConstruct', is: v => Construct.isConstruct(v), example: 'stage (a construct)' },
};

/** The type table's types of other packages that `checkArguments` cannot recognise (must be none). */
export function unrecognisedExternalTypes(): string[] {
  return EXTERNAL.filter(fqn => EXTERNAL_TYPES[fqn] === undefined);
}

/** The static factories of one of the library's classes, for messages: `GateRule.noAlarm(...)`. */
function factoriesOf(className: string): string[] {
  return Object.keys(CALLS).filter(k => k.startsWith(`${className}.`) && k !== `${className}.constructor`)
    .map(k => `${k.slice(className.length + 1)}(...)`);
}

function isInstanceOf(value: unknown, className: string): boolean {
  // By name along the prototype chain: the factories return private subclasses, and a second copy of the library
  // (or a jsii proxy) has classes of the same name but another identity.
  for (let p = isObject(value) ? Object.getPrototypeOf(value) : null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === className) {
      return true;
    }
  }
  return false;
}

/** A parsed type of the table: `string`, `T[]`, `{T}`, `A|B`, a name. */
type Parsed =
  | { readonly kind: 'primitive'; readonly name: string }
  | { readonly kind: 'list' | 'map'; readonly element: Parsed }
  | { readonly kind: 'union'; readonly types: Parsed[] }
  | { readonly kind: 'named'; readonly name: string };

const parsedCache = new Map<string, Parsed>();

function parse(text: string): Parsed {
  const cached = parsedCache.get(text);
  if (cached) {
    return cached;
  }
  let parsed: Parsed;
  if (text.includes('|')) {
    parsed = { kind: 'union', types: text.split('|').map(parse) };
  } else if (text.endsWith('[]')) {
    parsed = { kind: 'list', element: parse(text.slice(0, -2)) };
  } else if (text.startsWith('{') && text.endsWith('}')) {
    parsed = { kind: 'map', element: parse(text.slice(1, -1)) };
  } else if (['string', 'number', 'boolean', 'any', 'json', 'date'].includes(text)) {
    parsed = { kind: 'primitive', name: text };
  } else {
    parsed = { kind: 'named', name: text };
  }
  parsedCache.set(text, parsed);
  return parsed;
}

/** What the type is called in a message: `a list of GateRule values`, `a boolean (true or false)`. */
function expected(t: Parsed): string {
  switch (t.kind) {
    case 'primitive':
      return { string: 'a string', number: 'a number', boolean: 'a boolean (true or false)', date: 'a Date', any: 'a value', json: 'a JSON value' }[t.name] ?? t.name;
    case 'list':
      return `a list of ${noun(t.element)}`;
    case 'map':
      return `a map of names to ${noun(t.element)}`;
    case 'union':
      return t.types.map(expected).join(' or ');
    case 'named':
      if (STRUCTS[t.name]) {
        return `an object (${t.name})`;
      }
      if (ENUMS[t.name]) {
        return `a ${t.name} value (${oneOf(t.name, enumMemberNames(t.name))})`;
      }
      if (CLASSES[t.name]) {
        const factories = factoriesOf(t.name);
        return factories.length > 0 ? `a ${t.name} (made with ${oneOf(t.name, factories)})` : `a ${t.name} construct`;
      }
      if (INTERFACES[t.name]) {
        return `an ${t.name} (an object with ${INTERFACES[t.name].map(m => `${m}()`).join(', ')})`;
      }
      const ext = EXTERNAL_TYPES[t.name];
      if (ext?.members) {
        return `a ${ext.name} value (${oneOf(ext.name, ext.members)})`;
      }
      return ext ? `${article(ext.name)} ${ext.name} (e.g. ${ext.example})` : t.name;
  }
}

/** `PullRequestEvent.OPEN, UPDATED or CLOSED`. */
function oneOf(enumName: string, members: string[]): string {
  const all = members.map((m, i) => (i === 0 ? `${enumName}.${m}` : m));
  return all.length === 1 ? all[0] : `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
}

function noun(t: Parsed): string {
  if (t.kind === 'primitive') {
    return { string: 'strings', number: 'numbers', boolean: 'booleans' }[t.name] ?? 'values';
  }
  if (t.kind === 'named') {
    return `${EXTERNAL_TYPES[t.name]?.name ?? t.name} values`;
  }
  return `values (${expected(t)})`;
}

/** The member name of an enum value, for messages: `CommentApproval.DISABLED`. */
function memberName(enumName: string, index: number): string {
  return ENUM_MEMBERS[enumName]?.[index] ?? String(ENUMS[enumName][index]);
}

/**
 * Member names of the library's enums whose values differ from their names (the table holds values). Kept beside
 * the values by a test (test/untyped-callers.test.ts compares it with the compiled enums).
 */
const ENUM_MEMBERS: { readonly [name: string]: readonly string[] } = {
  DeliveryFigure: ['THROUGHPUT', 'DURATION_MEDIAN', 'DURATION_P95', 'SUCCESS_RATE', 'MEAN_TIME_TO_RECOVERY', 'OPEN_FAILURE_EPISODES',
    'DEPLOYMENTS_PER_DAY', 'DEPLOYMENTS_PER_WEEK', 'LEAD_TIME_MEDIAN', 'CHANGE_FAILURE_RATE', 'TIME_TO_RESTORE'],
  VariableCheckOperator: ['EQUALS', 'NOT_EQUALS', 'CONTAINS', 'MATCHES'],
};

/** The member names `memberName` uses, for the test that keeps them in step with the compiled enums. */
export function enumMemberNames(enumName: string): string[] {
  return ENUMS[enumName].map((_, i) => memberName(enumName, i));
}

/** A hint for the commonest mistakes of untyped callers. */
function hint(t: Parsed, value: unknown): string {
  if (t.kind === 'list' && !Array.isArray(value) && matches(t.element, value)) {
    return ' Put the value in a list: [value].';
  }
  if (t.kind === 'primitive' && t.name === 'boolean' && typeof value === 'string') {
    return ` Pass the boolean ${/^(true|yes|on|1)$/i.test(value.trim()) ? 'true' : 'false'} or ${/^(true|yes|on|1)$/i.test(value.trim()) ? 'false' : 'true'}, not a string.`;
  }
  if (t.kind === 'primitive' && t.name === 'string' && typeof value === 'number' && Number.isInteger(value) && value >= 1_000_000 && value < 1_000_000_000_000) {
    // An account id given as a number (it loses its leading zeros, and a number never equals the account's string).
    return ` If it is an AWS account id, pass its 12 digits as a string: '${String(value).padStart(12, '0')}'.`;
  }
  if (t.kind === 'named' && t.name === 'aws-cdk-lib.Duration' && typeof value === 'number') {
    return ` Give the unit: Duration.minutes(${value}), Duration.hours(${value}) or Duration.days(${value}).`;
  }
  if (t.kind === 'named' && t.name === 'aws-cdk-lib.aws_sns.ITopic' && typeof value === 'string') {
    return ` For a topic ARN, pass sns.Topic.fromTopicArn(this, 'Topic', '${value}').`;
  }
  return '';
}

function matches(t: Parsed, value: unknown): boolean {
  try {
    check(t, value, '');
    return true;
  } catch {
    return false;
  }
}

/** `describe`, naming the library's public class rather than the private subclass a factory returned. */
function show(value: unknown): string {
  if (isObject(value) && !Construct.isConstruct(value)) {
    const own = Object.keys(CLASSES).find(c => isInstanceOf(value, c));
    if (own) {
      return `a ${own}`;
    }
  }
  return describe(value);
}

function wrong(t: Parsed, value: unknown, path: string): never {
  const extra = hint(t, value);
  // With a hint that says how to make the value, the type is named without its generic example.
  const type = extra !== '' && t.kind === 'named' && EXTERNAL_TYPES[t.name] ? `${article(EXTERNAL_TYPES[t.name].name)} ${EXTERNAL_TYPES[t.name].name}` : expected(t);
  throw new ValidationError(`${path}: ${show(value)} is not ${type}.${extra}`);
}

/** `an sns.ITopic`, `a Duration`. */
function article(name: string): string {
  return /^(?:[aeiou]|s3\b|sns\b|sqs\b)/i.test(name) ? 'an' : 'a';
}

function check(t: Parsed, value: unknown, path: string): void {
  switch (t.kind) {
    case 'primitive':
      switch (t.name) {
        case 'string':
          if (typeof value !== 'string') wrong(t, value, path);
          return;
        case 'number':
          if (typeof value !== 'number' || Number.isNaN(value)) wrong(t, value, path);
          return;
        case 'boolean':
          if (typeof value !== 'boolean') wrong(t, value, path);
          return;
        case 'date':
          if (!(value instanceof Date) || Number.isNaN(value.getTime())) wrong(t, value, path);
          return;
        default:
          return;
      }
    case 'list':
      if (!Array.isArray(value)) wrong(t, value, path);
      value.forEach((item, i) => {
        if (item === undefined || item === null) {
          throw new ValidationError(`${path}[${i}]: the list holds ${describe(item)}. Remove it, or pass ${expected(t.element)}.`);
        }
        check(t.element, item, `${path}[${i}]`);
      });
      return;
    case 'map':
      if (!isPlainObject(value)) wrong(t, value, path);
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined || item === null) {
          throw new ValidationError(`${path}.${key}: ${describe(item)} is not ${expected(t.element)}. Remove the key, or pass a value.`);
        }
        check(t.element, item, `${path}.${key}`);
      }
      return;
    case 'union':
      if (!t.types.some(u => matches(u, value))) wrong(t, value, path);
      return;
    case 'named':
      checkNamed(t, value, path);
      return;
  }
}

function checkNamed(t: { readonly kind: 'named'; readonly name: string }, value: unknown, path: string): void {
  const struct = STRUCTS[t.name];
  if (struct) {
    if (!isPlainObject(value)) wrong(t, value, path);
    checkStruct(struct, value, path);
    return;
  }
  const values = ENUMS[t.name];
  if (values) {
    if (!values.includes(value as string | number)) wrong(t, value, path);
    return;
  }
  if (CLASSES[t.name]) {
    if (!isInstanceOf(value, t.name)) wrong(t, value, path);
    return;
  }
  const members = INTERFACES[t.name];
  if (members) {
    if (!isObject(value) || members.some(m => typeof value[m] !== 'function')) wrong(t, value, path);
    return;
  }
  const ext = EXTERNAL_TYPES[t.name];
  if (!ext) {
    throw new ValidationError(`internal: the type table names ${t.name}, which props-check.ts cannot recognise`);
  }
  if (!ext.is(value)) wrong(t, value, path);
}

function checkStruct(struct: { readonly [property: string]: string }, value: Record<string, unknown>, path: string): void {
  const at = (name: string) => (path === '' ? name : `${path}.${name}`);
  // Wrong types first, then what is missing: a caller who misspells nothing but passes a string learns that first.
  for (const [name, type] of Object.entries(struct)) {
    const v = value[name];
    if (v !== undefined && v !== null) {
      check(parse(type.endsWith('?') ? type.slice(0, -1) : type), v, at(name));
    }
  }
  for (const [name, type] of Object.entries(struct)) {
    const v = value[name];
    if (!type.endsWith('?') && (v === undefined || v === null)) {
      throw new ValidationError(`${at(name)}: the property is required but was ${v === null ? 'null' : 'not given'}. Pass ${expected(parse(type))}.`);
    }
  }
}

/**
 * Check the arguments of an entry point against the type table. `call` is `Class.constructor` (the arguments after
 * `scope, id`; the props' properties are named as the construct's properties: `staging.gates[0]`) or
 * `Class.method` (named `Class.method(parameter)`: `GateRule.lambda(fn)`, `ReleaseTrigger.onPullRequest(options).events`).
 */
export function checkArguments(call: string, args: readonly unknown[]): void {
  const params = CALLS[call];
  if (!params) {
    throw new ValidationError(`internal: ${call} is not an entry point of the type table (regenerate it: npm run props-table)`);
  }
  const [className, method] = call.split('.');
  params.forEach((param, i) => {
    const colon = param.indexOf(': ');
    const name = param.slice(0, colon);
    const type = param.slice(colon + 2);
    const optional = type.endsWith('?');
    const parsed = parse(optional ? type.slice(0, -1) : type);
    const value = args[i];
    const path = method === 'constructor' ? '' : `${call}(${name})`;
    if (value === undefined || value === null) {
      if (!optional) {
        const missing = value === null ? 'null' : 'not given';
        throw new ValidationError(path === ''
          ? `${className}: the properties are required but were ${missing}. Pass ${expected(parsed)}.`
          : `${path}: the argument is required but was ${missing}. Pass ${expected(parsed)}.`);
      }
      return;
    }
    if (path === '' && parsed.kind === 'named' && STRUCTS[parsed.name]) {
      if (!isPlainObject(value)) {
        throw new ValidationError(`${className}: the properties are ${show(value)}, not ${expected(parsed)}.`);
      }
      checkStruct(STRUCTS[parsed.name], value, '');
      return;
    }
    check(parsed, value, path);
  });
}
