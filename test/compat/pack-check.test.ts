import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lambdaHandlers, packProblems } from '../../scripts/compat/pack-check';

const ROOT = path.join(__dirname, '..', '..');

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-check-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function write(file: string, text = ''): void {
  fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
  fs.writeFileSync(path.join(scratch, file), text);
}

test('the handlers are every *.lambda.ts under src/: the three bundled functions of the library', () => {
  expect(lambdaHandlers(ROOT)).toEqual([
    'codepipeline/private/approval-guard/reject-approval.lambda',
    'metrics/private/publish-metrics.lambda',
    'review/private/review-change-sets.lambda',
  ]);
});

test('a compiled tree with every bundle can be packed', () => {
  write('src/a/b.lambda.ts');
  write('src/a/c.ts');
  write('lib/index.js');
  write('.jsii', '{}');
  write('assets/a/b.lambda/index.js');
  expect(packProblems(scratch)).toEqual([]);
});

test('a tree compiled without the bundler (`jsii` alone) is refused, naming the bundle and the command', () => {
  write('src/a/b.lambda.ts');
  write('src/d.lambda.ts');
  write('lib/index.js');
  write('.jsii', '{}');
  write('assets/d.lambda/index.js');
  expect(packProblems(scratch)).toEqual([
    'assets/a/b.lambda/index.js is missing: src/a/b.lambda.ts is not bundled. Run `npx projen compile` (or `npx projen bundle` alone).',
  ]);
});

test('a tree that is not compiled is refused, naming lib/index.js and .jsii', () => {
  write('src/d.lambda.ts');
  write('assets/d.lambda/index.js');
  expect(packProblems(scratch)).toEqual([
    'lib/index.js is missing: the library is not compiled. Run `npx projen compile` (it bundles the Lambda handlers, then runs jsii).',
    '.jsii is missing: the library is not compiled. Run `npx projen compile` (it bundles the Lambda handlers, then runs jsii).',
  ]);
});
