import { CodePipelineClient, GetPipelineExecutionCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { callCodePipeline, DeliveryError, DeliveryErrorCode } from './errors';
import { isTerminalExecutionStatus } from '../contract';

/** Time source for waiting; tests inject a fake one. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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
  /** Give up after this long. @default 3600 */
  readonly timeoutSeconds?: number;
  /** Time between polls. @default 10 */
  readonly pollIntervalSeconds?: number;
  /** Called after every poll. */
  readonly onProgress?: (progress: WaitProgress) => void;
  readonly clock?: Clock;
}

export interface WaitOutcome {
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  readonly status: string;
  readonly succeeded: boolean;
  readonly statusSummary?: string;
  readonly elapsedSeconds: number;
}


async function latestExecutionId(client: CodePipelineClient, pipelineName: string): Promise<string> {
  const output = await callCodePipeline({ operation: 'ListPipelineExecutions', pipelineName },
    () => client.send(new ListPipelineExecutionsCommand({ pipelineName, maxResults: 1 })));
  const id = output.pipelineExecutionSummaries?.[0]?.pipelineExecutionId;
  if (!id) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND, `Pipeline '${pipelineName}' has no executions to wait for.`);
  }
  return id;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, `${name} must be a positive number of seconds, got ${value}.`);
  }
  return value;
}

/**
 * Poll GetPipelineExecution until the execution reaches a terminal status or the timeout passes
 * (TIMEOUT error). The number of polls is bounded by timeout / interval + 1 whatever the clock does.
 */
export async function waitForExecution(client: CodePipelineClient, pipelineName: string, options: WaitOptions = {}): Promise<WaitOutcome> {
  const timeoutMs = positive('The wait timeout', options.timeoutSeconds ?? 3600) * 1000;
  const intervalMs = positive('The poll interval', options.pollIntervalSeconds ?? 10) * 1000;
  const clock = options.clock ?? systemClock;
  const pipelineExecutionId = options.pipelineExecutionId ?? await latestExecutionId(client, pipelineName);
  const started = clock.now();
  const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
  let status = 'Unknown';
  for (let poll = 1; poll <= maxPolls; poll++) {
    const output = await callCodePipeline({ operation: 'GetPipelineExecution', pipelineName },
      () => client.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId })));
    status = output.pipelineExecution?.status ?? 'Unknown';
    const elapsedMs = clock.now() - started;
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
    if (elapsedMs + intervalMs > timeoutMs || poll === maxPolls) {
      break;
    }
    await clock.sleep(intervalMs);
  }
  throw new DeliveryError(DeliveryErrorCode.TIMEOUT,
    `Timed out after ${timeoutMs / 1000} s waiting for execution ${pipelineExecutionId} of pipeline '${pipelineName}' (last status: ${status}).`);
}
