import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  ActionExecutionDetail,
  ArtifactRevision,
  CodePipelineClient,
  GetPipelineExecutionCommand,
  paginateListActionExecutions,
} from '@aws-sdk/client-codepipeline';
import type { PendingApproval } from './approvals';
import { CommandAborted } from './command-signal';
import { DeliveryError, DeliveryErrorCode, toDeliveryError } from './errors';
import { commitAuthor, gitReleaseSize, GitRunner, hasCommit, isCommitId } from './git-history';
import { HISTORY_READ, readReleaseHistory, releaseSizeFromHistory, RevisionRef } from './release-size';
import { checkReply, list, obj, optional, required, str } from './reply-shape';
import { readReviewDecision, ReviewDecision, withoutControlCharacters } from './review-summary';
import { COMMIT_AUTHOR_FALLBACK, COMMIT_AUTHOR_VARIABLE } from '../contract';

/**
 * What a pending approval approves: the source revisions of its execution (commit, message, author date, branch,
 * repository), the approval's comment as CodePipeline resolved it, and the release size since the last
 * production release. Read with GetPipelineExecution, ListActionExecutions (filtered to the execution) and
 * ListPipelineExecutions; with a git clone also the author and exact commits and changed lines.
 */

/** One source revision of the execution awaiting approval. */
export interface ReleaseRevision {
  /** The source action that produced it, when the action executions say. */
  readonly actionName?: string;
  /** The output artifact it was recorded under (GetPipelineExecution). */
  readonly artifactName?: string;
  /** The commit id (git sources) or object version (S3). */
  readonly revisionId: string;
  /** The commit message (first line and beyond, as the source reported it). */
  readonly message?: string;
  /** A link to the revision (CodeConnections' redirect, CodeCommit's console page). */
  readonly url?: string;
  readonly branch?: string;
  readonly repository?: string;
  /** `AuthorDate` of the source action (ISO 8601), when the provider reports it. */
  readonly authorDate?: string;
  /**
   * The author's name (no CodePipeline source provider reports it): from the synth build's exported variable when the
   * source is a full git clone (`codeBuildCloneOutput: true`), or from a local git clone (`--repo`), which wins.
   */
  readonly author?: string;
  /** The author's e-mail: only from a git clone. */
  readonly authorEmail?: string;
}

/** How large the release is, since the last production release. */
export interface ApprovalReleaseSize {
  /** The execution that last succeeded before this one (its revision is in production). */
  readonly lastReleaseExecutionId: string;
  /** The released revision of the source the figures below are about. */
  readonly lastReleaseRevision?: string;
  /** New source revisions since the last release (execution history): at least this many commits. */
  readonly newRevisions: number;
  /** The rest only with a git clone that holds both revisions. */
  readonly commits?: number;
  readonly filesChanged?: number;
  readonly insertions?: number;
  readonly deletions?: number;
  readonly changedLines?: number;
  /** False when the released revision is not an ancestor of the new one (force push, older revision). */
  readonly baseIsAncestor?: boolean;
}

/** What a pending approval is for. */
export interface ApprovalRelease {
  readonly pipelineExecutionId?: string;
  /** The execution's source revisions (several with additional sources). Empty when CodePipeline did not say. */
  readonly revisions: ReleaseRevision[];
  /** The approval's comment (CustomData), resolved by CodePipeline when it holds variables. */
  readonly comment?: string;
  /** The approval's review URL (ExternalEntityLink). */
  readonly reviewUrl?: string;
  /**
   * A change-set review's `Review` approval: what the review decided, with its whole summary, read from the review
   * function's log group (the review URL names it). Not there: the approval is not a review's, or the gaps say why.
   */
  readonly review?: ReviewDecision;
  /** Undefined when no earlier execution succeeded in the history read, or the history could not be read. */
  readonly size?: ApprovalReleaseSize;
  /** Why there is no size although the history was read (no earlier execution succeeded). */
  readonly sizeUnknown?: string;
  /** What could not be read, and why: the approval can still be decided, but this is not shown. */
  readonly gaps: string[];
}

