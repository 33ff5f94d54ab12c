import {
  ActionCategory,
  ActionExecutionDetail,
  ActionOwner,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { GitFixture, lines } from './git-fixture';
import { mockedOperations, PIPELINE } from './sdk-fixtures';
import { COMMIT_AUTHOR_VARIABLE } from '../../src/contract';
import {
  ApprovalRelease,
  describeApprovalRelease,
  matchExpectedCommit,
  messageFromRevisionSummary,
  validateExpectedCommit,
} from '../../src/runtime/approval-release';
import { PendingApproval } from '../../src/runtime/approvals';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { gitRunner } from '../../src/runtime/git-history';

const NEW = '4f2a9c1d0e7b5a3c9f8e7d6c5b4a39281706f5e4';
const OLD = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
const APPROVAL: PendingApproval = { stageName: 'Staging', actionName: 'PromoteToProduction', token: 'tok-1', pipelineExecutionId: 'exec-2' };

function sourceAction(executionId: string, commit: string, message: string): ActionExecutionDetail {
  return {
    pipelineExecutionId: executionId,
    stageName: 'Source',
    actionName: 'octo_shop',
    input: { actionTypeId: { category: ActionCategory.Source, owner: ActionOwner.AWS, provider: 'CodeStarSourceConnection', version: '1' } },
    output: { outputVariables: { CommitId: commit, CommitMessage: message, AuthorDate: '2025-05-26T08:35:12Z', BranchName: 'main', FullRepositoryName: 'octo/shop' } },
  };
}

/** The error the SDK raises for a 400 AccessDeniedException (CodePipeline's model has no class for it). */
function accessDenied(message: string): Error {
  return Object.assign(new Error(message), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400, attempts: 1 } });
}

function mockRelease(newCommit = NEW, oldCommit = OLD) {
  const { client, mock } = mockedOperations();
  mock.on(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-2' }).resolves({
    pipelineExecution: {
      pipelineExecutionId: 'exec-2',
      artifactRevisions: [{
        name: 'octo_shop_Source',
        revisionId: newCommit,
        revisionSummary: '{"ProviderType":"GitHub","CommitMessage":"Cache product catalogue reads"}',
        revisionUrl: 'https://example.com/commit',
      }],
    },
  });
  mock.on(ListActionExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-2' } }).resolves({
    actionExecutionDetails: [
      sourceAction('exec-2', newCommit, 'Cache product catalogue reads\n\nReads hit the cache first.'),
      {
        pipelineExecutionId: 'exec-2',
        stageName: 'Staging',
        actionName: 'PromoteToProduction',
        input: {
          actionTypeId: { category: ActionCategory.Approval, owner: ActionOwner.AWS, provider: 'Manual', version: '1' },
          configuration: { CustomData: 'Commit #{Source.CommitId}', ExternalEntityLink: 'https://dashboards.example.com' },
          resolvedConfiguration: { CustomData: `Commit ${newCommit}`, ExternalEntityLink: 'https://dashboards.example.com' },
        },
      },
    ],
  });
  mock.on(ListPipelineExecutionsCommand).resolves({
    pipelineExecutionSummaries: [
      { pipelineExecutionId: 'exec-2', status: 'InProgress', startTime: new Date('2025-05-26T08:40:00Z'), sourceRevisions: [{ actionName: 'octo_shop', revisionId: newCommit }] },
      { pipelineExecutionId: 'exec-1', status: 'Succeeded', startTime: new Date('2025-05-25T15:00:00Z'), lastUpdateTime: new Date('2025-05-25T15:40:00Z'), sourceRevisions: [{ actionName: 'octo_shop', revisionId: oldCommit }] },
    ],
  });
  return { client, mock };
}

