/**
 * `npm pack`'s prepack step (projen task `prepack`): refuses to pack a tree that lacks the compiled library or the
 * bundle of a Lambda handler. Without it, `npx projen compile && npm pack` in a tree where the bundler never ran
 * packed a tarball whose apps failed at synth with aws-cdk-lib's `Cannot find asset at …`.
 *
 * The handlers are found in src/ (every `*.lambda.ts`), so a new handler is checked without listing it here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `src/<dir>/<name>.lambda.ts` → `<dir>/<name>.lambda`, the directory of its bundle under assets/. */
export function lambdaHandlers(root: string): string[] {
  const src = path.join(root, 'src');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.lambda.ts')) {
        found.push(path.relative(src, full).slice(0, -'.ts'.length).split(path.sep).join('/'));
      }
    }
  };
  walk(src);
  return found.sort();
}

/** What the package at `root` lacks to be packed; empty when it can be. */
export function packProblems(root: string): string[] {
  const problems: string[] = [];
  for (const file of ['lib/index.js', '.jsii']) {
    if (!fs.existsSync(path.join(root, file))) {
      problems.push(`${file} is missing: the library is not compiled. Run \`npx projen compile\` (it bundles the Lambda handlers, then runs jsii).`);
    }
  }
  for (const handler of lambdaHandlers(root)) {
    const bundle = `assets/${handler}/index.js`;
    if (!fs.existsSync(path.join(root, bundle))) {
      problems.push(`${bundle} is missing: src/${handler}.ts is not bundled. Run \`npx projen compile\` (or \`npx projen bundle\` alone).`);
    }
  }
  return problems;
}

if (require.main === module) {
  const root = path.join(__dirname, '..', '..');
  const problems = packProblems(root);
  if (problems.length > 0) {
    console.error(`npm pack: refusing to pack cdk-delivery-pipelines: an app using the tarball would fail at synth.\n${problems.map(p => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  }
}