export interface DescribeReleaseOptions {
  /** A git clone of the source repository: adds the author and exact size. */
  readonly git?: GitRunner;
  /** The clone's directory, for messages. */
  readonly repository?: string;
  /**
   * Reads a change-set review's decision from its log group (FilterLogEvents).
   *
   * @default - not read: the gaps say where the summary is
   */
  readonly logs?: CloudWatchLogsClient;
}

const PAGE_SIZE = HISTORY_READ.pageSize;

const map = obj({});

const EXECUTION_REPLY = obj({
  pipelineExecution: required(obj({
    pipelineExecutionId: optional(str),
    artifactRevisions: optional(list(obj({
      name: optional(str), revisionId: optional(str), revisionSummary: optional(str), revisionUrl: optional(str),
    }))),
  })),
});

const ACTIONS_PAGE_REPLY = obj({
  actionExecutionDetails: optional(list(obj({
    pipelineExecutionId: optional(str),
    stageName: optional(str),
    actionName: optional(str),
    input: optional(obj({
      actionTypeId: optional(obj({ category: optional(str), provider: optional(str) })),
      configuration: optional(map),
      resolvedConfiguration: optional(map),
    })),
    output: optional(obj({ outputVariables: optional(map), executionResult: optional(obj({ externalExecutionUrl: optional(str) })) })),
  }))),
  nextToken: optional(str),
});

/** A string value of a configuration or output-variable map. */
function text(record: Record<string, string> | undefined, key: string): string | undefined {
  const value: unknown = record?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The commit message in an artifact revision's summary. CodeConnections sources put JSON there
 * (`{"ProviderType":"GitHub","CommitMessage":"…"}`), cut off when long; CodeCommit puts the message itself.
 */
export function messageFromRevisionSummary(summary: string | undefined): string | undefined {
  if (summary === undefined || summary.trim() === '') {
    return undefined;
  }
  if (!summary.trimStart().startsWith('{')) {
    return summary;
  }
  try {
    const parsed: unknown = JSON.parse(summary);
    const message = (parsed as Record<string, unknown> | null)?.CommitMessage;
    return typeof message === 'string' ? message : summary;
  } catch {
    // A summary cut off inside the message: keep what there is of it.
    const cut = /"CommitMessage"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(summary);
    if (!cut) {
      return summary;
    }
    try {
      return `${JSON.parse(`"${cut[1].replace(/\\$/, '')}"`) as string}…`;
    } catch {
      return `${cut[1]}…`;
    }
  }
}

/** Reads whose failure is a gap, not an error: an interruption or the deadline still ends the command. */
async function attempt<T>(gaps: string[], operation: string, pipelineName: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const known = toDeliveryError(error, { operation, pipelineName });
    if (error instanceof CommandAborted) {
      throw known;
    }
    gaps.push(known.message);
    return undefined;
  }
}

async function readExecution(client: CodePipelineClient, pipelineName: string, pipelineExecutionId: string): Promise<ArtifactRevision[]> {
  const context = { operation: 'GetPipelineExecution', pipelineName };
  const reply = checkReply(context, await client.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId })), EXECUTION_REPLY);
  return reply.pipelineExecution?.artifactRevisions ?? [];
}

async function readActions(client: CodePipelineClient, pipelineName: string, pipelineExecutionId: string): Promise<ActionExecutionDetail[]> {
  const details: ActionExecutionDetail[] = [];
  for await (const page of paginateListActionExecutions({ client, pageSize: PAGE_SIZE }, { pipelineName, filter: { pipelineExecutionId } })) {
    checkReply({ operation: 'ListActionExecutions', pipelineName }, page, ACTIONS_PAGE_REPLY);
    const ofExecution = (d: ActionExecutionDetail) => d.pipelineExecutionId === undefined || d.pipelineExecutionId === pipelineExecutionId;
    details.push(...(page.actionExecutionDetails ?? []).filter(ofExecution));
  }
  return details;
}

