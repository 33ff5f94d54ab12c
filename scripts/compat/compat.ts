/**
 * `npm run cdk-compat`: proves the bottom of the peer range. In a scratch directory (.scratch/compat) it installs
 * the minimum aws-cdk-lib and constructs of package.json's peerDependencies and the packed library into a fresh
 * app, type-checks the library's source against that aws-cdk-lib, compiles the examples' apps and one small app
 * per feature (scripts/compat/apps) against the installed package, and synthesizes each with the real aws-cdk
 * CLI, offline. Each pipeline must have the stages and guard rails the feature asks for; an example's pipeline
 * must have the same stages, actions and conditions as the one `npm run examples` synthesized on the newest
 * aws-cdk-lib (when that cloud assembly is from the current build).
 *
 * The library is built and packed as a user does: the README's install recipe ("Deploying the pipeline", step 1)
 * runs in a clean copy of the tree (tracked and new files, no build output), with this tree's node_modules linked
 * in place of its `npm ci`; every bundled Lambda handler of the library must reach a synthesized app from that
 * tarball. Needs `npm ci`, not a build.
 *
 * Usage: npm run cdk-compat [-- [--aws-cdk-lib <version>] [--constructs <version>] [--cdk-nag <version>] [app ...]]
 *   --aws-cdk-lib, --constructs  versions to install instead of the peer minimums
 *   --cdk-nag                    also install cdk-nag and register AwsSolutionsChecks in every app: a finding,
 *                                or a plugin that fails, fails the app (cdk-nag 3 runs on aws-cdk-lib 2.258+;
 *                                on 2.257, its declared minimum, its plugin fails and `cdk synth` still exits 0)
 */
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lambdaHandlers } from './pack-check';
import { PipelineShape } from '../../src/testing/pipeline-shape';

const ROOT = path.join(__dirname, '..', '..');
const SCRATCH = path.join(ROOT, '.scratch', 'compat');
const APP = path.join(SCRATCH, 'app');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')) as {
  name: string;
  peerDependencies: Record<string, string>;
};

/** The CLI runs offline: no instance metadata, version check or telemetry. */
const OFFLINE_ENV = {
  ...process.env,
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_VERSION_CHECK: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};

// ---------------------------------------------------------------------------------------------------------------
// What each feature app must render. Checked on the synthesized pipeline template.
// ---------------------------------------------------------------------------------------------------------------

interface Template {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: any }>;
}

interface ActionJson {
  readonly Name: string;
  readonly RunOrder?: number;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
  readonly Configuration?: Record<string, unknown>;
  readonly Namespace?: string;
}

interface RuleJson {
  readonly RuleTypeId: { readonly Provider: string };
  readonly Configuration?: Record<string, unknown>;
}

interface ConditionsJson {
  readonly Conditions: Array<{ readonly Result?: string; readonly Rules: RuleJson[] }>;
}

interface StageJson {
  readonly Name: string;
  readonly Actions: ActionJson[];
  readonly BeforeEntry?: ConditionsJson;
  readonly OnSuccess?: ConditionsJson;
  readonly OnFailure?: { readonly Result?: string; readonly RetryConfiguration?: unknown; readonly Conditions?: unknown[] };
}

interface ValidationReport {
  readonly pluginReports?: Array<{
    readonly pluginName?: string;
    readonly summary?: { readonly pluginName?: string; readonly status?: string; readonly metadata?: { readonly error?: string } };
    readonly violations?: Array<{ readonly ruleName: string }>;
  }>;
}

/** A check on a feature app's output: a description and the problems found (none = holds). */
interface Check {
  readonly what: string;
  readonly problems: (pipeline: StageJson[], template: Template, dependencies: string[]) => string[];
}

const stagesNamed = (stages: StageJson[], prefix: string) => stages.filter(s => s.Name === prefix || s.Name.startsWith(`${prefix}-`));
const rules = (c?: ConditionsJson) => (c?.Conditions ?? []).flatMap(x => x.Rules);
const resourcesOf = (t: Template, type: string) => Object.values(t.Resources ?? {}).filter(r => r.Type === type);
const expectThat = (ok: boolean, problem: string) => ok ? [] : [problem];

/** Every stage of the environment carries the rule with this configuration. */
function everyStage(stages: StageJson[], env: string, test: (s: StageJson) => string[]): string[] {
  const matching = stagesNamed(stages, env);
  return matching.length === 0 ? [`no stage ${env}`] : matching.flatMap(s => test(s).map(p => `${s.Name}: ${p}`));
}

