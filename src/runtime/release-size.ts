import { CodePipelineClient, paginateListPipelineExecutions, PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, EXECUTIONS_PAGE_REPLY } from './reply-shape';

/**
 * Release size: how much a release carries since the last production release. Two bases:
 *
 * - the execution history (always available to the CLI): the last execution that succeeded before the pending one
 *   is the release in production (the pipeline ends in production), and the source revisions of the executions
 *   started since are the new revisions. Each revision is one push or more, each push one commit or more: the
 *   count is a lower bound on commits, and says nothing about lines;
 * - git (where a clone is at hand: the CLI's `--repo`, a full clone in the build): exact commits and changed
 *   lines between the released revision and the new one (`git-history.ts`).
 */

/** A source revision of an execution: which source action, which revision. */
export interface RevisionRef {
  readonly actionName: string;
  readonly revisionId: string;
}

/** The release in production, as the execution history shows it. */
export interface LastRelease {
  readonly pipelineExecutionId: string;
  /** When it finished (ISO 8601), if the history says. */
  readonly finishedAt?: string;
  readonly revisions: readonly RevisionRef[];
}

/** What the execution history says about the size of the pending execution's release. */
export interface HistoryReleaseSize {
  /** Undefined when no earlier execution succeeded in the history read. */
  readonly lastRelease?: LastRelease;
  /**
   * Distinct source revisions that reached the pipeline after the last release, up to and including the pending
   * execution's (superseded executions' revisions ship with it). A lower bound on the commits. Undefined without a
   * last release.
   */
  readonly newRevisions?: number;
}

/** The history read: at most `pages` pages of `pageSize` executions (CodePipeline's largest page), newest first. */
export const HISTORY_READ = { pages: 5, pageSize: 100 };

/** The executions read, newest first, up to the last release before the pending one. */
export interface ReleaseHistory {
  readonly summaries: PipelineExecutionSummary[];
  /** Pages read. */
  readonly pages: number;
  /** False when the page cap stopped the read while more history was there and no earlier success was found. */
  readonly complete: boolean;
}

/**
 * Reads ListPipelineExecutions (newest first) up to the execution that succeeded before `pendingExecutionId` (the
 * last production release: nothing older counts), the end of the history, or `HISTORY_READ.pages` pages. The one
 * reader of the history for the release size: the CLI's approval details and the change-set review's size check.
 * A failed read throws (the caller decides what a failure means).
 */
export async function readReleaseHistory(client: CodePipelineClient, pipelineName: string, pendingExecutionId: string): Promise<ReleaseHistory> {
  const summaries: PipelineExecutionSummary[] = [];
  let pages = 0;
  let seenPending = false;
  for await (const page of paginateListPipelineExecutions({ client, pageSize: HISTORY_READ.pageSize }, { pipelineName })) {
    checkReply({ operation: 'ListPipelineExecutions', pipelineName }, page, EXECUTIONS_PAGE_REPLY);
    pages += 1;
    for (const summary of page.pipelineExecutionSummaries ?? []) {
      summaries.push(summary);
      if (summary.pipelineExecutionId === pendingExecutionId) {
        seenPending = true;
      } else if (seenPending && summary.status === 'Succeeded') {
        return { summaries, pages, complete: true };
      }
    }
    if (page.nextToken === undefined) {
      break;
    }
    if (pages >= HISTORY_READ.pages) {
      return { summaries, pages, complete: false };
    }
  }
  return { summaries, pages, complete: true };
}

function refs(summary: PipelineExecutionSummary): RevisionRef[] {
  return (summary.sourceRevisions ?? [])
    .filter((r) => typeof r.revisionId === 'string' && r.revisionId !== '')
    .map((r) => ({ actionName: r.actionName ?? '', revisionId: r.revisionId as string }));
}

function time(date: Date | undefined): number | undefined {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : undefined;
}

/**
 * The last release before `pendingExecutionId` and the number of new revisions since, from execution summaries
 * (any order). The last release is the execution that succeeded most recently among those that started before
 * the pending one; without a start time for the pending execution, among all the others.
 */