/**
 * The author the synth build exported (`COMMIT_AUTHOR_VARIABLE`, only with a full git clone) and the artifact it read
 * (the primary source's). The build runs the commit's own commands, which could set any value: terminal control
 * characters are removed; the fallback (git could not tell) is no author.
 */
function builtAuthor(actions: readonly ActionExecutionDetail[]): { readonly artifactName: string; readonly author: string } | undefined {
  for (const detail of actions) {
    const value = detail.output?.outputVariables?.[COMMIT_AUTHOR_VARIABLE];
    const artifactName = detail.input?.inputArtifacts?.[0]?.name;
    if (typeof value !== 'string' || artifactName === undefined) {
      continue;
    }
    const author = withoutControlCharacters(value).trim();
    return author === '' || author === COMMIT_AUTHOR_FALLBACK ? undefined : { artifactName, author };
  }
  return undefined;
}

function isSource(detail: ActionExecutionDetail): boolean {
  return detail.input?.actionTypeId?.category === 'Source';
}

function revisionsOf(artifacts: readonly ArtifactRevision[], actions: readonly ActionExecutionDetail[]): ReleaseRevision[] {
  const sources = actions.filter(isSource).map((detail) => {
    const vars = detail.output?.outputVariables;
    return {
      actionName: detail.actionName,
      revisionId: text(vars, 'CommitId') ?? text(vars, 'VersionId'),
      message: text(vars, 'CommitMessage'),
      branch: text(vars, 'BranchName'),
      repository: text(vars, 'FullRepositoryName') ?? text(vars, 'RepositoryName'),
      authorDate: text(vars, 'AuthorDate'),
      url: detail.output?.executionResult?.externalExecutionUrl,
    };
  });
  const built = builtAuthor(actions);
  const used = new Set<number>();
  const revisions: ReleaseRevision[] = artifacts.filter((a) => a.revisionId).map((artifact) => {
    const index = sources.findIndex((s, i) => !used.has(i) && s.revisionId === artifact.revisionId);
    const source = index >= 0 ? sources[index] : undefined;
    if (index >= 0) {
      used.add(index);
    }
    return {
      actionName: source?.actionName,
      artifactName: artifact.name,
      revisionId: artifact.revisionId as string,
      message: source?.message ?? messageFromRevisionSummary(artifact.revisionSummary),
      url: artifact.revisionUrl ?? source?.url,
      branch: source?.branch,
      repository: source?.repository,
      authorDate: source?.authorDate,
      author: built !== undefined && built.artifactName === artifact.name ? built.author : undefined,
    };
  });
  // Sources GetPipelineExecution did not list (or could not be read).
  sources.forEach((source, i) => {
    if (!used.has(i) && source.revisionId) {
      revisions.push({ ...source, revisionId: source.revisionId });
    }
  });
  return revisions.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as ReleaseRevision);
}

function approvalConfiguration(actions: readonly ActionExecutionDetail[], approval: PendingApproval): { comment?: string; reviewUrl?: string } {
  const detail = actions.find((d) => d.stageName === approval.stageName && d.actionName === approval.actionName);
  const resolved = detail?.input?.resolvedConfiguration;
  const configured = detail?.input?.configuration;
  return {
    comment: text(resolved, 'CustomData') ?? text(configured, 'CustomData'),
    reviewUrl: text(resolved, 'ExternalEntityLink') ?? text(configured, 'ExternalEntityLink'),
  };
}

