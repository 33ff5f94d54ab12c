import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as pipelines from 'aws-cdk-lib/pipelines';
import * as fc from 'fast-check';
import { DeliveryPipeline, DeliveryPipelineProps, PipelineSource, PullRequestChecks, RegistryCredential, SecurityCheck } from '../src';
import { AppStage, CONNECTION_ARN, fixture, referenceProps } from './fixtures/app';
import { projectByDescription } from './pull-requests/helpers';
import { renderCheck, SBOM_TOOL_BIN } from '../src/codepipeline/private/security-steps';
import { normalizeDirectory, shellQuote, validateInert, validateRegion, validateRelativeDirectory } from '../src/private/shell';
import { CheckJob, previewDeployBuildSpec, previewDestroyBuildSpec, previewSweepBuildSpec } from '../src/pull-requests/private/buildspecs';

/**
 * One quoting discipline: configuration values that reach a shell line are validated at synthesis and quoted by
 * `shellQuote`. These tests run the rendered shell lines with bash, offline, with hostile values that bypass the
 * validation (the renderers called directly), and prove that nothing executes — a marker file is never created —
 * and that the values arrive as data, byte for byte; then the same lines with ordinary values.
 */

let dir: string;
let marker: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shell-quoting-'));
  marker = path.join(dir, 'PWNED');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Values that execute `touch <marker>` if pasted into a shell line unquoted, in single quotes or in double quotes. */
function hostile(m: string): string[] {
  return [
    `$(touch ${m})`,
    `\`touch ${m}\``,
    `x';touch ${m};'`,
    `x";touch ${m};"`,
    `x\ntouch ${m}\n`,
    `x; touch ${m}`,
    `x && touch ${m} #`,
    `x | touch ${m}`,
    `'$(touch ${m})'`,
    `"$(touch ${m})"`,
    `\\'; touch ${m}; echo \\'`,
    `x'"\`touch ${m}\`"'`,
    `$'\\x27'; touch ${m}`,
    '*',
    '~ $HOME ${HOME} !! \\',
  ];
}

/**
 * Runs `lines` with `bash -e` in `dir`, with fake tools that record each argument they receive (NUL-separated, one
 * call per line of `calls/<tool>`) and succeed. Returns the exit status, output, and the recorded calls.
 */
function runBash(lines: string[], fakes: string[], env: Record<string, string> = {}) {
  const bin = path.join(dir, 'bin');
  const calls = path.join(dir, 'calls');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(calls, { recursive: true });
  for (const tool of fakes) {
    // Each call to its own file, numbered in order; each argument ends in NUL (no argument can hold one).
    fs.writeFileSync(path.join(bin, tool), `#!/usr/bin/env bash\nn=$(ls "${calls}" | grep -c '^${tool}\\.' || true)\nfor a in "$@"; do printf '%s\\0' "$a"; done > "${calls}/${tool}.$n"\n`, { mode: 0o755 });
  }
  const result = spawnSync('bash', ['-e', '-c', lines.join('\n')], {
    cwd: dir,
    encoding: 'utf-8',
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, ...env },
  });
  const argsOf = (tool: string): string[][] => {
    const files = fs.readdirSync(calls).filter(f => f.startsWith(`${tool}.`)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    return files.map(f => fs.readFileSync(path.join(calls, f), 'utf-8').split('\0').slice(0, -1));
  };
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, argsOf, executed: fs.existsSync(marker) };
}

