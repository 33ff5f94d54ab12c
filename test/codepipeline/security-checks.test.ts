import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp as guardedProduction } from '../../examples/guarded-production/app';
import { DeliveryPipeline, DeliveryPipelineProps, PinnedRelease, SecurityCheck, SecurityCheckKind, StaticAnalysisSeverity, TestStepOptions } from '../../src';
import { SBOM_TOOL_PACKAGE_JSON, SBOM_TOOL_PACKAGE_LOCK, SBOM_TOOL_PACKAGE_LOCK_GZIP_BASE64 } from '../../src/codepipeline/private/sbom-tool-lock';
import {
  DEFAULT_CYCLONEDX_NPM_VERSION, DEFAULT_GITLEAKS, DEFAULT_OSV_SCANNER, DEFAULT_SEMGREP_VERSION, installRelease, installSbomTool,
  OSV_SUMMARY, OSV_TO_JUNIT, SBOM_TOOL_BIN, SBOM_TOOL_DIRECTORY,
} from '../../src/codepipeline/private/security-steps';
import { readPipelines, RenderedAction } from '../../src/private/rendered-pipeline';
import { PipelineShape } from '../../src/testing/pipeline-shape';
import { fixture, referenceProps } from '../fixtures/app';

interface BuildSpec {
  phases: { install?: { 'commands'?: string[]; 'runtime-versions'?: Record<string, string> }; build: { commands: string[] } };
  reports?: Record<string, { 'files': string[]; 'file-format': string }>;
  artifacts?: { 'base-directory'?: string; 'files'?: string[] };
}
interface RenderedStep {
  readonly stage: string;
  readonly action: RenderedAction;
  readonly spec: BuildSpec;
}

/** Synthesizes the reference pipeline and returns every CodeBuild action of the test stages with its buildspec. */
function render(overrides: Partial<DeliveryPipelineProps>): { pipeline: DeliveryPipeline; steps: Map<string, RenderedStep> } {
  const f = fixture();
  const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides));
  const template = Template.fromStack(f.stack).toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
  const steps = new Map<string, RenderedStep>();
  for (const stage of readPipelines(template)[0].stages) {
    for (const action of stage.actions) {
      const ref = (action.configuration.ProjectName as { Ref?: string } | undefined)?.Ref;
      const inline = ref ? String(template.Resources[ref].Properties.Source.BuildSpec) : '';
      // (asset publishing writes its buildspec to a file of the cloud assembly)
      if (stage.name.startsWith('Test') && inline.startsWith('{')) {
        steps.set(action.name, { stage: stage.name, action, spec: JSON.parse(inline) as BuildSpec });
      }
    }
  }
  return { pipeline, steps };
}

function step(steps: Map<string, RenderedStep>, name: string): RenderedStep {
  const s = steps.get(name);
  if (!s) {
    throw new Error(`no test action '${name}' (have ${[...steps.keys()].join(', ')})`);
  }
  return s;
}

const ALL = () => [SecurityCheck.secretsDetection(), SecurityCheck.staticAnalysis(), SecurityCheck.dependencyScan(), SecurityCheck.sbom()];

