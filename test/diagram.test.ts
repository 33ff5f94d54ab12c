import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { memoryIo } from './cli/memory-io';
import { mermaidBlocks, parseMermaid } from './diagram-mermaid';
import { referencePipeline } from './fixtures/app';
import { createApp as continuousDelivery } from '../examples/continuous-delivery/app';
import { createApp as continuousDeployment } from '../examples/continuous-deployment/app';
import { createApp as guardedProduction } from '../examples/guarded-production/app';
import { DeliveryPipeline, PipelineDiagram } from '../src';
import { FoundDiagram, renderDiagrams } from '../src/cli/diagram';
import { run } from '../src/cli/program';

const ROOT = path.join(__dirname, '..');
const examples: Array<[string, (app: App) => DeliveryPipeline]> = [
  ['continuous-delivery', continuousDelivery],
  ['continuous-deployment', continuousDeployment],
  ['guarded-production', guardedProduction],
];

/** The diagram of each example, rendered in-process from its synthesized pipeline stack. */
const rendered = new Map(examples.map(([name, create]) => {
  const diagrams = PipelineDiagram.fromStack(Stack.of(create(new App())));
  return [name, diagrams] as const;
}));
const diagramOf = (name: string) => rendered.get(name)![0].mermaid;

/** A pipeline template with the characters a label must not carry raw. */
const awkwardTemplate = {
  Resources: {
    P: {
      Type: 'AWS::CodePipeline::Pipeline',
      Properties: {
        Name: 'awkward',
        Stages: [
          { Name: 'Source', Actions: [{ Name: 'Src', ActionTypeId: { Category: 'Source', Provider: 'S3' } }] },
          { Name: 'Deploy "blue" <v2> #1', Actions: [{ Name: 'Go', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
        ],
      },
    },
  },
};

describe('the real Mermaid parser', () => {
  test('accepts the diagram of every example', () => {
    const results = parseMermaid(examples.map(([name]) => diagramOf(name)));
    expect(results).toEqual(examples.map(() => ({ ok: true, diagramType: 'flowchart-v2' })));
  });

  test('a value the template computes is drawn as its placeholder and named in a comment; the diagram still parses', () => {
    const stages = [
      awkwardTemplate.Resources.P.Properties.Stages[0],
      { Name: { 'Fn::Join': ['-', ['Production', { Ref: 'AWS::Region' }]] }, Actions: [{ Name: 'Go', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
    ];
    const computed = { Resources: { P: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: stages } } } };
    const [diagram] = PipelineDiagram.fromTemplateJson(computed);
    expect(diagram.pipelineName).toBe('P');
    expect(diagram.mermaid).toContain('  %% not read: Stages[1].Name is {"Fn::Join":["-",["Production",{"Ref":"AWS::Region"}]]}, not a string\n');
    expect(diagram.mermaid).toContain('subgraph s2["Production-{AWS::Region}"]');
    // Both ways: a template with literal names carries no such comment.
    expect(diagramOf('guarded-production')).not.toContain('%%');
    expect(parseMermaid([diagram.mermaid])).toEqual([{ ok: true, diagramType: 'flowchart-v2' }]);
  });

  test('rejects a broken diagram: an unclosed label, and raw quotes where the renderer writes #quot;', () => {
    const awkward = PipelineDiagram.fromTemplateJson(awkwardTemplate)[0].mermaid;
    expect(awkward).toContain('subgraph s2["Deploy #quot;blue#quot; #lt;v2#gt; #35;1"]');
    const unescaped = awkward.replace('Deploy #quot;blue#quot; #lt;v2#gt; #35;1', 'Deploy "blue" <v2> #1');
    const broken = diagramOf('guarded-production').replace('["Source"]', '["Source"');
    const [ok, raw, unclosed] = parseMermaid([awkward, unescaped, broken]);
    expect(ok.ok).toBe(true);
    expect(raw).toEqual({ ok: false, error: expect.stringMatching(/Parse error/) });
    expect(unclosed).toEqual({ ok: false, error: expect.stringMatching(/Parse error/) });
  });
});

describe('PipelineDiagram', () => {
  test('stages in order, chained; one subgraph each', () => {
    const diagram = diagramOf('guarded-production');
    expect([...diagram.matchAll(/subgraph (s\d+)\["([^"]+)"\]/g)].map(m => m[2]))
      .toEqual(['Source', 'Build', 'Test', 'Staging', 'Production-canary<br/>progressive: canary 10 % for 5 min, then all', 'Production-global<br/>progressive: canary 10 % for 5 min, then all']);
    expect(diagram).toContain('  s1 --> s2 --> s3 --> s4 --> s5 --> s6\n');
  });

  test('parallel actions (same runOrder) side by side, approvals as hexagons', () => {
    const diagram = diagramOf('continuous-delivery');
    expect(diagram).toContain('    s4_a2{{"PromoteToProduction<br/>manual approval"}}:::approval\n');
    // After the (direct) staging deployment, the approval and the smoke test run in parallel.
    expect(diagram).toContain('    s4_a1 --> s4_a2 & s4_a3\n');
    // Three production regions: prepare in parallel, the change-set review, then deploy in parallel.
    expect(diagram).toContain('    s5_a4{{"Review<br/>manual approval"}}:::approval\n');
    expect(diagram).toContain('    s5_a1 & s5_a2 & s5_a3 --> s5_a4\n    s5_a4 --> s5_a5 & s5_a6 & s5_a7\n');
    expect(diagramOf('continuous-deployment')).not.toContain('manual approval');
  });

  test('conditions: the deployment window before entry, the alarm bake on success rolling back, rollback on failure', () => {
    const diagram = diagramOf('guarded-production');
    expect(diagram).toContain('s5_before[/"before entry<br/>window * * 9-16 ? * MON-THU Europe/Berlin<br/>otherwise FAIL"/]:::gate');
    expect(diagram).toContain('s5_success[/"on success<br/>bake 30 min: {ReleaseAlarms-us-east-1 export} not in ALARM<br/>otherwise ROLLBACK"/]:::rollback');
    expect(diagram).toContain('s6_success[/"on success<br/>bake 60 min: service-errors-eu-west-1 not in ALARM<br/>bake 60 min: service-errors-ap-southeast-2 not in ALARM<br/>otherwise ROLLBACK"/]:::rollback');
    expect(diagram).toContain('s5_failure[\\"on failure: ROLLBACK"\\]:::rollback');
    // The gates frame the stage's actions.
    expect(diagram).toContain('    s5_before --> s5_a1\n');
    // (the canary's actions: migration, prepare, change-set review, execute, deploy marker)
    expect(diagram).toContain('    s5_a5 --> s5_success\n');
    expect(diagramOf('continuous-delivery')).not.toMatch(/before entry|on success|on failure/);
  });

  test('names the pipeline, falls back to the logical ID, and finds no diagram in a stack without a pipeline', () => {
    expect(rendered.get('guarded-production')!.map(d => d.pipelineName)).toEqual(['service-guarded-production']);
    const { f } = referencePipeline();
    expect(PipelineDiagram.fromStack(f.stack).map(d => d.pipelineName)).toEqual([expect.stringMatching(/^DeliveryCodePipeline/)]);
    const plain = new Stack();
    new CfnWaitConditionHandle(plain, 'Handle');
    expect(PipelineDiagram.fromStack(plain)).toEqual([]);
  });
});

describe('generated files stay in step with the renderer', () => {
  test.each(examples.map(([name]) => name))('examples/%s/pipeline.md holds the diagram its app renders (`npm run examples` rewrites it)', (name) => {
    const markdown = fs.readFileSync(path.join(ROOT, 'examples', name, 'pipeline.md'), 'utf-8');
    expect(mermaidBlocks(markdown)).toEqual([diagramOf(name)]);
  });

  test('the README shows the delivery and deployment diagrams exactly as generated', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    const section = readme.slice(readme.indexOf('<!-- diagrams:begin -->'), readme.indexOf('<!-- diagrams:end -->'));
    expect(mermaidBlocks(section)).toEqual([diagramOf('continuous-delivery'), diagramOf('continuous-deployment')]);
  });
});

describe('cdk-delivery diagram', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-cdk-out-'));
  const app = new App({ outdir });
  guardedProduction(app);
  app.synth();

  test('loads no aws-cdk-lib: the CLI runs without the peer dependencies (a global install has none)', () => {
    const probe = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e',
      "require('./src/cli/program'); console.log(JSON.stringify(Object.keys(require.cache).filter(k => k.includes('node_modules/aws-cdk-lib/'))))"],
    { cwd: ROOT, encoding: 'utf-8' });
    expect(probe.stderr).toBe('');
    expect(JSON.parse(probe.stdout)).toEqual([]);
  });

  test('is listed in --help with its options', async () => {
    const mem = memoryIo();
    expect(await run(['diagram', '--help'], mem.io)).toBe(0);
    // (commander wraps the help to the terminal's width)
    const help = mem.stdout().replace(/\s+/g, ' ');
    expect(help).toContain('--app <dir> cloud assembly directory written by `cdk synth` (default: "cdk.out")');
    expect(help).toContain('(choices: "markdown", "mermaid", default: "markdown")');
  });

  test('prints a heading and a mermaid block per pipeline of the cloud assembly', async () => {
    const mem = memoryIo();
    expect(await run(['diagram', '--app', outdir], mem.io)).toBe(0);
    expect(mem.stdout()).toBe(`### service-guarded-production\n\n\`\`\`mermaid\n${diagramOf('guarded-production')}\`\`\`\n`);
  });

  test('--format mermaid prints the bare flowchart; --pipeline picks one', async () => {
    const mem = memoryIo();
    expect(await run(['diagram', '--app', outdir, '--pipeline', 'service-guarded-production', '--format', 'mermaid'], mem.io)).toBe(0);
    expect(mem.stdout()).toBe(diagramOf('guarded-production'));
  });

  test('an unknown --pipeline is not found (exit 3) and the message lists the pipelines', async () => {
    const mem = memoryIo();
    expect(await run(['diagram', '--app', outdir, '--pipeline', 'nope'], mem.io)).toBe(3);
    expect(mem.stderr()).toContain(`No pipeline named 'nope' in ${outdir}. Pipelines found: service-guarded-production.`);
  });

  test('a directory without a cloud assembly is a usage error (exit 2) that says to synthesize', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-empty-'));
    const mem = memoryIo();
    expect(await run(['diagram', '--app', empty], mem.io)).toBe(2);
    expect(mem.stderr()).toContain(`No cloud assembly at ${empty}: cannot read ${path.join(empty, 'manifest.json')}`);
    expect(mem.stderr()).toContain('Run `cdk synth` first, or pass --app <the cdk.out directory>.');
  });

  test('an assembly without a pipeline is not found (exit 3)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-nopipe-'));
    const plain = new App({ outdir: dir });
    new CfnWaitConditionHandle(new Stack(plain, 'Plain'), 'Handle');
    plain.synth();
    const mem = memoryIo();
    expect(await run(['diagram', '--app', dir], mem.io)).toBe(3);
    expect(mem.stderr()).toContain(`No AWS::CodePipeline::Pipeline in ${dir}. Is it the cdk.out of the app that defines the pipeline?`);
  });

  test('an unknown --format is a usage error (exit 2)', async () => {
    const mem = memoryIo();
    expect(await run(['diagram', '--app', outdir, '--format', 'svg'], mem.io)).toBe(2);
    expect(mem.stderr()).toContain("option '--format <format>' argument 'svg' is invalid. Allowed choices are markdown, mermaid.");
  });

  test('--format mermaid with several pipelines asks for --pipeline', () => {
    const pipeline = awkwardTemplate.Resources.P;
    const found: FoundDiagram[] = ['a', 'b'].map(name => {
      const template = { Resources: { P: { ...pipeline, Properties: { ...pipeline.Properties, Name: name } } } };
      const { pipelineName, mermaid } = PipelineDiagram.fromTemplateJson(template)[0];
      return { stack: name, pipelineName, mermaid };
    });
    expect(() => renderDiagrams(found, { format: 'mermaid', app: 'cdk.out' }))
      .toThrow('--format mermaid prints one diagram, and cdk.out has 2 pipelines (a, b): choose one with --pipeline <name>, or use --format markdown.');
    expect(renderDiagrams(found, { format: 'mermaid', pipeline: 'b' })).toBe(found[1].mermaid);
    expect(renderDiagrams(found, { format: 'markdown' })).toBe('### a\n\n```mermaid\n' + found[0].mermaid + '```\n\n### b\n\n```mermaid\n' + found[1].mermaid + '```\n');
  });
});
