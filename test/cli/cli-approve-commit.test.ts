import { ApprovalPipeline, HISTORY, RELEASE_COMMIT, RELEASED_COMMIT, SUPERSEDED_COMMIT } from './approval-pipeline';
import { memoryIo } from './memory-io';
import { wireCli } from './wire-client';
import { ExitCode, run } from '../../src/cli/main';
import { awsError, ok, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';
import { GitFixture, lines } from '../runtime/git-fixture';

/**
 * `approve --commit`, and what `status` and `approve` show about the release an approval is for, against the
 * stand-in of approval-pipeline.ts on 127.0.0.1 (the SDK's own stack: retries, throttling, error parsing).
 */

const fake = useFakeCodePipeline();
const APPROVE = ['approve', '--pipeline', 'my-app', '--summary', 'Dashboards green'];

/** What approve and status print about the stand-in's pending release (indented by `indent`). */
function releaseLines(indent: string): string {
  return [
    'commit   4f2a9c1d0e7b (octo/shop main): Cache product catalogue reads',
    'author   not reported by CodePipeline (authored 2025-05-26T08:35:12Z); pass --repo <clone> to see who',
    'size     2 new source revisions (at least 2 commits) since 1a2b3c4d5e6f (the last production release, execution exec-1); pass --repo <clone> for commits and lines',
    'comment  Approve the release to Production. Staging is deployed.',
  ].map((line) => `${indent}${line}\n`).join('');
}

describe('approve --commit', () => {
  test('GIVEN the approval is for another commit WHEN approve --commit runs THEN exit 10, the message names both commits, nothing is approved', async () => {
    const pipeline = new ApprovalPipeline();
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', SUPERSEDED_COMMIT], t.io)).toBe(ExitCode.COMMIT_MISMATCH);
    expect(t.stderr()).toBe('error: Not approved: Production/Approve in pipeline \'my-app\' waits for execution exec-3, which releases 4f2a9c1d0e7b ' +
      `("Cache product catalogue reads") from octo_shop, not ${SUPERSEDED_COMMIT}. Nothing was approved. ` +
      'If that is the release you reviewed, approve it with --commit 4f2a9c1d0e7b.\n');
    expect(t.stdout()).toBe('');
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(0);
    expect(pipeline.decisions).toEqual([]);
  });

  test.each([
    ['the full SHA', RELEASE_COMMIT],
    ['a 7-digit prefix', RELEASE_COMMIT.slice(0, 7)],
    ['an upper-case prefix', RELEASE_COMMIT.slice(0, 10).toUpperCase()],
  ])('GIVEN %s of the pending commit WHEN approve --commit runs THEN the state is read again, the approval recorded once, and the output says what was approved', async (_name, commit) => {
    const pipeline = new ApprovalPipeline();
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', commit], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toBe('Approved Production/Approve of execution exec-3 in pipeline my-app: "Dashboards green"\n' + releaseLines('  '));
    expect(fake.server.calls('GetPipelineState')).toHaveLength(2);
    expect(fake.server.calls('PutApprovalResult').map((r) => r.body.token)).toEqual(['tok-1']);
    expect(pipeline.decisions).toEqual([{ status: 'Approved', summary: 'Dashboards green' }]);
  });

  test.each([
    ['4f2a9c', "--commit '4f2a9c' is too short (6 hex digits): a prefix this short can match many commits. Pass at least 7 hex digits, or the full SHA."],
    ['main', "--commit 'main' is not a commit id. Pass the commit you reviewed: its full SHA or at least its first 7 hex digits, e.g. --commit 4f2a9c1."],
  ])('GIVEN --commit %s WHEN approve runs THEN a usage error (exit 2) before any AWS call', async (commit, message) => {
    fake.handler = new ApprovalPipeline().handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', commit], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe(`error: ${message}\n`);
    expect(fake.server.requests).toHaveLength(0);
  });

  test('GIVEN two sources whose commits share the prefix WHEN approve --commit runs THEN exit 2 asking for more digits, nothing approved', async () => {
    const pipeline = new ApprovalPipeline();
    const twin = `${RELEASE_COMMIT.slice(0, 8)}${'0'.repeat(32)}`;
    fake.handler = pipeline.handler({
      other: (operation) => operation === 'GetPipelineExecution'
        ? ok({ pipelineExecution: { pipelineExecutionId: 'exec-3', artifactRevisions: [{ name: 'app', revisionId: RELEASE_COMMIT }, { name: 'config', revisionId: twin }] } })
        : operation === 'ListActionExecutions' ? ok({ actionExecutionDetails: [] }) : undefined,
    });
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT.slice(0, 8)], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe(`error: --commit ${RELEASE_COMMIT.slice(0, 8)} is ambiguous: execution exec-3 releases 4f2a9c1d0e7b and 4f2a9c1d0000, ` +
      'which all start with it. Pass more hex digits.\n');
    expect(pipeline.decisions).toEqual([]);

    const longer = wireCli(fake);
    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT.slice(0, 10)], longer.io)).toBe(ExitCode.OK);
    expect(pipeline.decisions).toHaveLength(1);
  });

  test('GIVEN the reply to PutApprovalResult is lost after the commit WHEN approve --commit runs THEN confirmed from the state: exit 0, recorded once', async () => {
    const pipeline = new ApprovalPipeline(() => awsError(500, 'InternalFailure', 'reply lost'));
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT.slice(0, 7)], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('(Recorded once: the reply to an earlier attempt was lost and the retry (attempt 2) found the token used (ApprovalAlreadyCompletedException);');
    expect(pipeline.decisions).toEqual([{ status: 'Approved', summary: 'Dashboards green' }]);

    const again = wireCli(fake);
    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT.slice(0, 7)], again.io)).toBe(ExitCode.NOT_FOUND);
    expect(pipeline.decisions).toHaveLength(1);
  });

  test('GIVEN a newer execution reaches the approval while the commit is checked WHEN approve --commit runs THEN exit 6, nothing approved', async () => {
    const pipeline = new ApprovalPipeline();
    fake.handler = pipeline.handler({
      state: (call) => {
        if (call === 2) {
          pipeline.newExecutionWaits('exec-4', 'abcdef0123456789abcdef0123456789abcdef01');
        }
        return undefined;
      },
    });
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT], t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toBe("error: Not approved: Production/Approve in pipeline 'my-app' now waits for execution exec-4, not the checked execution exec-3. " +
      "Nothing was approved by this command; run it again to check the new release's commit.\n");
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(0);
  });

  test('GIVEN someone decides the approval while the commit is checked WHEN approve --commit runs THEN exit 6, nothing approved by this command', async () => {
    const pipeline = new ApprovalPipeline();
    fake.handler = pipeline.handler({
      state: (call) => {
        if (call === 2) {
          pipeline.decideElsewhere('Rejected', 'Not today');
        }
        return undefined;
      },
    });
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT], t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain("error: Not approved: Production/Approve in pipeline 'my-app' stopped waiting while its commit was checked");
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(0);
  });

  test('GIVEN the release reads are throttled once WHEN approve --commit runs THEN the SDK retries them and the approval goes through', async () => {
    const pipeline = new ApprovalPipeline();
    const throttled = new Set<string>();
    fake.handler = pipeline.handler({
      other: (operation) => {
        if (['GetPipelineExecution', 'ListActionExecutions', 'ListPipelineExecutions'].includes(operation) && !throttled.has(operation)) {
          throttled.add(operation);
          return awsError(400, 'ThrottlingException', 'Rate exceeded');
        }
        return undefined;
      },
    });
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT.slice(0, 7)], t.io)).toBe(ExitCode.OK);
    expect(fake.server.calls('GetPipelineExecution')).toHaveLength(2);
    expect(fake.server.calls('ListActionExecutions')).toHaveLength(2);
    expect(pipeline.decisions).toHaveLength(1);
  });

  test('GIVEN the release reads stay throttled beyond the retries WHEN approve --commit runs THEN exit 10 saying the commit could not be read, nothing approved', async () => {
    const pipeline = new ApprovalPipeline();
    fake.handler = pipeline.handler({
      other: (operation) => ['GetPipelineExecution', 'ListActionExecutions'].includes(operation) ? awsError(400, 'ThrottlingException', 'Rate exceeded') : undefined,
    });
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT.slice(0, 7)], t.io)).toBe(ExitCode.COMMIT_MISMATCH);
    expect(t.stderr()).toContain(`error: Not approved: --commit ${RELEASE_COMMIT.slice(0, 7)} was asked for, but which commit Production/Approve in pipeline 'my-app' releases could not be read ` +
      "(CodePipeline throttled GetPipelineExecution on pipeline 'my-app' (after 3 attempts): Rate exceeded. Try again later or raise AWS_MAX_ATTEMPTS. " +
      "CodePipeline throttled ListActionExecutions on pipeline 'my-app' (after 3 attempts): Rate exceeded. Try again later or raise AWS_MAX_ATTEMPTS.). Nothing was approved.");
    expect(fake.server.calls('GetPipelineExecution')).toHaveLength(3);
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(0);
  });

  test('GIVEN the same reads throttled beyond the retries WHEN approve runs without --commit THEN it approves and says what it could not read', async () => {
    const pipeline = new ApprovalPipeline();
    fake.handler = pipeline.handler({
      other: (operation) => ['GetPipelineExecution', 'ListActionExecutions'].includes(operation) ? awsError(400, 'ThrottlingException', 'Rate exceeded') : undefined,
    });
    const t = wireCli(fake);

    expect(await run(APPROVE, t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain("  not read: CodePipeline throttled ListActionExecutions on pipeline 'my-app' (after 3 attempts): Rate exceeded.");
    expect(pipeline.decisions).toHaveLength(1);
  });

  test('GIVEN a mismatch WHEN approve --commit --json runs THEN stdout is empty and stderr one JSON error with code COMMIT_MISMATCH and exit code 10', async () => {
    fake.handler = new ApprovalPipeline().handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASED_COMMIT, '--json'], t.io)).toBe(10);
    expect(t.stdout()).toBe('');
    expect(JSON.parse(t.stderr())).toEqual({ error: { code: 'COMMIT_MISMATCH', exitCode: 10, message: expect.stringMatching(/^Not approved: Production\/Approve .* not 1a2b3c4d5e6f/) } });
  });

  test('GIVEN a match WHEN approve --commit --json runs THEN the result carries the release that was approved', async () => {
    fake.handler = new ApprovalPipeline().handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--commit', RELEASE_COMMIT, '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout()).release).toEqual({
      pipelineExecutionId: 'exec-3',
      revisions: [{
        actionName: 'octo_shop',
        artifactName: 'octo_shop_Source',
        revisionId: RELEASE_COMMIT,
        message: 'Cache product catalogue reads\n\nReads hit the cache first.',
        url: `https://eu-west-1.console.aws.amazon.com/codesuite/settings/connections/redirect?referenceType=COMMIT&FullRepositoryId=octo/shop&Commit=${RELEASE_COMMIT}`,
        branch: 'main',
        repository: 'octo/shop',
        authorDate: '2025-05-26T08:35:12Z',
      }],
      comment: 'Approve the release to Production. Staging is deployed.',
      size: { lastReleaseExecutionId: 'exec-1', lastReleaseRevision: RELEASED_COMMIT, newRevisions: 2 },
      gaps: [],
    });
  });

  test('GIVEN --help WHEN approve --help runs THEN --commit, --repo and exit code 10 are documented', async () => {
    const t = memoryIo();

    expect(await run(['approve', '--help'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('--commit <sha>');
    expect(t.stdout()).toContain('--repo <dir>');
    expect(t.stdout()).toContain('10   approve --commit: the pending approval is for another commit (or its commit could not be read); nothing approved');
  });
});

describe('status shows what each pending approval is for', () => {
  test('GIVEN a pending approval WHEN status runs THEN its commit, author date, size and comment are listed under it', async () => {
    fake.handler = new ApprovalPipeline().handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('Pending approvals:\n  Production/Approve (execution exec-3, waiting since 2025-05-26T09:00:00.000Z)\n' + releaseLines('    '));
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(0);
  });

  test('GIVEN a pending approval WHEN status --json runs THEN the approval carries its release', async () => {
    fake.handler = new ApprovalPipeline().handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app', '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout()).pendingApprovals).toEqual([{
      stageName: 'Production',
      actionName: 'Approve',
      token: 'tok-1',
      pipelineExecutionId: 'exec-3',
      waitingSince: '2025-05-26T09:00:00.000Z',
      release: expect.objectContaining({
        revisions: [expect.objectContaining({ revisionId: RELEASE_COMMIT })],
        size: expect.objectContaining({ newRevisions: 2 }),
      }),
    }]);
  });

  test('GIVEN nothing pending WHEN status runs THEN no release is read', async () => {
    const pipeline = new ApprovalPipeline();
    pipeline.decideElsewhere('Approved', 'done');
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('No approval pending.');
    expect(fake.server.calls('GetPipelineExecution')).toHaveLength(0);
  });
});