describe('shellQuote', () => {
  test('every hostile value reaches the command as one argument, unchanged, and nothing executes', () => {
    const values = hostile(marker);
    const result = runBash([`printf '%s\\0' ${values.map(shellQuote).join(' ')}`], []);
    expect(result.status).toBe(0);
    expect(result.executed).toBe(false);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(values);
  });

  test('any string without NUL round-trips through bash (property, 300 generated strings in one shell)', () => {
    const values = fc.sample(fc.string({ unit: 'binary-ascii', maxLength: 40 }).filter(s => !s.includes('\0')), { numRuns: 300, seed: 17 });
    const result = runBash([`printf '%s\\0' ${values.map(shellQuote).join(' ')}`], []);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(values);
  });

  test('the check has teeth: the same values pasted in single or double quotes execute', () => {
    const single = runBash([`printf '%s' '${`x';touch ${marker};'`}'`], []);
    expect(single.executed).toBe(true);
    fs.rmSync(marker);
    const double = runBash([`printf '%s' "${`$(touch ${marker})`}"`], []);
    expect(double.executed).toBe(true);
  });

  test('ordinary values are single-quoted words', () => {
    expect(shellQuote('us-east-1')).toBe("'us-east-1'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  test('a NUL character or a value that is not a string is refused (a bug: validation should have caught it)', () => {
    expect(() => shellQuote('a\0b')).toThrow('shellQuote: "a\\u0000b" holds a NUL character, which no shell word can carry.');
    expect(() => shellQuote(42 as unknown as string)).toThrow('shellQuote: expected a string, got number (42).');
  });
});

describe('validation: regions', () => {
  test.each(['us-east-1', 'eu-central-2', 'ap-southeast-7', 'il-central-1', 'mx-central-1', 'cn-north-1', 'cn-northwest-1',
    'us-gov-west-1', 'us-gov-east-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1'])('%s is a region', region => {
    expect(validateRegion(region, 'previews.region')).toBe(region);
  });

  const fix = "Pass a region such as 'us-east-1', 'eu-west-2' or 'us-gov-west-1' (lowercase letters, hyphens and the region's number).";
  test.each<[string, unknown, string]>([
    ['upper case', 'US-EAST-1', "'US-EAST-1'"],
    ['no number', 'us-east', "'us-east'"],
    ['a trailing space', 'us-east-1 ', "'us-east-1 '"],
    ['a trailing newline', 'us-east-1\n', '"us-east-1\\n"'],
    ['shell syntax', "us-east-1';id;'", "'us-east-1';id;''"],
    ['a command substitution', '$(id)', "'$(id)'"],
    ['empty', '', "''"],
    ['a number (untyped callers)', 1, 'number 1'],
    ['null (untyped callers)', null, 'null'],
  ])('%s is refused with its message', (_what, value, shown) => {
    expect(() => validateRegion(value, 'previews.region')).toThrow(`previews.region: ${shown} is not an AWS region name. ${fix}`);
  });
});

describe('validation: directories', () => {
  test.each([
    ['cdk.out', 'cdk.out'], ['infra', 'infra'], ['./infra/', 'infra'], ['vendor/lib.v2_x-y', 'vendor/lib.v2_x-y'], ['.', '.'], ['./', '.'], ['.hidden', '.hidden'],
  ])('%s is a directory inside the source (normalized to %s)', (value, normalized) => {
    expect(validateRelativeDirectory(value, 'synth.primaryOutputDirectory', "'cdk.out'")).toBe(normalized);
    expect(normalizeDirectory(value)).toBe(normalized);
  });

  const fix = "Pass a relative path inside the source of letters, digits, '.', '_', '-' and '/', e.g. 'cdk.out'.";
  test.each<[string, unknown, string]>([
    ['empty', '', "'' names no directory."],
    ['blank', '  ', "'  ' names no directory."],
    ['absolute', '/tmp/out', "'/tmp/out' is an absolute path; the step can only use directories inside its source."],
    ['outside', 'a/../../etc', "'a/../../etc' leaves the source with '..'."],
    ['a double slash', 'a//b', "'a//b' has an empty path segment ('//')."],
    ['an option', 'out/-rf', "'out/-rf' has the segment '-rf', which starts with '-'."],
    ['a space', 'my out', '\'my out\' has the character " ".'],
    ['a single quote', "x';id;'", '\'x\';id;\'\' has the characters "\'", ";".'],
    ['a double quote', 'x";id;"', '\'x";id;"\' has the characters "\\"", ";".'],
    ['a command substitution', '$(id)', '\'$(id)\' has the characters "$", "(", ")".'],
    ['a backtick', '`id`', '\'`id`\' has the character "`".'],
    ['a newline', 'out\nid', '"out\\nid" has the character "\\n".'],
    ['a backslash', 'a\\b', '\'a\\b\' has the character "\\\\".'],
    ['too long', 'a'.repeat(256), `'${'a'.repeat(256)}' has 256 characters, more than 255.`],
    ['a number (untyped callers)', 7, 'number 7 names no directory.'],
    ['a list (untyped callers)', ['cdk.out'], 'object ["cdk.out"] names no directory.'],
  ])('%s is refused with its message', (_what, value, message) => {
    expect(() => validateRelativeDirectory(value, 'synth.primaryOutputDirectory', "'cdk.out'"))
      .toThrow(`synth.primaryOutputDirectory: ${message} ${fix}`);
  });

  test('every hostile value is refused', () => {
    for (const value of hostile(marker)) {
      expect(() => validateRelativeDirectory(value, 'd', "'x'")).toThrow(/^d: /);
      expect(() => validateRegion(value, 'r')).toThrow(/^r: /);
    }
  });
});

describe('validation at synthesis names the property', () => {
  const fix = "Pass a relative path inside the source of letters, digits, '.', '_', '-' and '/'";

  test('synth.primaryOutputDirectory', () => {
    const f = fixture();
    const props = referenceProps(f);
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', { ...props, synth: { ...props.synth, primaryOutputDirectory: "out';id;'" } }))
      .toThrow(`synth.primaryOutputDirectory: 'out';id;'' has the characters "'", ";". ${fix}, e.g. 'cdk.out' (the default) or 'infra/cdk.out'.`);
  });

  test('additionalSources[].directory', () => {
    const f = fixture();
    const infra = PipelineSource.connection('acme/infra', 'main', { connectionArn: CONNECTION_ARN });
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { additionalSources: [{ directory: 'x";id;"', source: infra }] })))
      .toThrow(`additionalSources[0].directory: 'x";id;"' has the characters "\\"", ";". ${fix}, e.g. 'infra'.`);
  });

  test('previews.region', () => {
    const f = fixture();
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f));
    expect(() => new PullRequestChecks(f.stack, 'Checks', {
      pipeline,
      previews: { account: '444444444444', region: "eu-west-1';id;'", trustedAuthors: ['1'], stage: { createStage: (s, id, env) => new AppStage(s, id, { env }) } },
    })).toThrow("previews.region: 'eu-west-1';id;'' is not an AWS region name.");
  });
});

