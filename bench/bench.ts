/**
 * `npm run bench`: figures asked for in the issues, measured, never asserted in tests (not run in CI).
 *
 * 1. The reference app (bench/reference-app.ts) three ways: with this library, with aws-cdk-lib/pipelines
 *    defaults, and with CDK Pipelines tuned (no change sets, one asset project per type, V2). Each is compiled to
 *    JavaScript with tsc into a temporary directory and synthesized by the real `cdk synth` from node_modules,
 *    offline, with aws-cdk-lib's CloudFormation validation on as in the examples' cdk.json. Runs are paired and
 *    interleaved (each round runs all three, the order rotating), after warm-up rounds. Per variant: median and
 *    spread of wall time and of CPU time (user + sys of the CLI and the app process it starts), peak RSS (the
 *    largest process, from GNU time), and from the last run's cdk.out the critical-path hops, CodeBuild hops and
 *    projects, stages and pipeline template bytes. Goals are judged on the medians.
 * 2. Scale: 1, 30 and 100 production targets (hops, stages, template bytes, every production stage guarded), with
 *    an in-process synth time (construct + app.synth(), no CLI, no CloudFormation validation: not comparable
 *    with section 1).
 * 3. The example pipelines' hops.
 * 4. Delivery metrics over 10,000 executions: API calls and CPU time.
 * 5. The CLI over 100,000 executions (bench/cli-scale.ts): metrics without vs with 2 % rollbacks, and export +
 *    metrics --history of the exported file (time, bytes).
 *
 * Usage: npm run bench [-- --runs N (default 7) --warmup N (default 1) --skip-extras (section 1 only)
 *        --only reference|scale|examples|metrics|cli (that section alone)]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { runCliScaleBench } from './cli-scale';
import { runMetricsBench } from './metrics';
import { withDeliveryPipeline } from './reference-app';
import { createApp as continuousDelivery } from '../examples/continuous-delivery/app';
import { createApp as continuousDeployment } from '../examples/continuous-deployment/app';
import { createApp as guardedProduction } from '../examples/guarded-production/app';
import { DeliveryPipeline, PipelineShape } from '../src';
import { isProductionStage } from '../src/contract';

const ROOT = path.join(__dirname, '..');
const GNU_TIME = '/usr/bin/time';

interface Variant {
  /** BENCH_VARIANT for bench/synth-app.ts */
  readonly id: string;
  readonly label: string;
}

const VARIANTS: Variant[] = [
  { id: 'ours', label: 'cdk-delivery-pipelines' },
  { id: 'cdk-pipelines-defaults', label: 'CDK Pipelines defaults' },
  { id: 'cdk-pipelines-tuned', label: 'CDK Pipelines tuned' },
];

interface Run {
  readonly wallMs: number;
  readonly cpuMs?: number;
  readonly peakRssKb?: number;
}

interface Measurement {
  readonly runs: Run[];
  readonly shape: PipelineShape;
  readonly templateBytes: number;
  readonly validationFindings: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

function spread(values: number[], unit: (n: number) => string): string {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return `${unit(m)} (${unit(min)}–${unit(max)}, ±${(((max - min) / 2 / m) * 100).toFixed(0)} %)`;
}

/**
 * tsc: the reference app and the library's source to JavaScript in a temporary directory. Type-checking is the
 * lint step's job (tsc -p bench/tsconfig.json); here each file is emitted on its own (--noCheck --noResolve), which
 * takes seconds instead of a minute. node_modules, the bundled Lambda assets and the example handler are linked
 * in at the paths the compiled code reads them from.
 */
function compileApp(): string {
  if (!fs.existsSync(path.join(ROOT, 'assets'))) {
    throw new Error('No assets/ directory: run `npx projen bundle` first (npm run bench does).');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-delivery-bench-'));
  const out = path.join(dir, 'out');
  const sources = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf-8' })
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map(f => path.join('src', f));
  const started = Date.now();
  const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), [
    '--ignoreConfig', '--outDir', out, '--rootDir', '.', '--module', 'commonjs', '--target', 'ES2022',
    '--esModuleInterop', '--skipLibCheck', '--isolatedModules', '--noCheck', '--noResolve', '--types', 'node',
    'bench/synth-app.ts', 'bench/reference-app.ts', ...sources,
  ], { cwd: ROOT, encoding: 'utf-8' });
  if (tsc.status !== 0) {
    throw new Error(`tsc failed (exit ${tsc.status}):\n${tsc.stdout}${tsc.stderr}`);
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'assets'), path.join(out, 'assets'));
  fs.mkdirSync(path.join(out, 'examples', 'shared'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'examples', 'shared', 'handler'), path.join(out, 'examples', 'shared', 'handler'));
  // As the examples' cdk.json: CloudFormation validation findings are errors.
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({
    app: 'node out/bench/synth-app.js',
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
  }, undefined, 2));
  console.log(`   tsc to ${dir}: ${((Date.now() - started) / 1000).toFixed(1)} s (not timed below)`);
  return dir;
}