describe('--repo: author and release size from a git clone', () => {
  const repo = new GitFixture();
  let pipeline: ApprovalPipeline;
  let head: string;

  beforeAll(() => {
    const released = repo.commit('Show prices with tax', { 'prices.ts': lines(20) }, 'Ann Released', '2025-05-25T14:00:00+00:00');
    const superseded = repo.commit('Add the catalogue cache', { 'cache.ts': lines(30) }, 'Bob Builder', '2025-05-26T08:20:00+00:00');
    head = repo.commit('Cache product catalogue reads', { 'cache.ts': lines(35), 'catalogue.ts': lines(8) }, 'Jane Doe', '2025-05-26T08:35:12+00:00');
    pipeline = new ApprovalPipeline(undefined, [
      { ...HISTORY[0], commit: head },
      { ...HISTORY[1], commit: superseded },
      { ...HISTORY[2], commit: released },
    ]);
  });
  afterAll(() => repo.remove());

  test('GIVEN a clone holding both releases WHEN approve --repo --commit runs THEN it prints the author and exact commits and lines', async () => {
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--repo', repo.dir, '--commit', head.slice(0, 7)], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain(`  commit   ${head.slice(0, 12)} (octo/shop main): Cache product catalogue reads\n` +
      '  author   Jane Doe <jane.doe@example.com>, 2025-05-26T08:35:12Z\n' +
      '  size     2 commits, 2 files, +43 -0 lines since');
  });

  test('GIVEN the same clone WHEN status --repo runs THEN the pending approval shows the author and size too', async () => {
    const fresh = new ApprovalPipeline(undefined, [{ ...HISTORY[0], commit: head }, { ...HISTORY[2], commit: repo.git('rev-list', '--max-parents=0', 'HEAD').trim() }]);
    fake.handler = fresh.handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app', '--repo', repo.dir], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('    author   Jane Doe <jane.doe@example.com>');
    expect(t.stdout()).toContain('    size     2 commits, 2 files, +43 -0 lines since');
  });

  test('GIVEN --repo names a directory that is no clone WHEN approve runs THEN exit 2 before any AWS call', async () => {
    fake.handler = new ApprovalPipeline().handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--repo', '/'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toMatch(/^error: --repo \/ is not a git clone \(git rev-parse --git-dir in \/ failed: fatal: not a git repository.*\)\. Pass the directory of a clone of the pipeline's source repository\.\n$/);
    expect(fake.server.requests).toHaveLength(0);
  });
});
