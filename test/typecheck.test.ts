/**
 * Jest transforms TypeScript with swc, which strips types without checking them, and the examples run through
 * `ts-node --transpile-only`. Type errors are caught once, by `npm run typecheck` (the first step of `npm test`)
 * over tsconfig.typecheck.json. This suite proves that check is real, both ways: it covers every TypeScript file
 * in the repository, it reports a type error in a test file, and it rejects what swc cannot transpile file by file
 * (isolatedModules) — while the same canary compiles cleanly once the error is removed.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..');
const configPath = path.join(root, 'tsconfig.typecheck.json');

function parsedConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (parsed === undefined) throw new Error(`cannot read ${configPath}`);
  return parsed;
}

/**
 * Diagnostics per virtual file of one program made of the real config plus the given files under test/ (one program:
 * loading aws-cdk-lib's declarations is the cost, paid once).
 */
function diagnosticsOf(sources: Record<string, string>): Record<string, string[]> {
  const config = parsedConfig();
  const virtual = new Map(Object.entries(sources).map(([name, text]) => [path.join(root, 'test', `__typecheck_${name}__.ts`), text]));
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = f => virtual.has(path.resolve(f)) || fileExists(f);
  host.readFile = f => virtual.get(path.resolve(f)) ?? readFile(f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(path.resolve(f));
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, ...rest);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options: config.options, host });
  const result: Record<string, string[]> = {};
  for (const name of Object.keys(sources)) result[name] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = Object.keys(sources).find(n => d.file !== undefined && path.resolve(d.file.fileName) === path.join(root, 'test', `__typecheck_${n}__.ts`));
    if (name !== undefined) result[name].push(`TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  return result;
}

test('the type-check covers every TypeScript file in the repository', () => {
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(f => f !== '' && !f.endsWith('.d.ts'))
    .map(f => path.join(root, f));
  const checked = new Set(parsedConfig().fileNames.map(f => path.resolve(f)));
  expect(tracked.length).toBeGreaterThan(100);
  expect(tracked.filter(f => !checked.has(f))).toEqual([]);
});

test('the type-check reports a type error and what swc cannot transpile file by file, and passes clean code', () => {
  const diagnostics = diagnosticsOf({
    typeError: [
      "import { DeliveryPipeline } from '../src';",
      "export const count: number = 'three';",
      'export const pipeline: DeliveryPipeline | undefined = undefined;',
    ].join('\n'),
    // swc transpiles each file alone: a re-exported type it cannot see would become a runtime export.
    isolatedModules: [
      "import { DeliveryPipelineProps } from '../src';",
      'export { DeliveryPipelineProps };',
    ].join('\n'),
    // The same code without its faults: the check is not failing everything.
    clean: [
      "import type { DeliveryPipelineProps } from '../src';",
      'export type { DeliveryPipelineProps };',
      'export const count: number = 3;',
    ].join('\n'),
  });
  expect(diagnostics).toEqual({
    typeError: [expect.stringMatching(/^TS2322: Type 'string' is not assignable to type 'number'/)],
    isolatedModules: [expect.stringMatching(/^TS1205: Re-exporting a type when 'isolatedModules' is enabled requires using 'export type'/)],
    clean: [],
  });
}, 120_000);