const FEATURE_CHECKS: Record<string, Check[]> = {
  'waves': [{
    what: 'ordered production waves become Production-canary, then Production-global with both regions',
    problems: stages => [
      ...expectThat(JSON.stringify(stages.map(s => s.Name).filter(n => n.startsWith('Production')))
        === JSON.stringify(['Production-canary', 'Production-global']), `production stages are ${stages.map(s => s.Name).join(', ')}`),
      ...expectThat((stagesNamed(stages, 'Production-global')[0]?.Actions ?? []).filter(a => a.ActionTypeId.Provider === 'CloudFormation').length === 4,
        'Production-global does not deploy two regions with change sets (4 CloudFormation actions)'),
    ],
  }],
  'bake': [{
    what: 'the pipeline stack depends on the stack of its bake alarms (addStackDependency, or addDependency before 2.262)',
    problems: (_stages, _template, dependencies) => expectThat(dependencies.includes('BakeAlarms'), `the pipeline stack depends on ${dependencies.join(', ') || 'nothing'}`),
  }, {
    what: 'staging bakes on one alarm and retries failed actions; production bakes on two and rolls back',
    problems: stages => [
      ...everyStage(stages, 'Staging', s => [
        ...expectThat(rules(s.OnSuccess).filter(r => r.RuleTypeId.Provider === 'CloudWatchAlarm' && r.Configuration?.WaitTime === '10').length === 1,
          'no onSuccess CloudWatchAlarm rule with WaitTime 10'),
        ...expectThat(s.OnFailure?.Result === 'RETRY', `onFailure is ${JSON.stringify(s.OnFailure)}`),
      ]),
      ...everyStage(stages, 'Production', s => [
        ...expectThat(rules(s.OnSuccess).filter(r => r.RuleTypeId.Provider === 'CloudWatchAlarm' && r.Configuration?.WaitTime === '30').length === 2,
          'not two onSuccess CloudWatchAlarm rules with WaitTime 30'),
        ...expectThat(s.OnFailure?.Result === 'ROLLBACK', `onFailure is ${JSON.stringify(s.OnFailure)}`),
      ]),
    ],
  }],
  'deployment-window': [{
    what: 'staging and production are entered only in their windows (Asia/Kolkata cron, Europe/Berlin weekly)',
    problems: stages => [
      ...everyStage(stages, 'Staging', s => expectThat(rules(s.BeforeEntry).some(r => r.RuleTypeId.Provider === 'DeploymentWindow'
        && r.Configuration?.Cron === '* * 0-5 ? * MON-FRI' && r.Configuration.TimeZone === 'Asia/Kolkata'), 'no Asia/Kolkata DeploymentWindow rule')),
      ...everyStage(stages, 'Production', s => expectThat(rules(s.BeforeEntry).some(r => r.RuleTypeId.Provider === 'DeploymentWindow'
        && r.Configuration?.TimeZone === 'Europe/Berlin'), 'no Europe/Berlin DeploymentWindow rule')),
    ],
  }],
  'migrations': [{
    what: "staging's migration runs unattended; production's runs after an approval, before the deployment",
    problems: stages => {
      const order = (stage: StageJson | undefined, name: string) => stage?.Actions.find(a => a.Name === name)?.RunOrder;
      const staging = stagesNamed(stages, 'Staging')[0];
      const productionStage = stagesNamed(stages, 'Production')[0];
      const approval = productionStage?.Actions.find(a => a.ActionTypeId.Category === 'Approval')
        ?? stages.flatMap(s => s.Actions).find(a => a.ActionTypeId.Category === 'Approval');
      const firstDeploy = Math.min(...(productionStage?.Actions ?? []).filter(a => a.ActionTypeId.Provider === 'CloudFormation').map(a => a.RunOrder ?? 1));
      return [
        ...expectThat(order(staging, 'MigrateStaging') !== undefined, 'no MigrateStaging action in Staging'),
        ...expectThat(approval !== undefined, 'no approval for the production migration'),
        ...expectThat((order(productionStage, 'MigrateProduction') ?? Infinity) < firstDeploy, 'MigrateProduction does not run before the production deployment'),
      ];
    },
  }],
  'notifications': [{
    what: 'a notification rule on the pipeline addresses the topic, and e-mail and HTTPS subscribe to an encrypted topic',
    problems: (_stages, template) => {
      const subscriptions = resourcesOf(template, 'AWS::SNS::Subscription').map(s => s.Properties?.Protocol);
      return [
        ...expectThat(resourcesOf(template, 'AWS::CodeStarNotifications::NotificationRule').length === 1, 'no notification rule'),
        ...expectThat(['email', 'https'].every(p => subscriptions.includes(p)), `subscriptions are ${subscriptions.join(', ')}`),
        ...expectThat(resourcesOf(template, 'AWS::SNS::Topic').some(t => t.Properties?.KmsMasterKeyId !== undefined), 'no encrypted topic'),
      ];
    },
  }],
  'commit-author': [{
    what: "the synth build exports the commit's author (CodeBuildStep.exportedVariable) and the production approval names it",
    problems: (stages, template) => {
      const synth = stages.find(s => s.Name === 'Build')?.Actions.find(a => a.Name === 'Synth');
      const approval = stages.flatMap(s => s.Actions).find(a => a.ActionTypeId.Category === 'Approval');
      const exported = resourcesOf(template, 'AWS::CodeBuild::Project')
        .map(p => p.Properties?.Source?.BuildSpec)
        .filter((spec): spec is string => typeof spec === 'string' && spec.includes('npx cdk synth'))
        .map(spec => JSON.parse(spec).env?.['exported-variables']);
      return [
        ...expectThat(JSON.stringify(exported) === JSON.stringify([['CDK_DELIVERY_COMMIT_AUTHOR']]), `the synth buildspec exports ${JSON.stringify(exported)}`),
        ...expectThat(synth?.Namespace === 'Build@Synth', `the synth action's namespace is ${synth?.Namespace}`),
        ...expectThat(String(approval?.Configuration?.CustomData).includes(' by #{Build@Synth.CDK_DELIVERY_COMMIT_AUTHOR}: '),
          `the approval's comment is ${JSON.stringify(approval?.Configuration?.CustomData)}`),
      ];
    },
  }],
  'auto-approve': [{
    what: "production's approval is CDK Pipelines' permissions-broadening check (a CodeBuild check, then the approval)",
    problems: stages => {
      const actions = stages.flatMap(s => s.Actions);
      return expectThat(actions.some(a => a.Name.endsWith('.Check') && a.ActionTypeId.Provider === 'CodeBuild')
        && actions.some(a => a.Name.endsWith('.Confirm') && a.ActionTypeId.Category === 'Approval'),
      `no <id>.Check and <id>.Confirm actions: ${actions.map(a => a.Name).join(', ')}`);
    },
  }],
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

function run(command: string, args: string[], options: SpawnSyncOptions & { quiet?: boolean } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(`'${command} ${args.join(' ')}' failed (exit ${result.status ?? result.signal})${result.error ? `: ${result.error.message}` : ''}\n${output}`);
  }
  return output;
}

