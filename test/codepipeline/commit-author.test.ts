import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { ChangeReviewPolicy, DeliveryPipeline, DeliveryPipelineProps, PipelineSource } from '../../src';
import { GatePlacement, GateReason } from '../../src/blueprint/release-plan';
import { approvalComment } from '../../src/codepipeline/private/approval-comment';
import { COMMIT_AUTHOR_FALLBACK, COMMIT_AUTHOR_VARIABLE, commitAuthorCommands, MAX_AUTHOR_BYTES } from '../../src/codepipeline/private/commit-author';
import { CONNECTION_ARN, fixture, Fixture, referenceProps } from '../fixtures/app';

/**
 * The approvals name the commit's author when the source is a full git clone: the synth build reads the author
 * with git and exports it (CDK Pipelines' `CodeBuildStep.exportedVariable`), and the default comments reference
 * the synth action's variable. Without a full clone nothing changes.
 */

interface ActionJson {
  Name: string;
  ActionTypeId: { Category: string; Provider: string };
  Configuration?: Record<string, string>;
  Namespace?: string;
}

interface BuildSpecJson {
  env?: { 'exported-variables'?: string[] };
  cache?: { paths: string[] };
  phases: { build: { commands: string[] } };
}

const cloned = (repository = 'acme/app') =>
  PipelineSource.connection(repository, 'main', { connectionArn: CONNECTION_ARN, codeBuildCloneOutput: true });

function build(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>) {
  const f = fixture();
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
  const template = Template.fromStack(f.stack);
  const [resource] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  const stages = resource.Properties.Stages as Array<{ Name: string; Actions: ActionJson[] }>;
  const actions = stages.flatMap(s => s.Actions);
  const synthProjects = Object.values(template.findResources('AWS::CodeBuild::Project'))
    .map(p => p.Properties.Source.BuildSpec)
    .filter((spec): spec is string => typeof spec === 'string' && spec.includes('npx cdk synth'));
  expect(synthProjects).toHaveLength(1);
  return {
    source: actions.find(a => a.ActionTypeId.Category === 'Source')!,
    synth: stages.find(s => s.Name === 'Build')!.Actions.find(a => a.Name === 'Synth')!,
    synthSpec: JSON.parse(synthProjects[0]) as BuildSpecJson,
    comments: actions.filter(a => a.ActionTypeId.Category === 'Approval').map(a => a.Configuration!.CustomData),
  };
}

const AUTHOR_REFERENCE = `#{Build@Synth.${COMMIT_AUTHOR_VARIABLE}}`;
const PRODUCTION_APPROVAL = 'Approve the release to Production. Staging is deployed; its verification runs in parallel with this approval.';
/** Production's change-set review (on by default): its comment names the same release. */
const REVIEW = 'Change-set review of Production: a function reads the change sets prepared above, approves a safe release by itself, '
  + 'and leaves a risky one here for a person. The review\'s summary: see the review link (the function\'s log, filtered to this '
  + 'execution), or run cdk-delivery status.';

