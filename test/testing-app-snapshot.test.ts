import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeliverySnapshot } from '../src';
import { DOCKERFILE, snapshotApp, SnapshotAppOptions } from './fixtures/snapshot-app';
import * as serializer from '../src/testing/jest-serializer';

interface Synthesized {
  readonly app: App;
  /** DeliverySnapshot.appJson of the app. */
  readonly json: string;
  /** The raw templates of the pipeline stack and the staging stack: to show that a change really reached them. */
  readonly raw: string;
  /** DeliverySnapshot.templateJson of the pipeline stack alone. */
  readonly pipelineOnly: string;
  readonly templates: { [stackPath: string]: any };
}

function synthesize(options: SnapshotAppOptions = {}): Synthesized {
  const { app, pipelineStack, stagingStack } = snapshotApp(options);
  return {
    app,
    json: DeliverySnapshot.appJson(app),
    raw: JSON.stringify([Template.fromStack(pipelineStack).toJSON(), Template.fromStack(stagingStack).toJSON()]),
    pipelineOnly: DeliverySnapshot.templateJson(pipelineStack),
    templates: DeliverySnapshot.appTemplates(app),
  };
}

/** Lines of `after` that `before` does not have: what a snapshot diff would show. */
function added(before: string, after: string): string[] {
  const lines = new Set(before.split('\n'));
  return after.split('\n').filter(l => !lines.has(l)).map(l => l.trim());
}

describe('DeliverySnapshot.appJson on a real app (Lambda asset + Docker image asset)', () => {
  const baseline = synthesize();

  test('covers the pipeline stack and the stage stacks', () => {
    expect(Object.keys(baseline.templates)).toEqual([
      'Pipeline',
      // CDK Pipelines writes the asset publishing buildspecs next to the template.
      expect.stringMatching(/^Pipeline\/buildspec-[0-9a-f]+-DockerAsset\.yaml$/),
      expect.stringMatching(/^Pipeline\/buildspec-[0-9a-f]+-FileAsset\.yaml$/),
      'Production/Service',
      'Staging/Service',
    ]);
    const publishing = Object.keys(baseline.templates).filter(k => k.endsWith('.yaml')).flatMap(k => baseline.templates[k] as string[]);
    expect(publishing).toContainEqual('        "npm install -g cdk-assets@<version>"');
    expect(publishing).toContainEqual(expect.stringMatching(/publish \\"<asset-hash>:222222222222-us-east-1-<destination-hash>\\"/));
    const staging = JSON.stringify(baseline.templates['Staging/Service']);
    expect(staging).toContain('"S3Key":"<asset-hash>.zip"');
    expect(staging).toMatch(/container-assets-[^"]*:<asset-hash>"/);
    expect(staging).toContain('HandlerCurrentVersion93FB80BF<code-hash>');
  });

  test('normalizes asset hashes, config hashes and CDK versions, and leaves no hash behind', () => {
    expect(baseline.raw).toMatch(/[0-9a-f]{64}/);
    expect(baseline.raw).toContain('CDKMetadata');
    expect(baseline.json).not.toMatch(/[0-9a-f]{64}/);
    expect(baseline.json).not.toMatch(/CurrentVersion[0-9A-F]{8}[0-9a-f]{32}/);
    expect(baseline.json).not.toContain('CDKMetadata');
    expect(baseline.json).not.toContain('BootstrapVersion');
    expect(baseline.json).toContain('_PROJECT_CONFIG_HASH\\",\\"type\\":\\"PLAINTEXT\\",\\"value\\":\\"<project-config-hash>');
    expect(baseline.json).toMatch(/npm install -g aws-cdk@<version>/);
  });

  describe.each([
    ['the Lambda code', { handlerSource: 'exports.handler = async () => ({ statusCode: 204 });\n' }],
    ['the Dockerfile', { dockerfile: `${DOCKERFILE}ENV GREETING=hello\n` }],
  ])('changing %s', (_what, change: SnapshotAppOptions) => {
    const changed = synthesize(change);

    test('changes the synthesized templates', () => {
      expect(changed.raw).not.toEqual(baseline.raw);
    });

    test('leaves the app snapshot equal', () => {
      expect(changed.json).toEqual(baseline.json);
    });

    test('is invisible to the pipeline-only snapshot too (which is why it cannot prove asset stability)', () => {
      expect(changed.pipelineOnly).toEqual(baseline.pipelineOnly);
    });
  });

  test.each([
    ['adding an action', { tests: [{ name: 'UnitTests', commands: ['npm ci', 'npm test'] }, { name: 'Lint', commands: ['npm run lint'] }] }, '"Name": "Lint",'],
    ['changing a property', { memorySize: 512 }, '"MemorySize": 512,'],
    ['changing a command', { synthCommands: ['npm ci', 'npm run build', 'npx cdk synth'] }, 'npm run build'],
  ])('%s changes the snapshot, and the diff shows it', (_what, change: SnapshotAppOptions, shown: string) => {
    const after = synthesize(change).json;
    expect(after).not.toEqual(baseline.json);
    expect(added(baseline.json, after).join('\n')).toContain(shown);
  });
});

describe('the Jest snapshot serializer (src/testing/jest-serializer)', () => {
  test('claims Apps and Stages, nothing else, and prints DeliverySnapshot.appJson', () => {
    const { app, json } = synthesize();
    expect(serializer.test(app)).toBe(true);
    expect(serializer.test(new Stack())).toBe(false);
    expect(serializer.test('{}')).toBe(false);
    expect(serializer.serialize(app)).toBe(json);
  });

  test('registered with expect.addSnapshotSerializer, `expect(app).toMatchSnapshot()` records the normalized app', () => {
    expect.addSnapshotSerializer(serializer);
    // A small app (one stage, one Lambda asset) keeps the recorded snapshot short.
    const app = new App();
    const stage = new Stage(app, 'Service', { env: { account: '222222222222', region: 'us-east-1' } });
    new lambda.Function(new Stack(stage, 'Api'), 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'fixtures', 'handler')),
    });
    expect(app).toMatchSnapshot();
  });
});