/** The commands of a buildspec, in order (install, then build). */
function commandsOf(spec: codebuild.BuildSpec): string[] {
  const stack = new Stack();
  const object = JSON.parse(stack.resolve(spec.toBuildSpec(stack))) as { phases: Record<string, { commands?: string[] }> };
  return Object.values(object.phases).flatMap(p => p.commands ?? []);
}

const SYNTH: CheckJob = {
  name: 'Synth',
  installCommands: [],
  commands: ['true'],
  env: {},
  buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
  computeType: codebuild.ComputeType.MEDIUM,
  junitReportPaths: [],
  omittedSecrets: [],
};

describe('preview buildspecs run with hostile values (validation bypassed)', () => {
  const PR = { CODEBUILD_WEBHOOK_TRIGGER: 'pr/7' };

  test('deploy: the region, role, output directory, CLI version and namespace reach the AWS config and cdk as data', () => {
    for (const value of hostile(marker)) {
      const spec = previewDeployBuildSpec(SYNTH, value, `2.0.0${value}`, { roleArn: `arn:${value}`, region: value, namespace: value });
      fs.writeFileSync(path.join(dir, 'preview-outputs.json'), '{}');
      const result = runBash(commandsOf(spec), ['npx'], PR);
      expect({ value, status: result.status, executed: result.executed }).toEqual({ value, status: 0, executed: false });
      expect(result.argsOf('npx')).toEqual([['-y', `aws-cdk@2.0.0${value}`, 'deploy', '--app', value, '--profile', 'preview',
        '--require-approval', 'never', '--outputs-file', 'preview-outputs.json', `${value}7/*`]]);
      expect(fs.readFileSync(path.join(dir, '.aws', 'config'), 'utf-8')).toContain(`role_arn = arn:${value}\n`);
      fs.rmSync(path.join(dir, 'calls'), { recursive: true });
      fs.rmSync(path.join(dir, '.aws'), { recursive: true });
    }
  });

  test('destroy: the namespace reaches the stack query as data', () => {
    for (const value of hostile(marker)) {
      const result = runBash(commandsOf(previewDestroyBuildSpec({ roleArn: 'arn:aws:iam::444444444444:role/r', region: value, namespace: value })), ['aws'], PR);
      expect({ value, status: result.status, executed: result.executed }).toEqual({ value, status: 0, executed: false });
      const query = result.argsOf('aws')[0];
      expect(query[query.indexOf('--query') + 1]).toBe(`StackSummaries[?StackStatus!='DELETE_COMPLETE' && starts_with(StackName, '${value}7-')].StackName`);
      fs.rmSync(path.join(dir, 'calls'), { recursive: true });
    }
  });

  test('sweep: the namespace and the time to live reach the query, date and awk as data', () => {
    for (const value of hostile(marker)) {
      const spec = previewSweepBuildSpec({ roleArn: 'arn:aws:iam::444444444444:role/r', region: 'eu-west-1', namespace: value }, `1${value}` as unknown as number);
      // GNU date refuses the hostile duration: stub it like the other tools (what matters is that it is one argument).
      const result = runBash(commandsOf(spec), ['aws', 'date']);
      expect({ value, status: result.status, executed: result.executed }).toEqual({ value, status: 0, executed: false });
      expect(result.argsOf('date')).toEqual([['-u', '-d', `-1${value} hours`, '+%Y-%m-%dT%H:%M:%S']]);
      const query = result.argsOf('aws')[0];
      expect(query[query.indexOf('--query') + 1]).toContain(`starts_with(StackName, '${value}')`);
      fs.rmSync(path.join(dir, 'calls'), { recursive: true });
    }
  });

  test('ordinary values: the commands CDK and the AWS CLI receive', () => {
    const scripts = { roleArn: 'arn:aws:iam::444444444444:role/cdk-delivery-previews-preview-eu-west-1', region: 'eu-west-1', namespace: 'preview-pr' };
    fs.writeFileSync(path.join(dir, 'preview-outputs.json'), '{}');
    const result = runBash(commandsOf(previewDeployBuildSpec(SYNTH, 'infra/cdk.out', '2.1148.1', scripts)), ['npx'], PR);
    expect(result.status).toBe(0);
    expect(result.argsOf('npx')).toEqual([['-y', 'aws-cdk@2.1148.1', 'deploy', '--app', 'infra/cdk.out', '--profile', 'preview',
      '--require-approval', 'never', '--outputs-file', 'preview-outputs.json', 'preview-pr7/*']]);
    expect(fs.readFileSync(path.join(dir, '.aws', 'config'), 'utf-8'))
      .toBe(`[profile preview]\nrole_arn = ${scripts.roleArn}\ncredential_source = EcsContainer\nregion = eu-west-1\n`);
  });
});

