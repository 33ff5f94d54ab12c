/**
 * `npm run bench`: figures asked for in the issues, measured, never asserted in tests.
 *
 * 1. The reference app written with this library and directly with aws-cdk-lib/pipelines defaults, both
 *    synthesized in the same run: critical-path hops, CodeBuild hops, CodeBuild projects, pipeline template
 *    bytes, synth wall time (median of N runs, interleaved) and the ratio ours/theirs.
 * 2. Scale: 1, 30 and 100 production targets (hops, stages, template bytes, every production stage guarded).
 * 3. The example pipelines' hops.
 * 4. Delivery metrics over 10,000 executions: API calls and CPU time.
 *
 * Usage: npm run bench [-- --runs N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { runMetricsBench } from './metrics';
import { withCdkPipelines, withDeliveryPipeline } from './reference-app';
import { createApp as continuousDelivery } from '../examples/continuous-delivery/app';
import { createApp as continuousDeployment } from '../examples/continuous-deployment/app';
import { createApp as guardedProduction } from '../examples/guarded-production/app';
import { DeliveryPipeline, PipelineShape } from '../src';
import { isProductionStage } from '../src/contract';

interface Variant {
  readonly name: string;
  readonly build: (app: App) => Stack;
}

interface Measurement {
  readonly shape: PipelineShape;
  readonly templateBytes: number;
  readonly synthMs: number[];
}

const VARIANTS: Variant[] = [
  { name: 'cdk-delivery-pipelines', build: withDeliveryPipeline },
  { name: 'aws-cdk-lib/pipelines', build: withCdkPipelines },
];

function synthOnce(variant: Variant): { ms: number; templateFile: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const started = process.hrtime.bigint();
  const app = new App({ outdir });
  const stack = variant.build(app);
  const assembly = app.synth();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, templateFile: assembly.getStackArtifact(stack.artifactId).templateFullPath };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

function measure(runs: number): Map<string, Measurement> {
  const results = new Map<string, Measurement>();
  // Warm-up: module loading and JIT are paid once, not by whichever variant runs first.
  for (const v of VARIANTS) {
    synthOnce(v);
  }
  const times = new Map<string, number[]>(VARIANTS.map(v => [v.name, []]));
  let last = new Map<string, string>();
  for (let i = 0; i < runs; i++) {
    // Interleave, alternating which goes first, so drift on a busy machine hits both alike.
    const order = i % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const v of order) {
      const { ms, templateFile } = synthOnce(v);
      times.get(v.name)!.push(ms);
      last.set(v.name, templateFile);
    }
  }
  for (const v of VARIANTS) {
    const file = last.get(v.name)!;
    results.set(v.name, {
      shape: PipelineShape.fromTemplateJson(JSON.parse(fs.readFileSync(file, 'utf-8'))),
      templateBytes: fs.statSync(file).size,
      synthMs: times.get(v.name)!,
    });
  }
  return results;
}

function row(cells: Array<string | number>, widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

function referenceBench(runs: number): void {
  console.log('== Reference app (connection source, build, 1 unit-test step, staging + smoke test, approval, 3 production regions in another account, 1 Lambda asset)');
  console.log(`   synth = construct + app.synth() in-process; median of ${runs} interleaved runs after one warm-up each\n`);
  const results = measure(runs);
  const ours = results.get(VARIANTS[0].name)!;
  const theirs = results.get(VARIANTS[1].name)!;
  const widths = [34, 24, 24, 8];
  console.log(row(['', VARIANTS[0].name, VARIANTS[1].name, 'ratio'], widths));
  const figures: Array<[string, (m: Measurement) => number, number]> = [
    ['critical-path hops', m => m.shape.criticalPathHops, 0],
    ['CodeBuild hops', m => m.shape.codeBuildHops, 0],
    ['CodeBuild projects', m => m.shape.codeBuildProjects, 0],
    ['pipeline stages', m => m.shape.stages.length, 0],
    ['pipeline template bytes', m => m.templateBytes, 0],
    ['synth wall time, median (ms)', m => median(m.synthMs), 1],
  ];
  for (const [label, get, digits] of figures) {
    const a = get(ours);
    const b = get(theirs);
    console.log(row([label, a.toFixed(digits), b.toFixed(digits), (a / b).toFixed(2)], widths));
  }
  console.log(`\nsynth runs (ms): ours ${ours.synthMs.map(n => n.toFixed(0)).join(', ')}; theirs ${theirs.synthMs.map(n => n.toFixed(0)).join(', ')}`);
  console.log(`\nours:   ${ours.shape.describe().split('\n').join('\n        ')}`);
  console.log(`theirs: ${theirs.shape.describe().split('\n').join('\n        ')}`);
  const ratio = median(ours.synthMs) / median(theirs.synthMs);
  console.log(`\ngoal: delivery mode <= 8 hops: ${ours.shape.criticalPathHops <= 8 ? 'MET' : 'NOT MET'} (${ours.shape.criticalPathHops}; CDK Pipelines defaults: ${theirs.shape.criticalPathHops})`);
  console.log(`goal: delivery mode <= 3 CodeBuild hops: ${ours.shape.codeBuildHops <= 3 ? 'MET' : 'NOT MET'} (${ours.shape.codeBuildHops})`);
  console.log(`goal: synth-time ratio <= 1.10: ${ratio <= 1.10 ? 'MET' : 'NOT MET'} (${ratio.toFixed(2)})`);
}

/** Figures at scale: production phases of 1, 30 and 100 targets, with a window and an alarm-gated bake. */
function scaleBench(): void {
  console.log('\n== Scale: the reference app with N production targets (window + bake + rollback on production)');
  const widths = [12, 6, 10, 8, 18, 16, 10];
  console.log(row(['targets', 'hops', 'CodeBuild', 'stages', 'production stages', 'template bytes', 'synth ms'], widths));
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

async function main(): Promise<void> {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 3) {
    throw new Error(`--runs must be an integer of at least 3, got '${process.argv[runsFlag + 1]}'.`);
  }
  referenceBench(runs);
  scaleBench();
  examplesBench();
  console.log('\n== Delivery metrics over 10,000 executions');
  await runMetricsBench();
}

main().catch(err => {
  console.error(err);
  process.exitCode = 1;
});
