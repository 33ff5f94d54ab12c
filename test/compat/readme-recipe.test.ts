import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { readmeRecipe } from '../../scripts/compat/compat';
import { bundledHandlerCode } from '../../src/private/bundled-handler';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');

test("the README's install recipe, which cdk-compat runs in a clean copy, builds and packs", () => {
  expect(readmeRecipe(README)).toEqual(['npm ci', 'npx projen compile', 'npm pack']);
});

test("the error of a missing bundle gives the README's recipe, word for word, as the fix", () => {
  expect(() => bundledHandlerCode(new Stack(new App(), 'Stack'), 'Function', 'a.lambda', __dirname))
    .toThrow(`\`${readmeRecipe(README).join(' && ')}\` (README, "Deploying the pipeline", step 1)`);
});

test('a README without the recipe is refused', () => {
  expect(() => readmeRecipe('# Title\n\n## Deploying the pipeline (your app)\n\n```sh\nnpm ci\n```\n'))
    .toThrow('README.md: no `npm pack` line in the first sh block of "## Deploying the pipeline"');
});

test('a recipe that does not start from npm ci is refused', () => {
  expect(() => readmeRecipe('## Deploying the pipeline\n\n```sh\nnpx projen compile && npm pack   # here\n```\n'))
    .toThrow("README.md's install recipe is 'npx projen compile && npm pack   # here': cdk-compat expects 'npm ci && … && npm pack'.");
});