describe('security checks: rendered buildspecs', () => {
  const { steps } = render({ securityChecks: ALL() });

  test('every check is an action of the Test stage, in parallel with the test step (same run order)', () => {
    const names = ['UnitTests', 'SecretsDetection', 'StaticAnalysis', 'DependencyScan', 'Sbom'];
    expect(names.map(n => step(steps, n).stage)).toEqual(names.map(() => 'Test'));
    expect(new Set(names.map(n => step(steps, n).action.runOrder))).toEqual(new Set([1]));
  });

  test('secrets detection: gitleaks pinned by version and SHA-256, scans the tree, fails on findings, JUnit report group', () => {
    const { spec } = step(steps, 'SecretsDetection');
    const [install] = spec.phases.install!.commands!;
    expect(install).toContain(`https://github.com/gitleaks/gitleaks/releases/download/v${DEFAULT_GITLEAKS.version}/'"$asset"`);
    expect(install).toContain(`x86_64) asset='gitleaks_8.30.1_linux_x64.tar.gz'; sha='${DEFAULT_GITLEAKS.sha256LinuxX64}' ;;`);
    expect(install).toContain(`aarch64) asset='gitleaks_8.30.1_linux_arm64.tar.gz'; sha='${DEFAULT_GITLEAKS.sha256LinuxArm64}' ;;`);
    expect(install).toMatch(/sha256sum -c - && tar -xzf \/tmp\/gitleaks-download -C \/usr\/local\/bin gitleaks && gitleaks version$/);
    expect(spec.phases.build.commands).toEqual([
      'mkdir -p security-reports',
      'gitleaks dir --no-banner --redact --report-format junit --report-path security-reports/gitleaks.xml --exit-code 1 .',
    ]);
    expect(spec.reports).toEqual({ gitleaks: { 'files': ['security-reports/gitleaks.xml'], 'file-format': 'JUNITXML' } });
  });

  test('static analysis: Semgrep pinned with pip, metrics off, every finding fails the step, JUnit report group', () => {
    const { spec } = step(steps, 'StaticAnalysis');
    expect(spec.phases.install!.commands).toEqual([`python3 -m pip install --no-cache-dir 'semgrep==${DEFAULT_SEMGREP_VERSION}'`, 'semgrep --version']);
    expect(spec.phases.build.commands).toEqual([
      'mkdir -p security-reports',
      "semgrep scan --metrics=off --disable-version-check --config 'p/default' --error --junit-xml-output=security-reports/semgrep.xml .",
    ]);
    expect(spec.reports).toEqual({ semgrep: { 'files': ['security-reports/semgrep.xml'], 'file-format': 'JUNITXML' } });
  });

  test('dependency scan: OSV-Scanner pinned by version and SHA-256, every lock file, JUnit converted with jq, fails on findings', () => {
    const { spec } = step(steps, 'DependencyScan');
    const [install] = spec.phases.install!.commands!;
    expect(install).toContain(`https://github.com/google/osv-scanner/releases/download/v${DEFAULT_OSV_SCANNER.version}/'"$asset"`);
    expect(install).toContain(`x86_64) asset='osv-scanner_linux_amd64'; sha='${DEFAULT_OSV_SCANNER.sha256LinuxX64}' ;;`);
    expect(install).toMatch(/sha256sum -c - && install -m 0755 \/tmp\/osv-scanner-download \/usr\/local\/bin\/osv-scanner && osv-scanner --version$/);
    const scan = spec.phases.build.commands[1];
    expect(scan).toContain('osv-scanner scan source --recursive --format json . > security-reports/osv-scanner.json || status=$?');
    expect(scan).toContain('case "$status" in 0) true ;;');
    expect(spec.reports).toEqual({ 'osv-scanner': { 'files': ['security-reports/osv-scanner.xml'], 'file-format': 'JUNITXML' } });
  });

  test('SBOM: cyclonedx-npm pinned, from the lock file, production dependencies, Node 22 runtime, the SBOM is the step\'s output artifact', () => {
    const { spec, action } = step(steps, 'Sbom');
    expect(spec.phases.install!.commands).toEqual(installSbomTool());
    expect(spec.phases.install!.commands!.at(-2)).toBe(`npm ci --prefix ${SBOM_TOOL_DIRECTORY} --omit=optional --ignore-scripts --no-audit --no-fund`);
    expect(spec.phases.install!['runtime-versions']).toEqual({ nodejs: '22' });
    expect(spec.phases.build.commands).toEqual([
      'mkdir -p sbom',
      `${SBOM_TOOL_BIN} --package-lock-only --omit dev --output-format JSON --output-file "$CODEBUILD_SRC_DIR/sbom/bom.cdx.json" './package.json'`,
    ]);
    expect(spec.artifacts).toEqual(expect.objectContaining({ 'base-directory': 'sbom', 'files': ['**/*'] }));
    expect(action.outputArtifacts).toHaveLength(1);
    expect(spec.reports).toBeUndefined();
  });

  test('each step may write test reports only to its own report groups', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { securityChecks: [SecurityCheck.secretsDetection()] }));
    const template = Template.fromStack(f.stack).toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
    const [projectId] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::CodeBuild::Project'
      && String(r.Properties.Source.BuildSpec).includes('gitleaks dir'))!;
    const roleArn = template.Resources[projectId].Properties.ServiceRole as { 'Fn::GetAtt': [string, string] };
    const policies = Object.values(template.Resources).filter(r => r.Type === 'AWS::IAM::Policy'
      && (r.Properties.Roles as Array<{ Ref: string }>).some(role => role.Ref === roleArn['Fn::GetAtt'][0]));
    const reportStatements = policies.flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>)
      .filter(st => [st.Action].flat().includes('codebuild:BatchPutTestCases'));
    expect(reportStatements).toHaveLength(1);
    expect(JSON.stringify(reportStatements[0].Resource)).toContain(`:report-group/",{"Ref":"${projectId}"},"-*"`);
  });

  test('the scanners publish no output artifact: their results are the report groups and the build log', () => {
    for (const name of ['SecretsDetection', 'StaticAnalysis', 'DependencyScan']) {
      expect([name, step(steps, name).action.outputArtifacts]).toEqual([name, []]);
      expect([name, step(steps, name).spec.artifacts]).toEqual([name, undefined]);
    }
  });
});