/** Author and exact size from git, for the revisions the clone holds. */
async function addGit(
  revisions: ReleaseRevision[], size: ApprovalReleaseSize | undefined, lastReleaseRevisions: readonly RevisionRef[],
  git: GitRunner, repository: string, gaps: string[],
): Promise<{ revisions: ReleaseRevision[]; size?: ApprovalReleaseSize }> {
  let sized = size;
  const out: ReleaseRevision[] = [];
  for (const revision of revisions) {
    if (!isCommitId(revision.revisionId)) {
      out.push(revision);
      continue;
    }
    try {
      if (!(await hasCommit(git, revision.revisionId))) {
        gaps.push(`Commit ${revision.revisionId} is not in the git clone at ${repository}: run \`git fetch\` there (or pass --repo with a clone of ${revision.repository ?? 'the source repository'}).`);
        out.push(revision);
        continue;
      }
      const author = await commitAuthor(git, revision.revisionId);
      out.push({
        ...revision,
        author: author.name,
        authorEmail: author.email,
        authorDate: revision.authorDate ?? author.date,
        message: revision.message ?? author.subject,
      });
      // The released revision of the same source action; with one source on both sides, that one.
      const only = lastReleaseRevisions.length === 1 && revisions.length === 1 ? lastReleaseRevisions[0] : undefined;
      const base = lastReleaseRevisions.find((r) => r.actionName === (revision.actionName ?? '') && isCommitId(r.revisionId))
        ?? (only && isCommitId(only.revisionId) ? only : undefined);
      if (sized && sized.commits === undefined && base) {
        if (await hasCommit(git, base.revisionId)) {
          sized = { ...sized, lastReleaseRevision: base.revisionId, ...(await gitReleaseSize(git, base.revisionId, revision.revisionId)) };
        } else {
          gaps.push(`The released commit ${base.revisionId} is not in the git clone at ${repository}: run \`git fetch\` there to count commits and lines.`);
        }
      }
    } catch (error) {
      gaps.push(error instanceof Error ? error.message : String(error));
      out.push(revision);
    }
  }
  return { revisions: out, size: sized };
}

/**
 * Describe what `approval` approves. Reads that fail leave a gap (with the reason) instead of failing: the
 * approval can still be decided. The command's deadline and interruptions still end it.
 */
export async function describeApprovalRelease(
  client: CodePipelineClient, pipelineName: string, approval: PendingApproval, options: DescribeReleaseOptions = {},
): Promise<ApprovalRelease> {
  const gaps: string[] = [];
  const executionId = approval.pipelineExecutionId;
  if (!executionId) {
    return { revisions: [], gaps: [`The stage ${approval.stageName} reports no execution id, so the release it waits for is unknown.`] };
  }
  // One list per read, so that the gaps come in the same order however the replies arrive.
  const readGaps: string[][] = [[], [], []];
  const [artifacts, actions, history] = await Promise.all([
    attempt(readGaps[0], 'GetPipelineExecution', pipelineName, () => readExecution(client, pipelineName, executionId)),
    attempt(readGaps[1], 'ListActionExecutions', pipelineName, () => readActions(client, pipelineName, executionId)),
    attempt(readGaps[2], 'ListPipelineExecutions', pipelineName, () => readReleaseHistory(client, pipelineName, executionId)),
  ]);
  gaps.push(...readGaps.flat());
  let revisions = revisionsOf(artifacts ?? [], actions ?? []);
  const { comment, reviewUrl } = approvalConfiguration(actions ?? [], approval);
  const review = reviewUrl === undefined ? undefined : await readReviewDecision(options.logs, pipelineName, approval, reviewUrl);
  if (review?.gap !== undefined) {
    gaps.push(review.gap);
  }
  const fromHistory = history ? releaseSizeFromHistory(history.summaries, executionId) : {};
  let size: ApprovalReleaseSize | undefined = fromHistory.lastRelease && fromHistory.newRevisions !== undefined
    ? { lastReleaseExecutionId: fromHistory.lastRelease.pipelineExecutionId, newRevisions: fromHistory.newRevisions }
    : undefined;
  const sizeUnknown = history && !fromHistory.lastRelease
    ? (history.complete
      ? 'no earlier execution succeeded, so no production release to measure against'
      : `no execution succeeded among the ${history.summaries.length} most recent ones`)
    : undefined;
  if (options.git) {
    const withGit = await addGit(revisions, size, fromHistory.lastRelease?.revisions ?? [], options.git, options.repository ?? 'the clone', gaps);
    revisions = withGit.revisions;
    size = withGit.size;
  }
  if (size && size.lastReleaseRevision === undefined) {
    const first = fromHistory.lastRelease?.revisions[0]?.revisionId;
    size = first ? { ...size, lastReleaseRevision: first } : size;
  }
  return {
    pipelineExecutionId: executionId,
    revisions,
    ...(comment !== undefined ? { comment } : {}),
    ...(reviewUrl !== undefined ? { reviewUrl } : {}),
    ...(review?.decision !== undefined ? { review: review.decision } : {}),
    ...(size ? { size } : {}),
    ...(sizeUnknown !== undefined ? { sizeUnknown } : {}),
    gaps,
  };
}

