import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { DeliveryPipeline, DeliveryPipelineProps } from '../../src';
import { DEFAULT_CDK_ASSETS_VERSION, DEFAULT_CDK_CLI_VERSION, pinsCdkAssets } from '../../src/codepipeline/private/tool-versions';
import { fixture, referenceProps } from '../fixtures/app';

/** Every buildspec the pipeline renders: inline in its CodeBuild projects, and the ones it writes to the cloud assembly. */
function buildspecs(overrides: Partial<DeliveryPipelineProps> = {}): string[] {
  const f = fixture();
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides));
  const assembly = f.app.synth();
  const specs: string[] = [];
  for (const file of fs.readdirSync(assembly.directory)) {
    if (/^buildspec-.*\.yaml$/.test(file)) {
      specs.push(fs.readFileSync(path.join(assembly.directory, file), 'utf-8'));
    }
  }
  for (const stack of assembly.stacks) {
    type Resource = { Type: string; Properties?: { Source?: { BuildSpec?: unknown } } };
    for (const resource of Object.values((stack.template.Resources ?? {}) as Record<string, Resource>)) {
      if (resource.Type === 'AWS::CodeBuild::Project') {
        specs.push(JSON.stringify(resource.Properties?.Source?.BuildSpec ?? ''));
      }
    }
  }
  return specs;
}

/** `npm install -g` commands (as they appear in JSON or YAML text). */
function globalInstalls(specs: string[]): string[] {
  return specs.flatMap(s => s.match(/npm install -g [^"\\\n]+/g) ?? []);
}

describe('pinned tools: no buildspec installs an unpinned tool', () => {
  test('by default the CDK CLI and cdk-assets are pinned to exact versions', () => {
    const installs = globalInstalls(buildspecs());
    expect(installs.length).toBeGreaterThanOrEqual(2); // self-mutation and asset publishing at least
    expect(new Set(installs)).toEqual(new Set([`npm install -g aws-cdk@${DEFAULT_CDK_CLI_VERSION}`, `npm install -g cdk-assets@${DEFAULT_CDK_ASSETS_VERSION}`]));
  });

  test('known exception: auto-approval adds CDK Pipelines\' security-check project, which installs an unpinned CDK CLI', () => {
    // aws-cdk-lib's ApplicationSecurityCheck hard-codes `npm install -g aws-cdk`; nothing configures it. This test
    // fails when that changes, so the README's note can go.
    const installs = globalInstalls(buildspecs({ approval: { autoApproveUnlessPermissionsBroaden: true } }));
    expect(installs.filter(i => !/@\d+\.\d+\.\d+$/.test(i))).toEqual(['npm install -g aws-cdk']);
  });

  test('the scan has teeth: an unpinned install would be found', () => {
    expect(globalInstalls(['"npm install -g cdk-assets@latest"', 'npm install -g aws-cdk\n'])).toEqual(['npm install -g cdk-assets@latest', 'npm install -g aws-cdk']);
  });

  test('cdkCliVersion and cdkAssetsVersion override the pins', () => {
    expect(new Set(globalInstalls(buildspecs({ cdkCliVersion: '2.1100.0', cdkAssetsVersion: '4.0.0' }))))
      .toEqual(new Set(['npm install -g aws-cdk@2.1100.0', 'npm install -g cdk-assets@4.0.0']));
  });

  test.each([
    ['cdkCliVersion', 'latest', DEFAULT_CDK_CLI_VERSION],
    ['cdkCliVersion', '^2.1148.0', DEFAULT_CDK_CLI_VERSION],
    ['cdkAssetsVersion', '4', DEFAULT_CDK_ASSETS_VERSION],
  ])('%s %s is rejected', (property, version, example) => {
    const f = fixture();
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { [property]: version })))
      .toThrow(`${property}: '${version}' is not an exact version. A release pipeline must not change its tools under you: pin one, e.g. '${example}'.`);
  });

  test('this aws-cdk-lib honours the cdk-assets pin, and the detection tells a CDK Pipelines that does not', () => {
    const f = fixture();
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f));
    expect(pinsCdkAssets(pipeline.cdkPipeline)).toBe(true);
    expect(pinsCdkAssets({} as pipelines.CodePipeline)).toBe(false);
  });

  test('the CDK CLI pin is the CLI this repository tests and synthesizes the examples with', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['aws-cdk']).toBe(DEFAULT_CDK_CLI_VERSION);
  });
});
