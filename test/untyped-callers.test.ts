import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ts from 'typescript';
import * as lib from '../src';
import {
  DeliveryMetrics, DeliveryPipeline, DeliveryPipelineProps, GateRule, PipelineSource, PreviewAccess, PreviewEnvironments,
  PullRequestChecks, RegistryCredential, ReleaseTrigger, SecurityCheck, VariableCheckOperator,
} from '../src';
import { CONNECTION_ARN, fixture, Fixture, referenceProps } from './fixtures/app';
import { checkArguments, enumMemberNames, unrecognisedExternalTypes } from '../src/private/props-check';
import { CALLS, ENUMS, STRUCTS } from '../src/private/props-types.generated';

/**
 * Untyped callers: plain JavaScript (and the other jsii languages at their boundary) pass values TypeScript would
 * refuse. Values are cast through `any` here only, as such a caller would pass them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
const js = (value: unknown): any => value;

// ---------------------------------------------------------------------------------------------------------------
// The type table is complete and fresh.
// ---------------------------------------------------------------------------------------------------------------

/** The TypeScript sources' public structs and entry points, read syntactically (no compile, ~0.2 s). */
function sourceDeclarations(): { structs: Map<string, { props: Map<string, string>; bases: string[] }>; calls: Map<string, string[]> } {
  const structs = new Map<string, { props: Map<string, string>; bases: string[] }>();
  const calls = new Map<string, string[]>();
  const files = fs.readdirSync(path.join(__dirname, '..', 'src'), { recursive: true, encoding: 'utf-8' })
    .filter(f => f.endsWith('.ts') && !f.includes('private') && !f.startsWith('runtime') && !f.startsWith('cli') && !f.endsWith('.lambda.ts'));
  const typeText = (t: ts.TypeNode | undefined, sf: ts.SourceFile) => (t ? t.getText(sf) : 'any');
  const param = (p: ts.ParameterDeclaration, sf: ts.SourceFile) =>
    `${p.name.getText(sf)}: ${typeText(p.type, sf)}${p.questionToken || p.initializer ? '?' : ''}`;
  for (const file of files) {
    const sf = ts.createSourceFile(file, fs.readFileSync(path.join(__dirname, '..', 'src', file), 'utf-8'), ts.ScriptTarget.Latest, true);
    for (const node of sf.statements) {
      const exported = ts.canHaveModifiers(node) && ts.getModifiers(node)?.some(m => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if (ts.isInterfaceDeclaration(node) && !node.name.text.startsWith('I')) {
        const props = new Map<string, string>();
        for (const m of node.members) {
          if (ts.isPropertySignature(m)) props.set(m.name.getText(sf), `${typeText(m.type, sf)}${m.questionToken ? '?' : ''}`);
        }
        const bases = (node.heritageClauses ?? []).flatMap(h => h.types.map(t => t.expression.getText(sf)));
        structs.set(node.name.text, { props, bases });
      }
      if (ts.isClassDeclaration(node) && node.name) {
        const isConstruct = (node.heritageClauses ?? []).some(h => h.types.some(t => t.expression.getText(sf) === 'Construct'));
        for (const m of node.members) {
          const modifiers = (ts.canHaveModifiers(m) ? ts.getModifiers(m) : undefined) ?? [];
          const isPublic = !modifiers.some(x => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword);
          if (ts.isConstructorDeclaration(m) && m.parameters.length > 0 && isPublic) {
            calls.set(`${node.name.text}.constructor`, m.parameters.slice(isConstruct ? 2 : 0).map(p => param(p, sf)));
          }
          if (ts.isMethodDeclaration(m) && isPublic && m.parameters.length > 0 && !m.name.getText(sf).startsWith('_')) {
            calls.set(`${node.name.text}.${m.name.getText(sf)}`, m.parameters.map(p => param(p, sf)));
          }
        }
      }
    }
  }
  return { structs, calls };
}

/** A type as the table writes it and as the source writes it, reduced to the same words: `IAlarm[]`, `{string}`. */
function normalise(type: string): string {
  return type
    .replace(/\{ \[\w+: string\]: ([^}]+) \}/g, '{$1}')
    .replace(/Record<string, ([^>]+)>/g, '{$1}')
    .replace(/[\w-]+(\.[\w-]+)*\.(\w+)/g, '$2') // aws-cdk-lib.aws_cloudwatch.IAlarm, cloudwatch.IAlarm → IAlarm
    .replace(/\s/g, '');
}

