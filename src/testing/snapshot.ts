import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { checkArguments } from '../private/props-check';

/** What replaces an asset hash (file or Docker image asset: object keys, image tags, publishing commands). */
const ASSET_HASH = '<asset-hash>';

/**
 * Snapshot helpers that do not break when only asset contents change.
 *
 * For a whole app, pipeline stack and stage stacks alike: `expect(DeliverySnapshot.appJson(app)).toMatchSnapshot()`.
 */
export class DeliverySnapshot {
  /**
   * The stack's template as stable, indented JSON with every asset hash (64 hex digits, as CDK writes them in
   * asset object keys, publishing commands and buildspec file names) replaced by `<asset-hash>`.
   *
   * Only this stack: the stage stacks, where the application's assets are, are not in it (see `appJson`).
   */
  public static templateJson(stack: Stack): string {
    checkArguments('DeliverySnapshot.templateJson', [stack]);
    return DeliverySnapshot.normalize(JSON.stringify(Template.fromStack(stack).toJSON(), undefined, 2));
  }

  /**
   * Replaces asset hashes in a text (a template, a buildspec) with `<asset-hash>`.
   *
   * Any run of 64 hex digits counts as an asset hash here; `appJson` knows the assembly's real asset hashes and
   * replaces exactly those.
   */
  public static normalize(text: string): string {
    checkArguments('DeliverySnapshot.normalize', [text]);
    return text.replace(/[0-9a-f]{64}/g, ASSET_HASH);
  }

  /**
   * The whole app's templates, keyed by stack path, normalized for snapshots.
   *
   * Every stack of the app, the pipeline stack and the stacks of its `Stage`s (nested cloud assemblies), keyed by
   * the stack's path (`PipelineStack`, `Staging/Api`), with the buildspec files its CodeBuild projects read from the
   * cloud assembly (CDK Pipelines' asset publishing: `PipelineStack/buildspec-...yaml`, as lines). Normalized so that
   * the snapshot changes when the pipeline or the infrastructure changes, and not when only asset contents or the
   * CDK version do:
   *
   * - every asset hash of the assembly's asset manifests (file assets such as Lambda code, Docker image assets,
   *   the stage templates the pipeline publishes) becomes `<asset-hash>`, wherever it appears: S3 object keys,
   *   image tags, `cdk-assets publish "<asset-hash>:<account>-<region>-<destination-hash>"` commands (the
   *   destination's suffix digests the asset too), asset metadata;
   * - the hash in the logical ID of a Lambda `currentVersion` (it digests the code) becomes `<code-hash>`;
   * - `_PROJECT_CONFIG_HASH` values (CDK Pipelines' digest of a CodeBuild project's configuration, which is in the
   *   snapshot anyway) become `<project-config-hash>`;
   * - CDK versions: the `CDKMetadata` resource and its condition, the bootstrap-version parameter and rule are
   *   dropped, and `aws-cdk@x.y.z`, `aws-cdk-lib@x.y.z` and `cdk-assets@x.y.z` become `<name>@<version>`.
   *
   * Synthesizes the app (runs its validations). Assets must use the default stack synthesizer's asset manifests.
   *
   * @param scope the app (or a stage) to snapshot
   */
  public static appTemplates(scope: Stage): { [stackPath: string]: any } {
    checkArguments('DeliverySnapshot.appTemplates', [scope]);
    const assembly = scope.synth();
    const stacks = collectStacks(assembly);
    const assetHashes = collectAssetHashes(assembly);
    const entries: Array<[string, unknown]> = [];
    for (const stack of stacks) {
      entries.push([stack.hierarchicalId, JSON.parse(normalizeApp(JSON.stringify(withoutVersionBoilerplate(stack.template)), assetHashes))]);
      for (const file of buildSpecFiles(stack)) {
        const text = fs.readFileSync(path.join(stack.assembly.directory, file), 'utf-8');
        entries.push([`${stack.hierarchicalId}/${file}`, normalizeApp(text, assetHashes).split('\n')]);
      }
    }
    const result: Record<string, unknown> = {};
    for (const [key, value] of entries.sort(([a], [b]) => a.localeCompare(b))) {
      result[key] = value;
    }
    return result;
  }

  /**
   * `appTemplates` as stable, indented JSON: `expect(DeliverySnapshot.appJson(app)).toMatchSnapshot()`.
   *
   * @param scope the app (or a stage) to snapshot
   */
  public static appJson(scope: Stage): string {
    checkArguments('DeliverySnapshot.appJson', [scope]);
    return JSON.stringify(DeliverySnapshot.appTemplates(scope), undefined, 2);
  }

  private constructor() {}
}

/** Stack artifacts of the assembly and of every nested assembly (the pipeline's stages). */
function collectStacks(assembly: cxapi.CloudAssembly): cxapi.CloudFormationStackArtifact[] {
  return [...assembly.stacks, ...assembly.nestedAssemblies.flatMap(nested => collectStacks(nested.nestedAssembly))];
}

