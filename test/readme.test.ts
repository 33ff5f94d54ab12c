import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { App, Stack, TimeZone } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipelines from 'aws-cdk-lib/pipelines';
import * as constructs from 'constructs';
import * as ts from 'typescript';
import { createApp as continuousDelivery } from '../examples/continuous-delivery/app';
import { createApp as continuousDeployment } from '../examples/continuous-deployment/app';
import { createApp as guardedProduction } from '../examples/guarded-production/app';
import { ServiceStage } from '../examples/shared/service-stage';
import * as library from '../src';
import { DeliveryPipeline, PipelineShape } from '../src';
import { fixture, referenceProps } from './fixtures/app';

/**
 * README snippets must compile: every ```ts block is type-checked against the library's source, with
 * `cdk-delivery-pipelines` mapped to src/index.ts.
 */
const ROOT = path.join(__dirname, '..');

/** The README's `MyServiceStage`, the module its pipeline example imports from './my-service-stage'. */
const STAGE_MARKER = '// my-service-stage.ts\n';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');

function snippets(): string[] {
  return [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
}

function myServiceStage(): string {
  const stage = snippets().filter(code => code.startsWith(STAGE_MARKER));
  expect(stage).toHaveLength(1);
  return stage[0];
}

test('the README has TypeScript snippets', () => {
  expect(snippets().length).toBeGreaterThanOrEqual(4);
});

test('every README TypeScript snippet compiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  fs.writeFileSync(path.join(dir, 'my-service-stage.ts'), myServiceStage());
  const files = snippets().filter(code => !code.startsWith(STAGE_MARKER)).map((code, i) => {
    const file = path.join(dir, `snippet${i}.ts`);
    // Each snippet is a module of its own.
    fs.writeFileSync(file, `${code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    ignoreDeprecations: '6.0',
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    baseUrl: ROOT,
    paths: {
      'cdk-delivery-pipelines': ['src/index.ts'],
      '*': ['node_modules/*'],
    },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program)
    .filter(d => d.file && files.includes(path.resolve(d.file.fileName)))
    .map(d => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(diagnostics).toEqual([]);
});

/*
 * The pipeline the README shows is the pipeline the code builds: its "At a glance" example is run, synthesized and
 * compared with examples/continuous-delivery and with the text the README prints for it.
 */

/** The modules the README's runnable snippets import. */
const SNIPPET_MODULES = { 'node:path': path, 'aws-cdk-lib': cdk, 'aws-cdk-lib/aws-lambda': lambda, 'constructs': constructs };

/** Runs a README snippet as a CommonJS module: `cdk-delivery-pipelines` is src/, './my-service-stage' the README's. */
function runSnippet(code: string, dirname: string, modules: Record<string, unknown>): Record<string, unknown> {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  const load = (name: string): unknown => {
    const loaded = ({ ...SNIPPET_MODULES, ...modules } as Record<string, unknown>)[name];
    if (loaded === undefined) {
      throw new Error(`A README snippet imports '${name}': add it to SNIPPET_MODULES.`);
    }
    return loaded;
  };
  new Function('require', 'module', 'exports', '__dirname', js)(load, module, module.exports, dirname);
  return module.exports;
}

function readmeApp(edit: (code: string) => string = code => code): App {
  const stageModule = runSnippet(myServiceStage(), path.join(ROOT, 'examples', 'shared'), {});
  const atAGlance = edit(snippets().find(code => code.includes("from './my-service-stage'"))!);
  const exported = runSnippet(`${atAGlance}\nexport { app };\n`, ROOT, {
    'cdk-delivery-pipelines': library,
    './my-service-stage': stageModule,
  });
  return exported.app as App;
}

/** The text block that follows "The synthesized pipeline" in the README. */
function readmeDiagram(): string {
  const match = /The synthesized pipeline[\s\S]*?```\n([\s\S]*?)```/.exec(README);
  expect(match).not.toBeNull();
  return match![1].trimEnd();
}

const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
function claimed(pattern: RegExp): number {
  const match = pattern.exec(README);
  expect(match).not.toBeNull();
  return NUMBERS.indexOf(match![1].toLowerCase());
}

describe('the README\'s pipeline', () => {
  const readme = PipelineShape.fromStack(readmeApp().node.findChild('Pipeline') as Stack);
  const example = PipelineShape.fromStack(Stack.of(continuousDelivery(new App())));

  test('is the continuous-delivery example\'s: same stages, action slots and actions, same mode', () => {
    expect(readme.stages.map(s => [s.name, s.slots.map(slot => slot.actions)]))
      .toEqual(example.stages.map(s => [s.name, s.slots.map(slot => slot.actions)]));
    expect(readme.releaseMode).toBe('continuous-delivery');
    expect(example.releaseMode).toBe('continuous-delivery');
  });

  test('the comparison notices a drift: the example with two production regions is not the example', () => {
    const twoRegions = readmeApp(code => code.replace(", 'ap-southeast-2'", ''));
    const drifted = PipelineShape.fromStack(twoRegions.node.findChild('Pipeline') as Stack);
    expect(drifted.stages.map(s => s.name)).toEqual(example.stages.map(s => s.name));
    expect(drifted.describe()).not.toBe(example.describe());
    expect(drifted.describe()).not.toBe(readmeDiagram());
  });

  test('is the text the README prints for it', () => {
    expect(readmeDiagram()).toBe(readme.describe());
    expect(readmeDiagram()).toBe(example.describe());
  });

  test('has the hops and approvals the README states', () => {
    expect(claimed(/^(\w+) sequential action slots \("hops"\), (?:\w+) manual approval/m)).toBe(readme.criticalPathHops);
    expect(claimed(/sequential action slots \("hops"\), (\w+) manual approval/)).toBe(readme.approvals);
  });

  test('is shorter than the same app with CDK Pipelines defaults, by the hops the README states', () => {
    const app = new App();
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'us-east-1' } });
    const source = pipelines.CodePipelineSource.connection('acme/service', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d' });
    const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
      crossAccountKeys: true,
      synth: new pipelines.ShellStep('Synth', { input: source, commands: ['npm ci', 'npm run build', 'npx cdk synth'] }),
    });
    const staging = new ServiceStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } });
    pipeline.addStage(staging, {
      pre: [new pipelines.ShellStep('UnitTests', { input: source, commands: ['npm ci', 'npm test'] })],
      post: [new pipelines.ShellStep('SmokeTest', { commands: ['curl --fail "$URL"'], envFromCfnOutputs: { URL: staging.urlOutput } })],
    });
    const production = pipeline.addWave('Production', { pre: [new pipelines.ManualApprovalStep('PromoteToProduction')] });
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
      production.addStage(new ServiceStage(app, `Production-${region}`, { env: { account: '333333333333', region } }));
    }
    pipeline.buildPipeline();
    expect(claimed(/CDK Pipelines defaults \([^)]*\) has (\w+)\./)).toBe(PipelineShape.fromStack(stack).criticalPathHops);
  });
});

test('release modes: the continuous-deployment example has no approval action; a gated migration adds one in that mode', () => {
  expect(README).toContain('`examples/continuous-deployment`\nhas no approval action at all');
  const deployment = PipelineShape.fromStack(Stack.of(continuousDeployment(new App())));
  expect([deployment.releaseMode, deployment.approvals]).toEqual(['continuous-deployment', 0]);
  const guarded = PipelineShape.fromStack(Stack.of(guardedProduction(new App())));
  // The migration's approval, and the Review of each of its two reviewed waves.
  expect([guarded.releaseMode, guarded.approvals]).toEqual(['continuous-deployment', 3]);
  const approvals = guarded.stages.flatMap(s => s.slots.flatMap(slot => slot.actions.filter(a => a === 'Review' || a === 'PromoteToProduction').map(a => `${s.name}/${a}`)));
  expect(approvals).toEqual(['Staging/PromoteToProduction', 'Production-canary/Review', 'Production-global/Review']);
});

test('the README does not tell users to install from a registry (the package is not published)', () => {
  expect(README).not.toMatch(/npm install cdk-delivery-pipelines\b(?!-)/);
  expect(README).toContain('is **not published**');
});

test('the installed aws-cdk-lib lists the number of time zones the README states', () => {
  const zones = (Object.values(TimeZone) as unknown[]).filter(z => z instanceof TimeZone);
  const match = /`TimeZone` lists the same (\d+)\s+zones/.exec(README);
  expect(Number(match?.[1])).toBe(zones.length);
});

test('the examples table: continuous-deployment runs two test steps in parallel, canary then global waves, one deploy action per stack', () => {
  expect(README).toContain('| `examples/continuous-deployment` | deployment mode: two test steps in parallel, ordered production waves (canary, then global), one deploy action per stack |');
  const shape = PipelineShape.fromStack(Stack.of(continuousDeployment(new App())));
  expect(shape.stages.find(s => s.name === 'Test')!.slots.map(slot => slot.actions.filter(a => !['SelfMutate', 'FileAssets'].includes(a))))
    .toEqual([['Lint', 'UnitTests']]);
  expect(shape.stageNames.filter(n => n.startsWith('Production'))).toEqual(['Production-canary', 'Production-global']);
  const deployActions = shape.stages.filter(s => s.name !== 'Source' && s.name !== 'Build' && s.name !== 'Test')
    .flatMap(s => s.slots.flatMap(slot => slot.actions));
  // One stack per Stage: staging, the canary, two global regions.
  expect(deployActions.filter(a => /(^|\.)Prepare$/.test(a))).toEqual([]);
  expect(deployActions.filter(a => /(^|\.)Deploy$/.test(a))).toHaveLength(4);
});

test('more than 47 test steps split into Test-1, Test-2 (47 fit beside self-mutation and the asset actions)', () => {
  expect(README).toMatch(/than\s+47 test steps the same way \(`Test-1`, `Test-2`\)/);
  const stageNames = (tests: number) => {
    const f = fixture();
    return new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      tests: Array.from({ length: tests }, (_, i) => ({ name: `T${i}`, commands: ['npm test'] })),
    })).stageNames.filter(n => n.startsWith('Test'));
  };
  expect(stageNames(47)).toEqual(['Test']);
  expect(stageNames(48)).toEqual(['Test-1', 'Test-2']);
});