function timed<T>(label: string, fn: () => T): T {
  const started = process.hrtime.bigint();
  const result = fn();
  console.log(`${label} (${seconds(started)} s)`);
  return result;
}

const seconds = (since: bigint) => (Number(process.hrtime.bigint() - since) / 1e9).toFixed(1);

/** `^2.186.0`, `>=10.0.0` → `2.186.0`, `10.0.0`. */
function minimumOf(name: string): string {
  const range = PACKAGE.peerDependencies[name];
  const version = /^(?:\^|~|>=)?\s*(\d+\.\d+\.\d+)$/.exec(range ?? '')?.[1];
  if (!version) {
    throw new Error(`package.json peerDependencies['${name}'] is '${range}': expected ^X.Y.Z or >=X.Y.Z.`);
  }
  return version;
}

function parseArgs(argv: string[]): { versions: Record<string, string>; cdkNag?: string; only: string[] } {
  const versions: Record<string, string> = { 'aws-cdk-lib': minimumOf('aws-cdk-lib'), 'constructs': minimumOf('constructs') };
  let cdkNag: string | undefined;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (!v || v.startsWith('--')) {
        throw new Error(`${arg} needs a version`);
      }
      return v;
    };
    if (arg === '--aws-cdk-lib' || arg === '--constructs') {
      versions[arg.slice(2)] = value();
    } else if (arg === '--cdk-nag') {
      cdkNag = value();
    } else if (arg.startsWith('--')) {
      throw new Error(`Unknown option ${arg}. Usage: npm run cdk-compat -- [--aws-cdk-lib <v>] [--constructs <v>] [--cdk-nag <v>] [app ...]`);
    } else {
      only.push(arg);
    }
  }
  return { versions, cdkNag, only };
}

/**
 * The README's install recipe ("Deploying the pipeline", step 1), as commands: the line of its first `sh` block
 * that builds the package, split on `&&`. It must start with `npm ci`.
 */
export function readmeRecipe(readme: string): string[] {
  const section = readme.split(/^## /m).find(s => s.startsWith('Deploying the pipeline'));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  const line = block?.split('\n').find(l => l.includes('npm pack'));
  if (!line) {
    throw new Error('README.md: no `npm pack` line in the first sh block of "## Deploying the pipeline" (step 1, the install recipe).');
  }
  const commands = line.replace(/#.*$/, '').split('&&').map(c => c.trim()).filter(c => c !== '');
  if (commands[0] !== 'npm ci' || commands[commands.length - 1] !== 'npm pack') {
    throw new Error(`README.md's install recipe is '${line.trim()}': cdk-compat expects 'npm ci && … && npm pack'.`);
  }
  return commands;
}

/**
 * Files of the tree as Git sees it: tracked (with their changes) and new files that are not ignored. Nothing a
 * build wrote (lib/, assets/, .jsii, dist/, cdk.out/, node_modules/) is among them.
 */
function sourceFiles(): string[] {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT });
  return listed.split('\0').filter(f => f !== '' && fs.existsSync(path.join(ROOT, f)));
}

