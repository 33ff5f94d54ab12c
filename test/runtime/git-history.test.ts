import { GitFixture, lines } from './git-fixture';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { commitAuthor, gitReleaseSize, gitRunner, hasCommit, isCommitId, parseShortStat } from '../../src/runtime/git-history';

describe('release size and author from a real git clone', () => {
  const repo = new GitFixture();
  const git = gitRunner(repo.dir);
  let released: string;
  let middle: string;
  let head: string;

  beforeAll(() => {
    released = repo.commit('Show prices with tax', { 'a.txt': lines(10) }, 'Ann Released');
    middle = repo.commit('Add the catalogue cache', { 'a.txt': lines(12), 'cache.txt': lines(5, 'cache') }, 'Bob Middle');
    // Rewrites 3 of a.txt's 12 lines (3 deletions, 3 insertions) and adds 2 lines to cache.txt.
    head = repo.commit('Cache product catalogue reads\n\nReads hit the cache first.',
      { 'a.txt': lines(12).replace('line 1\n', 'LINE 1\n').replace('line 2\n', 'LINE 2\n').replace('line 3\n', 'LINE 3\n'), 'cache.txt': lines(7, 'cache') },
      'Jane Doe', '2025-05-26T08:35:12+02:00');
  });
  afterAll(() => repo.remove());

  test('GIVEN two commits after the released one WHEN measured THEN git counts 2 commits and the changed lines of both', async () => {
    // a.txt: +2 (middle) then 3 lines rewritten (+3 -3); cache.txt: +5 (middle) then +2.
    await expect(gitReleaseSize(git, released, head)).resolves.toEqual({
      commits: 2, filesChanged: 2, insertions: 12, deletions: 3, changedLines: 15, baseIsAncestor: true,
    });
  });

  test('GIVEN the released commit is the new one WHEN measured THEN 0 commits and 0 lines', async () => {
    await expect(gitReleaseSize(git, head, head)).resolves.toEqual({
      commits: 0, filesChanged: 0, insertions: 0, deletions: 0, changedLines: 0, baseIsAncestor: true,
    });
  });

  test('GIVEN production runs a later commit than the one awaiting approval WHEN measured THEN the base is not an ancestor and no new commits', async () => {
    // Back from head to middle: a.txt's 3 rewritten lines (+3 -3) and cache.txt's 2 added lines (-2).
    await expect(gitReleaseSize(git, head, middle)).resolves.toMatchObject({ commits: 0, baseIsAncestor: false, changedLines: 8 });
  });

  test('GIVEN a commit WHEN its author is read THEN name, e-mail, strict ISO author date and subject', async () => {
    await expect(commitAuthor(git, head)).resolves.toEqual({
      name: 'Jane Doe', email: 'jane.doe@example.com', date: '2025-05-26T08:35:12+02:00', subject: 'Cache product catalogue reads',
    });
  });

  test('GIVEN a commit the clone does not hold WHEN asked THEN false; one it holds (or a prefix of it) THEN true', async () => {
    await expect(hasCommit(git, '0123456789abcdef0123456789abcdef01234567')).resolves.toBe(false);
    await expect(hasCommit(git, head)).resolves.toBe(true);
    await expect(hasCommit(git, head.slice(0, 10))).resolves.toBe(true);
  });

  test.each([
    ['--output=/tmp/x'],
    ['HEAD'],
    ['abc12'],
    ['4f2a9c1;rm'],
  ])('GIVEN %j as a revision WHEN git would be asked THEN it is refused before git runs', async (value) => {
    expect(isCommitId(value)).toBe(false);
    await expect(gitReleaseSize(git, value, head)).rejects.toMatchObject({
      code: DeliveryErrorCode.INVALID_INPUT,
      message: `The released revision '${value}' is not a git commit id (7 to 64 hex digits), so git is not asked about it.`,
    });
  });

  test('GIVEN a directory that is no clone WHEN git runs THEN the error names the command, the directory and git\'s reason', async () => {
    const elsewhere = gitRunner('/');
    await expect(elsewhere(['rev-parse', '--git-dir'])).rejects.toMatchObject({
      code: DeliveryErrorCode.FAILED,
      message: expect.stringMatching(/^git rev-parse --git-dir in \/ failed: fatal: not a git repository/),
    });
  });
});

describe('git diff --shortstat', () => {
  test.each([
    [' 3 files changed, 12 insertions(+), 3 deletions(-)\n', { filesChanged: 3, insertions: 12, deletions: 3 }],
    [' 1 file changed, 1 insertion(+)\n', { filesChanged: 1, insertions: 1, deletions: 0 }],
    [' 1 file changed, 2 deletions(-)\n', { filesChanged: 1, insertions: 0, deletions: 2 }],
    ['', { filesChanged: 0, insertions: 0, deletions: 0 }],
  ])('%j is read as %j', (text, counts) => {
    expect(parseShortStat(text)).toEqual(counts);
  });
});