describe('the synth build and the approvals', () => {
  test('GIVEN a CodeConnections source with a full clone WHEN synthesized THEN the synth build exports the author and the approval names it', () => {
    const { source, synth, synthSpec, comments } = build(() => ({ source: cloned() }));

    expect(synthSpec.env?.['exported-variables']).toEqual([COMMIT_AUTHOR_VARIABLE]);
    expect(synthSpec.phases.build.commands).toEqual([...commitAuthorCommands(), 'npm ci', 'npx cdk synth']);
    expect(synth.Namespace).toBe('Build@Synth');
    expect(comments).toEqual([`${PRODUCTION_APPROVAL} It releases commit #{${source.Namespace}.CommitId} by ${AUTHOR_REFERENCE}: #{${source.Namespace}.CommitMessage}`,
      `${REVIEW} It releases commit #{${source.Namespace}.CommitId} by ${AUTHOR_REFERENCE}: #{${source.Namespace}.CommitMessage}`]);
  });

  test('GIVEN a full clone under continuous deployment WHEN the only approval is the change-set review THEN it names the author', () => {
    const { source, synth, comments } = build(() => ({ source: cloned(), requireManualApproval: false }));

    expect(synth.Namespace).toBe('Build@Synth');
    expect(comments).toEqual([`${REVIEW} It releases commit #{${source.Namespace}.CommitId} by ${AUTHOR_REFERENCE}: #{${source.Namespace}.CommitMessage}`]);
  });

  test('GIVEN a CodeCommit source with a full clone WHEN synthesized THEN the approval names the author too', () => {
    const { source, synthSpec, comments } = build(f => ({
      source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(f.stack, 'Repo', 'app'), 'main', { codeBuildCloneOutput: true }),
    }));

    expect(synthSpec.env?.['exported-variables']).toEqual([COMMIT_AUTHOR_VARIABLE]);
    expect(comments).toEqual([`${PRODUCTION_APPROVAL} It releases commit #{${source.Namespace}.CommitId} by ${AUTHOR_REFERENCE}: #{${source.Namespace}.CommitMessage}`,
      `${REVIEW} It releases commit #{${source.Namespace}.CommitId} by ${AUTHOR_REFERENCE}: #{${source.Namespace}.CommitMessage}`]);
  });

  test('GIVEN a full clone and a migration gate under continuous deployment WHEN synthesized THEN the gate names the author', () => {
    const { source, comments } = build(f => ({
      source: cloned(),
      requireManualApproval: false,
      production: { stages: f.production, migrations: [{ name: 'Migrate', commands: ['npm run migrate'] }] },
    }));

    expect(comments).toEqual([`Approve the migration(s) Migrate before they run in Production. It releases commit #{${source.Namespace}.CommitId} by ${AUTHOR_REFERENCE}: #{${source.Namespace}.CommitMessage}`,
      `${REVIEW} It releases commit #{${source.Namespace}.CommitId} by ${AUTHOR_REFERENCE}: #{${source.Namespace}.CommitMessage}`]);
  });

  test.each([
    ['no codeBuildCloneOutput', undefined],
    ['codeBuildCloneOutput: false', false],
  ])('GIVEN a source with %s WHEN synthesized THEN the synth build is the user\'s commands only and the comment is as before', (_, clone) => {
    const { source, synth, synthSpec, comments } = build(() => ({
      source: PipelineSource.connection('acme/app', 'main', { connectionArn: CONNECTION_ARN, codeBuildCloneOutput: clone }),
    }));

    expect(synthSpec.env).toBeUndefined();
    expect(synthSpec.phases.build.commands).toEqual(['npm ci', 'npx cdk synth']);
    expect(synth.Namespace).toBeUndefined();
    expect(comments).toEqual([`${PRODUCTION_APPROVAL} It releases commit #{${source.Namespace}.CommitId}: #{${source.Namespace}.CommitMessage}`,
      `${REVIEW} It releases commit #{${source.Namespace}.CommitId}: #{${source.Namespace}.CommitMessage}`]);
  });

  test('GIVEN a full clone and a synth cache WHEN synthesized THEN the buildspec has both the cache paths and the exported variable', () => {
    const { synthSpec } = build(() => ({
      source: cloned(),
      synth: { commands: ['npm ci', 'npx cdk synth'], cache: { cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM), paths: ['/root/.npm/**/*'] } },
    }));

    expect(synthSpec.env?.['exported-variables']).toEqual([COMMIT_AUTHOR_VARIABLE]);
    expect(synthSpec.cache).toEqual({ paths: ['/root/.npm/**/*'] });
    expect(synthSpec.phases.build.commands).toEqual([...commitAuthorCommands(), 'npm ci', 'npx cdk synth']);
  });

  test('GIVEN a full clone and the user\'s own comment WHEN synthesized THEN the comment is used as given (the author is still exported)', () => {
    const { synth, synthSpec, comments } = build(() => ({ source: cloned(), approval: { comment: 'Check the staging dashboard.' } }));

    // The user's comment is the release approval's; production's change-set review keeps its own, with the author.
    expect(comments).toEqual(['Check the staging dashboard.', `${REVIEW} It releases commit #{Source@acme_app.CommitId} by ${AUTHOR_REFERENCE}: #{Source@acme_app.CommitMessage}`]);
    expect(synthSpec.env?.['exported-variables']).toEqual([COMMIT_AUTHOR_VARIABLE]);
    // No CDK Pipelines step reads the variable, so the namespace the Review reads is set on the synth action by the library.
    expect(synth.Namespace).toBe('Build@Synth');
  });

  test('GIVEN a full clone and no change-set review WHEN nothing reads the author THEN the synth action gets no namespace', () => {
    const { synth, comments } = build(() => ({ source: cloned(), approval: { comment: 'Check the staging dashboard.' }, changeReview: ChangeReviewPolicy.disabled() }));

    expect(comments).toEqual(['Check the staging dashboard.']);
    expect(synth.Namespace).toBeUndefined();
  });
});