/**
 * The packed library, built as a user builds it: the README's recipe run in a clean copy of the tree (outside the
 * repository, so jest and eslint never see it), so that nothing an earlier step left behind (lib/, assets/,
 * dist/) can reach the tarball. Its `npm ci` is the one cost skipped: the copy links this tree's node_modules,
 * installed from the same package-lock.json, whose equality is checked.
 */
function packLibrary(): string {
  const commands = readmeRecipe(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8'));
  const clean = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-compat-source-'));
  try {
    const files = sourceFiles();
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(clean, file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), path.join(clean, file));
    }
    const lock = (dir: string) => fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf-8');
    if (lock(clean) !== lock(ROOT) || !fs.existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'))) {
      throw new Error('node_modules is not installed from this package-lock.json: run `npm ci` first.');
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clean, 'node_modules'), 'dir');
    console.log(`library: the README's recipe in a clean copy of the tree (${files.length} files, node_modules linked): ${commands.join(' && ')}`);
    // The copy is a project of its own: no variable of the npm script that runs cdk-compat points npm back here.
    const env = Object.fromEntries(Object.entries(OFFLINE_ENV)
      .filter(([k]) => !/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|INIT_CWD$)/.test(k)));
    for (const command of commands.slice(1)) {
      timed(`  ${command}`, () => run('sh', ['-c', command], { cwd: clean, env }));
    }
    const packed = fs.readdirSync(clean).filter(f => f.endsWith('.tgz'));
    if (packed.length !== 1) {
      throw new Error(`the README's recipe packed ${packed.length} tarballs (${packed.join(', ')}): expected one.`);
    }
    const tarball = path.join(SCRATCH, `${PACKAGE.name}.tgz`);
    fs.copyFileSync(path.join(clean, packed[0]), tarball);
    return tarball;
  } finally {
    fs.rmSync(clean, { recursive: true, force: true });
  }
}

function installedVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(APP, 'node_modules', name, 'package.json'), 'utf-8')) as { version: string }).version;
}

/** The fresh app: package.json with the versions under test and the tarball, installed from the npm cache. */
function install(tarball: string, versions: Record<string, string>, cdkNag: string | undefined): void {
  fs.rmSync(APP, { recursive: true, force: true });
  fs.mkdirSync(APP, { recursive: true });
  const dependencies: Record<string, string> = {
    ...versions,
    [PACKAGE.name]: `file:${path.relative(APP, tarball)}`,
    ...(cdkNag ? { 'cdk-nag': cdkNag } : {}),
  };
  fs.writeFileSync(path.join(APP, 'package.json'), JSON.stringify({ name: 'compat-app', private: true, dependencies }, null, 2));
  // No --legacy-peer-deps: the packed library's peer range must accept these versions, as in a user's app.
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: APP });
}

/**
 * aws-cdk-lib APIs newer than the peer minimum that the examples (written for the newest aws-cdk-lib) use, and
 * how an app on an older version writes the same thing. Applied to the copied examples only when the installed
 * version lacks the API; the library itself must feature-detect (the source type-check above enforces it).
 */
interface NewerApi {
  readonly module: string;
  readonly member: string;
  /** The rewritten code, or the same code when it does not use the API. */
  readonly rewrite: (code: string) => string;
  readonly how: string;
}

const NEWER_APIS: NewerApi[] = [
  {
    // Runtime.NODEJS_24_X arrived in aws-cdk-lib 2.224; Lambda accepts the runtime id whatever the CDK version.
    module: 'aws-cdk-lib/aws-lambda',
    member: 'Runtime.NODEJS_24_X',
    rewrite: code => code.replace(/\blambda\.Runtime\.NODEJS_24_X\b/g, "new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS)"),
    how: "uses new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS)",
  },
  {
    // Validations (acknowledgments for policy plugins) arrived in aws-cdk-lib 2.251; before it no plugin reads them.
    module: 'aws-cdk-lib',
    member: 'Validations',
    rewrite: code => {
      const match = /^import \{([^}]*)\} from 'aws-cdk-lib';\n/m.exec(code);
      const names = match ? match[1].split(',').map(n => n.trim()).filter(n => n !== '') : [];
      if (!match || !names.includes('Validations')) {
        return code;
      }
      const rest = names.filter(n => n !== 'Validations');
      const shim = (rest.length > 0 ? `import { ${rest.join(', ')} } from 'aws-cdk-lib';\n` : '')
        + '// cdk-compat: this aws-cdk-lib has no Validations, and no policy plugin that reads acknowledgments.\n'
        + 'const Validations = { of: (_scope: unknown) => ({ acknowledge: (..._acknowledgments: unknown[]): void => undefined }) };\n';
      return code.replace(match[0], shim);
    },
    how: 'acknowledges nothing (no policy plugin reads acknowledgments there)',
  },
];

