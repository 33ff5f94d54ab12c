import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * README snippets must compile: every ```ts block is type-checked against the library's source, with
 * `cdk-delivery-pipelines` mapped to src/index.ts.
 */
const ROOT = path.join(__dirname, '..');

/** The stage the README's first example imports from './my-service-stage'. */
const MY_SERVICE_STAGE = `
import { CfnOutput, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
export class MyServiceStage extends Stage {
  public readonly urlOutput: CfnOutput;
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    this.urlOutput = new CfnOutput(new Stack(this, 'Service'), 'Url', { value: 'https://example.com' });
  }
}
`;

function snippets(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
}

test('the README has TypeScript snippets', () => {
  expect(snippets().length).toBeGreaterThanOrEqual(4);
});

test('every README TypeScript snippet compiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  fs.writeFileSync(path.join(dir, 'my-service-stage.ts'), MY_SERVICE_STAGE);
  const files = snippets().map((code, i) => {
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
