import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { SBOM_TOOL_PACKAGE_JSON, SBOM_TOOL_PACKAGE_LOCK_GZIP_BASE64 } from './sbom-tool-lock';
import { validateToolVersion } from './tool-versions';
import { PinnedRelease, SecurityCheck, SecurityCheckKind, StaticAnalysisSeverity } from '../../blueprint/security';
import { ValidationError } from '../../private/errors';
import { normalizeDirectory, shellQuote, validateRelativeDirectory } from '../../private/shell';
import { PipelineSource } from '../source';

/**
 * CodeBuild steps for the DPRA security checks, and how each tool is pinned:
 * - gitleaks and OSV-Scanner: release binaries of an exact version, their SHA-256 checked before they are unpacked
 *   or run (self-contained Go binaries: nothing else is fetched);
 * - cyclonedx-npm: `npm ci` from a lockfile shipped with this library (`sbom-tool-lock.ts`), so the tool and every
 *   package it loads are pinned by version and sha512 integrity;
 * - Semgrep: NOT fully pinned. `pip install semgrep==<version>` pins Semgrep itself (its wheel carries the
 *   semgrep-core engine), but pip resolves Semgrep's Python dependencies (click, requests, rich, glom,
 *   opentelemetry-*, …) within Semgrep's declared ranges when the step runs: they float. A hash-locked requirements
 *   file needs PyPI, which this project's build cannot reach, and a digest of Semgrep's container image could not be
 *   verified here either; so it stays the one known float, named in the README and in
 *   `test/codepipeline/tool-versions.test.ts`, which scans every rendered buildspec and fails on any other.
 */

/** gitleaks 8.30.1, digests from the release's `gitleaks_8.30.1_checksums.txt`. */
export const DEFAULT_GITLEAKS: PinnedRelease = {
  version: '8.30.1',
  sha256LinuxX64: '551f6fc83ea457d62a0d98237cbad105af8d557003051f41f3e7ca7b3f2470eb',
  sha256LinuxArm64: 'e4a487ee7ccd7d3a7f7ec08657610aa3606637dab924210b3aee62570fb4b080',
};

/** OSV-Scanner 2.5.1, digests from the release's `osv-scanner_SHA256SUMS`. */
export const DEFAULT_OSV_SCANNER: PinnedRelease = {
  version: '2.5.1',
  sha256LinuxX64: 'f9f25499a2c8cc367b3af45df2ea7eeca7fbccceab9c35079968f4b3652194be',
  sha256LinuxArm64: '3d0f5aa5a6baa8eb32bcef247388e149ef6030a6634ccae6fa0d62681fb27a6d',
};

export const DEFAULT_SEMGREP_VERSION = '1.185.0';
/** The cyclonedx-npm the shipped lockfile holds: the only version the SBOM check installs. */
export const DEFAULT_CYCLONEDX_NPM_VERSION = SBOM_TOOL_PACKAGE_JSON.dependencies['@cyclonedx/cyclonedx-npm'];

/** Where the SBOM check installs cyclonedx-npm (`npm ci` of the shipped lockfile), outside the source. */
export const SBOM_TOOL_DIRECTORY = '/tmp/cdk-delivery-sbom-tool';
export const SBOM_TOOL_BIN = `${SBOM_TOOL_DIRECTORY}/node_modules/.bin/cyclonedx-npm`;

/** cyclonedx-npm 6 needs Node.js ≥ 20.18; CodeBuild's standard images select a runtime with `runtime-versions`. */
export const SBOM_NODE_RUNTIME = '22';

/** Where the checks write their reports, relative to the source root. */
export const REPORTS_DIRECTORY = 'security-reports';
export const SBOM_DIRECTORY = 'sbom';
export const SBOM_FILE = 'bom.cdx.json';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * OSV-Scanner's JSON (v2: `results[].source.path`, v1: `packageSource.path`) as JUnit XML: one failed case per
 * vulnerable package and advisory, or one passed case when there are none (a clean scan shows as a passed case,
 * not as an empty report). Text goes through jq's `@html`, which escapes the XML metacharacters.
 */