function missingApis(): NewerApi[] {
  return NEWER_APIS.filter(({ module, member }) => {
    const script = `const m = require(${JSON.stringify(module)}); process.exit(${JSON.stringify(member)}.split('.').reduce((o, k) => o?.[k], m) ? 0 : 1)`;
    return spawnSync(process.execPath, ['-e', script], { cwd: APP }).status !== 0;
  });
}

/** Copies a TypeScript file, importing the installed package instead of the repository's source. */
function copySource(from: string, to: string, apis: NewerApi[], notes: Set<string>): void {
  let code = fs.readFileSync(from, 'utf-8').replace(/from '(?:\.\.\/)+src'/g, `from '${PACKAGE.name}'`);
  const deep = /from '((?:\.\.\/)+(?:src|lib)\/[^']*)'/.exec(code);
  if (deep) {
    throw new Error(`${path.relative(ROOT, from)} imports '${deep[1]}': apps must import the package's entry point, as users do.`);
  }
  for (const api of apis) {
    const rewritten = api.rewrite(code);
    if (rewritten !== code) {
      code = rewritten;
      notes.add(`${api.member} is missing from aws-cdk-lib ${installedVersion('aws-cdk-lib')}: the copy of ${path.relative(ROOT, from)} ${api.how}`);
    }
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, code);
}

function copyTree(from: string, to: string, apis: NewerApi[], notes: Set<string>): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'cdk.out' && entry.name !== 'node_modules') {
        copyTree(source, target, apis, notes);
      }
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      copySource(source, target, apis, notes);
    } else {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}

interface AppSpec {
  /** `examples/<name>` or `features/<name>`. */
  readonly name: string;
  /** The compiled module that exports `createApp`, relative to the app directory (JavaScript is emitted beside the TypeScript, so assets such as examples/shared/handler resolve). */
  readonly module: string;
  /** Context of the example's cdk.json (feature flags). */
  readonly context: Record<string, unknown>;
  /** The cloud assembly `npm run examples` wrote on the newest aws-cdk-lib, for examples. */
  readonly newest?: string;
}

/** Copies the examples' apps and the feature apps into the scratch app. */
function copyApps(notes: Set<string>): AppSpec[] {
  const apis = missingApis();
  const examplesDir = path.join(ROOT, 'examples');
  const examples = fs.readdirSync(examplesDir).filter(name => fs.existsSync(path.join(examplesDir, name, 'cdk.json'))).sort();
  copyTree(path.join(examplesDir, 'shared'), path.join(APP, 'src', 'examples', 'shared'), apis, notes);
  const specs: AppSpec[] = examples.map(name => {
    copySource(path.join(examplesDir, name, 'app.ts'), path.join(APP, 'src', 'examples', name, 'app.ts'), apis, notes);
    const cdkJson = JSON.parse(fs.readFileSync(path.join(examplesDir, name, 'cdk.json'), 'utf-8')) as { context?: Record<string, unknown> };
    return { name: `examples/${name}`, module: `src/examples/${name}/app.js`, context: cdkJson.context ?? {}, newest: path.join(examplesDir, name, 'cdk.out') };
  });
  const featuresDir = path.join(__dirname, 'apps');
  copyTree(featuresDir, path.join(APP, 'src', 'features'), apis, notes);
  copySource(path.join(__dirname, 'app-main.ts'), path.join(APP, 'src', 'app-main.ts'), apis, notes);
  for (const name of Object.keys(FEATURE_CHECKS)) {
    if (!fs.existsSync(path.join(featuresDir, `${name}.ts`))) {
      throw new Error(`scripts/compat/apps/${name}.ts is missing (FEATURE_CHECKS names it).`);
    }
    specs.push({ name: `features/${name}`, module: `src/features/${name}.js`, context: {} });
  }
  return specs;
}

/** Compiles the copied apps against the installed packages (type-checked, as a user's `tsc` would). */
function compileApps(): void {
  fs.writeFileSync(path.join(APP, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node10',
      ignoreDeprecations: '6.0',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    },
    include: ['src/**/*.ts'],
  }, null, 2));
  run(path.join(BIN, 'tsc'), ['-p', 'tsconfig.json'], { cwd: APP });
}

/**
 * Type-checks the library's source against the installed aws-cdk-lib and constructs: a newer API used without
 * feature detection fails here, before any app runs.
 */
