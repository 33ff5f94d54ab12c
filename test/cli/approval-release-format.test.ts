import { renderApprovalRelease } from '../../src/cli/format';
import { Style } from '../../src/cli/style';
import { ApprovalRelease } from '../../src/runtime/approval-release';

const COMMIT = '4f2a9c1d0e7b5a3c9f8e7d6c5b4a39281706f5e4';
const plain = new Style(false);

describe('what an approval is for, as text', () => {
  test('GIVEN git figures and a released commit that is not an ancestor THEN one commit, one file, the size and the warning', () => {
    const release: ApprovalRelease = {
      revisions: [{ revisionId: COMMIT, message: 'Revert the cache\n\nbody', author: 'Jane Doe', authorDate: '2025-05-26T08:35:12Z' }],
      size: {
        lastReleaseExecutionId: 'exec-1',
        lastReleaseRevision: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
        newRevisions: 1,
        commits: 1,
        filesChanged: 1,
        insertions: 0,
        deletions: 7,
        changedLines: 7,
        baseIsAncestor: false,
      },
      comment: `Approve the deployment to Production. It releases commit ${COMMIT}: Revert the cache\n\nThe cache served stale prices.`,
      reviewUrl: 'https://dashboards.example.com',
      gaps: [],
    };

    expect(renderApprovalRelease(release, plain, '  ')).toEqual([
      '  commit   4f2a9c1d0e7b: Revert the cache',
      '  author   Jane Doe, 2025-05-26T08:35:12Z',
      '  size     1 commit, 1 file, +0 -7 lines since 1a2b3c4d5e6f (the last production release, execution exec-1); ' +
        'the released commit is not an ancestor of this one',
      // The resolved comment's commit message keeps its lines, under the first; the blank one has no trailing spaces.
      `  comment  Approve the deployment to Production. It releases commit ${COMMIT}: Revert the cache`,
      '',
      '           The cache served stale prices.',
      '  review   https://dashboards.example.com',
    ]);
  });

  test('GIVEN an S3 source (an object version, no commit) THEN the version is shown whole and no author line is printed', () => {
    const release: ApprovalRelease = {
      revisions: [{ actionName: 'Source', revisionId: 'Kh9fV8.Zb_3xVersionId', url: 'https://s3.example.com' }],
      size: { lastReleaseExecutionId: 'exec-1', lastReleaseRevision: 'older.version', newRevisions: 1 },
      gaps: [],
    };

    expect(renderApprovalRelease(release, plain, '')).toEqual([
      'commit   Kh9fV8.Zb_3xVersionId (Source)',
      'size     1 new source revision (at least 1 commit) since older.version (the last production release, execution exec-1); pass --repo <clone> for commits and lines',
    ]);
  });

  test('GIVEN nothing could be read THEN only the reasons, flagged in yellow on a terminal', () => {
    const release: ApprovalRelease = { revisions: [], sizeUnknown: 'no earlier execution succeeded, so no production release to measure against', gaps: ['Access denied.'] };

    expect(renderApprovalRelease(release, new Style(true), '')).toEqual([
      'size     unknown: no earlier execution succeeded, so no production release to measure against',
      '\u001b[33mnot read\u001b[39m: Access denied.',
    ]);
  });
});