export const OSV_TO_JUNIT = [
  '[.results[]? | (.source.path // .packageSource.path // "") as $src | .packages[]? | .package as $p | .vulnerabilities[]?',
  '| {src: $src, name: "\\($p.ecosystem) \\($p.name)@\\($p.version): \\(.id)", summary: (.summary // .details // .id)}] as $v',
  '| "<?xml version=\\"1.0\\" encoding=\\"UTF-8\\"?>",',
  '"<testsuites><testsuite name=\\"osv-scanner\\" tests=\\"\\([($v | length), 1] | max)\\" failures=\\"\\($v | length)\\">",',
  '(if ($v | length) == 0 then "<testcase classname=\\"dependencies\\" name=\\"no known vulnerabilities\\"/>" else empty end),',
  '($v[] | "<testcase classname=\\"\\(.src | @html)\\" name=\\"\\(.name | @html)\\"><failure message=\\"\\(.summary | @html)\\"/></testcase>"),',
  '"</testsuite></testsuites>"',
].join(' ');

/** One line per vulnerable package and advisory, for the build log. */
export const OSV_SUMMARY = '.results[]? | .packages[]? | .package as $p | .vulnerabilities[]? | "\\($p.ecosystem) \\($p.name)@\\($p.version): \\(.id) \\(.summary // "")"';

