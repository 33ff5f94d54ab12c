import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BundledFunction, bundledHandlerCode } from '../../src/private/bundled-handler';

const ROOT = path.join(__dirname, '..', '..');
const HANDLER = 'metrics/private/publish-metrics.lambda';

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bundled-handler-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('bundledHandlerCode', () => {
  test('a package without the bundle fails with the cause and the fix, naming the function and the missing file', () => {
    const stack = new Stack(new App(), 'Stack');
    const missing = path.join(scratch, 'assets', HANDLER, 'index.js');
    let message = '';
    try {
      bundledHandlerCode(stack, 'Function', HANDLER, scratch);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`Stack/Function: the bundled Lambda handler '${HANDLER}' is missing: ${missing} does not exist.`);
    expect(message).toContain('packed without its bundles');
    expect(message).toContain('`npm ci && npx projen compile && npm pack` (README, "Deploying the pipeline", step 1)');
  });

  test('a bundle directory without index.js is missing too', () => {
    fs.mkdirSync(path.join(scratch, 'assets', HANDLER), { recursive: true });
    expect(() => bundledHandlerCode(new Stack(new App(), 'Stack'), 'Function', HANDLER, scratch))
      .toThrow(/the bundled Lambda handler 'metrics\/private\/publish-metrics.lambda' is missing/);
  });

  test('with the bundle present it is the code of the function, from that directory', () => {
    const directory = path.join(scratch, 'assets', HANDLER);
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(path.join(directory, 'index.js'), 'exports.handler = async () => undefined;\n');
    const code = bundledHandlerCode(new Stack(new App(), 'Stack'), 'Function', HANDLER, scratch);
    expect(code).toBeInstanceOf(lambda.AssetCode);
    expect((code as lambda.AssetCode).path).toBe(directory);
  });
});

describe.each([
  ['approval guard', 'codepipeline/private/approval-guard/reject-approval.lambda'],
  ['delivery metrics', 'metrics/private/publish-metrics.lambda'],
])('the %s function', (_name, handler) => {
  test('ships the bundle from assets/ of the package as its code', () => {
    // The test reads the staged asset: the built-in CloudFormation validation is not what it is about.
    const app = new App({ outdir: scratch, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Stack');
    new BundledFunction(stack, 'Function', { bundle: handler });
    const assembly = app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Stack.assets.json'), 'utf-8')) as {
      files: Record<string, { source: { path: string; packaging?: string } }>;
    };
    const staged = Object.values(manifest.files).filter(f => f.source.packaging === 'zip');
    expect(staged).toHaveLength(1);
    const shipped = fs.readFileSync(path.join(assembly.directory, staged[0].source.path, 'index.js'), 'utf-8');
    expect(shipped).toBe(fs.readFileSync(path.join(ROOT, 'assets', handler, 'index.js'), 'utf-8'));
  });
});
