import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { DeliveryPipeline, DeliveryPipelineProps, SecurityCheck } from '../../src';
import { pinsCdkAssets } from '../../src/codepipeline/private/cdk-pipelines/names';
import { DEFAULT_SEMGREP_VERSION, installSbomTool, SBOM_TOOL_DIRECTORY } from '../../src/codepipeline/private/security-steps';
import { DEFAULT_CDK_ASSETS_VERSION, DEFAULT_CDK_CLI_VERSION } from '../../src/codepipeline/private/tool-versions';
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

/** The commands of every inline buildspec (install and build phases). */
function commandsOf(specs: string[]): string[] {
  return specs.filter(s => s.startsWith('"{')).flatMap(s => {
    const spec = JSON.parse(JSON.parse(s) as string) as { phases?: Record<string, { commands?: string[] }> };
    return Object.values(spec.phases ?? {}).flatMap(phase => phase.commands ?? []);
  });
}

const EXACT = String.raw`\d+\.\d+\.\d+`;

/**
 * Global npm installs that cannot float: these packages have no dependencies (they bundle them), so the exact
 * version is the whole install. aws-cdk is checked below on the installed dev dependency; cdk-assets 4.7.3 declares
 * none in the registry (not checkable offline).
 */
const SELF_CONTAINED = ['aws-cdk', 'cdk-assets'];

type LockEntry = { version?: string; integrity?: string; optional?: boolean; dependencies?: Record<string, string> };

/** The lockfile a command list writes to `<dir>/package-lock.json` (`echo '<base64 gzip>' | base64 -d | gunzip > …`). */
function writtenLock(commands: string[], dir: string): { packages: Record<string, LockEntry> } | undefined {
  for (const command of commands) {
    const m = command.match(/^echo '([A-Za-z0-9+/=]+)' \| base64 -d \| gunzip > (\S+)\/package-lock\.json$/);
    if (m && m[2] === dir) {
      return JSON.parse(zlib.gunzipSync(Buffer.from(m[1], 'base64')).toString('utf-8')) as { packages: Record<string, LockEntry> };
    }
  }
  return undefined;
}

/**
 * Installs that float: anything the step installs whose version or content is not fixed when the pipeline is
 * synthesized.
 * - `npm install -g`: only an exact version of a self-contained package (its dependencies would float otherwise);
 * - `npm ci --prefix DIR`: only when the buildspec writes DIR's lockfile, every package npm ci installs from it has an
 *   exact version and a sha512 integrity, and optional packages without integrity are omitted (`--omit=optional`);
 * - `pip install`: only `--require-hashes --no-deps -r <file>` (a hash-locked requirements file); `pkg==<version>`
 *   pins the package, not its dependencies;
 * - downloads (`curl -o`): only of an exact release whose SHA-256 is checked before use.
 */
function unpinnedInstalls(commands: string[]): string[] {
  return commands.filter(command => {
    const npm = command.match(/npm install -g ([^&|;]+)/);
    if (npm && !npm[1].trim().split(/\s+/).every(pkg => new RegExp(`^(${SELF_CONTAINED.join('|')})@${EXACT}$`).test(pkg))) {
      return true;
    }
    const ci = command.match(/npm ci --prefix (\S+)(.*)$/);
    if (ci) {
      const lock = writtenLock(commands, ci[1]);
      const omitsOptional = /\s--omit=optional\b/.test(ci[2]);
      const installed = Object.entries(lock?.packages ?? {}).filter(([key, p]) => key !== '' && !(omitsOptional && p.optional === true));
      const root = Object.values(lock?.packages[''].dependencies ?? {});
      return lock === undefined || installed.length === 0 || !root.every(v => new RegExp(`^${EXACT}$`).test(v))
        || !installed.every(([, p]) => new RegExp(`^${EXACT}$`).test(p.version ?? '') && /^sha512-/.test(p.integrity ?? ''));
    }
    const pip = command.match(/pip3? install ([^&|;]+)/);
    if (pip && !/(^|\s)--require-hashes(\s|$)/.test(pip[1]) || pip && !/(^|\s)--no-deps(\s|$)/.test(pip[1]) || pip && !/(^|\s)-r\s+\S+/.test(pip[1])) {
      return true;
    }
    // A fetch of something to run: written to a file, or piped into a shell (not a smoke test's `curl -f "$URL"`).
    if (/\bwget\b|\bcurl\b[^&|;]*\s-o\s|\bcurl\b[^&;]*\|\s*(ba)?sh\b/.test(command)) {
      const url = command.match(/https:\/\/\S+/)?.[0] ?? '';
      const verified = /curl [^&]*-o (\S+) [^&]*&& echo "\$sha {2}\1" \| sha256sum -c - &&/.test(command)
        && /sha='[0-9a-f]{64}'/.test(command);
      return !new RegExp(`/download/v${EXACT}/`).test(url) || !verified;
    }
    return false;
  });
}

