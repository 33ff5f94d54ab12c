import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from 'eslint';

/**
 * The engine seam is a lint rule: src/blueprint imports nothing of the CodePipeline engine. The rule is read from the
 * generated .eslintrc.json (as `npx eslint` reads it) and run on a violating and a neutral import.
 */

interface Override { readonly files: string[]; readonly rules: Record<string, Linter.RuleEntry> }

const root = path.join(__dirname, '..', '..');
// projen writes a comment line first.
const config = JSON.parse(fs.readFileSync(path.join(root, '.eslintrc.json'), 'utf8').replace(/^\/\/.*$/m, '')) as { readonly overrides: Override[] };
const override = config.overrides.find(o => o.files.includes('src/blueprint/**/*.ts'));

function lint(code: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(code, [{
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: { 'no-restricted-imports': override!.rules['no-restricted-imports'] },
  }]);
  return messages.map(m => m.message);
}

test('the blueprint override restricts imports', () => {
  expect(override?.rules['no-restricted-imports']).toBeDefined();
});

test.each([
  "import * as codebuild from 'aws-cdk-lib/aws-codebuild';",
  "import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';",
  "import * as pipelines from 'aws-cdk-lib/pipelines';",
  "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
  "import { TestStepOptions } from '../codepipeline/step-options';",
])('an engine import fails the lint: %s', code => {
  expect(lint(code)).toEqual([expect.stringMatching(/is restricted from being used by a pattern\. src\/blueprint is engine-neutral/)]);
});

test('a neutral import passes', () => {
  expect(lint("import { Stage } from 'aws-cdk-lib';\nimport * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';\nimport { StageKind } from '../contract';")).toEqual([]);
});

test('no file of src/blueprint imports the engine today', () => {
  const dir = path.join(root, 'src', 'blueprint');
  // Each module a file imports, as a plain import the linter parses (the files themselves are TypeScript).
  const imports = fs.readdirSync(dir).filter(f => f.endsWith('.ts'))
    .flatMap(f => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map(m => [f, m[1]]));
  expect(imports.length).toBeGreaterThan(20);
  const offending = imports.flatMap(([f, module]) => lint(`import '${module}';`).map(m => `${f}: ${m}`));
  expect(offending).toEqual([]);
});
