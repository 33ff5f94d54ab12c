import { CodePipelineClient, GetPipelineExecutionCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { abortReason } from './command-signal';
import { callCodePipeline, DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, EXECUTIONS_PAGE_REPLY, PIPELINE_EXECUTION_REPLY } from './reply-shape';
import { isTerminalExecutionStatus } from '../contract';

/** Time source for waiting; tests inject a fake one. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolve after `ms`; reject with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  }),
};

export interface WaitProgress {
  readonly pipelineExecutionId: string;
  readonly status: string;
  readonly elapsedSeconds: number;
  /** 1 for the first poll. */
  readonly poll: number;
}

export interface WaitOptions {
  /** The execution to wait for. Default: the pipeline's most recent execution. */
  readonly pipelineExecutionId?: string;
  /** Give up after this long (1 s to 7 days). @default 3600 */
  readonly timeoutSeconds?: number;
  /** Time between polls (1 s to 1 hour, less than the timeout). @default 10 */
  readonly pollIntervalSeconds?: number;
  /** Called after every poll. */
  readonly onProgress?: (progress: WaitProgress) => void;
  readonly clock?: Clock;
  /** Stop waiting when this aborts (an interruption): the error says which execution and its last status. */
  readonly abortSignal?: AbortSignal;
}

export interface WaitOutcome {
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  readonly status: string;
  readonly succeeded: boolean;
  readonly statusSummary?: string;
  readonly elapsedSeconds: number;
}

/** The longest wait: CodePipeline's longest manual approval (7 days), far below Node's timer limit (~24.8 days). */
export const MAX_WAIT_TIMEOUT_SECONDS = 7 * 24 * 60 * 60;
/** The longest poll interval (1 hour). */
export const MAX_POLL_INTERVAL_SECONDS = 60 * 60;
/** The shortest timeout and interval (1 s): faster polling only spends the GetPipelineExecution rate limit. */
export const MIN_WAIT_SECONDS = 1;

function bounded(name: string, option: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value < MIN_WAIT_SECONDS || value > max) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `${name} (${option}) must be between ${MIN_WAIT_SECONDS} and ${max} seconds, got ${value}.`);
  }
  return value;
}

/**
 * Throw unless the timeout and poll interval are usable: each within its bounds, and the interval shorter than the
 * timeout (otherwise the wait would poll once and give up).
 */
export function validateWaitTiming(timeoutSeconds: number, pollIntervalSeconds: number): void {
  bounded('The wait timeout', '--timeout', timeoutSeconds, MAX_WAIT_TIMEOUT_SECONDS);
  bounded('The poll interval', '--interval', pollIntervalSeconds, MAX_POLL_INTERVAL_SECONDS);
  if (pollIntervalSeconds >= timeoutSeconds) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `The poll interval (--interval ${pollIntervalSeconds}) must be shorter than the wait timeout (--timeout ${timeoutSeconds}).`);
  }
}

async function latestExecutionId(client: CodePipelineClient, pipelineName: string): Promise<string> {
  const context = { operation: 'ListPipelineExecutions', pipelineName };
  const output = checkReply(context, await callCodePipeline(context,
    () => client.send(new ListPipelineExecutionsCommand({ pipelineName, maxResults: 1 }))), EXECUTIONS_PAGE_REPLY);
  const id = output.pipelineExecutionSummaries?.[0]?.pipelineExecutionId;
  if (!id) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND, `Pipeline '${pipelineName}' has no executions to wait for.`);
  }
  return id;
}

/**
 * Poll GetPipelineExecution until the execution reaches a terminal status or the timeout passes
 * (TIMEOUT error). The last sleep is cut to the time left, so the timeout is reported when it has passed, not before.
 * The number of polls is bounded by ceil(timeout / interval) + 1 whatever the clock does.
 * An abort of `abortSignal` stops the wait with INTERRUPTED, naming the execution and its last status.
 */
export async function waitForExecution(client: CodePipelineClient, pipelineName: string, options: WaitOptions = {}): Promise<WaitOutcome> {
  const timeoutSeconds = options.timeoutSeconds ?? 3600;
  const intervalSeconds = options.pollIntervalSeconds ?? 10;
  validateWaitTiming(timeoutSeconds, intervalSeconds);
  const timeoutMs = timeoutSeconds * 1000;
  const intervalMs = intervalSeconds * 1000;
  const clock = options.clock ?? systemClock;
  const pipelineExecutionId = options.pipelineExecutionId ?? await latestExecutionId(client, pipelineName);
  const started = clock.now();
  const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
  let status = 'Unknown';
  let elapsedMs = 0;
  const context = { operation: 'GetPipelineExecution', pipelineName };
  try {
    for (let poll = 1; poll <= maxPolls; poll++) {
      const output = checkReply(context, await callCodePipeline(context,
        () => client.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }))), PIPELINE_EXECUTION_REPLY);
      status = output.pipelineExecution?.status ?? 'Unknown';
      elapsedMs = clock.now() - started;
      options.onProgress?.({ pipelineExecutionId, status, elapsedSeconds: elapsedMs / 1000, poll });
      if (isTerminalExecutionStatus(status)) {
        return {
          pipelineName,
          pipelineExecutionId,
          status,
          succeeded: status === 'Succeeded',
          statusSummary: output.pipelineExecution?.statusSummary,
          elapsedSeconds: elapsedMs / 1000,
        };
      }
      const leftMs = timeoutMs - elapsedMs;
      if (leftMs <= 0 || poll === maxPolls) {
        break;
      }
      await clock.sleep(Math.min(intervalMs, leftMs), options.abortSignal);
    }
  } catch (error) {
    const aborted = abortReason(options.abortSignal);
    if (aborted?.kind === 'interrupted') {
      throw new DeliveryError(DeliveryErrorCode.INTERRUPTED,
        `${aborted.message} while waiting for execution ${pipelineExecutionId} of pipeline '${pipelineName}' ` +
        `(last status: ${status}, after ${Math.round((clock.now() - started) / 1000)} s). The execution goes on in CodePipeline; ` +
        `run \`cdk-delivery wait --pipeline ${pipelineName} --execution-id ${pipelineExecutionId}\` to wait again.`, { cause: error });
    }
    throw error;
  }
  const waited = Math.max(elapsedMs, clock.now() - started) / 1000;
  throw new DeliveryError(DeliveryErrorCode.TIMEOUT,
    `Timed out after ${Math.round(waited)} s (--timeout ${timeoutSeconds}) waiting for execution ${pipelineExecutionId} of pipeline '${pipelineName}' (last status: ${status}).`);
}