/** One real `cdk synth` (the CLI from node_modules), as `npm run examples` runs it. */
function cdkSynth(dir: string, variant: Variant): Run {
  const outdir = `cdk.out.${variant.id}`;
  fs.rmSync(path.join(dir, outdir), { recursive: true, force: true });
  const cdk = [path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '--no-notices', '--output', outdir];
  const withTime = fs.existsSync(GNU_TIME);
  // GNU time: %e wall s, %U user s, %S sys s (the CLI and the app process it waits for), %M largest RSS in KB.
  const [command, args] = withTime
    ? [GNU_TIME, ['-f', 'BENCH-TIME %U %S %M', process.execPath, ...cdk]]
    : [process.execPath, cdk];
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, {
    cwd: dir,
    encoding: 'utf-8',
    env: { ...process.env, BENCH_VARIANT: variant.id, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) {
    throw new Error(`cdk synth of ${variant.label} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  const line = /BENCH-TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!line) return { wallMs };
  return { wallMs, cpuMs: (Number(line[1]) + Number(line[2])) * 1000, peakRssKb: Number(line[3]) };
}

function validationFindings(reportFile: string): number {
  if (!fs.existsSync(reportFile)) return 0;
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8')) as { pluginReports?: Array<{ violations?: unknown[] }> };
  return (report.pluginReports ?? []).reduce((n, p) => n + (p.violations?.length ?? 0), 0);
}

function measure(dir: string, runs: number, warmups: number): Map<string, Measurement> {
  const times = new Map<string, Run[]>(VARIANTS.map(v => [v.id, []]));
  for (let round = -warmups; round < runs; round++) {
    // Interleaved and paired: every round runs all three; the order rotates so no variant always goes first.
    const shift = ((round % VARIANTS.length) + VARIANTS.length) % VARIANTS.length;
    const order = [...VARIANTS.slice(shift), ...VARIANTS.slice(0, shift)];
    const cells: string[] = [];
    for (const v of order) {
      const run = cdkSynth(dir, v);
      if (round >= 0) times.get(v.id)!.push(run);
      cells.push(`${v.id} ${(run.wallMs / 1000).toFixed(1)} s`);
    }
    console.log(`   ${round < 0 ? 'warm-up' : `run ${round + 1}/${runs}`}: ${cells.join(', ')}`);
  }
  const results = new Map<string, Measurement>();
  for (const v of VARIANTS) {
    const out = path.join(dir, `cdk.out.${v.id}`);
    const templateFile = path.join(out, 'Pipeline.template.json');
    results.set(v.id, {
      runs: times.get(v.id)!,
      shape: PipelineShape.fromTemplateJson(JSON.parse(fs.readFileSync(templateFile, 'utf-8'))),
      templateBytes: fs.statSync(templateFile).size,
      validationFindings: validationFindings(path.join(out, 'validation-report.json')),
    });
  }
  return results;
}

function row(cells: Array<string | number>, widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

function referenceBench(runs: number, warmups: number): void {
  console.log('== Reference app (connection source, build, 1 unit-test step, staging + smoke test, approval, 3 production regions in another account, 1 Lambda asset)');
  console.log(`   real \`cdk synth\` of compiled JavaScript, CloudFormation validation on; ${warmups} warm-up round(s), then ${runs} paired rounds, order rotating`);
  const dir = compileApp();
  const started = Date.now();
  const results = measure(dir, runs, warmups);
  const [ours, defaults, tuned] = VARIANTS.map(v => results.get(v.id)!);
  const withTime = ours.runs.every(r => r.cpuMs !== undefined);

  const widths = [30, 24, 24, 22, 12, 12];
  console.log();
  console.log(row(['', VARIANTS[0].label, VARIANTS[1].label, VARIANTS[2].label, 'vs defaults', 'vs tuned'], widths));
  const figures: Array<[string, (m: Measurement) => number]> = [
    ['critical-path hops', m => m.shape.criticalPathHops],
    ['CodeBuild hops', m => m.shape.codeBuildHops],
    ['CodeBuild projects', m => m.shape.codeBuildProjects],
    ['pipeline stages', m => m.shape.stages.length],
    ['pipeline template bytes', m => m.templateBytes],
    ['validation findings', m => m.validationFindings],
    ['synth wall, median (ms)', m => median(m.runs.map(r => r.wallMs))],
    ...(withTime ? [
      ['synth CPU, median (ms)', (m: Measurement) => median(m.runs.map(r => r.cpuMs!))],
      ['peak RSS, median (MB)', (m: Measurement) => median(m.runs.map(r => r.peakRssKb!)) / 1024],
    ] as Array<[string, (m: Measurement) => number]> : []),
  ];
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : '-') : (a / b).toFixed(2));
  for (const [label, get] of figures) {
    const [a, b, c] = [get(ours), get(defaults), get(tuned)];
    console.log(row([label, a.toFixed(0), b.toFixed(0), c.toFixed(0), ratio(a, b), ratio(a, c)], widths));
  }

  console.log('\nspread: median (min–max, ± half the range as % of the median)');
  const seconds = (n: number) => `${(n / 1000).toFixed(2)} s`;
  const megabytes = (n: number) => `${(n / 1024).toFixed(0)} MB`;
  for (const v of VARIANTS) {
    const m = results.get(v.id)!;
    console.log(`  ${v.label.padEnd(24)} wall ${spread(m.runs.map(r => r.wallMs), seconds)}` +
      (withTime ? `; CPU ${spread(m.runs.map(r => r.cpuMs!), seconds)}; peak RSS ${spread(m.runs.map(r => r.peakRssKb!), megabytes)}` : ''));
  }
  // Paired: the ratio within each round, where both ran under the same load.
  const paired = (other: Measurement, get: (r: Run) => number) =>
    ours.runs.map((r, i) => get(r) / get(other.runs[i]));
  const pairedLine = (label: string, get: (r: Run) => number) => {
    const d = paired(defaults, get);
    const t = paired(tuned, get);
    console.log(`  paired ${label} ratio per round: vs defaults median ${median(d).toFixed(2)} (${Math.min(...d).toFixed(2)}–${Math.max(...d).toFixed(2)}), ` +
      `vs tuned median ${median(t).toFixed(2)} (${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)})`);
  };
  pairedLine('wall', r => r.wallMs);
  if (withTime) pairedLine('CPU', r => r.cpuMs!);
  if (!withTime) console.log(`  (no ${GNU_TIME}: CPU time and peak RSS not measured)`);
  console.log(`  ${VARIANTS.length * (runs + warmups)} synths in ${((Date.now() - started) / 1000).toFixed(0)} s; load average at the end: ${os.loadavg().map(n => n.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);

  console.log(`\nours:     ${ours.shape.describe().split('\n').join('\n          ')}`);
  console.log(`defaults: ${defaults.shape.describe().split('\n').join('\n          ')}`);
  console.log(`tuned:    ${tuned.shape.describe().split('\n').join('\n          ')}`);

  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  const wallRatio = (other: Measurement) => median(ours.runs.map(r => r.wallMs)) / median(other.runs.map(r => r.wallMs));
  console.log(`\ngoal: delivery mode <= 8 hops with the change-set review (7 without it, see "Change-set review" below): ${verdict(ours.shape.criticalPathHops <= 8)} (${ours.shape.criticalPathHops}; CDK Pipelines defaults ${defaults.shape.criticalPathHops}, tuned ${tuned.shape.criticalPathHops})`);
  console.log(`goal: delivery mode <= 3 CodeBuild hops: ${verdict(ours.shape.codeBuildHops <= 3)} (${ours.shape.codeBuildHops})`);
  console.log(`goal: synth wall-time ratio (medians) <= 1.10 vs CDK Pipelines defaults: ${verdict(wallRatio(defaults) <= 1.10)} (${wallRatio(defaults).toFixed(3)})`);
  console.log(`goal: synth wall-time ratio (medians) <= 1.10 vs CDK Pipelines tuned: ${verdict(wallRatio(tuned) <= 1.10)} (${wallRatio(tuned).toFixed(3)})`);
  if (withTime) {
    const cpuRatio = (other: Measurement) => median(ours.runs.map(r => r.cpuMs!)) / median(other.runs.map(r => r.cpuMs!));
    console.log(`goal: synth CPU-time ratio (medians) <= 1.10 vs CDK Pipelines defaults: ${verdict(cpuRatio(defaults) <= 1.10)} (${cpuRatio(defaults).toFixed(3)})`);
    console.log(`goal: synth CPU-time ratio (medians) <= 1.10 vs CDK Pipelines tuned: ${verdict(cpuRatio(tuned) <= 1.10)} (${cpuRatio(tuned).toFixed(3)})`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Figures at scale: production phases of 1, 30 and 100 targets, with a window and an alarm-gated bake. */
function scaleBench(): void {
  console.log('\n== Scale: the reference app with N production targets (window + bake + rollback on production)');
  console.log('   synth ms here: construct + app.synth() in this process, no CLI, no CloudFormation validation (not comparable with the real synth above)');
  const widths = [12, 6, 10, 8, 18, 16, 10];
  console.log(row(['targets', 'hops', 'CodeBuild', 'stages', 'production stages', 'template bytes', 'in-process ms'], widths));
  for (const targets of [1, 30, 100]) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
    const started = process.hrtime.bigint();
    const app = new App({ outdir });
    const stack = withDeliveryPipeline(app, targets, true);
    const assembly = app.synth();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const file = assembly.getStackArtifact(stack.artifactId).templateFullPath;
    const shape = PipelineShape.fromTemplateJson(JSON.parse(fs.readFileSync(file, 'utf-8')));
    const production = shape.stages.filter(s => isProductionStage(s.name));
    const guarded = production.every(s => s.conditionRules.includes('DeploymentWindow') && s.conditionRules.includes('CloudWatchAlarm'));
    console.log(row([targets, shape.criticalPathHops, shape.codeBuildHops, shape.stages.length,
      `${production.length}${guarded ? ' (all guarded)' : ' (NOT all guarded)'}`, fs.statSync(file).size, ms.toFixed(0)], widths));
  }
}

/** What the change-set review (on by default) costs the reference app: hops, approvals, resources, template bytes. */
function reviewBench(): void {
  console.log('\n== Change-set review: the reference app without it (ChangeReviewPolicy.disabled()) and with it (the default)');
  const widths = [24, 10, 6, 10, 10, 12, 16];
  console.log(row(['mode', 'review', 'hops', 'CodeBuild', 'approvals', 'functions', 'template bytes'], widths));
  let worst = 0;
  for (const requireManualApproval of [true, false]) {
    const hops: number[] = [];
    for (const reviewed of [false, true]) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-review-'));
      const app = new App({ outdir });
      const stack = withDeliveryPipeline(app, undefined, false, reviewed, requireManualApproval);
      const file = app.synth().getStackArtifact(stack.artifactId).templateFullPath;
      const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
      const shape = PipelineShape.fromTemplateJson(template);
      const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter(r => r.Type === 'AWS::Lambda::Function').length;
      hops.push(shape.criticalPathHops);
      console.log(row([requireManualApproval ? 'delivery' : 'deployment', reviewed ? 'on' : 'off', shape.criticalPathHops, shape.codeBuildHops,
        shape.approvals, functions, fs.statSync(file).size], widths));
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    worst = Math.max(worst, hops[1] - hops[0]);
  }
  console.log(`goal: the review costs at most one hop per reviewed environment: ${worst <= 1 ? 'MET' : 'NOT MET'} (+${worst})`);
}

function examplesBench(): void {
  console.log('\n== Example pipelines');
  const examples: Array<[string, (app: App) => DeliveryPipeline]> = [
    ['continuous-delivery', continuousDelivery],
    ['continuous-deployment', continuousDeployment],
    ['guarded-production', guardedProduction],
  ];
  for (const [name, create] of examples) {
    const shape = PipelineShape.fromStack(Stack.of(create(new App())));
    const conditions = shape.stages.reduce((n, s) => n + s.conditionRules.length, 0);
    console.log(`${name.padEnd(24)} ${String(shape.criticalPathHops).padStart(2)} hops  ${shape.codeBuildHops} CodeBuild hops  ${shape.approvals} approval(s)  condition rules: ${conditions}  stages: ${shape.stageNames.join(' -> ')}`);
  }
}

function flag(name: string, fallback: number, min: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer of at least ${min}, got '${process.argv[i + 1]}'.`);
  }
  return value;
}

