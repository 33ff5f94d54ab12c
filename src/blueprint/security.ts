/**
 * Security checks of AWS's Deployment Pipeline Reference Architecture (DPRA): secrets detection, static analysis
 * (SAST), dependency scanning (SCA) and a software bill of materials (SBOM). Engine-independent: this file says
 * what each check is and what the user chose; `codepipeline/private/security-steps.ts` says how CodeBuild runs it.
 */

import { checkArguments } from '../private/props-check';

/** Which DPRA check a `SecurityCheck` is. */
export enum SecurityCheckKind {
  /** Secrets committed to the source (gitleaks). */
  SECRETS_DETECTION = 'SECRETS_DETECTION',
  /** Static application security testing (Semgrep). */
  STATIC_ANALYSIS = 'STATIC_ANALYSIS',
  /** Known vulnerabilities in the dependencies the lock files pin (OSV-Scanner). */
  DEPENDENCY_SCAN = 'DEPENDENCY_SCAN',
  /** A CycloneDX software bill of materials of an npm project (cyclonedx-npm). */
  SBOM = 'SBOM',
}

/** Semgrep rule severities, lowest first. */
export enum StaticAnalysisSeverity {
  /** Informational findings and above: everything. */
  INFO = 'INFO',
  /** Warnings and errors. */
  WARNING = 'WARNING',
  /** Errors only. */
  ERROR = 'ERROR',
}

/**
 * A release binary downloaded from its project's GitHub releases, pinned by version and by SHA-256.
 *
 * Take the digests from the release's own checksums file (e.g. `gitleaks_<version>_checksums.txt`,
 * `osv-scanner_SHA256SUMS`), never from a file you just downloaded yourself.
 */
export interface PinnedRelease {
  /**
   * Exact version, without the `v` (e.g. `8.30.1`).
   */
  readonly version: string;

  /**
   * SHA-256 (64 hexadecimal characters) of the Linux x86_64 release asset (CodeBuild's default images).
   */
  readonly sha256LinuxX64: string;

  /**
   * SHA-256 of the Linux arm64 release asset, for ARM CodeBuild images.
   *
   * @default - no arm64 digest: on an ARM image the install fails with a message instead of running an unverified binary
   */
  readonly sha256LinuxArm64?: string;
}

/** What every security check has. */
export interface SecurityCheckOptions {
  /**
   * Name of the step (the CodePipeline action name), unique in the pipeline.
   *
   * @default - `SecretsDetection`, `StaticAnalysis`, `DependencyScan` or `Sbom`
   */
  readonly name?: string;
}

/** Options of `SecurityCheck.secretsDetection()`. */
export interface SecretsDetectionOptions extends SecurityCheckOptions {
  /**
   * Fail the step (and stop the release) when gitleaks finds a secret.
   *
   * `false` still publishes the report. Allow-list false positives in the repository instead
   * (`.gitleaks.toml`, `.gitleaksignore`, or a `gitleaks:allow` comment).
   *
   * @default true
   */
  readonly failOnFindings?: boolean;

  /**
   * The gitleaks release to install.
   *
   * @default - gitleaks 8.30.1 with its published digests
   */
  readonly gitleaks?: PinnedRelease;
}

/** Options of `SecurityCheck.staticAnalysis()`. */
export interface StaticAnalysisOptions extends SecurityCheckOptions {
  /**
   * Fail the step when Semgrep reports a finding (of `minimumSeverity` or higher, when set).
   *
   * @default true
   */
  readonly failOnFindings?: boolean;

  /**
   * The lowest rule severity reported, and (with `failOnFindings`) that fails the step: Semgrep's `--severity`
   * filter with this level and the ones above it.
   *
   * @default - no filter: every finding of the rules is reported and fails the step
   */
  readonly minimumSeverity?: StaticAnalysisSeverity;

  /**
   * Semgrep configurations (`--config`): rule files or directories in the repository, or Semgrep registry rulesets.
   *
   * Registry rulesets are fetched from the Semgrep registry on every run and change over time; rules kept in the
   * repository are pinned with the code.
   *
   * @default ['p/default']
   */
  readonly rules?: string[];

  /**
   * Exact version of Semgrep (the `semgrep` Python package) to install with pip.
   *
   * Pins Semgrep itself only: pip resolves Semgrep's own Python dependencies within their declared ranges when the
   * step runs (they are not pinned).
   *
   * @default '1.185.0'
   */
  readonly semgrepVersion?: string;
}

