import { CodePipelineClient, ListPipelineExecutionsCommand, PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import { ReleaseSizeReport } from './classify';
import { ReleaseSizeLimit } from './review-contract';
import { checkReleaseSize, releaseSizeFromHistory } from '../../runtime/release-size';

/**
 * The change-set review's release-size check: how many new source revisions reached the pipeline since the last
 * production release (the last execution that succeeded before the pending one), from the pipeline's execution
 * history, against the policy's `maxReleaseRevisions`. The counting and the verdict are the operations client's
 * (`src/runtime/release-size.ts`), shared with the CLI; this module reads the history (bounded) and words the result.
 */

/** The history read: at most `pages` pages of `pageSize` executions (CodePipeline's largest page), newest first. */
export const HISTORY_READ = { pages: 5, pageSize: 100 };

/** The executions read, newest first, and whether the read stopped at the page cap before it found what it needs. */
export interface ReleaseHistory {
  readonly summaries: readonly PipelineExecutionSummary[];
  /** Pages read. */
  readonly pages: number;
  /** True when the page cap stopped the read while more history was there and no earlier success was found. */
  readonly capped: boolean;
}

/**
 * Reads `ListPipelineExecutions` (newest first) until the page holding an execution that succeeded and started
 * before `executionId` (the last production release: nothing older counts), the end of the history, or the page cap.
 * A failed read (throttled, denied) throws: the caller treats it like its other read failures.
 */
export async function readReleaseHistory(codePipeline: CodePipelineClient, pipelineName: string, executionId: string): Promise<ReleaseHistory> {
  const summaries: PipelineExecutionSummary[] = [];
  let nextToken: string | undefined;
  for (let pages = 1; ; pages++) {
    const reply = await codePipeline.send(new ListPipelineExecutionsCommand({ pipelineName, maxResults: HISTORY_READ.pageSize, nextToken }));
    summaries.push(...(reply.pipelineExecutionSummaries ?? []));
    nextToken = reply.nextToken;
    if (nextToken === undefined || hasReleaseBefore(summaries, executionId)) {
      return { summaries, pages, capped: false };
    }
    if (pages >= HISTORY_READ.pages) {
      return { summaries, pages, capped: true };
    }
  }
}

/** Whether the pending execution is read, and an execution that succeeded started before it. */
function hasReleaseBefore(summaries: readonly PipelineExecutionSummary[], executionId: string): boolean {
  const pending = summaries.find(s => s.pipelineExecutionId === executionId);
  const start = pending?.startTime?.getTime() ?? Number.POSITIVE_INFINITY;
  return pending !== undefined && summaries.some(s => s.pipelineExecutionId !== executionId && s.status === 'Succeeded'
    && (s.startTime?.getTime() ?? Number.NEGATIVE_INFINITY) < start);
}

/** The verdict on the history read: over the limit (decided by `limit.outcome`), within it, or not determined. */
export function releaseSizeReport(history: ReleaseHistory, executionId: string, limit: ReleaseSizeLimit): ReleaseSizeReport {
  const withLimit = `limit ${limit.maxRevisions}`;
  const read = `${plural(history.summaries.length, 'execution')} read`;
  if (!history.summaries.some(s => s.pipelineExecutionId === executionId)) {
    return { text: `not determined, execution ${executionId} is not in the pipeline's history (${read}); not held for its size (${withLimit})` };
  }
  const size = releaseSizeFromHistory(history.summaries, executionId);
  if (size.lastRelease === undefined || size.newRevisions === undefined) {
    const why = history.capped
      ? `none of the ${read} (${history.pages} pages, the most the review reads) succeeded before this one`
      : `no execution succeeded before this one (${read}, the whole history), so there is no production release to count from`;
    return { text: `not determined, ${why}; not held for its size (${withLimit})` };
  }
  const counted = `${plural(size.newRevisions, 'new source revision')} since the last production release (execution ${size.lastRelease.pipelineExecutionId})`;
  // Each revision is one commit or more: more revisions than the limit is over it for certain.
  const verdict = checkReleaseSize({ newRevisions: size.newRevisions }, { maxCommits: limit.maxRevisions });
  return verdict.exceeded.length > 0
    ? { text: `${counted}, more than the limit of ${limit.maxRevisions}`, outcome: limit.outcome }
    : { text: `${counted}, within the limit of ${limit.maxRevisions}` };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