describe('security checks: options', () => {
  test('failOnFindings: false reports without failing (gitleaks exit code 0, no --error, OSV-Scanner findings tolerated)', () => {
    const { steps } = render({
      securityChecks: [
        SecurityCheck.secretsDetection({ failOnFindings: false }),
        SecurityCheck.staticAnalysis({ failOnFindings: false }),
        SecurityCheck.dependencyScan({ failOnFindings: false }),
      ],
    });
    expect(step(steps, 'SecretsDetection').spec.phases.build.commands[1]).toContain('--exit-code 0 .');
    expect(step(steps, 'StaticAnalysis').spec.phases.build.commands[1]).not.toContain('--error');
    expect(step(steps, 'DependencyScan').spec.phases.build.commands[1]).toContain('case "$status" in 0|1) true ;;');
  });

  test.each([
    [StaticAnalysisSeverity.INFO, '--severity INFO --severity WARNING --severity ERROR'],
    [StaticAnalysisSeverity.WARNING, '--severity WARNING --severity ERROR'],
    [StaticAnalysisSeverity.ERROR, '--severity ERROR'],
  ])('Semgrep minimumSeverity %s reports and fails on %s', (minimumSeverity, flags) => {
    const { steps } = render({ securityChecks: [SecurityCheck.staticAnalysis({ minimumSeverity })] });
    const scan = step(steps, 'StaticAnalysis').spec.phases.build.commands[1];
    expect(scan).toContain(` ${flags} --error `);
    expect(scan.match(/--severity \w+/g)).toHaveLength(flags.split('--severity').length - 1);
  });

  test('names, rules, versions, releases, dev dependencies and the project directory are the user\'s', () => {
    const gitleaks: PinnedRelease = { version: '8.29.0', sha256LinuxX64: 'a'.repeat(64) };
    const { steps } = render({
      securityChecks: [
        SecurityCheck.secretsDetection({ name: 'Gitleaks', gitleaks }),
        SecurityCheck.staticAnalysis({ name: 'Semgrep', rules: ['.semgrep/', 'p/owasp-top-ten'], semgrepVersion: '1.100.0' }),
        SecurityCheck.dependencyScan({ name: 'Osv', osvScanner: { version: '2.4.0', sha256LinuxX64: 'b'.repeat(64), sha256LinuxArm64: 'c'.repeat(64) } }),
        SecurityCheck.sbom({ name: 'Bom', includeDevDependencies: true, projectDirectory: 'service', cyclonedxNpmVersion: DEFAULT_CYCLONEDX_NPM_VERSION }),
      ],
    });
    const gitleaksInstall = step(steps, 'Gitleaks').spec.phases.install!.commands![0];
    expect(gitleaksInstall).toContain('/v8.29.0/\'"$asset"');
    expect(gitleaksInstall).toContain(`x86_64) asset='gitleaks_8.29.0_linux_x64.tar.gz'; sha='${'a'.repeat(64)}' ;;`);
    // No arm64 digest: an ARM image fails instead of running an unverified binary.
    expect(gitleaksInstall).not.toContain('aarch64)');
    expect(gitleaksInstall).toContain('*) echo \'gitleaks 8.29.0: no pinned SHA-256 for\' "$(uname -m)" >&2; false ;;');
    expect(step(steps, 'Semgrep').spec.phases.install!.commands![0]).toContain('semgrep==1.100.0');
    expect(step(steps, 'Semgrep').spec.phases.build.commands[1]).toContain("--config '.semgrep/' --config 'p/owasp-top-ten'");
    expect(step(steps, 'Osv').spec.phases.install!.commands![0]).toContain(`aarch64) asset='osv-scanner_linux_arm64'; sha='${'c'.repeat(64)}' ;;`);
    expect(step(steps, 'Bom').spec.phases.install!.commands).toEqual(installSbomTool());
    expect(step(steps, 'Bom').spec.phases.build.commands[1]).toBe(`${SBOM_TOOL_BIN} --package-lock-only --output-format JSON --output-file "$CODEBUILD_SRC_DIR/sbom/bom.cdx.json" 'service/package.json'`);
  });

  test('the class says which check it is', () => {
    expect(ALL().map(c => [c.kind, c.name])).toEqual([
      [SecurityCheckKind.SECRETS_DETECTION, 'SecretsDetection'],
      [SecurityCheckKind.STATIC_ANALYSIS, 'StaticAnalysis'],
      [SecurityCheckKind.DEPENDENCY_SCAN, 'DependencyScan'],
      [SecurityCheckKind.SBOM, 'Sbom'],
    ]);
  });
});

