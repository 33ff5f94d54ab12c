import * as fs from 'node:fs';
import * as path from 'node:path';

/** src/private is the shared room: every room imports it, it imports no feature room. */

const SRC = path.join(__dirname, '..', '..', 'src');
const FEATURE_ROOMS = ['codepipeline', 'metrics', 'pull-requests', 'runtime', 'cli', 'testing'];

/** The modules under src/ that a file's relative imports name, from the feature rooms. */
function featureImports(file: string, text: string = fs.readFileSync(file, 'utf-8')): string[] {
  return [...text.matchAll(/from '(\.[^']+)'/g)]
    .map(m => path.relative(SRC, path.resolve(path.dirname(file), m[1])))
    .filter(target => FEATURE_ROOMS.includes(target.split(path.sep)[0]));
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

test.each(['flowchart.ts', 'invalid-event.ts'])('%s imports nothing: the CLI and the bundled handlers load it without aws-cdk-lib', (module) => {
  expect(fs.readFileSync(path.join(SRC, 'private', module), 'utf-8')).not.toMatch(/^import |require\(/m);
});
