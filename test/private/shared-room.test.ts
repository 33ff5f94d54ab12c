import * as fs from 'node:fs';
import * as path from 'node:path';

/** src/private is the shared room: every room imports it, it imports no feature room. */

const SRC = path.join(__dirname, '..', '..', 'src');
const FEATURE_ROOMS = ['codepipeline', 'metrics', 'pull-requests', 'runtime', 'cli', 'testing'];

/** The modules under src/ that a file's relative imports name. */
function importsOf(file: string, text: string = fs.readFileSync(file, 'utf-8')): string[] {
  return [...text.matchAll(/from '(\.[^']+)'/g)].map(m => path.relative(SRC, path.resolve(path.dirname(file), m[1])));
}

/** The modules of feature rooms a file imports. */
function featureImports(file: string, text?: string): string[] {
  return importsOf(file, text).filter(target => FEATURE_ROOMS.includes(target.split(path.sep)[0]));
}

/** The modules under another room's `private/` that a file imports (`src/<room>/...` may import `src/<room>/private/...`). */
function foreignPrivateImports(file: string, text?: string): string[] {
  const room = path.relative(SRC, file).split(path.sep)[0];
  return importsOf(file, text).filter(target => {
    const parts = target.split(path.sep);
    return parts[0] !== room && parts[0] !== 'private' && parts.includes('private');
  });
}

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? sourceFiles(path.join(directory, entry.name))
    : entry.name.endsWith('.ts') ? [path.join(directory, entry.name)] : []);
}

test('no module of the shared room imports a feature room', () => {
  const modules = fs.readdirSync(path.join(SRC, 'private')).filter(f => f.endsWith('.ts')).map(f => path.join(SRC, 'private', f));
  expect(modules.length).toBeGreaterThan(5);
  expect(modules.flatMap(file => featureImports(file).map(target => `${path.basename(file)} -> ${target}`))).toEqual([]);
});

test('the check sees an import of a feature room (a check that can fail)', () => {
  const text = "import { DeliveryError } from '../runtime/errors';\nimport { ValidationError } from './errors';\n";
  expect(featureImports(path.join(SRC, 'private', 'example.ts'), text)).toEqual([path.join('runtime', 'errors')]);
});

test('no room imports the private/ of another room (shared pieces live in src/private)', () => {
  const files = sourceFiles(SRC);
  expect(files.length).toBeGreaterThan(50);
  expect(files.flatMap(file => foreignPrivateImports(file).map(target => `${path.relative(SRC, file)} -> ${target}`))).toEqual([]);
});

test('the check sees the CLI import a module of testing/private (a check that can fail), and lets a room import its own', () => {
  const cli = path.join(SRC, 'cli', 'diagram.ts');
  expect(foreignPrivateImports(cli, "import { flowchartsOfTemplate } from '../testing/private/flowchart';\n"))
    .toEqual([path.join('testing', 'private', 'flowchart')]);
  expect(foreignPrivateImports(path.join(SRC, 'metrics', 'delivery-metrics.ts'), "import { FIGURES } from './private/catalog';\n")).toEqual([]);
});

/** What a module of src/private loads at run time, followed through its relative imports (type-only imports load nothing). */
function runtimeImports(module: string, seen = new Set<string>()): string[] {
  if (seen.has(module)) {
    return [];
  }
  seen.add(module);
  const text = fs.readFileSync(path.join(SRC, 'private', `${module}.ts`), 'utf-8');
  const specifiers = [...text.matchAll(/^import (?!type )[^;]*?from '([^']+)';/gms), ...text.matchAll(/require\('([^']+)'\)/g)].map(m => m[1]);
  return specifiers.flatMap(s => s.startsWith('./') ? [s, ...runtimeImports(s.slice(2), seen)] : [s]);
}

test.each(['flowchart', 'invalid-event'])('%s loads nothing but dependency-free modules of src/private: the CLI and the bundled handlers load it without aws-cdk-lib', (module) => {
  expect(runtimeImports(module).filter(s => !s.startsWith('./'))).toEqual([]);
});

test('the run-time import check follows relative imports and ignores type-only ones (shown on rendered-pipeline, which imports aws-cdk-lib types only)', () => {
  expect(runtimeImports('flowchart')).toEqual(expect.arrayContaining(['./providers', './rendered-pipeline']));
  expect(fs.readFileSync(path.join(SRC, 'private', 'rendered-pipeline.ts'), 'utf-8')).toMatch(/^import type .* from 'aws-cdk-lib\/aws-codepipeline';/m);
  expect(runtimeImports('event-driven-function')).toEqual(expect.arrayContaining(['aws-cdk-lib']));
});