/** The SBOM commands with the installed tool's path replaced by the stand-in on PATH. */
function onPath(commands: string[]): string[] {
  return commands.map(c => c.replaceAll(SBOM_TOOL_BIN, 'cyclonedx-npm'));
}

describe('security check commands run with hostile values (validation bypassed)', () => {
  test('Semgrep rules reach semgrep as one --config argument each', () => {
    const values = hostile(marker);
    const rendered = renderCheck(SecurityCheck.staticAnalysis({ rules: values }));
    const result = runBash(rendered.commands, ['semgrep']);
    expect(result.status).toBe(0);
    expect(result.executed).toBe(false);
    const args = result.argsOf('semgrep')[0];
    expect(args.filter((_a, i) => args[i - 1] === '--config')).toEqual(values);
  });

  test('the Semgrep version reaches pip as one argument', () => {
    for (const value of hostile(marker)) {
      const rendered = renderCheck(SecurityCheck.staticAnalysis({ semgrepVersion: value }));
      const result = runBash(rendered.install, ['python3', 'semgrep']);
      expect({ value, status: result.status, executed: result.executed }).toEqual({ value, status: 0, executed: false });
      expect(result.argsOf('python3')).toEqual([['-m', 'pip', 'install', '--no-cache-dir', `semgrep==${value}`]]);
      fs.rmSync(path.join(dir, 'calls'), { recursive: true });
    }
  });

  test('the SBOM project directory reaches cyclonedx-npm as one argument', () => {
    for (const value of hostile(marker)) {
      const rendered = renderCheck(SecurityCheck.sbom({ projectDirectory: value }));
      const result = runBash(onPath(rendered.commands), ['cyclonedx-npm'], { CODEBUILD_SRC_DIR: dir });
      expect({ value, status: result.status, executed: result.executed }).toEqual({ value, status: 0, executed: false });
      expect(result.argsOf('cyclonedx-npm')[0].at(-1)).toBe(`${normalizeDirectory(value)}/package.json`);
      fs.rmSync(path.join(dir, 'calls'), { recursive: true });
    }
  });

  test('a release version and digest reach the download and the checksum as data (the checksum then fails)', () => {
    for (const value of hostile(marker)) {
      const rendered = renderCheck(SecurityCheck.secretsDetection({ gitleaks: { version: value, sha256LinuxX64: value, sha256LinuxArm64: value } }));
      const install = rendered.install[0].replaceAll('/tmp/gitleaks-download', `${dir}/gitleaks-download`).replace(/ && tar .*$/, '');
      const result = runBash([install], ['curl']);
      expect({ value, executed: result.executed }).toEqual({ value, executed: false });
      expect(result.status).not.toBe(0); // the digest is not a digest of the download
      const arch = spawnSync('uname', ['-m'], { encoding: 'utf-8' }).stdout.trim() === 'aarch64' ? 'arm64' : 'x64';
      expect(result.argsOf('curl')[0].at(-1)).toBe(`https://github.com/gitleaks/gitleaks/releases/download/v${value}/gitleaks_${value}_linux_${arch}.tar.gz`);
      fs.rmSync(path.join(dir, 'calls'), { recursive: true });
    }
  });

  test('ordinary values: the Semgrep and SBOM commands', () => {
    const semgrep = runBash(renderCheck(SecurityCheck.staticAnalysis({ rules: ['p/default', '.semgrep/'] })).commands, ['semgrep']);
    expect(semgrep.argsOf('semgrep')[0]).toEqual(['scan', '--metrics=off', '--disable-version-check', '--config', 'p/default', '--config', '.semgrep/',
      '--error', '--junit-xml-output=security-reports/semgrep.xml', '.']);
    const sbom = runBash(onPath(renderCheck(SecurityCheck.sbom({ projectDirectory: './service/' })).commands), ['cyclonedx-npm'], { CODEBUILD_SRC_DIR: dir });
    expect(sbom.argsOf('cyclonedx-npm')[0]).toEqual(['--package-lock-only', '--omit', 'dev', '--output-format', 'JSON',
      '--output-file', `${dir}/sbom/bom.cdx.json`, 'service/package.json']);
  });
});