describe('the comment budget counts the author reference', () => {
  const gate = (migrations: string[]) => ({ gatedEnvironment: 'Production', placement: GatePlacement.BEFORE_DEPLOYMENT, reason: GateReason.MIGRATION, migrations });
  const revision = { noun: 'commit', id: '#{Source@acme_app.CommitId}', message: '#{Source@acme_app.CommitMessage}' };
  // 6 names of 100 characters fit beside the commit's references (counted at their longest), but not also beside
  // the author's reference, counted at its longest (a 100-character synth action name).
  const names = Array.from({ length: 6 }, (_, i) => `Migrate${i}-${'m'.repeat(91)}`);

  test('GIVEN migrations that fit beside the commit WHEN the author is added THEN they are counted instead of listed', () => {
    expect(approvalComment(gate(names), revision)).toContain('Migrate5-');
    expect(approvalComment(gate(names), { ...revision, author: AUTHOR_REFERENCE })).toBe('Approve the migration(s) 6 listed in the stage before they run in Production. ' +
      `It releases commit #{Source@acme_app.CommitId} by ${AUTHOR_REFERENCE}: #{Source@acme_app.CommitMessage}`);
  });

  test('GIVEN the longest source namespace, long migration names and a full clone WHEN synthesized THEN every comment stays within 1000 characters', () => {
    // `Source@<action>`: CodePipeline accepts namespaces of at most 100 characters.
    const repository = `acme/${'r'.repeat(88)}`;
    const { source, comments } = build(f => ({
      source: cloned(repository),
      requireManualApproval: false,
      production: { stages: f.production, migrations: names.map(name => ({ name, commands: ['npm run migrate'] })) },
    }));

    expect(source.Namespace).toHaveLength(100);
    // The migration gate and production's change-set review.
    expect(comments).toHaveLength(2);
    for (const comment of comments) {
      expect(comment).toContain(`by ${AUTHOR_REFERENCE}`);
      expect(comment.length).toBeLessThanOrEqual(1000);
    }
  });
});