/** The one install that floats, by design and documented (README "Transitive pins"): Semgrep's Python dependencies. */
const KNOWN_FLOAT = `python3 -m pip install --no-cache-dir 'semgrep==${DEFAULT_SEMGREP_VERSION}'`;

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

  test('with every security check on, every install is pinned (npm, pip, and downloads checked against a SHA-256)', () => {
    const specs = buildspecs({
      securityChecks: [SecurityCheck.secretsDetection(), SecurityCheck.staticAnalysis(), SecurityCheck.dependencyScan(), SecurityCheck.sbom()],
    });
    const commands = commandsOf(specs);
    expect(commands.filter(c => /npm install -g|npm ci --prefix|pip3? install|curl .* -o /.test(c))).toHaveLength(4 + 1); // 4 checks, + self-mutation's CLI
    // Everything is pinned but the documented float: when Semgrep's dependencies are pinned, remove it here and in the README.
    expect(unpinnedInstalls(commands)).toEqual([KNOWN_FLOAT]);
    expect(commands.filter(c => c.startsWith('npm ci --prefix '))).toEqual([`npm ci --prefix ${SBOM_TOOL_DIRECTORY} --omit=optional --ignore-scripts --no-audit --no-fund`]);
    expect(globalInstalls(specs).filter(i => !/@\d+\.\d+\.\d+$/.test(i))).toEqual([]);
  });

  test.each([
    ['npm without a version', 'npm install -g @cyclonedx/cyclonedx-npm'],
    ['npm with a tag', 'npm install -g @cyclonedx/cyclonedx-npm@latest'],
    ['pip without a version', 'python3 -m pip install --no-cache-dir semgrep'],
    ['pip with a range', 'pip install semgrep>=1.0.0'],
    ['a latest download', 'case x in x) sha=\'' + 'a'.repeat(64) + '\' ;; esac && curl -sSfL -o /tmp/t "https://github.com/o/t/releases/latest/download/t" && echo "$sha  /tmp/t" | sha256sum -c - && install /tmp/t /usr/local/bin/t'],
    ['a download without a checksum', 'curl -sSfL -o /tmp/t "https://github.com/o/t/releases/download/v1.2.3/t" && install /tmp/t /usr/local/bin/t'],
    ['a checksum of another file', 'case x in x) sha=\'' + 'a'.repeat(64) + '\' ;; esac && curl -sSfL -o /tmp/t "https://github.com/o/t/releases/download/v1.2.3/t" && echo "$sha  /tmp/other" | sha256sum -c - && install /tmp/t /usr/local/bin/t'],
    ['a piped install', 'curl -sSfL https://github.com/o/t/releases/download/v1.2.3/install.sh | sh'],
    ['an exact npm version of a package with dependencies', 'npm install -g @cyclonedx/cyclonedx-npm@6.0.1'],
    ['pip pinning the package, not its dependencies', 'python3 -m pip install --no-cache-dir semgrep==1.185.0'],
    ['pip with hashes but resolving dependencies', 'pip install --require-hashes -r requirements.txt'],
    ['npm ci without a lockfile written by the buildspec', 'npm ci --prefix /tmp/tool --omit=optional'],
  ])('the install scan has teeth: %s is found', (_what, command) => {
    expect(unpinnedInstalls([command])).toEqual([command]);
  });

  test('the install scan passes the shapes the security checks render, and a smoke test\'s curl', () => {
    const pinned = [
      'curl -f "$URL"',
      'npm install -g cdk-assets@4.7.3',
      'python3 -m pip install --require-hashes --no-deps -r requirements.txt',
      'case "$(uname -m)" in x86_64) asset=\'t\'; sha=\'' + 'a'.repeat(64) + '\' ;; esac && curl -sSfL --retry 3 -o /tmp/t-download \'https://github.com/o/t/releases/download/v1.2.3/\'"$asset" && echo "$sha  /tmp/t-download" | sha256sum -c - && install -m 0755 /tmp/t-download /usr/local/bin/t',
    ];
    expect(unpinnedInstalls(pinned)).toEqual([]);
  });

  test('the scan reads the lockfile the SBOM step writes: it passes the shipped one and finds a package without integrity, an unlocked root or optional packages installed', () => {
    const shipped = installSbomTool();
    expect(unpinnedInstalls(shipped)).toEqual([]);
    const relock = (edit: (lock: { packages: Record<string, LockEntry> }) => void, ci = (c: string) => c) => shipped.map(c => {
      const m = c.match(/^echo '([A-Za-z0-9+/=]+)' \| base64 -d/);
      if (!m) {
        return ci(c);
      }
      const lock = JSON.parse(zlib.gunzipSync(Buffer.from(m[1], 'base64')).toString('utf-8')) as { packages: Record<string, LockEntry> };
      edit(lock);
      return c.replace(m[1], zlib.gzipSync(JSON.stringify(lock)).toString('base64'));
    });
    const ciLine = (commands: string[]) => commands.filter(c => c.startsWith('npm ci'));
    expect(unpinnedInstalls(relock(lock => delete lock.packages['node_modules/commander'].integrity))).toEqual(ciLine(shipped));
    expect(unpinnedInstalls(relock(lock => lock.packages[''].dependencies!.ajv = '^8.0.0'))).toEqual(ciLine(shipped));
    const withOptional = relock(() => undefined, c => c.replace(' --omit=optional', ''));
    expect(unpinnedInstalls(withOptional)).toEqual(ciLine(withOptional));
  });

  test('the self-contained global installs have no dependencies to float (aws-cdk, as installed here)', () => {
    const cli = JSON.parse(fs.readFileSync(require.resolve('aws-cdk/package.json'), 'utf-8')) as { version: string; dependencies?: Record<string, string> };
    expect(cli.version).toBe(DEFAULT_CDK_CLI_VERSION);
    expect(Object.keys(cli.dependencies ?? {})).toEqual([]);
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
