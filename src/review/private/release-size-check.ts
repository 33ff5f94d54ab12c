import { ReleaseSizeReport } from './classify';
import { ReleaseSizeLimit } from './review-contract';
import { checkReleaseSize, ReleaseHistory, releaseSizeFromHistory } from '../../runtime/release-size';

/**
 * The change-set review's release-size check: how many new source revisions reached the pipeline since the last
 * production release (the last execution that succeeded before the pending one), from the pipeline's execution
 * history, against the policy's `maxReleaseRevisions`. Reading the history (bounded), the counting and the verdict
 * are the operations client's (`src/runtime/release-size.ts`), shared with the CLI; this module words the result.
 */

/** The verdict on the history read: over the limit (decided by `limit.outcome`), within it, or not determined. */
export function releaseSizeReport(history: ReleaseHistory, executionId: string, limit: ReleaseSizeLimit): ReleaseSizeReport {
  const withLimit = `limit ${limit.maxRevisions}`;
  const read = `${plural(history.summaries.length, 'execution')} read`;
  if (!history.summaries.some(s => s.pipelineExecutionId === executionId)) {
    return { text: `not determined, execution ${executionId} is not in the pipeline's history (${read}); not held for its size (${withLimit})` };
  }
  const size = releaseSizeFromHistory(history.summaries, executionId);
  if (size.lastRelease === undefined || size.newRevisions === undefined) {
    const why = !history.complete
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
