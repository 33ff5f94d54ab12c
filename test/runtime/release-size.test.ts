import type { PipelineExecutionStatus, PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { checkReleaseSize, releaseSizeFromHistory, validateReleaseSizeLimits } from '../../src/runtime/release-size';

function execution(id: string, status: string, start: string, end: string, ...commits: string[]): PipelineExecutionSummary {
  return {
    pipelineExecutionId: id,
    status: status as PipelineExecutionStatus,
    startTime: new Date(start),
    lastUpdateTime: new Date(end),
    sourceRevisions: commits.map((revisionId) => ({ actionName: 'octo_shop', revisionId })),
  };
}

describe('release size from the execution history', () => {
  test('GIVEN a superseded push and the pending one after the last success WHEN measured THEN the last success is the base and 2 new revisions', () => {
    const history = [
      execution('e4', 'InProgress', '2025-05-26T08:40:00Z', '2025-05-26T09:00:00Z', 'c4'),
      execution('e3', 'Superseded', '2025-05-26T08:30:00Z', '2025-05-26T08:41:00Z', 'c3'),
      execution('e2', 'Failed', '2025-05-26T07:00:00Z', '2025-05-26T07:20:00Z', 'c2'),
      execution('e1', 'Succeeded', '2025-05-25T15:00:00Z', '2025-05-25T15:40:00Z', 'c1'),
      execution('e0', 'Succeeded', '2025-05-24T15:00:00Z', '2025-05-24T15:40:00Z', 'c0'),
    ];

    expect(releaseSizeFromHistory(history, 'e4')).toEqual({
      lastRelease: { pipelineExecutionId: 'e1', finishedAt: '2025-05-25T15:40:00.000Z', revisions: [{ actionName: 'octo_shop', revisionId: 'c1' }] },
      // c2 failed before production, so it ships with this release too.
      newRevisions: 3,
    });
  });

  test('GIVEN an execution that re-runs the released commit WHEN measured THEN that revision is not new', () => {
    const history = [
      execution('e3', 'InProgress', '2025-05-26T08:40:00Z', '2025-05-26T09:00:00Z', 'c1'),
      execution('e2', 'Stopped', '2025-05-26T08:00:00Z', '2025-05-26T08:10:00Z', 'c1'),
      execution('e1', 'Succeeded', '2025-05-25T15:00:00Z', '2025-05-25T15:40:00Z', 'c1'),
    ];

    expect(releaseSizeFromHistory(history, 'e3').newRevisions).toBe(0);
  });

  test('GIVEN a later execution that succeeded after the pending one started WHEN measured THEN it is not the base (it started later)', () => {
    const history = [
      execution('e3', 'Succeeded', '2025-05-26T09:00:00Z', '2025-05-26T09:30:00Z', 'c3'),
      execution('e2', 'InProgress', '2025-05-26T08:40:00Z', '2025-05-26T09:40:00Z', 'c2'),
      execution('e1', 'Succeeded', '2025-05-25T15:00:00Z', '2025-05-25T15:40:00Z', 'c1'),
    ];

    expect(releaseSizeFromHistory(history, 'e2')).toMatchObject({ lastRelease: { pipelineExecutionId: 'e1' }, newRevisions: 1 });
  });

  test('GIVEN no execution succeeded before the pending one WHEN measured THEN no base and no count', () => {
    const history = [
      execution('e2', 'InProgress', '2025-05-26T08:40:00Z', '2025-05-26T09:00:00Z', 'c2'),
      execution('e1', 'Failed', '2025-05-25T15:00:00Z', '2025-05-25T15:40:00Z', 'c1'),
    ];

    expect(releaseSizeFromHistory(history, 'e2')).toEqual({});
  });

  test('GIVEN two sources WHEN one changed THEN only its revision is new', () => {
    const twoSources = (id: string, status: string, start: string, app: string, config: string): PipelineExecutionSummary => ({
      ...execution(id, status, start, start),
      sourceRevisions: [{ actionName: 'octo_shop', revisionId: app }, { actionName: 'octo_config', revisionId: config }],
    });
    const history = [
      twoSources('e2', 'InProgress', '2025-05-26T08:40:00Z', 'a2', 'k1'),
      twoSources('e1', 'Succeeded', '2025-05-25T15:00:00Z', 'a1', 'k1'),
    ];

    expect(releaseSizeFromHistory(history, 'e2').newRevisions).toBe(1);
  });
});

describe('release size limits', () => {
  test.each([
    [{ commits: 41 }, { maxCommits: 40 }, ['41 commits since the last production release, more than the limit of 40'], []],
    [{ commits: 40 }, { maxCommits: 40 }, [], []],
    [{ newRevisions: 41 }, { maxCommits: 40 },
      ['at least 41 commits (41 new source revisions) since the last production release, more than the limit of 40'], []],
    [{ newRevisions: 3 }, { maxCommits: 40 }, [],
      ['the commit limit of 40: only 3 new source revisions are known (each one commit or more), and no git history was read']],
    [{}, { maxCommits: 40 }, [], ['the commit limit of 40: no earlier production release was found, and no git history was read']],
    [{ changedLines: 2001 }, { maxChangedLines: 2000 }, ['2001 changed lines since the last production release, more than the limit of 2000'], []],
    [{ changedLines: 2000 }, { maxChangedLines: 2000 }, [], []],
    [{ newRevisions: 1 }, { maxChangedLines: 2000 }, [], ['the changed-lines limit of 2000: changed lines need the git history']],
    [{ commits: 2, changedLines: 5000, newRevisions: 2 }, { maxCommits: 40, maxChangedLines: 2000 },
      ['5000 changed lines since the last production release, more than the limit of 2000'], []],
    [{ commits: 2, changedLines: 5 }, {}, [], []],
  ])('GIVEN size %j and limits %j THEN exceeded %j, undetermined %j', (size, limits, exceeded, undetermined) => {
    expect(checkReleaseSize(size, limits)).toEqual({ exceeded, undetermined });
  });

  test.each([
    [{ maxCommits: 0 }, 'maxCommits: 0 is not a whole number of at least 1. Pass e.g. 20, or leave it out for no limit.'],
    [{ maxCommits: 2.5 }, 'maxCommits: 2.5 is not a whole number of at least 1. Pass e.g. 20, or leave it out for no limit.'],
    [{ maxChangedLines: -1 }, 'maxChangedLines: -1 is not a whole number of at least 1. Pass e.g. 2000, or leave it out for no limit.'],
    [{ maxChangedLines: Number.NaN }, 'maxChangedLines: NaN is not a whole number of at least 1. Pass e.g. 2000, or leave it out for no limit.'],
    // Untyped callers (JavaScript, a JSON config) pass strings and nulls.
    [{ maxCommits: '20' }, "maxCommits: '20' is not a whole number of at least 1. Pass e.g. 20, or leave it out for no limit."],
    [{ maxCommits: null }, 'maxCommits: null is not a whole number of at least 1. Pass e.g. 20, or leave it out for no limit.'],
  ])('GIVEN limits %j THEN refused: %s', (limits, message) => {
    expect(() => validateReleaseSizeLimits(limits as never)).toThrow(expect.objectContaining({ code: DeliveryErrorCode.INVALID_INPUT, message }));
    expect(() => checkReleaseSize({ commits: 1 }, limits as never)).toThrow(message);
  });

  test('GIVEN whole positive limits THEN accepted', () => {
    expect(() => validateReleaseSizeLimits({ maxCommits: 1, maxChangedLines: 100000 })).not.toThrow();
  });
});