describe('security checks: layout', () => {
  test('they count as test actions: 44 test steps and 4 checks do not fit beside the 3 preparation actions, so Test-2 holds the rest', () => {
    const tests: TestStepOptions[] = Array.from({ length: 44 }, (_, i) => ({ name: `T${i}`, commands: ['npm test'] }));
    const { pipeline: fits } = render({ tests, securityChecks: ALL() }); // 44 + 4 + 3 = 51 > 50
    expect(fits.stageNames.filter(n => n.startsWith('Test'))).toEqual(['Test-1', 'Test-2']);
    const { pipeline: exact } = render({ tests: tests.slice(0, 43), securityChecks: ALL() }); // 43 + 4 + 3 = 50
    expect(exact.stageNames.filter(n => n.startsWith('Test'))).toEqual(['Test']);
  });

  test('security checks alone make a Test stage; beside a test step they add no hop', () => {
    const { pipeline: without } = render({ tests: [] });
    const { pipeline: withChecks, steps } = render({ tests: [], securityChecks: [SecurityCheck.secretsDetection()] });
    expect(without.stageNames).not.toContain('Test');
    expect(withChecks.stageNames).toContain('Test');
    expect([...steps.keys()]).toEqual(expect.arrayContaining(['SecretsDetection']));
    const hops = (p: DeliveryPipeline) => PipelineShape.fromStack(Stack.of(p)).criticalPathHops;
    const { pipeline: withTests } = render({});
    const { pipeline: withTestsAndChecks } = render({ securityChecks: ALL() });
    expect(hops(withTestsAndChecks)).toBe(hops(withTests)); // in parallel with the test step: no extra hop
  });
});

test('examples/guarded-production runs the four checks in its Test stage, in one slot with the unit tests', () => {
  const shape = PipelineShape.fromStack(Stack.of(guardedProduction(new App())));
  // One slot: the checks, the unit tests and the preparation actions all run in parallel.
  expect(shape.stages.find(st => st.name === 'Test')!.slots.map(slot => slot.actions)).toEqual([
    ['SelfMutate', 'FileAssets', 'DependencyScan', 'Sbom', 'SecretsDetection', 'StaticAnalysis', 'UnitTests'],
  ]);
});