/**
 * Buildspec files of the stack's CodeBuild projects that live in the cloud assembly (CDK Pipelines writes the asset
 * publishing buildspecs, with their `cdk-assets publish` commands, to files next to the template).
 */
function buildSpecFiles(stack: cxapi.CloudFormationStackArtifact): string[] {
  type ProjectJson = { Type?: string; Properties?: { Source?: { BuildSpec?: unknown } } };
  const resources = Object.values((stack.template.Resources ?? {}) as Record<string, ProjectJson>);
  return [...new Set(resources
    .filter(r => r.Type === 'AWS::CodeBuild::Project')
    .map(r => r.Properties?.Source?.BuildSpec)
    .filter((spec): spec is string => typeof spec === 'string' && !spec.includes('\n') && fs.existsSync(path.join(stack.assembly.directory, spec))))]
    .sort();
}

/** Every asset hash in the asset manifests of the assembly tree: asset ids, object keys and image tags. */
function collectAssetHashes(assembly: cxapi.CloudAssembly): AssetIds {
  const hashes = new Set<string>();
  const destinationSuffixes = new Set<string>();
  const visit = (asm: cxapi.CloudAssembly) => {
    for (const artifact of asm.artifacts) {
      if (artifact instanceof cxapi.AssetManifestArtifact) {
        const manifest = JSON.parse(fs.readFileSync(artifact.file, 'utf-8')) as AssetManifestJson;
        for (const [id, asset] of [...Object.entries(manifest.files ?? {}), ...Object.entries(manifest.dockerImages ?? {})]) {
          hashes.add(id);
          for (const [destinationId, destination] of Object.entries(asset.destinations ?? {})) {
            // `<account>-<region>-<8 hex>`: the suffix digests the asset too (`cdk-assets publish "<hash>:<destination>"`).
            if (/-[0-9a-f]{8}$/.test(destinationId)) {
              destinationSuffixes.add(destinationId);
            }
            for (const value of [destination.objectKey, destination.imageTag]) {
              // The key or tag is the hash, with an extension (`<hash>.zip`, `<hash>.json`) for files.
              const hash = value === undefined ? undefined : path.parse(value).name;
              if (hash && /^[0-9a-f]{32,}$/.test(hash)) {
                hashes.add(hash);
              }
            }
          }
        }
      }
    }
    asm.nestedAssemblies.forEach(nested => visit(nested.nestedAssembly));
  };
  visit(assembly);
  return { hashes, destinations: destinationSuffixes };
}

interface AssetIds {
  /** Asset hashes: ids, object keys, image tags. */
  readonly hashes: Set<string>;
  /** Destination ids that end in a digest (`222222222222-us-east-1-1a2b3c4d`). */
  readonly destinations: Set<string>;
}

function normalizeApp(text: string, assets: AssetIds): string {
  let normalized = text;
  // Longest first, so that a hash that contains another (it never should) is replaced whole.
  for (const hash of [...assets.hashes].sort((a, b) => b.length - a.length)) {
    normalized = normalized.split(hash).join(ASSET_HASH);
  }
  for (const destination of assets.destinations) {
    normalized = normalized.split(`${ASSET_HASH}:${destination}`).join(`${ASSET_HASH}:${destination.slice(0, -8)}<destination-hash>`);
  }
  return normalized
    .replace(/(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g, '$1<code-hash>')
    .replace(/(_PROJECT_CONFIG_HASH[\s\S]{0,80}?)[0-9a-f]{64}/g, '$1<project-config-hash>')
    .replace(/\b(aws-cdk-lib|aws-cdk|cdk-assets)@[\^~]?\d+\.\d+\.\d+[0-9A-Za-z.+-]*/g, '$1@<version>');
}

/** The template without what only the CDK version decides: version reporting and the bootstrap-version check. */
function withoutVersionBoilerplate(template: TemplateJson): TemplateJson {
  const copy = JSON.parse(JSON.stringify(template)) as TemplateJson;
  delete copy.Resources?.CDKMetadata;
  delete copy.Conditions?.CDKMetadataAvailable;
  delete copy.Parameters?.BootstrapVersion;
  delete copy.Rules?.CheckBootstrapVersion;
  for (const section of ['Conditions', 'Parameters', 'Rules'] as const) {
    if (copy[section] && Object.keys(copy[section]!).length === 0) {
      delete copy[section];
    }
  }
  return copy;
}

interface TemplateJson {
  Resources?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
  Rules?: Record<string, unknown>;
}

interface AssetManifestJson {
  readonly files?: Record<string, AssetJson>;
  readonly dockerImages?: Record<string, AssetJson>;
}

interface AssetJson {
  readonly destinations?: Record<string, { readonly objectKey?: string; readonly imageTag?: string }>;
}