/** Shortest prefix `--commit` accepts. */
export const MIN_COMMIT_PREFIX = 7;

/** Throw a usage error unless `expected` is a commit id or a prefix of at least 7 hex digits. */
export function validateExpectedCommit(expected: string): void {
  const untyped: unknown = expected;
  if (typeof untyped !== 'string') {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `expectedCommit: ${JSON.stringify(untyped) ?? String(untyped)} is not text. Pass the commit id as a string, e.g. '4f2a9c1'.`);
  }
  const value = expected.trim();
  if (!/^[0-9a-f]+$/i.test(value) || value.length > 64) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `--commit '${expected}' is not a commit id. Pass the commit you reviewed: its full SHA or at least its first ${MIN_COMMIT_PREFIX} hex digits, e.g. --commit 4f2a9c1.`);
  }
  if (value.length < MIN_COMMIT_PREFIX) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `--commit '${expected}' is too short (${value.length} hex digits): a prefix this short can match many commits. Pass at least ${MIN_COMMIT_PREFIX} hex digits, or the full SHA.`);
  }
}

function short(revision: ReleaseRevision): string {
  const id = isCommitId(revision.revisionId) ? revision.revisionId.slice(0, 12) : revision.revisionId;
  const firstLine = revision.message?.split('\n')[0];
  return `${id}${firstLine ? ` ("${firstLine}")` : ''}${revision.actionName ? ` from ${revision.actionName}` : ''}`;
}

/**
 * The revision `expected` names among the release's, or an error that says what the approval is for instead:
 * COMMIT_MISMATCH when none matches (or the release's revisions are unknown), INVALID_INPUT when the prefix
 * matches two different revisions.
 */
export function matchExpectedCommit(pipelineName: string, approval: PendingApproval, release: ApprovalRelease, expected: string): ReleaseRevision {
  validateExpectedCommit(expected);
  const prefix = expected.trim().toLowerCase();
  const where = `${approval.stageName}/${approval.actionName}`;
  const execution = `execution ${approval.pipelineExecutionId ?? 'unknown'}`;
  if (release.revisions.length === 0) {
    const why = release.gaps.length > 0 ? ` (${release.gaps.join(' ')})` : '';
    throw new DeliveryError(DeliveryErrorCode.COMMIT_MISMATCH,
      `Not approved: --commit ${expected} was asked for, but which commit ${where} in pipeline '${pipelineName}' releases could not be read${why}. ` +
      'Nothing was approved. Try again once the reads work (they need codepipeline:GetPipelineExecution and codepipeline:ListActionExecutions), ' +
      'or approve without --commit after checking the commit in the console.');
  }
  const matches = release.revisions.filter((r) => r.revisionId.toLowerCase().startsWith(prefix));
  const distinct = [...new Set(matches.map((r) => r.revisionId))];
  if (distinct.length === 0) {
    const commit = release.revisions.find((r) => isCommitId(r.revisionId));
    const instead = commit
      ? `If that is the release you reviewed, approve it with --commit ${commit.revisionId.slice(0, 12)}.`
      : 'It releases no git commit (an S3 object version): check the version in the console and approve without --commit.';
    throw new DeliveryError(DeliveryErrorCode.COMMIT_MISMATCH,
      `Not approved: ${where} in pipeline '${pipelineName}' waits for ${execution}, which releases ${release.revisions.map(short).join(' and ')}, not ${expected}. ` +
      `Nothing was approved. ${instead}`);
  }
  if (distinct.length > 1) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `--commit ${expected} is ambiguous: ${execution} releases ${matches.map(short).join(' and ')}, which all start with it. Pass more hex digits.`);
  }
  return matches[0];
}