describe('security checks: validation', () => {
  const build = (securityChecks: SecurityCheck[], tests?: TestStepOptions[]) => () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { securityChecks, ...(tests ? { tests } : {}) }));
  };

  test.each<[string, SecurityCheck, string]>([
    ['an unpinned Semgrep', SecurityCheck.staticAnalysis({ semgrepVersion: 'latest' }),
      "securityChecks[0].semgrepVersion: 'latest' is not an exact version. A release pipeline must not change its tools under you: pin one, e.g. '1.185.0'."],
    ['a Semgrep range', SecurityCheck.staticAnalysis({ semgrepVersion: '>=1.100' }),
      "securityChecks[0].semgrepVersion: '>=1.100' is not an exact version."],
    ['an unpinned cyclonedx-npm', SecurityCheck.sbom({ cyclonedxNpmVersion: '^6.0.0' }),
      "securityChecks[0].cyclonedxNpmVersion: '^6.0.0' is not an exact version. A release pipeline must not change its tools under you: pin one, e.g. '6.0.1'."],
    ['a cyclonedx-npm without a shipped lockfile', SecurityCheck.sbom({ cyclonedxNpmVersion: '5.0.0' }),
      "securityChecks[0].cyclonedxNpmVersion: '5.0.0' is not the version this library ships a lockfile for (6.0.1); without one its dependencies would resolve when the step runs. Leave cyclonedxNpmVersion out (or set '6.0.1'), or use a version of cdk-delivery-pipelines that ships the one you need."],
    ['a gitleaks tag', SecurityCheck.secretsDetection({ gitleaks: { version: 'v8.30.1', sha256LinuxX64: 'a'.repeat(64) } }),
      "securityChecks[0].gitleaks.version: 'v8.30.1' is not an exact version. A release pipeline must not change its tools under you: pin one, e.g. '8.30.1'."],
    ['a gitleaks release without a digest', SecurityCheck.secretsDetection({ gitleaks: { version: '8.29.0', sha256LinuxX64: '' } }),
      "securityChecks[0].gitleaks.sha256LinuxX64: '' is not a SHA-256 digest (64 lowercase hexadecimal characters). Copy it from the release's checksums file for version 8.29.0."],
    ['an OSV-Scanner arm64 digest that is not one', SecurityCheck.dependencyScan({ osvScanner: { version: '2.4.0', sha256LinuxX64: 'b'.repeat(64), sha256LinuxArm64: 'sha256:abc' } }),
      "securityChecks[0].osvScanner.sha256LinuxArm64: 'sha256:abc' is not a SHA-256 digest (64 lowercase hexadecimal characters). Copy it from the release's checksums file for version 2.4.0."],
    ['empty Semgrep rules', SecurityCheck.staticAnalysis({ rules: [] }),
      "securityChecks[0].rules: [] is not a list of Semgrep configurations. Pass rule files or registry rulesets, e.g. ['p/default'] or ['.semgrep/'], or leave rules out."],
    ['a blank Semgrep rule', SecurityCheck.staticAnalysis({ rules: ['p/default', ' '] }),
      'securityChecks[0].rules: ["p/default"," "] is not a list of Semgrep configurations.'],
    ['a quote in a Semgrep rule', SecurityCheck.staticAnalysis({ rules: ["p/x'; rm -rf /; '"] }),
      "securityChecks[0].rules: [\"p/x'; rm -rf /; '\"] contains a quote or backslash. Pass plain paths or ruleset names."],
    ['an SBOM project outside the source', SecurityCheck.sbom({ projectDirectory: '../other' }),
      "securityChecks[0].projectDirectory: '../other' leaves the source with '..'. Pass a relative path inside the source of letters, digits, '.', '_', '-' and '/', e.g. 'app', or leave it out for the source root."],
    ['an absolute SBOM project', SecurityCheck.sbom({ projectDirectory: '/src' }),
      "securityChecks[0].projectDirectory: '/src' is an absolute path; the step can only use directories inside its source."],
    ['an SBOM project with shell syntax', SecurityCheck.sbom({ projectDirectory: 'app";id;"' }),
      'securityChecks[0].projectDirectory: \'app";id;"\' has the characters "\\"", ";". Pass a relative path inside the source'],
    ['a bad name', SecurityCheck.secretsDetection({ name: 'Secrets Detection!' }),
      'securityChecks[0].name:'],
    ['a reserved name', SecurityCheck.sbom({ name: 'SelfMutate' }),
      "securityChecks[0].name: the step name 'SelfMutate' is used by the pipeline's own actions. Choose another name."],
  ])('%s is rejected with its message', (_what, check, message) => {
    expect(build([check])).toThrow(message);
  });

  test('a name shared with a test step, or two checks of one kind without names, are rejected', () => {
    expect(build([SecurityCheck.sbom({ name: 'UnitTests' })])).toThrow(/securityChecks\[0\]\.name.*UnitTests|UnitTests.*securityChecks\[0\]\.name/);
    expect(build([SecurityCheck.sbom(), SecurityCheck.sbom({ projectDirectory: 'web' })])).toThrow(/Sbom/);
    expect(build([SecurityCheck.sbom(), SecurityCheck.sbom({ name: 'SbomWeb', projectDirectory: 'web' })])).not.toThrow();
  });

  test('untyped callers: a null entry or a plain object is rejected with the fix', () => {
    expect(build([null as unknown as SecurityCheck])).toThrow("securityChecks[0]: 'null' is not a security check. Create one with SecurityCheck.secretsDetection(), .staticAnalysis(), .dependencyScan() or .sbom().");
    expect(build([{ kind: 'SBOM', name: 'Sbom' } as unknown as SecurityCheck])).toThrow("securityChecks[0]: '[object Object]' is not a security check.");
    expect(build('gitleaks' as unknown as SecurityCheck[])).toThrow("securityChecks: 'gitleaks' is not a list of SecurityCheck values.");
  });

  test('untyped callers: an unknown severity is refused by the factory (the type check of every entry point)', () => {
    expect(() => SecurityCheck.staticAnalysis({ minimumSeverity: 'HIGH' as StaticAnalysisSeverity }))
      .toThrow("SecurityCheck.staticAnalysis(options).minimumSeverity: 'HIGH' is not a StaticAnalysisSeverity value (StaticAnalysisSeverity.INFO, WARNING or ERROR).");
  });
});