function typeCheckSource(): void {
  const modules = path.join(APP, 'node_modules');
  const tsconfig = path.join(SCRATCH, 'tsconfig.source.json');
  fs.writeFileSync(tsconfig, JSON.stringify({
    extends: path.join(ROOT, 'tsconfig.json'),
    compilerOptions: {
      noEmit: true,
      rootDir: ROOT,
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      paths: {
        'aws-cdk-lib': [path.join(modules, 'aws-cdk-lib')],
        'aws-cdk-lib/*': [path.join(modules, 'aws-cdk-lib', '*')],
        'constructs': [path.join(modules, 'constructs')],
      },
    },
    include: [path.join(ROOT, 'src', '**', '*.ts')],
  }, null, 2));
  run(path.join(BIN, 'tsc'), ['-p', tsconfig], { cwd: ROOT });
}

// ---------------------------------------------------------------------------------------------------------------
// Synthesis and checks
// ---------------------------------------------------------------------------------------------------------------

interface Result {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: string;
  readonly lines: string[];
  /** The library's bundled Lambda handlers the app's cloud assembly ships. */
  readonly handlers?: string[];
}

/**
 * The library's bundled Lambda handlers (`assets/<handler>/index.js` of the installed tarball) that a cloud
 * assembly ships: a staged asset directory whose index.js is that bundle, byte for byte.
 */
function bundledHandlersIn(outDir: string): string[] {
  const installed = path.join(APP, 'node_modules', PACKAGE.name);
  const staged = fs.readdirSync(outDir).filter(d => d.startsWith('asset.') && fs.existsSync(path.join(outDir, d, 'index.js')))
    .map(d => fs.readFileSync(path.join(outDir, d, 'index.js')));
  return lambdaHandlers(ROOT).filter(handler => {
    const bundle = path.join(installed, 'assets', handler, 'index.js');
    return fs.existsSync(bundle) && staged.some(code => code.equals(fs.readFileSync(bundle)));
  });
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf-8')) as T;
}

/** Pipeline templates of a cloud assembly, by stack (nested stage assemblies are the application's). */
function pipelineTemplates(outDir: string): Map<string, Template> {
  const manifest = readJson<{ artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> }>(path.join(outDir, 'manifest.json'));
  const result = new Map<string, Template>();
  for (const [stack, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const template = readJson<Template>(path.join(outDir, artifact.properties.templateFile));
      if (resourcesOf(template, 'AWS::CodePipeline::Pipeline').length > 0) {
        result.set(stack, template);
      }
    }
  }
  return result;
}

/** The stacks a stack of the cloud assembly depends on (its manifest dependencies, assets excluded). */
function dependenciesOf(outDir: string, stack: string): string[] {
  const manifest = readJson<{ artifacts?: Record<string, { dependencies?: string[] }> }>(path.join(outDir, 'manifest.json'));
  return (manifest.artifacts?.[stack]?.dependencies ?? []).filter(d => !d.endsWith('.assets'));
}

function stagesOf(template: Template): StageJson[] {
  return (resourcesOf(template, 'AWS::CodePipeline::Pipeline')[0].Properties?.Stages ?? []) as StageJson[];
}

/**
 * Names that CDK Pipelines itself gives differently across the range: its single asset-publishing action is
 * `FileAsset`/`DockerAsset` before aws-cdk-lib 2.202 and `FileAssets`/`DockerAssets` since.
 */
const CDK_PIPELINES_RENAMES = new Map([['FileAsset', 'FileAssets'], ['DockerAsset', 'DockerAssets']]);

/**
 * What must not change across the range: stage names, action names and run orders, and each stage's
 * conditions (rule providers, their configuration and results), as the user configured them.
 */
function layout(template: Template): string[] {
  const name = (action: ActionJson) => CDK_PIPELINES_RENAMES.get(action.Name) ?? action.Name;
  return stagesOf(template).flatMap(stage => [
    `${stage.Name}: ${[...stage.Actions].sort((a, b) => (a.RunOrder ?? 1) - (b.RunOrder ?? 1) || name(a).localeCompare(name(b)))
      .map(a => `${a.RunOrder ?? 1}:${name(a)}`).join(' ')}`,
    ...(['BeforeEntry', 'OnSuccess'] as const).filter(k => stage[k]).map(k => `${stage.Name} ${k}: ${JSON.stringify(stage[k])}`),
    ...(stage.OnFailure ? [`${stage.Name} OnFailure: ${JSON.stringify(stage.OnFailure)}`] : []),
  ]);
}