/** Options of `SecurityCheck.dependencyScan()`. */
export interface DependencyScanOptions extends SecurityCheckOptions {
  /**
   * Fail the step when OSV-Scanner finds a known vulnerability in a dependency.
   *
   * Ignore accepted vulnerabilities (with a reason and an expiry) in `osv-scanner.toml` in the repository.
   *
   * @default true
   */
  readonly failOnFindings?: boolean;

  /**
   * The OSV-Scanner release to install.
   *
   * @default - OSV-Scanner 2.5.1 with its published digests
   */
  readonly osvScanner?: PinnedRelease;
}

/** Options of `SecurityCheck.sbom()`. */
export interface SbomOptions extends SecurityCheckOptions {
  /**
   * Include development dependencies in the bill of materials.
   *
   * @default false
   */
  readonly includeDevDependencies?: boolean;

  /**
   * Directory, relative to the source root, of the npm project (its `package.json` and `package-lock.json`).
   *
   * @default '.'
   */
  readonly projectDirectory?: string;

  /**
   * Version of `@cyclonedx/cyclonedx-npm`. The step installs it with `npm ci` from a lockfile this library ships,
   * which pins it and every package it loads; only the version of that lockfile is accepted.
   *
   * @default '6.0.1'
   */
  readonly cyclonedxNpmVersion?: string;
}

/** The options of any check, as the renderer reads them. @internal */
export interface SecurityCheckSettings extends SecretsDetectionOptions, StaticAnalysisOptions, DependencyScanOptions, SbomOptions {}

/**
 * A DPRA security check: a step of the `Test` stage that runs in parallel with the test steps and counts as one
 * of them in the layout. Each installs a pinned, widely used open-source tool and publishes its report.
 */
export class SecurityCheck {
  /**
   * Secrets detection with gitleaks: scans the source tree for committed credentials and keys.
   *
   * Publishes a JUnit report (CodeBuild report group); secrets are redacted in the log and report.
   */
  public static secretsDetection(options: SecretsDetectionOptions = {}): SecurityCheck {
    checkArguments('SecurityCheck.secretsDetection', [options]);
    return new SecurityCheck(SecurityCheckKind.SECRETS_DETECTION, 'SecretsDetection', options);
  }

  /**
   * Static analysis (SAST) with Semgrep.
   *
   * Publishes a JUnit report (CodeBuild report group). Semgrep's metrics are off.
   */
  public static staticAnalysis(options: StaticAnalysisOptions = {}): SecurityCheck {
    checkArguments('SecurityCheck.staticAnalysis', [options]);
    return new SecurityCheck(SecurityCheckKind.STATIC_ANALYSIS, 'StaticAnalysis', options);
  }

  /**
   * Dependency scanning (SCA) with OSV-Scanner: every lock file in the source, against the OSV database.
   *
   * Publishes a JUnit report (one failed case per vulnerable package and advisory, converted from OSV-Scanner's
   * JSON with jq) as a CodeBuild report group.
   */
  public static dependencyScan(options: DependencyScanOptions = {}): SecurityCheck {
    checkArguments('SecurityCheck.dependencyScan', [options]);
    return new SecurityCheck(SecurityCheckKind.DEPENDENCY_SCAN, 'DependencyScan', options);
  }

  /**
   * A CycloneDX SBOM (JSON) of an npm project, from its `package-lock.json`, with cyclonedx-npm.
   *
   * The SBOM is the step's output artifact (`bom.cdx.json`, kept in the pipeline's artifact bucket). Needs a CodeBuild
   * image that offers Node.js 22 (`runtime-versions`), as the standard 7.0 image and later do.
   */
  public static sbom(options: SbomOptions = {}): SecurityCheck {
    checkArguments('SecurityCheck.sbom', [options]);
    return new SecurityCheck(SecurityCheckKind.SBOM, 'Sbom', options);
  }

  /** Which check this is. */
  public readonly kind: SecurityCheckKind;

  /** The step's name (the CodePipeline action name). */
  public readonly name: string;

  /** The options as given. @internal */
  public readonly _settings: SecurityCheckSettings;

  private constructor(kind: SecurityCheckKind, defaultName: string, options: SecurityCheckSettings) {
    this.kind = kind;
    this.name = options?.name ?? defaultName;
    this._settings = options ?? {};
  }
}