describe('additionalSources: CDK Pipelines links them in double quotes (its rendering, not ours)', () => {
  /** The install commands CDK Pipelines renders for a step with these additional input directories. */
  function linkCommands(directories: string[]): string[] {
    const app = new App();
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'us-east-1' } });
    const source = (repo: string) => pipelines.CodePipelineSource.connection(repo, 'main', { connectionArn: CONNECTION_ARN });
    const pipeline = new pipelines.CodePipeline(stack, 'P', {
      synth: new pipelines.CodeBuildStep('Synth', {
        input: source('acme/app'),
        additionalInputs: Object.fromEntries(directories.map((d, i) => [d, source(`acme/extra${i}`)])),
        commands: ['true'],
      }),
    });
    pipeline.buildPipeline();
    const project = pipeline.synthProject.node.defaultChild as codebuild.CfnProject;
    const buildSpec = stack.resolve((project.source as codebuild.CfnProject.SourceProperty).buildSpec) as string;
    const spec = JSON.parse(buildSpec) as { phases: { install: { commands: string[] } } };
    return spec.phases.install.commands;
  }

  /** Runs the link commands with every `$CODEBUILD_SRC_DIR_<artifact>` pointing at a directory of its own. */
  function runLinks(commands: string[]) {
    const variables = Object.fromEntries([...commands.join('\n').matchAll(/\$CODEBUILD_SRC_DIR_(\w+)/g)].map(m => {
      fs.mkdirSync(path.join(dir, 'artifacts', m[1]), { recursive: true });
      return [`CODEBUILD_SRC_DIR_${m[1]}`, path.join(dir, 'artifacts', m[1])];
    }));
    fs.mkdirSync(path.join(dir, 'src'));
    return spawnSync('bash', ['-e', '-c', commands.join('\n')], { cwd: path.join(dir, 'src'), encoding: 'utf-8', env: { PATH: process.env.PATH, ...variables } });
  }

  test('a directory of every character the validation allows is linked at exactly that path', () => {
    const directory = 'vendor/Az09._-/.x';
    expect(validateRelativeDirectory(directory, 'additionalSources[0].directory', "'infra'")).toBe(directory);
    const commands = linkCommands([directory]);
    expect(commands.join('\n')).toContain(`"${directory}"`);
    const result = runLinks(commands);
    expect(result.status).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'src', directory)).isSymbolicLink()).toBe(true);
  });

  test('why the validation is the guard there: a hostile directory, if it reached CDK Pipelines, would execute', () => {
    // No '/' in it: CDK Pipelines would also `mkdir -p` its parent.
    const value = '$(touch PWNED)';
    expect(() => validateRelativeDirectory(value, 'additionalSources[0].directory', "'infra'")).toThrow();
    runLinks(linkCommands([value]));
    // This fails when CDK Pipelines starts quoting safely; the strict validation stays either way.
    expect(fs.existsSync(path.join(dir, 'src', 'PWNED'))).toBe(true);
  });
});