describe('what a pending approval approves', () => {
  test('GIVEN the execution, its actions and its history WHEN described THEN commit, full message, branch, repository, author date, comment, review URL and size', async () => {
    const { client, mock } = mockRelease();

    const release = await describeApprovalRelease(client, PIPELINE, APPROVAL);

    expect(release).toEqual({
      pipelineExecutionId: 'exec-2',
      revisions: [{
        actionName: 'octo_shop',
        artifactName: 'octo_shop_Source',
        revisionId: NEW,
        // The source action's variable holds the whole message; the artifact summary only its first line.
        message: 'Cache product catalogue reads\n\nReads hit the cache first.',
        url: 'https://example.com/commit',
        branch: 'main',
        repository: 'octo/shop',
        authorDate: '2025-05-26T08:35:12Z',
      }],
      comment: `Commit ${NEW}`,
      reviewUrl: 'https://dashboards.example.com',
      size: { lastReleaseExecutionId: 'exec-1', lastReleaseRevision: OLD, newRevisions: 1 },
      gaps: [],
    });
    expect(mock.commandCalls(ListActionExecutionsCommand)[0].args[0].input).toMatchObject({ filter: { pipelineExecutionId: 'exec-2' }, maxResults: 100 });
  });

  test.each([
    ['the name the synth build exported, terminal control characters removed', 'Jane Doe\u001b[2J\u0007', 'octo_shop_Source', 'Jane Doe[2J'],
    ['no author when git could not tell (the fallback)', 'unknown', 'octo_shop_Source', undefined],
    ['no author for a revision the synth build did not read', 'Jane Doe', 'other_Source', undefined],
  ])('GIVEN a full-clone source whose synth build exported the author WHEN described THEN %s', async (_, exported, input, expected) => {
    const { client, mock } = mockRelease();
    const details = (await client.send(new ListActionExecutionsCommand({ pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-2' } }))).actionExecutionDetails!;
    mock.on(ListActionExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-2' } }).resolves({
      actionExecutionDetails: [...details, {
        pipelineExecutionId: 'exec-2',
        stageName: 'Build',
        actionName: 'Synth',
        input: { actionTypeId: { category: ActionCategory.Build, owner: ActionOwner.AWS, provider: 'CodeBuild', version: '1' }, inputArtifacts: [{ name: input }] },
        output: { outputVariables: { [COMMIT_AUTHOR_VARIABLE]: exported } },
      }],
    });

    const release = await describeApprovalRelease(client, PIPELINE, APPROVAL);

    expect(release.revisions.map(r => r.author)).toEqual([expected]);
  });

  test('GIVEN the approver may not read executions WHEN described THEN each gap is named and the rest is still shown', async () => {
    const { client, mock } = mockRelease();
    mock.on(GetPipelineExecutionCommand).rejects(accessDenied('not authorized to perform codepipeline:GetPipelineExecution'));
    mock.on(ListPipelineExecutionsCommand).rejects(accessDenied('no list'));

    const release = await describeApprovalRelease(client, PIPELINE, APPROVAL);

    expect(release.revisions).toEqual([expect.objectContaining({ actionName: 'octo_shop', revisionId: NEW })]);
    expect(release.size).toBeUndefined();
    expect(release.gaps).toEqual([
      "Access denied for GetPipelineExecution on pipeline 'my-app' (AccessDeniedException): not authorized to perform codepipeline:GetPipelineExecution. " +
        'Check your credentials (--profile, AWS_PROFILE) and that their policy allows codepipeline:GetPipelineExecution.',
      "Access denied for ListPipelineExecutions on pipeline 'my-app' (AccessDeniedException): no list. " +
        'Check your credentials (--profile, AWS_PROFILE) and that their policy allows codepipeline:ListPipelineExecutions.',
    ]);
  });

  test('GIVEN only the artifact revision (no action executions) WHEN described THEN the message comes from the CodeConnections summary', async () => {
    const { client, mock } = mockRelease();
    mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });

    const release = await describeApprovalRelease(client, PIPELINE, APPROVAL);

    expect(release.revisions).toEqual([{ artifactName: 'octo_shop_Source', revisionId: NEW, message: 'Cache product catalogue reads', url: 'https://example.com/commit' }]);
    expect(release.comment).toBeUndefined();
  });

  test('GIVEN no success in the first 5 pages of history WHEN described THEN reading stops there and the size is unknown, saying why', async () => {
    const { client, mock } = mockRelease();
    const page = (n: number) => ({
      pipelineExecutionSummaries: Array.from({ length: 100 }, (_, i) => ({ pipelineExecutionId: n === 0 && i === 0 ? 'exec-2' : `failed-${n}-${i}`, status: 'Failed' })),
      nextToken: `page-${n + 1}`,
    });
    mock.on(ListPipelineExecutionsCommand).callsFake((input: { nextToken?: string }) => page(input.nextToken ? Number(input.nextToken.slice(5)) : 0));

    const release = await describeApprovalRelease(client, PIPELINE, APPROVAL);

    expect(mock.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(5);
    expect(release.size).toBeUndefined();
    expect(release.sizeUnknown).toBe('no execution succeeded among the 500 most recent ones');
    expect(release.gaps).toEqual([]);
  });

  test('GIVEN a stage without an execution id WHEN described THEN nothing is read and the gap says why', async () => {
    const { client, mock } = mockRelease();

    const release = await describeApprovalRelease(client, PIPELINE, { ...APPROVAL, pipelineExecutionId: undefined });

    expect(release).toEqual({ revisions: [], gaps: ['The stage Staging reports no execution id, so the release it waits for is unknown.'] });
    expect(mock.calls()).toHaveLength(0);
  });

  describe('with a git clone', () => {
    const repo = new GitFixture();
    let released: string;
    let head: string;
    beforeAll(() => {
      released = repo.commit('Show prices with tax', { 'a.txt': lines(10) }, 'Ann Released');
      head = repo.commit('Cache product catalogue reads', { 'a.txt': lines(14) }, 'Jane Doe');
    });
    afterAll(() => repo.remove());

    test('GIVEN both commits in the clone WHEN described THEN the author and the exact size are added', async () => {
      const { client } = mockRelease(head, released);

      const release = await describeApprovalRelease(client, PIPELINE, APPROVAL, { git: gitRunner(repo.dir), repository: repo.dir });

      expect(release.revisions[0]).toMatchObject({ revisionId: head, author: 'Jane Doe', authorEmail: 'jane.doe@example.com', authorDate: '2025-05-26T08:35:12Z' });
      expect(release.size).toEqual({
        lastReleaseExecutionId: 'exec-1',
        lastReleaseRevision: released,
        newRevisions: 1,
        commits: 1,
        filesChanged: 1,
        insertions: 4,
        deletions: 0,
        changedLines: 4,
        baseIsAncestor: true,
      });
      expect(release.gaps).toEqual([]);
    });

    test('GIVEN a commit the clone has not fetched WHEN described THEN a gap says to fetch, and the history figures stay', async () => {
      const { client } = mockRelease(NEW, released);

      const release = await describeApprovalRelease(client, PIPELINE, APPROVAL, { git: gitRunner(repo.dir), repository: repo.dir });

      expect(release.revisions[0].author).toBeUndefined();
      expect(release.size).toEqual({ lastReleaseExecutionId: 'exec-1', lastReleaseRevision: released, newRevisions: 1 });
      expect(release.gaps).toEqual([`Commit ${NEW} is not in the git clone at ${repo.dir}: run \`git fetch\` there (or pass --repo with a clone of octo/shop).`]);
    });

    test('GIVEN the released commit is missing from the clone WHEN described THEN the author is added and a gap names the released commit', async () => {
      const { client } = mockRelease(head, OLD);

      const release = await describeApprovalRelease(client, PIPELINE, APPROVAL, { git: gitRunner(repo.dir), repository: repo.dir });

      expect(release.revisions[0].author).toBe('Jane Doe');
      expect(release.size?.commits).toBeUndefined();
      expect(release.gaps).toEqual([`The released commit ${OLD} is not in the git clone at ${repo.dir}: run \`git fetch\` there to count commits and lines.`]);
    });
  });
});

describe('the commit message in an artifact revision summary', () => {
  test.each([
    ['{"ProviderType":"GitHub","CommitMessage":"Fix the \\"total\\"\\nsecond line"}', 'Fix the "total"\nsecond line'],
    // CodeConnections cuts long summaries off, inside the JSON string.
    ['{"ProviderType":"GitHub","CommitMessage":"Merge pull request #1 from Test', 'Merge pull request #1 from Test…'],
    ['{"ProviderType":"GitHub","CommitMessage":"Ends in an escape \\', 'Ends in an escape …'],
    ['{"ProviderType":"GitHub"}', '{"ProviderType":"GitHub"}'],
    ['Plain CodeCommit message', 'Plain CodeCommit message'],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (summary, message) => {
    expect(messageFromRevisionSummary(summary)).toBe(message);
  });
});

describe('--commit: the commit the person expects', () => {
  const release: ApprovalRelease = {
    pipelineExecutionId: 'exec-2',
    revisions: [{ actionName: 'octo_shop', revisionId: NEW, message: 'Cache product catalogue reads\n\nbody' }],
    gaps: [],
  };

  test.each([NEW, NEW.slice(0, 7), NEW.slice(0, 7).toUpperCase(), ` ${NEW.slice(0, 12)} `])('GIVEN %j WHEN matched THEN the revision', (expected) => {
    expect(matchExpectedCommit(PIPELINE, APPROVAL, release, expected)).toEqual(release.revisions[0]);
  });

  test('GIVEN another commit WHEN matched THEN COMMIT_MISMATCH naming what the approval is for and how to approve it', () => {
    expect(() => matchExpectedCommit(PIPELINE, APPROVAL, release, '9f8e7d6')).toThrow(expect.objectContaining({
      code: DeliveryErrorCode.COMMIT_MISMATCH,
      message: "Not approved: Staging/PromoteToProduction in pipeline 'my-app' waits for execution exec-2, which releases 4f2a9c1d0e7b " +
        '("Cache product catalogue reads") from octo_shop, not 9f8e7d6. Nothing was approved. If that is the release you reviewed, approve it with --commit 4f2a9c1d0e7b.',
    }));
  });

  test('GIVEN an S3 source (an object version) WHEN matched THEN COMMIT_MISMATCH saying it releases no git commit', () => {
    const s3: ApprovalRelease = { revisions: [{ actionName: 'Source', revisionId: 'Kh9fV8.Zb_3xVersionId' }], gaps: [] };

    expect(() => matchExpectedCommit(PIPELINE, APPROVAL, s3, '4f2a9c1')).toThrow(expect.objectContaining({
      code: DeliveryErrorCode.COMMIT_MISMATCH,
      message: "Not approved: Staging/PromoteToProduction in pipeline 'my-app' waits for execution exec-2, which releases Kh9fV8.Zb_3xVersionId from Source, " +
        'not 4f2a9c1. Nothing was approved. It releases no git commit (an S3 object version): check the version in the console and approve without --commit.',
    }));
  });

  test.each([
    [4262, 'expectedCommit: 4262 is not text. Pass the commit id as a string, e.g. \'4f2a9c1\'.'],
    [null, 'expectedCommit: null is not text. Pass the commit id as a string, e.g. \'4f2a9c1\'.'],
    [{ sha: '4f2a9c1' }, 'expectedCommit: {"sha":"4f2a9c1"} is not text. Pass the commit id as a string, e.g. \'4f2a9c1\'.'],
  ])('GIVEN an untyped caller passing %j WHEN validated THEN a usage error naming the value', (value, message) => {
    expect(() => validateExpectedCommit(value as never)).toThrow(expect.objectContaining({ code: DeliveryErrorCode.INVALID_INPUT, message }));
  });

  test('GIVEN the release revisions could not be read WHEN matched THEN COMMIT_MISMATCH with the reasons: never approve unchecked', () => {
    const unknown: ApprovalRelease = { revisions: [], gaps: ['Access denied for GetPipelineExecution.'] };

    expect(() => matchExpectedCommit(PIPELINE, APPROVAL, unknown, NEW)).toThrow(expect.objectContaining({
      code: DeliveryErrorCode.COMMIT_MISMATCH,
      message: `Not approved: --commit ${NEW} was asked for, but which commit Staging/PromoteToProduction in pipeline 'my-app' releases could not be read ` +
        '(Access denied for GetPipelineExecution.). Nothing was approved. Try again once the reads work (they need codepipeline:GetPipelineExecution ' +
        'and codepipeline:ListActionExecutions), or approve without --commit after checking the commit in the console.',
    }));
  });

  test('GIVEN two sources whose commits share the prefix WHEN matched THEN an ambiguity error asks for more digits', () => {
    const twoSources: ApprovalRelease = {
      revisions: [{ actionName: 'octo_shop', revisionId: '4f2a9c1aaaa' + '0'.repeat(29) }, { actionName: 'octo_config', revisionId: '4f2a9c1bbbb' + '0'.repeat(29) }],
      gaps: [],
    };

    expect(() => matchExpectedCommit(PIPELINE, APPROVAL, twoSources, '4f2a9c1')).toThrow(expect.objectContaining({
      code: DeliveryErrorCode.INVALID_INPUT,
      message: '--commit 4f2a9c1 is ambiguous: execution exec-2 releases 4f2a9c1aaaa0 from octo_shop and 4f2a9c1bbbb0 from octo_config, which all start with it. Pass more hex digits.',
    }));
    expect(matchExpectedCommit(PIPELINE, APPROVAL, twoSources, '4f2a9c1b').actionName).toBe('octo_config');
  });

  test.each([
    ['4f2a9c', "--commit '4f2a9c' is too short (6 hex digits): a prefix this short can match many commits. Pass at least 7 hex digits, or the full SHA."],
    ['', "--commit '' is not a commit id. Pass the commit you reviewed: its full SHA or at least its first 7 hex digits, e.g. --commit 4f2a9c1."],
    ['main', "--commit 'main' is not a commit id. Pass the commit you reviewed: its full SHA or at least its first 7 hex digits, e.g. --commit 4f2a9c1."],
    ['4f2a9c1^', "--commit '4f2a9c1^' is not a commit id. Pass the commit you reviewed: its full SHA or at least its first 7 hex digits, e.g. --commit 4f2a9c1."],
    ['a'.repeat(65), `--commit '${'a'.repeat(65)}' is not a commit id. Pass the commit you reviewed: its full SHA or at least its first 7 hex digits, e.g. --commit 4f2a9c1.`],
  ])('GIVEN --commit %j THEN a usage error: %s', (expected, message) => {
    expect(() => validateExpectedCommit(expected)).toThrow(expect.objectContaining({ code: DeliveryErrorCode.INVALID_INPUT, message }));
  });
});