const SECTIONS = ['reference', 'review', 'scale', 'examples', 'metrics', 'cli'] as const;
type Section = typeof SECTIONS[number];

/** The sections to run: `--only <section>`, else all of them (`--skip-extras`: the reference app alone). */
function sections(): readonly Section[] {
  const i = process.argv.indexOf('--only');
  if (i < 0) {
    return process.argv.includes('--skip-extras') ? ['reference'] : SECTIONS;
  }
  const only = process.argv[i + 1];
  const section = SECTIONS.find((s) => s === only);
  if (!section) {
    throw new Error(`--only must be one of ${SECTIONS.join(', ')}, got '${only ?? ''}'.`);
  }
  return [section];
}

async function main(): Promise<void> {
  const runs = flag('--runs', 7, 3);
  const warmups = flag('--warmup', 1, 0);
  const chosen = sections();
  const started = Date.now();
  if (chosen.includes('reference')) referenceBench(runs, warmups);
  if (chosen.includes('review')) reviewBench();
  if (chosen.includes('scale')) scaleBench();
  if (chosen.includes('examples')) examplesBench();
  if (chosen.includes('metrics')) {
    console.log('\n== Delivery metrics over 10,000 executions');
    await runMetricsBench();
  }
  if (chosen.includes('cli')) {
    console.log('\n== The CLI over 100,000 executions');
    await runCliScaleBench();
  }
  console.log(`\nbench: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch(err => {
  console.error(err);
  process.exitCode = 1;
});