/** Throws unless the check's options are usable; `property` is its place in the props (`securityChecks[0]`). */
export function validateSecurityCheck(check: SecurityCheck, property: string): void {
  if (!(check instanceof SecurityCheck)) {
    throw new ValidationError(`${property}: '${String(check)}' is not a security check. Create one with SecurityCheck.secretsDetection(), .staticAnalysis(), .dependencyScan() or .sbom().`);
  }
  const s = check._settings;
  switch (check.kind) {
    case SecurityCheckKind.SECRETS_DETECTION:
      validateRelease(s.gitleaks, `${property}.gitleaks`, DEFAULT_GITLEAKS);
      break;
    case SecurityCheckKind.DEPENDENCY_SCAN:
      validateRelease(s.osvScanner, `${property}.osvScanner`, DEFAULT_OSV_SCANNER);
      break;
    case SecurityCheckKind.STATIC_ANALYSIS:
      if (s.semgrepVersion !== undefined) {
        validateToolVersion(s.semgrepVersion, `${property}.semgrepVersion`, DEFAULT_SEMGREP_VERSION);
      }
      if (s.minimumSeverity !== undefined && !Object.values(StaticAnalysisSeverity).includes(s.minimumSeverity)) {
        throw new ValidationError(`${property}.minimumSeverity: '${String(s.minimumSeverity)}' is not a StaticAnalysisSeverity. Use INFO, WARNING or ERROR.`);
      }
      if (s.rules !== undefined && (!Array.isArray(s.rules) || s.rules.length === 0 || s.rules.some(r => typeof r !== 'string' || r.trim() === ''))) {
        throw new ValidationError(`${property}.rules: ${JSON.stringify(s.rules)} is not a list of Semgrep configurations. Pass rule files or registry rulesets, e.g. ['p/default'] or ['.semgrep/'], or leave rules out.`);
      }
      if (s.rules?.some(r => /['\\]/.test(r))) {
        throw new ValidationError(`${property}.rules: ${JSON.stringify(s.rules)} contains a quote or backslash. Pass plain paths or ruleset names.`);
      }
      break;
    case SecurityCheckKind.SBOM:
      if (s.cyclonedxNpmVersion !== undefined) {
        validateToolVersion(s.cyclonedxNpmVersion, `${property}.cyclonedxNpmVersion`, DEFAULT_CYCLONEDX_NPM_VERSION);
        if (s.cyclonedxNpmVersion !== DEFAULT_CYCLONEDX_NPM_VERSION) {
          throw new ValidationError(`${property}.cyclonedxNpmVersion: '${s.cyclonedxNpmVersion}' is not the version this library ships a lockfile for (${DEFAULT_CYCLONEDX_NPM_VERSION}); without one its dependencies would resolve when the step runs. Leave cyclonedxNpmVersion out (or set '${DEFAULT_CYCLONEDX_NPM_VERSION}'), or use a version of cdk-delivery-pipelines that ships the one you need.`);
        }
      }
      if (s.projectDirectory !== undefined) {
        validateRelativeDirectory(s.projectDirectory, `${property}.projectDirectory`, "'app', or leave it out for the source root");
      }
      break;
  }
}

function validateRelease(release: PinnedRelease | undefined, property: string, defaults: PinnedRelease): void {
  if (release === undefined) {
    return;
  }
  validateToolVersion(release.version, `${property}.version`, defaults.version);
  for (const key of ['sha256LinuxX64', 'sha256LinuxArm64'] as const) {
    const digest = release[key];
    if ((key === 'sha256LinuxX64' || digest !== undefined) && (typeof digest !== 'string' || !SHA256.test(digest))) {
      throw new ValidationError(`${property}.${key}: '${digest}' is not a SHA-256 digest (64 lowercase hexadecimal characters). Copy it from the release's checksums file for version ${release.version}.`);
    }
  }
}

/** The CodeBuild step of a security check, on the source. */
export function securityStep(check: SecurityCheck, source: PipelineSource): pipelines.CodeBuildStep {
  const rendered = renderCheck(check);
  return new pipelines.CodeBuildStep(check.name, {
    input: source.toCodePipelineSource(),
    installCommands: rendered.install,
    commands: rendered.commands,
    primaryOutputDirectory: rendered.outputDirectory,
    partialBuildSpec: codebuild.BuildSpec.fromObject({
      ...(rendered.runtime ? { phases: { install: { 'runtime-versions': rendered.runtime } } } : {}),
      ...(rendered.report ? { reports: { [rendered.report.group]: { 'files': [rendered.report.file], 'file-format': 'JUNITXML' } } } : {}),
    }),
  });
}

interface RenderedCheck {
  readonly install: string[];
  readonly commands: string[];
  /** The JUnit report, published to a CodeBuild report group. */
  readonly report?: { readonly group: string; readonly file: string };
  /** The step's output artifact. */
  readonly outputDirectory?: string;
  /** CodeBuild `runtime-versions`. */
  readonly runtime?: Record<string, string>;
}

export function renderCheck(check: SecurityCheck): RenderedCheck {
  const s = check._settings;
  const fail = s.failOnFindings ?? true;
  switch (check.kind) {
    case SecurityCheckKind.SECRETS_DETECTION: {
      const release = s.gitleaks ?? DEFAULT_GITLEAKS;
      const file = `${REPORTS_DIRECTORY}/gitleaks.xml`;
      return {
        install: [installRelease('gitleaks', release, {
          asset: arch => `gitleaks_${release.version}_linux_${arch === 'x86_64' ? 'x64' : 'arm64'}.tar.gz`,
          baseUrl: `https://github.com/gitleaks/gitleaks/releases/download/v${release.version}/`,
          tarball: true,
          versionCommand: 'gitleaks version',
        })],
        commands: [
          `mkdir -p ${REPORTS_DIRECTORY}`,
          // The source is an archive without .git: scan the tree (`dir`), not the history.
          `gitleaks dir --no-banner --redact --report-format junit --report-path ${file} --exit-code ${fail ? 1 : 0} .`,
        ],
        report: { group: 'gitleaks', file },
      };
    }
    case SecurityCheckKind.STATIC_ANALYSIS: {
      const version = s.semgrepVersion ?? DEFAULT_SEMGREP_VERSION;
      const file = `${REPORTS_DIRECTORY}/semgrep.xml`;
      const severities = s.minimumSeverity === undefined ? [] : severitiesFrom(s.minimumSeverity);
      const rules = s.rules ?? ['p/default'];
      return {
        install: [`python3 -m pip install --no-cache-dir ${shellQuote(`semgrep==${version}`)}`, 'semgrep --version'],
        commands: [
          `mkdir -p ${REPORTS_DIRECTORY}`,
          ['semgrep scan --metrics=off --disable-version-check',
            ...rules.map(r => `--config ${shellQuote(r)}`),
            ...severities.map(sev => `--severity ${sev}`),
            ...(fail ? ['--error'] : []),
            `--junit-xml-output=${file}`,
            '.'].join(' '),
        ],
        report: { group: 'semgrep', file },
      };
    }
    case SecurityCheckKind.DEPENDENCY_SCAN: {
      const release = s.osvScanner ?? DEFAULT_OSV_SCANNER;
      const json = `${REPORTS_DIRECTORY}/osv-scanner.json`;
      const file = `${REPORTS_DIRECTORY}/osv-scanner.xml`;
      // OSV-Scanner exits 1 when it finds vulnerabilities, other non-zero codes on errors (which always fail).
      const tolerated = fail ? '0' : '0|1';
      return {
        install: [installRelease('osv-scanner', release, {
          asset: arch => `osv-scanner_linux_${arch === 'x86_64' ? 'amd64' : 'arm64'}`,
          baseUrl: `https://github.com/google/osv-scanner/releases/download/v${release.version}/`,
          tarball: false,
          versionCommand: 'osv-scanner --version',
        })],
        commands: [
          `mkdir -p ${REPORTS_DIRECTORY}`,
          `status=0; osv-scanner scan source --recursive --format json . > ${json} || status=$?; `
            + `{ jq -r '${OSV_TO_JUNIT}' ${json} > ${file} && jq -r '${OSV_SUMMARY}' ${json}; } || status=$?; `
            + `case "$status" in ${tolerated}) true ;; *) echo "osv-scanner: exit status $status (1: known vulnerabilities, listed above and in the report)" >&2; false ;; esac`,
        ],
        report: { group: 'osv-scanner', file },
      };
    }
    case SecurityCheckKind.SBOM: {
      const project = normalizeDirectory(s.projectDirectory ?? '.');
      return {
        install: installSbomTool(),
        commands: [
          `mkdir -p ${SBOM_DIRECTORY}`,
          [`${SBOM_TOOL_BIN} --package-lock-only`,
            ...(s.includeDevDependencies ? [] : ['--omit dev']),
            '--output-format JSON',
            `--output-file "$CODEBUILD_SRC_DIR/${SBOM_DIRECTORY}/${SBOM_FILE}"`,
            shellQuote(`${project}/package.json`)].join(' '),
        ],
        outputDirectory: SBOM_DIRECTORY,
        runtime: { nodejs: SBOM_NODE_RUNTIME },
      };
    }
  }
  throw new ValidationError(`SecurityCheck: unknown kind '${String(check.kind)}'.`);
}

/**
 * Installs cyclonedx-npm with `npm ci` from the shipped lockfile: the buildspec writes the project's package.json
 * and package-lock.json (gzipped, base64) to `SBOM_TOOL_DIRECTORY`, checks the lockfile's SHA-256, and installs
 * exactly the locked packages, verifying each one's sha512 integrity. No install scripts run; optional packages
 * (libxmljs2, XML validation only) are not installed.
 */
export function installSbomTool(): string[] {
  const lock = Buffer.from(SBOM_TOOL_PACKAGE_LOCK_GZIP_BASE64, 'base64');
  const digest = crypto.createHash('sha256').update(zlib.gunzipSync(lock)).digest('hex');
  return [
    `mkdir -p ${SBOM_TOOL_DIRECTORY}`,
    `printf '%s\\n' ${shellQuote(JSON.stringify(SBOM_TOOL_PACKAGE_JSON))} > ${SBOM_TOOL_DIRECTORY}/package.json`,
    `echo ${shellQuote(SBOM_TOOL_PACKAGE_LOCK_GZIP_BASE64)} | base64 -d | gunzip > ${SBOM_TOOL_DIRECTORY}/package-lock.json`,
    `echo ${shellQuote(`${digest}  ${SBOM_TOOL_DIRECTORY}/package-lock.json`)} | sha256sum -c -`,
    `npm ci --prefix ${SBOM_TOOL_DIRECTORY} --omit=optional --ignore-scripts --no-audit --no-fund`,
    `${SBOM_TOOL_BIN} --version`,
  ];
}

function severitiesFrom(minimum: StaticAnalysisSeverity): string[] {
  const order = [StaticAnalysisSeverity.INFO, StaticAnalysisSeverity.WARNING, StaticAnalysisSeverity.ERROR];
  return order.slice(Math.max(0, order.indexOf(minimum)));
}

interface ReleaseLayout {
  readonly asset: (arch: 'x86_64' | 'aarch64') => string;
  /** The release's download URL, to which the asset name is appended. */
  readonly baseUrl: string;
  readonly tarball: boolean;
  readonly versionCommand: string;
}

/**
 * One shell command that downloads the asset for this machine's architecture, checks its SHA-256 against the pin
 * (`sha256sum -c` fails on a mismatch, and nothing is unpacked or run before it passes) and installs the binary.
 * An architecture without a pinned digest fails with a message.
 */
export function installRelease(tool: string, release: PinnedRelease, layout: ReleaseLayout): string {
  const download = `/tmp/${tool}-download`;
  const branches = [
    `x86_64) asset=${shellQuote(layout.asset('x86_64'))}; sha=${shellQuote(release.sha256LinuxX64)} ;;`,
    ...(release.sha256LinuxArm64 ? [`aarch64) asset=${shellQuote(layout.asset('aarch64'))}; sha=${shellQuote(release.sha256LinuxArm64)} ;;`] : []),
    `*) echo ${shellQuote(`${tool} ${release.version}: no pinned SHA-256 for`)} "$(uname -m)" >&2; false ;;`,
  ];
  const install = layout.tarball
    ? `tar -xzf ${download} -C /usr/local/bin ${tool}`
    : `install -m 0755 ${download} /usr/local/bin/${tool}`;
  return [
    `case "$(uname -m)" in ${branches.join(' ')} esac`,
    `curl -sSfL --retry 3 -o ${download} ${shellQuote(layout.baseUrl)}"$asset"`,
    `echo "$sha  ${download}" | sha256sum -c -`,
    install,
    layout.versionCommand,
  ].join(' && ');
}