/** Differences of the example's pipelines from those on the newest aws-cdk-lib, when that assembly is from this build. */
function compareWithNewest(spec: AppSpec, outDir: string): string[] {
  const newest = spec.newest && path.join(spec.newest, 'manifest.json');
  const lib = path.join(ROOT, 'lib', 'index.js');
  if (!newest || !fs.existsSync(newest) || !fs.existsSync(lib) || fs.statSync(newest).mtimeMs < fs.statSync(lib).mtimeMs) {
    return spec.newest ? [`  (not compared with the newest aws-cdk-lib: ${path.relative(ROOT, spec.newest)} is missing or older than lib/; run npm run examples)`] : [];
  }
  const ours = pipelineTemplates(outDir);
  const theirs = pipelineTemplates(spec.newest!);
  const problems: string[] = [];
  for (const [stack, template] of theirs) {
    const mine = ours.get(stack);
    if (!mine) {
      problems.push(`DIFF ${stack}: no pipeline on this version`);
      continue;
    }
    const [a, b] = [layout(template), layout(mine)];
    a.filter(l => !b.includes(l)).forEach(l => problems.push(`DIFF ${stack} newest:  ${l}`));
    b.filter(l => !a.includes(l)).forEach(l => problems.push(`DIFF ${stack} this:    ${l}`));
  }
  return problems.length > 0 ? problems
    : [`  same stages, actions (up to CDK Pipelines' asset action name) and conditions as on the newest aws-cdk-lib (${[...theirs.keys()].join(', ')})`];
}

function synthesize(spec: AppSpec, cdkNag: boolean): Result {
  const dir = path.join(APP, 'run', spec.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({
    app: `node ${path.relative(dir, path.join(APP, 'src', 'app-main.js'))} ${path.relative(dir, path.join(APP, spec.module))}`,
    context: spec.context,
  }, null, 2));
  const started = process.hrtime.bigint();
  const cli = spawnSync(path.join(BIN, 'cdk'), ['synth', '--quiet', '--no-notices', '--output', 'cdk.out'], {
    cwd: dir, encoding: 'utf-8', env: { ...OFFLINE_ENV, ...(cdkNag ? { COMPAT_CDK_NAG: '1' } : {}) },
  });
  const time = seconds(started);
  const lines: string[] = [];
  if (cli.status !== 0) {
    return { name: spec.name, ok: false, seconds: time, lines: [`cdk synth failed (exit ${cli.status}):`, cli.stdout, cli.stderr] };
  }
  const outDir = path.join(dir, 'cdk.out');
  const handlers = bundledHandlersIn(outDir);
  if (handlers.length > 0) {
    lines.push(`  bundled Lambda handlers from the tarball: ${handlers.join(', ')}`);
  }
  const templates = pipelineTemplates(outDir);
  let ok = templates.size > 0;
  if (!ok) {
    lines.push('FAIL no pipeline in the cloud assembly');
  }
  for (const [stack, template] of templates) {
    const shape = PipelineShape.fromTemplateJson(template);
    lines.push(`  ${stack}: ${shape.pipelineType}, ${shape.releaseMode}, ${shape.criticalPathHops} hops, ${shape.approvals} approval(s)`);
    lines.push(...shape.describe().split('\n').map(l => `    ${l}`));
  }
  const feature = spec.name.startsWith('features/') ? FEATURE_CHECKS[spec.name.slice('features/'.length)] : undefined;
  for (const check of feature ?? []) {
    const problems = [...templates.entries()].flatMap(([stack, t]) => check.problems(stagesOf(t), t, dependenciesOf(outDir, stack)));
    ok &&= problems.length === 0;
    lines.push(`  ${problems.length === 0 ? 'ok  ' : 'FAIL'} ${check.what}`, ...problems.map(p => `         ${p}`));
  }
  if (spec.newest) {
    const diff = compareWithNewest(spec, outDir);
    ok &&= !diff.some(l => l.startsWith('DIFF'));
    lines.push(...diff.map(l => l.startsWith('DIFF') ? `  ${l}` : l));
  }
  // aws-cdk-lib writes policy-validation-report.json before 2.262 and validation-report.json since. A plugin that
  // fails (cdk-nag 3 on aws-cdk-lib 2.257: no construct tree on the context) reports no violation, and the CLI
  // exits 0: a failed plugin fails the app here.
  const reportFiles = ['validation-report.json', 'policy-validation-report.json'].map(f => path.join(outDir, f)).filter(f => fs.existsSync(f));
  if (cdkNag && reportFiles.length === 0) {
    ok = false;
    lines.push('  FAIL cdk-nag was registered, but the cloud assembly has no validation report');
  }
  for (const file of reportFiles) {
    const reports = readJson<ValidationReport>(file).pluginReports ?? [];
    const findings = reports.flatMap(p => [
      ...(p.summary?.status === 'failure' && (p.violations ?? []).length === 0
        ? [`${p.summary.pluginName ?? p.pluginName}: plugin failed: ${p.summary.metadata?.error ?? 'no reason given'}`] : []),
      ...(p.violations ?? []).map(v => `${p.summary?.pluginName ?? p.pluginName}: ${v.ruleName}`),
    ]);
    ok &&= findings.length === 0;
    lines.push(`  ${path.basename(file)}: ${findings.length === 0 ? 'no finding' : `${findings.length} finding(s)`}`, ...findings.map(f => `    ${f}`));
  }
  return { name: spec.name, ok, seconds: time, lines, handlers };
}