describe('the exported shell lines, run against real git repositories', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-author-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const gitEnv = { GIT_CONFIG_NOSYSTEM: '1', HOME: os.tmpdir(), GIT_COMMITTER_NAME: 'CI', GIT_COMMITTER_EMAIL: 'ci@example.com' };

  function git(cwd: string, args: string[], env: Record<string, string> = {}, input?: string): string {
    const result = spawnSync('git', args, { cwd, input, encoding: 'utf-8', env: { ...process.env, ...gitEnv, ...env } });
    if (result.status !== 0) {
      throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    }
    return result.stdout;
  }

  function repository(authorName: string): string {
    const repo = path.join(dir, 'repo');
    fs.mkdirSync(repo);
    git(repo, ['init', '-q']);
    fs.writeFileSync(path.join(repo, 'README'), 'x');
    git(repo, ['add', 'README']);
    git(repo, ['commit', '-q', '-m', 'change'], { GIT_AUTHOR_NAME: authorName, GIT_AUTHOR_EMAIL: 'author@example.com' });
    return repo;
  }

  /** A commit object written byte for byte (git's own commit command cleans names; a pushed object need not be). */
  function rawCommit(repo: string, authorName: Buffer): void {
    const tree = git(repo, ['write-tree']).trim();
    const object = Buffer.concat([
      Buffer.from(`tree ${tree}\nauthor `), authorName, Buffer.from(' <author@example.com> 1700000000 +0000\ncommitter CI <ci@example.com> 1700000000 +0000\n\nraw\n'),
    ]);
    const result = spawnSync('git', ['hash-object', '-t', 'commit', '-w', '--literally', '--stdin'], { cwd: repo, input: object, env: { ...process.env, ...gitEnv } });
    git(repo, ['update-ref', 'HEAD', result.stdout.toString().trim()]);
  }

  /** Runs the lines as CodeBuild does (each a command; any failing command fails the build) and reads the export. */
  function exported(shell: string, srcDir: string, env: Record<string, string> = {}): Buffer {
    const script = ['set -e', ...commitAuthorCommands(), `cd ${JSON.stringify(dir)}`, `printenv ${COMMIT_AUTHOR_VARIABLE}`].join('\n');
    const result = spawnSync(shell, ['-c', script], { cwd: srcDir, env: { ...process.env, ...gitEnv, CODEBUILD_SRC_DIR: srcDir, ...env } });
    expect(result.status).toBe(0);
    const out = result.stdout;
    return out.subarray(0, out.length - 1); // printenv's newline
  }

  /** The author's name exactly as the commit records it. */
  function recordedAuthor(repo: string): string {
    const header = git(repo, ['cat-file', 'commit', 'HEAD']).split('\n').find(line => line.startsWith('author '))!;
    return header.slice('author '.length, header.lastIndexOf(' <'));
  }

  test.each(['bash', 'sh'])('GIVEN a hostile author name (quotes, $(...), backquotes, a newline) WHEN %s runs the lines THEN the value is the name as data and nothing runs', shell => {
    // Relative to the build's directory (the clone), short enough not to be cut at 100 columns.
    const name = 'Eve "O\'Brien" $(touch PWNED) `touch PWNED` ; touch PWNED ${HOME}\nsecond line';
    const repo = repository(name);

    const value = exported(shell, repo).toString('utf-8');

    expect(fs.existsSync(path.join(repo, 'PWNED'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'PWNED'))).toBe(false);
    expect(value).toBe(recordedAuthor(repo));
    expect(value).toContain('$(touch PWNED)');
    expect(value).toContain('`touch PWNED`');
    expect(value).toContain('${HOME}');
    expect(value).not.toContain('\n');
  });

  test('GIVEN an ordinary name WHEN the lines run THEN the value is the name', () => {
    const repo = repository('Jane Doe');

    expect(exported('bash', repo).toString('utf-8')).toBe('Jane Doe');
  });

  test('GIVEN control characters written into the commit object WHEN the lines run THEN they are removed', () => {
    const repo = repository('placeholder');
    rawCommit(repo, Buffer.from('Mal\rlory\t\x1b[31mRed\x7f Ünïcode'));

    expect(exported('bash', repo).toString('utf-8')).toBe('Mallory[31mRed Ünïcode');
  });

  test('GIVEN an empty name (or only control characters) written into the commit object WHEN the lines run THEN the value is the fallback', () => {
    const repo = repository('placeholder');
    rawCommit(repo, Buffer.from(''));
    expect(exported('sh', repo).toString('utf-8')).toBe(COMMIT_AUTHOR_FALLBACK);

    rawCommit(repo, Buffer.from('\x1b\x07'));
    expect(exported('sh', repo).toString('utf-8')).toBe(COMMIT_AUTHOR_FALLBACK);
  });

  test('GIVEN a 300-character name WHEN the lines run THEN git cuts it at 100 columns', () => {
    const repo = repository('é'.repeat(300));

    expect(exported('bash', repo).toString('utf-8')).toBe(`${'é'.repeat(98)}..`);
  });

  test('GIVEN a name of zero-width characters (no columns) WHEN the lines run THEN the byte bound holds and no character is cut in half', () => {
    const repo = repository(`a${'\u0301'.repeat(1000)}`);

    const value = exported('bash', repo);

    expect(value.length).toBeLessThanOrEqual(MAX_AUTHOR_BYTES);
    expect(value.length).toBe(1 + 2 * 199);
    expect(Buffer.from(value.toString('utf-8'), 'utf-8').equals(value)).toBe(true);
  });

  test('GIVEN a shallow clone WHEN the lines run THEN the author is still read', () => {
    const origin = repository('Jane Doe');
    git(dir, ['clone', '-q', '--depth', '1', `file://${origin}`, 'shallow']);
    const shallow = path.join(dir, 'shallow');
    expect(git(shallow, ['rev-parse', '--is-shallow-repository']).trim()).toBe('true');

    expect(exported('sh', shallow).toString('utf-8')).toBe('Jane Doe');
  });

  test.each(['bash', 'sh'])('GIVEN a directory that is no git clone WHEN %s runs the lines THEN the build goes on with the fallback', shell => {
    const plain = path.join(dir, 'plain');
    fs.mkdirSync(plain);

    expect(exported(shell, plain, { GIT_CEILING_DIRECTORIES: dir }).toString('utf-8')).toBe(COMMIT_AUTHOR_FALLBACK);
  });

  test('GIVEN no git on the PATH WHEN the lines run THEN the build goes on with the fallback', () => {
    const repo = repository('Jane Doe');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    for (const tool of ['tr', 'head', 'iconv', 'cat', 'sed', 'printenv']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf-8' }).stdout.trim();
      fs.symlinkSync(found, path.join(bin, tool));
    }

    expect(exported('/bin/sh', repo, { PATH: bin }).toString('utf-8')).toBe(COMMIT_AUTHOR_FALLBACK);
  });

  test('GIVEN the lines WHEN read THEN the name is never evaluated: it only ever reaches an assignment from a substitution', () => {
    const [read, exportLine] = commitAuthorCommands();
    expect(read).toMatch(new RegExp(`^${COMMIT_AUTHOR_VARIABLE}="\\$\\(git .*\\)" \\|\\| true$`));
    expect(exportLine).toBe(`export ${COMMIT_AUTHOR_VARIABLE}="\${${COMMIT_AUTHOR_VARIABLE}:-${COMMIT_AUTHOR_FALLBACK}}"`);
    expect(commitAuthorCommands().join('\n')).not.toMatch(/\beval\b/);
  });
});
