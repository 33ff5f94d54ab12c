/**
 * `npm run examples`: synthesizes every example app (examples/<name>/cdk.json) with the real aws-cdk CLI,
 * offline and without AWS credentials, then prints each pipeline (stages, action slots, release mode) and
 * checks that the validation report (CloudFormation validation, cdk-nag AwsSolutions, cfn-guard Control Tower rules) has no violation.
 *
 * Usage: npm run examples [-- name ...]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PipelineShape } from '../src/testing/pipeline-shape';

const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');
const CDK_BIN = path.join(__dirname, '..', 'node_modules', '.bin', 'cdk');

/** Environment for the CLI: no instance metadata look-ups, telemetry or version checks (the machine is offline). */
const OFFLINE_ENV = {
  ...process.env,
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  CDK_DISABLE_VERSION_CHECK: 'true',
};

interface Result {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly violations: number;
  readonly pipelines: number;
}

function exampleNames(filter: string[]): string[] {
  const all = fs.readdirSync(EXAMPLES_DIR)
    .filter(name => fs.existsSync(path.join(EXAMPLES_DIR, name, 'cdk.json')))
    .sort();
  const unknown = filter.filter(f => !all.includes(f));
  if (unknown.length > 0) {
    throw new Error(`Unknown example(s): ${unknown.join(', ')}. Available: ${all.join(', ')}.`);
  }
  return filter.length > 0 ? all.filter(n => filter.includes(n)) : all;
}

/** Violations of every plugin in cdk.out/validation-report.json (absent report = no plugin reported). */
function countViolations(outDir: string): { count: number; details: string[] } {
  const file = path.join(outDir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return { count: 0, details: [] };
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf-8')) as {
    pluginReports?: Array<{ pluginName: string; violations?: Array<{ ruleName: string; severity?: string }> }>;
  };
  const details = (report.pluginReports ?? []).flatMap(p =>
    (p.violations ?? []).map(v => `${p.pluginName}: ${v.severity ?? 'error'} ${v.ruleName}`));
  return { count: details.length, details };
}

/** Templates of every stack in the cloud assembly (nested stage assemblies excluded: those are the app's). */
function pipelineTemplates(outDir: string): Array<{ stack: string; template: Record<string, unknown> }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf-8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([stack, a]) => ({
      stack,
      template: JSON.parse(fs.readFileSync(path.join(outDir, a.properties!.templateFile!), 'utf-8')) as Record<string, unknown>,
    }))
    .filter(({ template }) => Object.values((template.Resources ?? {}) as Record<string, { Type: string }>)
      .some(r => r.Type === 'AWS::CodePipeline::Pipeline'));
}

function synthesize(name: string): Result {
  const dir = path.join(EXAMPLES_DIR, name);
  const outDir = path.join(dir, 'cdk.out');
  fs.rmSync(outDir, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const run = spawnSync(CDK_BIN, ['synth', '--quiet', '--no-notices', '--output', 'cdk.out'], {
    cwd: dir, env: OFFLINE_ENV, encoding: 'utf-8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  console.log(`\n=== examples/${name} (cdk synth: ${seconds.toFixed(1)} s, exit ${run.status})`);
  const violations = fs.existsSync(outDir) ? countViolations(outDir) : { count: 0, details: [] };
  if (run.status !== 0) {
    console.log(run.stdout);
    console.log(run.stderr);
    return { name, ok: false, seconds, violations: violations.count, pipelines: 0 };
  }

  const templates = pipelineTemplates(outDir);
  for (const { stack, template } of templates) {
    const shape = PipelineShape.fromTemplateJson(template);
    const mode = shape.releaseMode === 'continuous-delivery'
      ? 'delivery (a person approves production)'
      : shape.releaseMode === 'continuous-deployment' ? 'deployment (tests are the gate)' : `unknown (${shape.releaseMode})`;
    console.log(`Pipeline stack: ${stack}`);
    console.log(`Mode:           ${mode}`);
    console.log(`Stages:         ${shape.stageNames.join(' -> ')}`);
    console.log(`Critical path:  ${shape.criticalPathHops} hops (${shape.codeBuildHops} CodeBuild), ${shape.approvals} manual approval(s), ${shape.pipelineType}`);
    console.log(shape.describe().split('\n').map(l => `  ${l}`).join('\n'));
  }
  console.log(`Validation:     ${violations.count} violation(s) in cdk.out/validation-report.json (CloudFormation validation, cdk-nag AwsSolutions, cfn-guard Control Tower rules)`);
  for (const d of violations.details) {
    console.log(`  ${d}`);
  }
  const ok = templates.length > 0 && violations.count === 0;
  if (templates.length === 0) {
    console.log('No pipeline found in the cloud assembly.');
  }
  return { name, ok, seconds, violations: violations.count, pipelines: templates.length };
}

function main(): number {
  const results = exampleNames(process.argv.slice(2)).map(synthesize);
  console.log('\n=== Summary');
  for (const r of results) {
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(24)} ${r.seconds.toFixed(1).padStart(5)} s  ${r.pipelines} pipeline(s)  ${r.violations} violation(s)`);
  }
  const failed = results.filter(r => !r.ok).length;
  console.log(`examples: ${results.length - failed} synthesized cleanly, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
