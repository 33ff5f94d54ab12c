import { CloudWatchLogsClient, FilteredLogEvent, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { PendingApproval } from './approvals';
import { CommandAborted } from './command-signal';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { decisionFilterPattern, logGroupOfDecisionLink, parseDecisionLine } from '../review/review-decision';

/**
 * What the change-set review decided for a pending `Review` approval, read back from the review function's log group.
 * CodePipeline cannot change a pending approval's text, so the review's summary lives in its decision line
 * (src/review/private/review-contract.ts); the approval's review link names the log group.
 */
export interface ReviewDecision {
  /** `HOLD` for an approval that waits for a person (CONTINUE and FAIL decide the approval themselves). */
  readonly decision: string;
  /** The environment the review read. */
  readonly environment: string;
  /** The review's whole summary, terminal control characters removed (it quotes names from the templates). */
  readonly summary: string;
  /** When the function logged it (ISO 8601). */
  readonly loggedAt?: string;
  /** The log group it was read from. */
  readonly logGroupName: string;
}

/** What reading the decision gave: the decision, or why it is not shown. */
export interface ReviewDecisionRead {
  readonly decision?: ReviewDecision;
  /** Why there is no decision (no permission, no line yet): a gap of the approval's description, never a failure. */
  readonly gap?: string;
}

/** The search starts this long before the approval started waiting (clocks of the two services differ a little). */
export const SEARCH_MARGIN_MS = 5 * 60 * 1000;

/** FilterLogEvents may answer pages without events while it scans: at most this many pages are read. */
export const MAX_LOG_PAGES = 10;

/**
 * Terminal control characters: C0 (but the line feed) and C1 controls, DEL, and the bidirectional overrides and
 * isolates that reorder what a terminal shows. A summary quotes resource and stack names, which come from the
 * templates: a name with an escape sequence must not rewrite the approver's screen.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without terminal control characters (tabs become spaces; line feeds stay). */
export function withoutControlCharacters(text: string): string {
  return text.replace(/\t/g, ' ').replace(CONTROL_CHARACTERS, '');
}

/**
 * The decision of the review behind `reviewUrl` for `approval`'s execution, or undefined when the URL is not a review
 * link (the approval is not a change-set review's). Whatever cannot be read is a gap that says why and what to do;
 * only the command's deadline and interruptions end the command.
 */
export async function readReviewDecision(
  logs: CloudWatchLogsClient | undefined, pipelineName: string, approval: PendingApproval, reviewUrl: string,
): Promise<ReviewDecisionRead | undefined> {
  const target = logGroupOfDecisionLink(reviewUrl);
  if (target === undefined) {
    return undefined;
  }
  const { logGroupName } = target;
  const where = `log group ${logGroupName}`;
  const executionId = approval.pipelineExecutionId;
  if (executionId === undefined) {
    return { gap: `The review's summary is in ${where}, but the stage ${approval.stageName} reports no execution id to look it up by.` };
  }
  if (logs === undefined) {
    return { gap: `The review's summary is in ${where} (see the review link); this client was given no CloudWatch Logs client to read it.` };
  }
  const started = approval.waitingSince === undefined ? undefined : Date.parse(approval.waitingSince);
  const startTime = started === undefined || Number.isNaN(started) ? undefined : started - SEARCH_MARGIN_MS;
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  try {
    do {
      const page = await logs.send(new FilterLogEventsCommand({
        logGroupName, filterPattern: decisionFilterPattern(executionId), startTime, nextToken,
      }));
      events.push(...(Array.isArray(page.events) ? page.events : []));
      nextToken = typeof page.nextToken === 'string' && page.nextToken !== '' ? page.nextToken : undefined;
      pages += 1;
    } while (nextToken !== undefined && pages < MAX_LOG_PAGES);
  } catch (error) {
    return { gap: readFailure(error, target, pipelineName) };
  }
  const lines = events
    .map(event => ({ event, line: typeof event.message === 'string' ? parseDecisionLine(event.message) : undefined }))
    .filter(({ line }) => line !== undefined && line.executionId === executionId && line.pipeline === pipelineName
      && line.stage === approval.stageName && line.action === approval.actionName)
    .sort((a, b) => timeOf(a.event) - timeOf(b.event));
  const latest = lines[lines.length - 1];
  if (latest?.line === undefined) {
    const more = nextToken !== undefined ? ` in the first ${MAX_LOG_PAGES} pages of FilterLogEvents` : '';
    return {
      gap: `No decision of the change-set review for execution ${executionId} in ${where}${more} yet: the review runs when the approval starts `
        + '(it may still be reading the change sets; run the command again in a minute). If it stays missing, look at the review function\'s '
        + 'dead-letter queue alarm: the approval then waits for a person without a summary.',
    };
  }
  const timestamp = timeOf(latest.event);
  return {
    decision: {
      decision: latest.line.decision,
      environment: withoutControlCharacters(latest.line.environment),
      summary: withoutControlCharacters(latest.line.summary),
      ...(timestamp > 0 ? { loggedAt: new Date(timestamp).toISOString() } : {}),
      logGroupName,
    },
  };
}

/** When the event was logged (epoch milliseconds); 0 when the reply does not say. */
function timeOf(event: FilteredLogEvent): number {
  return typeof event.timestamp === 'number' && Number.isFinite(event.timestamp) ? event.timestamp : 0;
}

/** Why FilterLogEvents failed, as a gap; the deadline and interruptions end the command (nothing was changed). */
function readFailure(error: unknown, target: { readonly region: string; readonly logGroupName: string }, pipelineName: string): string {
  const { logGroupName } = target;
  if (error instanceof CommandAborted) {
    throw new DeliveryError(error.kind === 'interrupted' ? DeliveryErrorCode.INTERRUPTED : DeliveryErrorCode.TIMEOUT,
      `${error.message} while reading the change-set review's decision from log group ${logGroupName} (pipeline '${pipelineName}'). Nothing was changed.`,
      { cause: error });
  }
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error && error.message ? `: ${error.message.split('\n')[0]}` : '';
  const read = `The review's summary could not be read from log group ${logGroupName}`;
  if (name === 'AccessDeniedException') {
    return `${read}: access denied (${name})${detail}. Allow logs:FilterLogEvents on that log group to see it here, or open the review link.`;
  }
  if (name === 'ResourceNotFoundException') {
    return `${read}: it does not exist (${name})${detail}. Check --region: the review link puts it in ${target.region}.`;
  }
  return `${read} (${name})${detail}. Open the review link to read it in the console.`;
}