/**
 * The installed tarball with its bundles hidden (as a package packed without them): creating the metrics function
 * must fail with the library's message (cause and fix), not aws-cdk-lib's `Cannot find asset`. The problems found.
 */
function missingBundleMessage(): string[] {
  const assets = path.join(APP, 'node_modules', PACKAGE.name, 'assets');
  const hidden = `${assets}.hidden`;
  fs.renameSync(assets, hidden);
  try {
    const script = [
      "const cdk = require('aws-cdk-lib');",
      `const { BundledFunction } = require('${PACKAGE.name}/lib/private/bundled-handler');`,
      "new BundledFunction(new cdk.Stack(new cdk.App(), 'Stack'), 'Function', { bundle: 'metrics/private/publish-metrics.lambda' });",
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { cwd: APP, encoding: 'utf-8', env: OFFLINE_ENV });
    const expected = ["Stack/Function: the bundled Lambda handler 'metrics/private/publish-metrics.lambda' is missing",
      'packed without its bundles', '`npm ci && npx projen compile && npm pack`'];
    return [
      ...expectThat(result.status !== 0, 'creating the function succeeded without its bundle'),
      ...expected.filter(e => !result.stderr.includes(e)).map(e => `the error does not say: ${e}`),
      ...expectThat(!result.stderr.includes('Cannot find asset'), "aws-cdk-lib's 'Cannot find asset' came first"),
    ].map(p => `${p}${result.stderr ? `\n${result.stderr.trim().split('\n').slice(0, 3).join('\n')}` : ''}`);
  } finally {
    fs.renameSync(hidden, assets);
  }
}

function main(): number {
  const started = process.hrtime.bigint();
  const { versions, cdkNag, only } = parseArgs(process.argv.slice(2));
  fs.mkdirSync(SCRATCH, { recursive: true });
  console.log(`cdk-compat: aws-cdk-lib ${versions['aws-cdk-lib']}, constructs ${versions.constructs}${cdkNag ? `, cdk-nag ${cdkNag}` : ', no cdk-nag'}`);

  const tarball = timed('packed the library', packLibrary);
  timed(`installed into ${path.relative(ROOT, APP)} (npm cache)`, () => install(tarball, versions, cdkNag));
  const installed = `aws-cdk-lib ${installedVersion('aws-cdk-lib')}, constructs ${installedVersion('constructs')}`
    + (cdkNag ? `, cdk-nag ${installedVersion('cdk-nag')}` : '');
  console.log(`installed: ${installed}, ${PACKAGE.name} ${installedVersion(PACKAGE.name)}`);
  timed(`type-checked src/ against ${installed}`, typeCheckSource);

  const notes = new Set<string>();
  let specs = copyApps(notes);
  timed('compiled the apps against the installed packages (tsc, type-checked)', compileApps);
  notes.forEach(n => console.log(`note: ${n}`));
  if (only.length > 0) {
    const unknown = only.filter(o => !specs.some(s => s.name === o || s.name.endsWith(`/${o}`)));
    if (unknown.length > 0) {
      throw new Error(`Unknown app(s): ${unknown.join(', ')}. Available: ${specs.map(s => s.name).join(', ')}.`);
    }
    specs = specs.filter(s => only.some(o => s.name === o || s.name.endsWith(`/${o}`)));
  }

  const results = specs.map(spec => {
    const result = synthesize(spec, cdkNag !== undefined);
    console.log(`\n=== ${result.name} (cdk synth ${result.seconds} s)`);
    result.lines.forEach(l => console.log(l));
    return result;
  });

  console.log(`\n=== cdk-compat summary (${installed})`);
  results.forEach(r => console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(30)} ${r.seconds.padStart(5)} s`));
  // The install recipe's proof: every bundled handler of the library reached a synthesized app from the tarball.
  const unshipped = only.length > 0 ? [] : lambdaHandlers(ROOT).filter(h => !results.some(r => r.handlers?.includes(h)));
  for (const handler of lambdaHandlers(ROOT)) {
    const apps = results.filter(r => r.handlers?.includes(handler)).map(r => r.name);
    console.log(`${apps.length > 0 || only.length > 0 ? 'ok  ' : 'FAIL'} bundled handler ${handler}: ${apps.length > 0 ? `in ${apps.join(', ')}` : 'in no app'}`);
  }
  const missingBundle = timed('a package without its bundles fails with the cause and the fix', missingBundleMessage);
  console.log(`${missingBundle.length === 0 ? 'ok  ' : 'FAIL'} a missing bundle names the cause and the fix${missingBundle.map(p => `\n       ${p}`).join('')}`);
  const failed = results.filter(r => !r.ok).length + unshipped.length + (missingBundle.length > 0 ? 1 : 0);
  console.log(`cdk-compat: ${results.length - failed} app(s) synthesized and checked, ${failed} failed, in ${seconds(started)} s`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`cdk-compat: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