describe('a pipeline with every shell-reaching value set to an unusual but valid value synthesizes them quoted', () => {
  test('rendered Synth, SBOM and preview commands', () => {
    const f = fixture();
    const props: DeliveryPipelineProps = referenceProps(f, {
      securityChecks: [SecurityCheck.sbom({ projectDirectory: 'svc/web.app' }), SecurityCheck.staticAnalysis({ rules: ['p/default', '.semgrep/x_y.yml'] })],
      additionalSources: [{ directory: './vendor/lib-2/', source: PipelineSource.connection('acme/lib', 'main', { connectionArn: CONNECTION_ARN }) }],
    });
    const pipeline = new DeliveryPipeline(f.stack, 'Delivery', { ...props, synth: { ...props.synth, primaryOutputDirectory: 'infra/cdk.out' } });
    const checks = new PullRequestChecks(f.stack, 'Checks', {
      pipeline,
      previews: { account: '444444444444', region: 'us-gov-west-1', trustedAuthors: ['1'], stage: { createStage: (s, id, env) => new AppStage(s, id, { env }) } },
    });
    const template = Template.fromStack(f.stack);
    const deploy = projectByDescription(template, /^Pull-request cdk-delivery\/preview/).buildSpec.phases.build.commands as string[];
    expect(deploy).toEqual(expect.arrayContaining([
      expect.stringContaining("deploy --app 'infra/cdk.out' --profile preview"),
      expect.stringMatching(/ 'us-gov-west-1' >> ~\/\.aws\/config$/),
    ]));
    expect(checks.previews).toBeDefined();
    const commands = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map(p => (p as { Properties: { Source: { BuildSpec?: unknown } } }).Properties.Source.BuildSpec)
      .filter((spec): spec is string => typeof spec === 'string' && spec.startsWith('{'))
      .map(spec => JSON.parse(spec) as { phases: Record<string, { commands?: string[] }> })
      .flatMap(spec => Object.values(spec.phases).flatMap(p => p.commands ?? []));
    expect(commands).toEqual(expect.arrayContaining([
      expect.stringMatching(/ --output-file "\$CODEBUILD_SRC_DIR\/sbom\/bom\.cdx\.json" 'svc\/web\.app\/package\.json'$/),
      expect.stringContaining(" --config 'p/default' --config '.semgrep/x_y.yml' "),
      expect.stringMatching(/ln -s -- "\$CODEBUILD_SRC_DIR_acme_lib_Source" "vendor\/lib-2"$/),
    ]));
  });
});