/**
 * The shell the buildspecs carry, run here with the tools' stand-ins: the checksum gate and the report conversion
 * are ours, and their behaviour is checked by running them, not by reading them. The scanners themselves are not
 * run (no network here): what they find is not verified offline.
 */
describe('security checks: the rendered shell, run', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'security-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs `command` in sh with a `curl` that serves `payload`, installing into `dir/bin` instead of /usr/local/bin. */
  function runInstall(command: string, payload: Buffer): { status: number | null; stderr: string } {
    const fakeBin = path.join(dir, 'fake');
    fs.mkdirSync(fakeBin);
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'payload'), payload);
    // `curl ... -o FILE URL`: copy the payload to FILE.
    fs.writeFileSync(path.join(fakeBin, 'curl'), `#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ "$1" = "-o" ]; then out="$2"; fi; shift; done\ncp "${path.join(dir, 'payload')}" "$out"\n`, { mode: 0o755 });
    const local = command.replaceAll('/tmp/', `${dir}/`).replaceAll('/usr/local/bin', path.join(dir, 'bin')).replace(/ && [\w-]+ (--)?version$/, '');
    const result = spawnSync('sh', ['-c', local], { env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` }, encoding: 'utf-8' });
    return { status: result.status, stderr: result.stderr };
  }

  const tool = Buffer.from('#!/bin/sh\necho tool\n');
  const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
  const arch = execFileSync('uname', ['-m'], { encoding: 'utf-8' }).trim();
  const pinFor = (digest: string): PinnedRelease => (arch === 'aarch64'
    ? { version: '1.0.0', sha256LinuxX64: '0'.repeat(64), sha256LinuxArm64: digest }
    : { version: '1.0.0', sha256LinuxX64: digest });
  const layout = { asset: () => 'osv-scanner_linux', baseUrl: 'https://example.invalid/', tarball: false, versionCommand: 'osv-scanner --version' };

  test('a binary whose SHA-256 matches the pin is installed', () => {
    const result = runInstall(installRelease('osv-scanner', pinFor(sha(tool)), layout), tool);
    expect(result).toEqual({ status: 0, stderr: '' });
    expect(fs.readFileSync(path.join(dir, 'bin', 'osv-scanner'))).toEqual(tool);
  });

  test('a binary whose SHA-256 differs from the pin is not installed, and the step fails', () => {
    const result = runInstall(installRelease('osv-scanner', pinFor(sha(Buffer.from('the real one'))), layout), tool);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/FAILED|did NOT match/);
    expect(fs.existsSync(path.join(dir, 'bin', 'osv-scanner'))).toBe(false);
  });

  test('the gitleaks tarball is unpacked only after its digest matches', () => {
    fs.mkdirSync(path.join(dir, 'pkg'));
    fs.writeFileSync(path.join(dir, 'pkg', 'gitleaks'), tool, { mode: 0o755 });
    execFileSync('tar', ['-czf', path.join(dir, 'gitleaks.tar.gz'), '-C', path.join(dir, 'pkg'), 'gitleaks']);
    const tarball = fs.readFileSync(path.join(dir, 'gitleaks.tar.gz'));
    const gitleaksLayout = { ...layout, tarball: true, versionCommand: 'gitleaks version' };
    expect(runInstall(installRelease('gitleaks', pinFor(sha(tarball)), gitleaksLayout), tarball).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'bin', 'gitleaks'))).toEqual(tool);
  });

  test('an architecture without a pinned digest fails with a message', () => {
    const command = installRelease('osv-scanner', { version: '1.0.0', sha256LinuxX64: sha(tool) }, layout)
      .replace('"$(uname -m)"', 'riscv64'); // the first occurrence: the machine the case dispatches on
    const result = runInstall(command, tool);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^osv-scanner 1\.0\.0: no pinned SHA-256 for \w+\n$/);
    expect(fs.existsSync(path.join(dir, 'bin', 'osv-scanner'))).toBe(false);
  });

  /**
   * jq is on CodeBuild's standard images, where the conversion runs; on this machine it comes from Debian's `jq`
   * package. Without it these tests are reported as skipped, never as passed.
   */
  const withJq = spawnSync('jq', ['--version']).status === 0 ? test : test.skip;

  /** OSV-Scanner's JSON output shape (docs/output.md of google/osv-scanner, v2 `source`). */
  const osvOutput = {
    results: [{
      source: { path: '/codebuild/output/src/package-lock.json', type: 'lockfile' },
      packages: [{
        package: { name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
        vulnerabilities: [{ id: 'GHSA-35jh-r3h4-6jhm', summary: 'Command Injection in "lodash" <template>' }],
        groups: [{ ids: ['GHSA-35jh-r3h4-6jhm'] }],
      }],
    }],
  };

  function jq(program: string, input: unknown): string {
    const file = path.join(dir, 'osv.json');
    fs.writeFileSync(file, JSON.stringify(input));
    return execFileSync('jq', ['-r', program, file], { encoding: 'utf-8' });
  }

  withJq('OSV-Scanner JSON becomes JUnit: one failed case per vulnerable package and advisory, text escaped', () => {
    const xml = jq(OSV_TO_JUNIT, osvOutput);
    expect(xml).toBe([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites><testsuite name="osv-scanner" tests="1" failures="1">',
      '<testcase classname="/codebuild/output/src/package-lock.json" name="npm lodash@4.17.20: GHSA-35jh-r3h4-6jhm"><failure message="Command Injection in &quot;lodash&quot; &lt;template&gt;"/></testcase>',
      '</testsuite></testsuites>',
      '',
    ].join('\n'));
    expect(jq(OSV_SUMMARY, osvOutput)).toBe('npm lodash@4.17.20: GHSA-35jh-r3h4-6jhm Command Injection in "lodash" <template>\n');
  });

  withJq('no vulnerabilities: one passed case, not an empty report', () => {
    expect(jq(OSV_TO_JUNIT, { results: [] })).toContain('tests="1" failures="0">\n<testcase classname="dependencies" name="no known vulnerabilities"/>');
  });

  /** Runs the rendered dependency-scan command with an `osv-scanner` that prints `output` and exits `exit`. */
  function runScan(failOnFindings: boolean, output: unknown, exit: number): { status: number | null; stderr: string; xml: string } {
    const { steps } = render({ securityChecks: [SecurityCheck.dependencyScan({ failOnFindings })] });
    const [mkdir, scan] = step(steps, 'DependencyScan').spec.phases.build.commands;
    const fakeBin = path.join(dir, 'fake');
    fs.mkdirSync(fakeBin, { recursive: true });
    fs.writeFileSync(path.join(dir, 'out.json'), JSON.stringify(output));
    fs.writeFileSync(path.join(fakeBin, 'osv-scanner'), `#!/bin/sh\ncat "${path.join(dir, 'out.json')}"\nexit ${exit}\n`, { mode: 0o755 });
    const result = spawnSync('sh', ['-c', `${mkdir} && ${scan}`], { cwd: dir, env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` }, encoding: 'utf-8' });
    const report = path.join(dir, 'security-reports', 'osv-scanner.xml');
    return { status: result.status, stderr: result.stderr, xml: fs.existsSync(report) ? fs.readFileSync(report, 'utf-8') : '' };
  }

  withJq('the dependency scan fails on findings, and still writes the report', () => {
    const r = runScan(true, osvOutput, 1);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('osv-scanner: exit status 1 (1: known vulnerabilities');
    expect(r.xml).toContain('failures="1"');
  });

  withJq('the dependency scan passes without findings', () => {
    expect(runScan(true, { results: [] }, 0)).toEqual(expect.objectContaining({ status: 0, stderr: '' }));
  });

  withJq('failOnFindings: false tolerates findings but not a scanner error', () => {
    expect(runScan(false, osvOutput, 1).status).toBe(0);
    const error = runScan(false, {}, 127);
    expect(error.status).not.toBe(0);
    expect(error.stderr).toContain('osv-scanner: exit status 127');
  });
});

describe('the SBOM tool is installed from the shipped lockfile (run with bash and a stand-in npm)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbom-tool-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the install commands with the tool directory moved into `dir/tool` and an `npm` that records its arguments. */
  function runInstall(commands: string[]) {
    const tool = path.join(dir, 'tool');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'npm'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/npm-args"\nmkdir -p "${tool}/node_modules/.bin"\nprintf '#!/bin/sh\\necho 6.0.1\\n' > "${tool}/node_modules/.bin/cyclonedx-npm"\nchmod +x "${tool}/node_modules/.bin/cyclonedx-npm"\n`, { mode: 0o755 });
    const script = commands.map(c => c.replaceAll(SBOM_TOOL_DIRECTORY, tool)).join('\n');
    const result = spawnSync('bash', ['-e', '-c', script], { env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` }, encoding: 'utf-8' });
    const npm = fs.existsSync(path.join(dir, 'npm-args')) ? fs.readFileSync(path.join(dir, 'npm-args'), 'utf-8').trim().split('\n') : undefined;
    const read = (file: string) => fs.existsSync(path.join(tool, file)) ? JSON.parse(fs.readFileSync(path.join(tool, file), 'utf-8')) as unknown : undefined;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, npm, packageJson: read('package.json'), lock: read('package-lock.json'), tool };
  }

  test('the buildspec writes exactly the shipped package.json and lockfile, checks its SHA-256, then runs npm ci on it', () => {
    const result = runInstall(installSbomTool());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.packageJson).toEqual(SBOM_TOOL_PACKAGE_JSON);
    expect(result.lock).toEqual(SBOM_TOOL_PACKAGE_LOCK);
    expect(result.npm).toEqual(['ci', '--prefix', result.tool, '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund']);
    expect(result.stdout).toContain('package-lock.json: OK\n6.0.1\n');
  });

  test('a lockfile that does not match the digest stops the step before npm runs', () => {
    const tampered = installSbomTool().map(c => c.replace(/echo '([A-Za-z0-9+/=]+)' \| base64 -d/, (_m, b64: string) =>
      `echo '${zlib.gzipSync(Buffer.from(zlib.gunzipSync(Buffer.from(b64, 'base64')).toString('utf-8').replace('"6.0.1"', '"6.0.2"'))).toString('base64')}' | base64 -d`));
    expect(tampered).not.toEqual(installSbomTool());
    const result = runInstall(tampered);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/FAILED|did NOT match/);
    expect(result.npm).toBeUndefined();
  });

  test('the shipped lockfile: the locked tool is the default version, and every package npm ci installs is pinned by sha512 integrity', () => {
    expect(zlib.gunzipSync(Buffer.from(SBOM_TOOL_PACKAGE_LOCK_GZIP_BASE64, 'base64')).toString('utf-8')).toBe(`${JSON.stringify(SBOM_TOOL_PACKAGE_LOCK)}\n`);
    type Entry = { version?: string; integrity?: string; optional?: boolean; dependencies?: Record<string, string> };
    const packages = SBOM_TOOL_PACKAGE_LOCK.packages as Record<string, Entry>;
    expect(packages[''].dependencies).toEqual(SBOM_TOOL_PACKAGE_JSON.dependencies);
    expect(packages['node_modules/@cyclonedx/cyclonedx-npm'].version).toBe(DEFAULT_CYCLONEDX_NPM_VERSION);
    const installed = Object.entries(packages).filter(([key, p]) => key !== '' && p.optional !== true);
    expect(installed).toHaveLength(41); // the tool and the 40 packages it loads (README)
    expect(installed.map(([key]) => key)).toEqual(expect.arrayContaining(['node_modules/@cyclonedx/cyclonedx-npm', 'node_modules/@cyclonedx/cyclonedx-library', 'node_modules/ajv']));
    for (const [key, p] of installed) {
      expect({ key, version: /^\d+\.\d+\.\d+$/.test(p.version ?? ''), integrity: /^sha512-[A-Za-z0-9+/]{86}==$/.test(p.integrity ?? '') })
        .toEqual({ key, version: true, integrity: true });
    }
  });

  test('the buildspec stays under CodeBuild\'s inline limit (25,600 characters, aws/aws-cdk#14974)', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { securityChecks: [SecurityCheck.sbom()] }));
    const specs = Object.values(Template.fromStack(f.stack).findResources('AWS::CodeBuild::Project'))
      .map(p => (p as { Properties: { Source: { BuildSpec?: unknown } } }).Properties.Source.BuildSpec)
      .filter((s): s is string => typeof s === 'string' && s.includes(SBOM_TOOL_BIN));
    expect(specs).toHaveLength(1);
    expect(specs[0].length).toBeLessThan(25_600);
    expect(specs[0].length).toBeGreaterThan(5_000); // the lockfile is in it
  });
});