describe('the type table (src/private/props-types.generated.ts)', () => {
  const source = sourceDeclarations();
  const flatten = (name: string): Map<string, string> => {
    const s = source.structs.get(name)!;
    return new Map([...s.bases.filter(b => source.structs.has(b)).flatMap(b => [...flatten(b)]), ...s.props]);
  };

  test('every struct of the table has exactly the properties, optionality and types of the source', () => {
    for (const [name, props] of Object.entries(STRUCTS)) {
      expect(source.structs.has(name)).toBe(true);
      const fromSource = Object.fromEntries([...flatten(name)].map(([k, v]) => [k, normalise(v)]).sort());
      const fromTable = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, normalise(v)]).sort());
      expect({ name, props: fromTable }).toEqual({ name, props: fromSource });
    }
  });

  test('every public constructor, static factory and method of the source is an entry point of the table, with its parameters', () => {
    const fromSource = Object.fromEntries([...source.calls].map(([k, v]) => [k, v.map(normalise)]).sort());
    const fromTable = Object.fromEntries(Object.entries(CALLS).map(([k, v]) => [k, v.map(normalise)]).sort());
    expect(fromTable).toEqual(fromSource);
  });

  test('the staleness check fails on a stale table (a property the source lacks, or another type)', () => {
    const stale = { ...STRUCTS.PipelineVariable, extra: 'string?' };
    expect(Object.keys(stale).sort()).not.toEqual([...flatten('PipelineVariable').keys()].sort());
    expect(normalise('aws-cdk-lib.Duration?')).not.toEqual(normalise(flatten('PreviewOptions').get('account')!));
  });

  test('every type of another package in the table is recognised, and enum member names match the compiled enums', () => {
    expect(unrecognisedExternalTypes()).toEqual([]);
    for (const [name, values] of Object.entries(ENUMS)) {
      const compiled = (lib as any)[name];
      expect(enumMemberNames(name).map(m => compiled[m])).toEqual(values);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Every property of every struct is checked, and every entry point checks its arguments.
// ---------------------------------------------------------------------------------------------------------------

/** A value of the wrong type for a table type: a number where a string is expected, a string elsewhere. */
function wrongValueFor(type: string): unknown {
  const t = type.replace(/\?$/, '');
  return t === 'string' ? 42 : 'wrong';
}

describe('every property of every struct is type-checked', () => {
  const cases = Object.entries(STRUCTS).flatMap(([struct, props]) =>
    Object.entries(props).filter(([, t]) => !/^(any|json)\??$/.test(t)).map(([prop, type]) => [struct, prop, type] as const));

  test(`${cases.length} properties: a wrong value is an Error naming the property path`, () => {
    expect(cases.length).toBeGreaterThan(150);
    for (const [struct, prop, type] of cases) {
      // Reach the struct through a parameter of an entry point that takes it.
      const entry = Object.entries(CALLS).find(([, params]) => params.some(p => p.replace(/\?$/, '').endsWith(`: ${struct}`)));
      if (!entry) continue; // a nested struct: reached below through its parent
      const [call, params] = entry;
      const index = params.findIndex(p => p.replace(/\?$/, '').endsWith(`: ${struct}`));
      const args: unknown[] = params.map(() => undefined);
      args[index] = { [prop]: wrongValueFor(type) };
      const name = params[index].split(':')[0];
      const where = call.endsWith('.constructor') ? prop : `${call}(${name}).${prop}`;
      let error: unknown;
      try {
        // Earlier parameters are valid where they must be: the check runs in parameter order.
        for (let i = 0; i < index; i++) args[i] = validArgument(params[i]);
        checkArguments(call, args);
      } catch (e) {
        error = e;
      }
      expect({ struct, prop, error: error instanceof TypeError ? 'TypeError' : String((error as Error)?.message).startsWith(`${where}: `) }).toEqual({ struct, prop, error: true });
    }
  });

  test('nested structs too (every struct is reachable from an entry point)', () => {
    const reachable = new Set<string>();
    const visit = (type: string) => {
      const name = type.replace(/\?$/, '').replace(/\[\]$/, '').replace(/^\{(.*)\}$/, '$1');
      if (STRUCTS[name] && !reachable.has(name)) {
        reachable.add(name);
        Object.values(STRUCTS[name]).forEach(visit);
      }
    };
    Object.values(CALLS).forEach(params => params.forEach(p => visit(p.split(': ')[1])));
    expect([...reachable].sort()).toEqual(Object.keys(STRUCTS).sort());
    // And a nested one, through its parent: DeliveryPipelineProps.metrics.window.
    expect(() => checkArguments('DeliveryPipeline.constructor', [{ metrics: { window: 30 } }]))
      .toThrow('metrics.window: 30 is not a Duration. Give the unit: Duration.minutes(30), Duration.hours(30) or Duration.days(30).');
  });
});

/** A value that passes the check of an earlier parameter: a string, or an object with every member (an IRepository…). */
function validArgument(param: string): unknown {
  const type = param.split(': ')[1].replace(/\?$/, '');
  return type === 'string' ? 'x' : type.endsWith('[]') ? [] : new Proxy({}, { get: () => 'x' });
}

describe('every entry point checks its arguments when called', () => {
  const f = fixture();
  let n = 0;
  const entries = Object.entries(CALLS);

  test.each(entries)('%s', (call, params) => {
    const [className, method] = call.split('.');
    const cls = (lib as any)[className];
    const type = params[0].split(': ')[1];
    const bad = wrongValueFor(type);
    const invoke = method === 'constructor'
      ? () => new cls(f.stack, `Entry${n++}`, bad)
      : typeof cls[method] === 'function'
        ? () => cls[method](bad)
        : () => cls.prototype[method].call(Object.create(cls.prototype), bad);
    const name = params[0].split(':')[0];
    const expected = method === 'constructor' ? `${className}: the properties` : `${call}(${name}): `;
    expect(invoke).toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringContaining(expected) }));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bad inputs on the newer surfaces, each with its exact message: no TypeError, no silent acceptance.
// ---------------------------------------------------------------------------------------------------------------

interface World {
  readonly f: Fixture;
  readonly pipeline: DeliveryPipeline;
  readonly alarm: cloudwatch.IAlarm;
  readonly fn: lambda.IFunction;
  readonly secret: secretsmanager.ISecret;
  readonly repo: ecr.IRepository;
  readonly topic: sns.ITopic;
}

let world: World | undefined;
let ids = 0;
function w(): World {
  if (!world) {
    const f = fixture();
    const stack = f.stack;
    world = {
      f,
      pipeline: new DeliveryPipeline(stack, 'Delivery', referenceProps(f, { pipelineName: 'shop' })),
      alarm: cloudwatch.Alarm.fromAlarmArn(stack, 'Alarm', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:errors'),
      fn: lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:gate'),
      secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'dockerhub'),
      repo: ecr.Repository.fromRepositoryName(stack, 'Repo', 'base'),
      topic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:111111111111:alerts'),
    };
  }
  return world;
}

const pipelineWith = (overrides: (x: World) => Record<string, unknown>) => () => {
  const x = w();
  return new DeliveryPipeline(x.f.stack, `Bad${ids++}`, { ...referenceProps(x.f), ...overrides(x) } as DeliveryPipelineProps);
};
const checksWith = (props: (x: World) => Record<string, unknown>) => () => {
  const x = w();
  return new PullRequestChecks(x.f.stack, `Checks${ids++}`, js({ pipeline: x.pipeline, ...props(x) }));
};
const previews = (overrides: Record<string, unknown>) => checksWith(() => ({
  previews: { account: '444444444444', region: 'us-east-1', stage: { createStage: () => undefined }, trustedAuthors: ['alice'], ...overrides },
}));
const accessWith = (props: Record<string, unknown>) => () =>
  new PreviewAccess(new Stack(w().f.app, `Access${ids++}`, { env: { account: '444444444444', region: 'us-east-1' } }), 'Access',
    js({ pipelineAccount: '111111111111', pipelineRegion: 'us-east-1', ...props }));
const metricsWith = (props: (x: World) => Record<string, unknown>) => () =>
  new DeliveryMetrics(w().f.stack, `Metrics${ids++}`, js({ pipeline: w().pipeline.pipeline, ...props(w()) }));
const connection = (options: Record<string, unknown>) => () => PipelineSource.connection('acme/app', 'main', js({ connectionArn: CONNECTION_ARN, ...options }));
const pinned = { version: '8.21.2', sha256LinuxX64: 'a'.repeat(64) };

type Case = readonly [string, () => unknown];

const CASES: Case[] = [
  // Triggers
  ['onPullRequest events a single value', () => ReleaseTrigger.onPullRequest(js({ events: 'OPEN' }))],
  ['onPullRequest events unknown', () => ReleaseTrigger.onPullRequest(js({ events: ['MERGED'] }))],
  ['onPullRequest events holding null', () => ReleaseTrigger.onPullRequest(js({ events: [null] }))],
  ['onPullRequest filePaths a string', () => ReleaseTrigger.onPullRequest(js({ filePaths: 'src/**' }))],
  ['onPullRequest filePaths.includes a string', () => ReleaseTrigger.onPullRequest(js({ filePaths: { includes: 'src/**' } }))],
  ['onPullRequest options a string', () => ReleaseTrigger.onPullRequest(js('OPEN'))],
  ['onPush a string', () => ReleaseTrigger.onPush(js('src/**'))],
  ['onPush includes holding a number', () => ReleaseTrigger.onPush(js({ includes: ['src/**', 42] }))],
  ['onPush excludes a number', () => ReleaseTrigger.onPush(js({ excludes: 7 }))],
  ['onTag without options', () => ReleaseTrigger.onTag(js(undefined))],
  ['onTag includes a string', () => ReleaseTrigger.onTag(js({ includes: 'v*' }))],
  ['onTag excludes a string', () => ReleaseTrigger.onTag(js({ includes: ['v*'], excludes: 'beta' }))],
  ['onTag a string', () => ReleaseTrigger.onTag(js('v*'))],
  ['onTag without includes', () => ReleaseTrigger.onTag(js({ excludes: ['beta'] }))],
  ['connection triggers a single trigger', connection({ triggers: ReleaseTrigger.onPush() })],
  ['connection triggers holding a plain object', connection({ triggers: [{ kind: 'PUSH' }] })],
  ['connection triggers holding a string', connection({ triggers: ['push'] })],
  ['connection triggerOnPush a string', connection({ triggerOnPush: 'yes' })],
  ['connection codeBuildCloneOutput a string', connection({ codeBuildCloneOutput: 'true' })],
  ['connection connectionArn a number', connection({ connectionArn: 42 })],
  ['connection without connectionArn', connection({ connectionArn: undefined })],
  ['connection without options', () => PipelineSource.connection('acme/app', 'main', js(undefined))],
  ['connection repository a number', () => PipelineSource.connection(js(42), 'main', { connectionArn: CONNECTION_ARN })],
  ['connection branch a number', () => PipelineSource.connection('acme/app', js(7), { connectionArn: CONNECTION_ARN })],
  ['codeCommit repository a name', () => PipelineSource.codeCommit(js('app'), 'main')],
  ['codeCommit options.codeBuildCloneOutput a string', () => PipelineSource.codeCommit(js({ repositoryCloneUrlHttp: 'x' }), 'main', js({ codeBuildCloneOutput: 'no' }))],
  ['s3 bucket a name', () => PipelineSource.s3(js('my-bucket'), 'app.zip')],

  // Variables
  ['variables a single variable', pipelineWith(() => ({ variables: { name: 'RELEASE_KIND' } }))],
  ['variables a string', pipelineWith(() => ({ variables: 'RELEASE_KIND' }))],
  ['variables holding a string', pipelineWith(() => ({ variables: ['RELEASE_KIND'] }))],
  ['variables holding null', pipelineWith(() => ({ variables: [null] }))],
  ['variable name a number', pipelineWith(() => ({ variables: [{ name: 42 }] }))],
  ['variable without name', pipelineWith(() => ({ variables: [{ defaultValue: 'x' }] }))],
  ['variable defaultValue a number', pipelineWith(() => ({ variables: [{ name: 'A', defaultValue: 1 }] }))],
  ['variable description a boolean', pipelineWith(() => ({ variables: [{ name: 'A', description: false }] }))],

  // Gate rules
  ['gates a GateRule not in a list', pipelineWith(x => ({ staging: { stage: x.f.staging, gates: GateRule.noAlarm(x.alarm) } }))],
  ['gates holding a string', pipelineWith(x => ({ staging: { stage: x.f.staging, gates: ['no-alarm'] } }))],
  ['gates holding a plain object', pipelineWith(x => ({ staging: { stage: x.f.staging, gates: [{}] } }))],
  ['gates holding null', pipelineWith(x => ({ staging: { stage: x.f.staging, gates: [null] } }))],
  ['production gates a string', pipelineWith(x => ({ production: { stages: x.f.production, gates: 'none' } }))],
  ['wave gates a GateRule not in a list', pipelineWith(x => ({ production: { waves: [{ name: 'all', stages: x.f.production, gates: GateRule.noAlarm(x.alarm) }] } }))],
  ['noAlarm an alarm ARN', () => GateRule.noAlarm(js('arn:aws:cloudwatch:us-east-1:111111111111:alarm:errors'))],
  ['noAlarm nothing', () => GateRule.noAlarm(js(undefined))],
  ['noAlarm a list of alarms', () => GateRule.noAlarm(js([w().alarm]))],
  ['lambda a function name', () => GateRule.lambda(js('gate'))],
  ['lambda options a string', () => GateRule.lambda(w().fn, js('check=1'))],
  ['lambda userParameters a number', () => GateRule.lambda(w().fn, js({ userParameters: 42 }))],
  ['lambda userParameters an object', () => GateRule.lambda(w().fn, js({ userParameters: { check: 1 } }))],
  ['variableCheck variable a number', () => GateRule.variableCheck(js(42), VariableCheckOperator.EQUALS, 'x')],
  ['variableCheck operator unknown', () => GateRule.variableCheck('#{variables.A}', js('GT'), 'x')],
  ['variableCheck operator by member name', () => GateRule.variableCheck('#{variables.A}', js('EQUALS'), 'x')],
  ['variableCheck value a number', () => GateRule.variableCheck('#{variables.A}', VariableCheckOperator.EQUALS, js(3))],
  ['variableCheck value missing', () => GateRule.variableCheck('#{variables.A}', VariableCheckOperator.EQUALS, js(undefined))],
  ['commands a string', () => GateRule.commands(js('npm test'))],
  ['commands holding a number', () => GateRule.commands(js(['npm test', 1]))],
  ['commands nothing', () => GateRule.commands(js(undefined))],

  // Cache
  ['synth.cache a string', pipelineWith(() => ({ synth: { commands: ['npx cdk synth'], cache: 'local' } }))],
  ['synth.cache empty object', pipelineWith(() => ({ synth: { commands: ['npx cdk synth'], cache: {} } }))],
  ['synth.cache.cache a string', pipelineWith(() => ({ synth: { commands: ['npx cdk synth'], cache: { cache: 'local' } } }))],
  ['synth.cache a codebuild.Cache directly', pipelineWith(() => ({ synth: { commands: ['npx cdk synth'], cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM) } }))],
  ['synth.cache.paths a string', pipelineWith(() => ({ synth: { commands: ['npx cdk synth'], cache: { cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM), paths: 'node_modules/**/*' } } }))],
  ['tests[0].cache.paths holding a number', pipelineWith(() => ({ tests: [{ name: 'Unit', commands: ['npm test'], cache: { cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM), paths: [42] } }] }))],
  ['tests[0].cache a boolean', pipelineWith(() => ({ tests: [{ name: 'Unit', commands: ['npm test'], cache: true }] }))],
  ['synth.buildImage a string', pipelineWith(() => ({ synth: { commands: ['npx cdk synth'], buildImage: 'aws/codebuild/standard:7.0' } }))],
  ['synth.primaryOutputDirectory a number', pipelineWith(() => ({ synth: { commands: ['npx cdk synth'], primaryOutputDirectory: 1 } }))],

  // Docker and registry credentials
  ['docker true', pipelineWith(() => ({ docker: true }))],
  ['docker.enabledForSynth "no"', pipelineWith(() => ({ docker: { enabledForSynth: 'no' } }))],
  ['docker.enabledForSynth "false"', pipelineWith(() => ({ docker: { enabledForSynth: 'false' } }))],
  ['docker.enabledForSelfMutation 1', pipelineWith(() => ({ docker: { enabledForSelfMutation: 1 } }))],
  ['docker.credentials a single credential', pipelineWith(x => ({ docker: { credentials: RegistryCredential.dockerHub(x.secret) } }))],
  ['docker.credentials holding a string', pipelineWith(() => ({ docker: { credentials: ['dockerhub'] } }))],
  ['dockerHub a secret name', () => RegistryCredential.dockerHub(js('dockerhub'))],
  ['dockerHub usages a single usage', () => RegistryCredential.dockerHub(w().secret, js({ usages: 'SYNTH' }))],
  ['dockerHub usages unknown', () => RegistryCredential.dockerHub(w().secret, js({ usages: ['BUILD'] }))],
  ['dockerHub assumeRole an ARN', () => RegistryCredential.dockerHub(w().secret, js({ assumeRole: 'arn:aws:iam::111111111111:role/pull' }))],
  ['dockerHub passwordField a number', () => RegistryCredential.dockerHub(w().secret, js({ passwordField: 1 }))],
  ['dockerHub usernameField a boolean', () => RegistryCredential.dockerHub(w().secret, js({ usernameField: true }))],
  ['registry domain a number', () => RegistryCredential.registry(js(42), w().secret)],
  ['registry secret a string', () => RegistryCredential.registry('ghcr.io', js('ghcr'))],
  ['registry without secret', () => RegistryCredential.registry('ghcr.io', js(undefined))],
  ['ecr a single repository', () => RegistryCredential.ecr(js(w().repo))],
  ['ecr repository names', () => RegistryCredential.ecr(js(['base']))],
  ['ecr options.usages a string', () => RegistryCredential.ecr([w().repo], js({ usages: 'ASSET_PUBLISHING' }))],

  // Additional sources
  ['additionalSources a single source', pipelineWith(() => ({ additionalSources: { directory: 'infra', source: PipelineSource.connection('acme/infra', 'main', { connectionArn: CONNECTION_ARN }) } }))],
  ['additionalSources holding a source directly', pipelineWith(() => ({ additionalSources: [PipelineSource.connection('acme/infra', 'main', { connectionArn: CONNECTION_ARN })] }))],
  ['additionalSources directory a number', pipelineWith(() => ({ additionalSources: [{ directory: 42, source: PipelineSource.connection('acme/infra', 'main', { connectionArn: CONNECTION_ARN }) }] }))],
  ['additionalSources source a string', pipelineWith(() => ({ additionalSources: [{ directory: 'infra', source: 'acme/infra' }] }))],
  ['additionalSources without directory', pipelineWith(() => ({ additionalSources: [{ source: PipelineSource.connection('acme/infra', 'main', { connectionArn: CONNECTION_ARN }) }] }))],

  // Pull-request checks
  ['commentApproval "NONE"', checksWith(() => ({ commentApproval: 'NONE' }))],
  ['commentApproval true', checksWith(() => ({ commentApproval: true }))],
  ['commentApproval lower case', checksWith(() => ({ commentApproval: 'disabled' }))],
  ['approverRoles a string', checksWith(() => ({ approverRoles: 'arn:aws:iam::111111111111:role/approver' }))],
  ['approverRoles holding a number', checksWith(() => ({ approverRoles: [42] }))],
  ['pull-request logRetention 8', checksWith(() => ({ logRetention: 8 }))],
  ['pull-request logRetention NaN', checksWith(() => ({ logRetention: NaN }))],
  ['pull-request logRetention a string', checksWith(() => ({ logRetention: '30' }))],
  ['statusContextPrefix a number', checksWith(() => ({ statusContextPrefix: 42 }))],
  ['pipeline a name', () => new PullRequestChecks(w().f.stack, `Checks${ids++}`, js({ pipeline: 'shop' }))],
  ['pipeline the CodePipeline', () => new PullRequestChecks(w().f.stack, `Checks${ids++}`, js({ pipeline: w().pipeline.pipeline }))],
  ['pull-request checks without props', () => new PullRequestChecks(w().f.stack, `Checks${ids++}`, js(undefined))],

  // Previews
  ['previews true', checksWith(() => ({ previews: true }))],
  ['previews.timeToLive 6', previews({ timeToLive: 6 })],
  ['previews.timeToLive a string', previews({ timeToLive: '6h' })],
  ['previews.sweepInterval a number', previews({ sweepInterval: 3600 })],
  ['previews.trustedAuthors a string', previews({ trustedAuthors: 'alice' })],
  ['previews.trustedAuthors holding a number', previews({ trustedAuthors: ['alice', 7] })],
  ['previews.account a number', previews({ account: 444444444444 })],
  ['previews.region a number', previews({ region: 1 })],
  ['previews.stage a Stage instance', previews({ stage: w().f.staging })],
  ['previews.stage a plain object', previews({ stage: {} })],
  ['previews.stage a function', previews({ stage: () => w().f.staging })],
  ['previews.stackPrefix a number', previews({ stackPrefix: 5 })],
  ['previews without account', previews({ account: undefined })],
  ['PreviewEnvironments checks a string', () => new PreviewEnvironments(w().f.stack, `Previews${ids++}`, js({
    checks: 'checks', account: '444444444444', region: 'us-east-1', stage: { createStage: () => undefined }, trustedAuthors: ['alice'],
  }))],
  ['PreviewAccess pipelineAccount a number', accessWith({ pipelineAccount: 111111111111 })],
  ['PreviewAccess pipelineRegion a number', accessWith({ pipelineRegion: 1 })],
  ['PreviewAccess bootstrapQualifier a number', accessWith({ bootstrapQualifier: 7 })],
  ['PreviewAccess stackPrefix a list', accessWith({ stackPrefix: ['pr'] })],
  ['PreviewAccess without pipelineRegion', accessWith({ pipelineRegion: undefined })],

  // Metrics
  ['metrics true', pipelineWith(() => ({ metrics: true }))],
  ['metrics.alarmTopic an ARN', pipelineWith(() => ({ metrics: { alarmTopic: 'arn:aws:sns:us-east-1:111111111111:alerts' } }))],
  ['metrics.window 30', pipelineWith(() => ({ metrics: { window: 30 } }))],
  ['metrics.healthAlarm "yes"', pipelineWith(() => ({ metrics: { healthAlarm: 'yes' } }))],
  ['metrics.namespace a number', pipelineWith(() => ({ metrics: { namespace: 5 } }))],
  ['metrics.dashboardName a boolean', pipelineWith(() => ({ metrics: { dashboardName: false } }))],
  ['DeliveryMetrics pipeline a name', () => new DeliveryMetrics(w().f.stack, `Metrics${ids++}`, js({ pipeline: 'shop' }))],
  ['DeliveryMetrics logRetention 8', metricsWith(() => ({ logRetention: 8 }))],
  ['DeliveryMetrics encryptionKey an alias', metricsWith(() => ({ encryptionKey: 'alias/metrics' }))],
  ['DeliveryMetrics alarmTopic an ARN', metricsWith(() => ({ alarmTopic: 'arn:aws:sns:us-east-1:111111111111:alerts' }))],
  ['DeliveryMetrics window a number', metricsWith(() => ({ window: 7 }))],
  ['DeliveryMetrics.metric by member name', () => {
    const x = w();
    return new DeliveryMetrics(x.f.stack, `Metrics${ids++}`, { pipeline: x.pipeline.pipeline }).metric(js('THROUGHPUT'));
  }],

  // Security checks
  ['securityChecks a single check', pipelineWith(() => ({ securityChecks: SecurityCheck.sbom() }))],
  ['secretsDetection failOnFindings "false"', () => SecurityCheck.secretsDetection(js({ failOnFindings: 'false' }))],
  ['secretsDetection a string', () => SecurityCheck.secretsDetection(js('gitleaks'))],
  ['secretsDetection name a number', () => SecurityCheck.secretsDetection(js({ name: 42 }))],
  ['secretsDetection gitleaks a version string', () => SecurityCheck.secretsDetection(js({ gitleaks: '8.21.2' }))],
  ['secretsDetection gitleaks without checksum', () => SecurityCheck.secretsDetection(js({ gitleaks: { version: '8.21.2' } }))],
  ['staticAnalysis minimumSeverity "HIGH"', () => SecurityCheck.staticAnalysis(js({ minimumSeverity: 'HIGH' }))],
  ['staticAnalysis rules a string', () => SecurityCheck.staticAnalysis(js({ rules: 'p/owasp-top-ten' }))],
  ['staticAnalysis semgrepVersion a number', () => SecurityCheck.staticAnalysis(js({ semgrepVersion: 1.9 }))],
  ['staticAnalysis failOnFindings 0', () => SecurityCheck.staticAnalysis(js({ failOnFindings: 0 }))],
  ['dependencyScan osvScanner a version string', () => SecurityCheck.dependencyScan(js({ osvScanner: '1.9.0' }))],
  ['dependencyScan osvScanner version a number', () => SecurityCheck.dependencyScan(js({ osvScanner: { ...pinned, version: 1.9 } }))],
  ['dependencyScan failOnFindings "no"', () => SecurityCheck.dependencyScan(js({ failOnFindings: 'no' }))],
  ['sbom includeDevDependencies "no"', () => SecurityCheck.sbom(js({ includeDevDependencies: 'no' }))],
  ['sbom projectDirectory a number', () => SecurityCheck.sbom(js({ projectDirectory: 5 }))],
  ['sbom cyclonedxNpmVersion a number', () => SecurityCheck.sbom(js({ cyclonedxNpmVersion: 1 }))],

  // Execution mode
  ['executionMode unknown', pipelineWith(() => ({ executionMode: 'FIFO' }))],
  ['executionMode lower case', pipelineWith(() => ({ executionMode: 'queued' }))],
  ['executionMode a number', pipelineWith(() => ({ executionMode: 1 }))],

  // Retention
  ['logRetention 8', pipelineWith(() => ({ logRetention: 8 }))],
  ['logRetention NaN', pipelineWith(() => ({ logRetention: NaN }))],
  ['logRetention -1', pipelineWith(() => ({ logRetention: -1 }))],
  ['logRetention a Duration', pipelineWith(() => ({ logRetention: Duration.days(30) }))],

  // Tool pins
  ['cdkCliVersion a number', pipelineWith(() => ({ cdkCliVersion: 2 }))],
  ['cdkAssetsVersion a boolean', pipelineWith(() => ({ cdkAssetsVersion: true }))],
  ['codeBuildDefaults a string', pipelineWith(() => ({ codeBuildDefaults: 'large' }))],

  // Notifications and others on the newer factories
  ['NotificationTarget.topic an ARN', () => lib.NotificationTarget.topic(js('arn:aws:sns:us-east-1:111111111111:alerts'))],
  ['NotificationTarget.email a list', () => lib.NotificationTarget.email(js(['a@example.com']))],
  ['NotificationTarget.https a number', () => lib.NotificationTarget.https(js(443))],
  ['NotificationTarget.slack a channel name', () => lib.NotificationTarget.slack(js('#releases'))],
  ['DeploymentWindow.weekly startHour a string', () => lib.DeploymentWindow.weekly(js({ startHour: '9', endHour: 17 }))],
  ['DeploymentWindow.cronIn a zone name', () => lib.DeploymentWindow.cronIn('cron(* 9-16 ? * MON-FRI *)', js('Europe/Berlin'))],
  ['notifications.detailType unknown', pipelineWith(() => ({ notifications: { targets: [lib.NotificationTarget.email('a@example.com')], detailType: 'ALL' } }))],
  ['migrations vpc an id', pipelineWith(x => ({ staging: { stage: x.f.staging, migrations: [{ name: 'Migrate', commands: ['npm run migrate'], vpc: 'vpc-123' }] } }))],
  ['bake.onFailure unknown', pipelineWith(x => ({ staging: { stage: x.f.staging, bake: { alarms: [x.alarm], duration: Duration.minutes(5), onFailure: 'STOP' } } }))],
  ['tests[0].junitReportPaths a string', pipelineWith(() => ({ tests: [{ name: 'Unit', commands: ['npm test'], junitReportPaths: 'reports/junit.xml' }] }))],
];

/** The message each case must give, exactly. */
const EXPECTED: Record<string, string> = JSON.parse(fs.readFileSync(path.join(__dirname, 'untyped-callers.expected.json'), 'utf-8'));

describe(`${CASES.length} bad inputs on the newer surfaces, as an untyped caller passes them`, () => {
  test('at least 120, each with its own expected message', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(120);
    expect(new Set(CASES.map(c => c[0])).size).toBe(CASES.length);
    expect(Object.keys(EXPECTED).sort()).toEqual(CASES.map(c => c[0]).sort());
  });

  test('the README quotes one of these messages and their count as they are', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8').replace(/\s+/g, ' ');
    // The README quotes the message after the construct path (`PipelineStack/Checks47: `), which is the test's own.
    expect(readme).toContain(`e.g. \`${EXPECTED['previews.timeToLive 6'].replace(/^PipelineStack\/Checks\d+: /, '')}\``);
    expect(readme).toContain(`and ${CASES.length} bad inputs with their exact messages`);
  });

  test.each(CASES)('%s', (name, attempt) => {
    let error: unknown;
    try {
      attempt();
    } catch (e) {
      error = e;
    }
    if (process.env.UNTYPED_CAPTURE) {
      fs.appendFileSync(process.env.UNTYPED_CAPTURE, `${JSON.stringify([name, error instanceof Error ? `${error.name}: ${error.message}` : 'ACCEPTED'])}\n`);
      return;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(EXPECTED[name]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Semantic cases that were silently wrong: each shown both ways on a synthesized template.
// ---------------------------------------------------------------------------------------------------------------

describe('GateRule.lambda of a function in another region or account', () => {
  function gateRules(fnArn: string): { rules: any[]; error?: string } {
    const f = fixture();
    const fn = lambda.Function.fromFunctionArn(f.stack, 'Gate', fnArn);
    try {
      new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { staging: { stage: f.staging, gates: [GateRule.lambda(fn)] } }));
    } catch (e) {
      return { rules: [], error: (e as Error).message };
    }
    const [pipeline] = Object.values(Template.fromStack(f.stack).findResources('AWS::CodePipeline::Pipeline')) as any[];
    const staging = pipeline.Properties.Stages.find((s: any) => s.Name === 'Staging');
    return { rules: staging.BeforeEntry.Conditions[0].Rules };
  }

  test('the pipeline\'s region: invoked by name, no region on the rule', () => {
    const { rules } = gateRules('arn:aws:lambda:us-east-1:111111111111:function:release-check');
    expect(rules).toEqual([expect.objectContaining({ Configuration: { FunctionName: 'release-check' } })]);
    expect(rules[0].Region).toBeUndefined();
  });

  test('another region: the rule runs in the function\'s region (not a same-named function of the pipeline\'s region)', () => {
    const { rules } = gateRules('arn:aws:lambda:eu-west-1:111111111111:function:release-check');
    expect(rules).toEqual([expect.objectContaining({ Configuration: { FunctionName: 'release-check' }, Region: 'eu-west-1' })]);
  });

  test('another account: refused, naming the gate, the function and both accounts', () => {
    expect(gateRules('arn:aws:lambda:us-east-1:999999999999:function:release-check').error).toBe(
      "PipelineStack/Delivery: staging.gates[0]: the function 'PipelineStack/Gate' is in account 999999999999, but the LambdaInvoke rule invokes a function by name with the pipeline's role in account 111111111111: the pipeline would invoke a function of that name in 111111111111, not this one. Deploy the gate function in 111111111111 (it may assume a role in 999999999999 to check what it needs).");
  });
});

describe('pull-request checks and pipeline variables', () => {
  function checks(env: Record<string, string>): string | undefined {
    const f = fixture();
    const delivery = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      variables: [{ name: 'RELEASE_KIND', defaultValue: 'normal' }],
      tests: [{ name: 'UnitTests', commands: ['npm test'], env }],
    }));
    try {
      new PullRequestChecks(f.stack, 'Checks', { pipeline: delivery });
    } catch (e) {
      return (e as Error).message;
    }
    return undefined;
  }

  test('a step reading #{variables.X} is refused: the check would get the text literally', () => {
    expect(checks({ KIND: 'kind-#{variables.RELEASE_KIND}' })).toBe(
      "PipelineStack/Checks: PullRequestChecks: the pipeline's tests[0].env.KIND reads the pipeline variable #{variables.RELEASE_KIND}, which only CodePipeline resolves; the pull-request check runs the step outside the pipeline and would get the text '#{variables.RELEASE_KIND}' literally. Give KIND a literal value in tests[0].env (a pipeline variable's default is one), or read the variable in a verification step instead.");
  });

  test('literal values are accepted', () => {
    expect(checks({ KIND: 'normal' })).toBeUndefined();
  });
});