describe('registry logins: CDK Pipelines writes them as echo \'<json>\' unescaped, so only inert characters get there', () => {
  test.each([
    'arn:aws:secretsmanager:us-east-1:111111111111:secret:dockerhub/credentials-AbCdEf',
    'arn:aws-us-gov:iam::111111111111:role/path/Role+Name=x,y.z@w_v-u',
    '444444444444.dkr.ecr.eu-west-1.amazonaws.com',
    'user_name',
  ])('%s is inert', value => {
    expect(() => validateInert(value, 'docker.credentials[0].secret', 'value')).not.toThrow();
  });

  test('every hostile value is refused, naming the property and the characters', () => {
    for (const value of hostile(marker)) {
      expect(() => validateInert(value, 'p', 'value')).toThrow(/^p: the value .* has the characters? .* would reach a shell command that CDK Pipelines writes unescaped \(the registry login\)\. Use letters, digits and \/ _ \+ = \. , @ : - only\.$/s);
    }
    expect(() => validateInert(5 as unknown as string, 'p', 'value')).toThrow('p: the value number 5 is not a plain string, and would reach a shell command');
  });

  function pipelineWith(credential: (stack: Stack) => RegistryCredential): () => void {
    const f = fixture();
    return () => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { docker: { credentials: [credential(f.stack)] } }));
  }

  test.each<[string, (stack: Stack) => RegistryCredential, string]>([
    ['a JSON field name', s => RegistryCredential.dockerHub(secretsmanager.Secret.fromSecretNameV2(s, 'S', 'hub'), { usernameField: "u';touch PWNED;'" }),
      'docker.credentials[0].usernameField: the JSON field name \'u\';touch PWNED;\'\' has the characters "\'", ";", " ", which would reach'],
    ['a secret name', s => RegistryCredential.dockerHub(secretsmanager.Secret.fromSecretNameV2(s, 'S', "hub';touch PWNED;'")),
      "docker.credentials[0].secret: the secret's ARN 'arn:aws:secretsmanager:us-east-1:111111111111:secret:hub';touch PWNED;'' has the characters"],
    ['an ECR repository ARN', s => RegistryCredential.ecr([ecr.Repository.fromRepositoryArn(s, 'R', "arn:aws:ecr:us-east-1:1';touch PWNED;'1:repository/base")]),
      "docker.credentials[0].repositories: the registry host '1';touch PWNED;'1.dkr.ecr.us-east-1.amazonaws.com' has the characters"],
    ['a role to assume', s => RegistryCredential.ecr([ecr.Repository.fromRepositoryArn(s, 'R', 'arn:aws:ecr:us-east-1:444444444444:repository/base')],
      { assumeRole: iam.Role.fromRoleArn(s, 'Role', "arn:aws:iam::444444444444:role/x';touch PWNED;'") }),
    "docker.credentials[0].assumeRole: the role's ARN 'arn:aws:iam::444444444444:role/x';touch PWNED;'' has the characters"],
  ])('%s with shell syntax is refused at synth', (_what, credential, message) => {
    expect(pipelineWith(credential)).toThrow(message);
  });
});