export function releaseSizeFromHistory(summaries: readonly PipelineExecutionSummary[], pendingExecutionId: string): HistoryReleaseSize {
  const pending = summaries.find((s) => s.pipelineExecutionId === pendingExecutionId);
  const pendingStart = time(pending?.startTime) ?? Number.POSITIVE_INFINITY;
  const candidates = summaries.filter((s) => s.pipelineExecutionId !== pendingExecutionId && s.status === 'Succeeded'
    && (time(s.startTime) ?? Number.NEGATIVE_INFINITY) < pendingStart);
  if (candidates.length === 0) {
    return {};
  }
  const finished = (s: PipelineExecutionSummary) => time(s.lastUpdateTime) ?? time(s.startTime) ?? Number.NEGATIVE_INFINITY;
  const last = candidates.reduce((best, s) => (finished(s) > finished(best) ? s : best));
  const lastStart = time(last.startTime) ?? Number.NEGATIVE_INFINITY;
  const released = new Set(refs(last).map((r) => `${r.actionName}\0${r.revisionId}`));
  const fresh = new Set<string>();
  for (const summary of summaries) {
    const start = time(summary.startTime);
    const inRange = summary.pipelineExecutionId === pendingExecutionId
      || (start !== undefined && start > lastStart && start <= pendingStart);
    if (!inRange || summary.pipelineExecutionId === last.pipelineExecutionId) {
      continue;
    }
    for (const ref of refs(summary)) {
      const key = `${ref.actionName}\0${ref.revisionId}`;
      if (!released.has(key)) {
        fresh.add(key);
      }
    }
  }
  const finishedAt = time(last.lastUpdateTime);
  return {
    lastRelease: {
      pipelineExecutionId: last.pipelineExecutionId ?? '',
      finishedAt: finishedAt === undefined ? undefined : new Date(finishedAt).toISOString(),
      revisions: refs(last),
    },
    newRevisions: fresh.size,
  };
}

/** When a release is too large to flow without a person (continuous deployment's optional hold). */
export interface ReleaseSizeLimits {
  /** Hold when the release carries more commits than this. */
  readonly maxCommits?: number;
  /** Hold when the release changes more lines (insertions + deletions) than this. */
  readonly maxChangedLines?: number;
}

/** The size figures a limit is checked against; a figure left out is unknown. */
export interface MeasuredReleaseSize {
  /** Exact commits (git). */
  readonly commits?: number;
  /** Exact changed lines (git). */
  readonly changedLines?: number;
  /** New source revisions since the last release (execution history): a lower bound on commits. */
  readonly newRevisions?: number;
}

/** The verdict of `checkReleaseSize`. */
export interface ReleaseSizeVerdict {
  /** Limits the release certainly exceeds, each as a sentence. Non-empty: hold. */
  readonly exceeded: string[];
  /** Limits that could not be checked (the figure is unknown), each as a sentence. */
  readonly undetermined: string[];
}

/** Throw unless every limit given is a whole number of at least 1. */
export function validateReleaseSizeLimits(limits: ReleaseSizeLimits): void {
  for (const key of ['maxCommits', 'maxChangedLines'] as const) {
    const value: unknown = limits[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
      throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
        `${key}: ${typeof value === 'string' ? `'${value}'` : String(value)} is not a whole number of at least 1. Pass e.g. ${key === 'maxCommits' ? 20 : 2000}, or leave it out for no limit.`);
    }
  }
}

/**
 * Check a release against the limits. A count of new revisions above `maxCommits` exceeds it for certain (each
 * revision is at least one commit); at or below it, without git's exact count, the limit is undetermined.
 */
export function checkReleaseSize(size: MeasuredReleaseSize, limits: ReleaseSizeLimits): ReleaseSizeVerdict {
  validateReleaseSizeLimits(limits);
  const exceeded: string[] = [];
  const undetermined: string[] = [];
  if (limits.maxCommits !== undefined) {
    if (size.commits !== undefined) {
      if (size.commits > limits.maxCommits) {
        exceeded.push(`${size.commits} commits since the last production release, more than the limit of ${limits.maxCommits}`);
      }
    } else if (size.newRevisions !== undefined && size.newRevisions > limits.maxCommits) {
      exceeded.push(`at least ${size.newRevisions} commits (${size.newRevisions} new source revisions) since the last production release, more than the limit of ${limits.maxCommits}`);
    } else {
      undetermined.push(`the commit limit of ${limits.maxCommits}: ${size.newRevisions === undefined
        ? 'no earlier production release was found' : `only ${size.newRevisions} new source revisions are known (each one commit or more)`}, and no git history was read`);
    }
  }
  if (limits.maxChangedLines !== undefined) {
    if (size.changedLines === undefined) {
      undetermined.push(`the changed-lines limit of ${limits.maxChangedLines}: changed lines need the git history`);
    } else if (size.changedLines > limits.maxChangedLines) {
      exceeded.push(`${size.changedLines} changed lines since the last production release, more than the limit of ${limits.maxChangedLines}`);
    }
  }
  return { exceeded, undetermined };
}
