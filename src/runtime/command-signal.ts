import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';

/**
 * Why a command stopped before CodePipeline answered: its overall deadline passed, or the user interrupted it
 * (SIGINT, SIGTERM). Used as the `reason` of the command's AbortSignal and thrown by every SDK call made after it.
 */
export class CommandAborted extends Error {
  /** A deadline of `seconds`. */
  public static deadline(seconds: number): CommandAborted {
    return new CommandAborted('deadline', `The command deadline of ${seconds} s passed`, seconds, undefined);
  }

  /** An interruption by `signalName` (e.g. `SIGINT`). */
  public static interrupted(signalName: string): CommandAborted {
    return new CommandAborted('interrupted', `Interrupted by ${signalName}`, undefined, signalName);
  }

  private constructor(
    public readonly kind: 'deadline' | 'interrupted',
    message: string,
    public readonly seconds: number | undefined,
    public readonly signalName: string | undefined,
  ) {
    super(message);
    this.name = 'CommandAborted';
  }
}

/** The abort reason of `signal` as a `CommandAborted`, if it is one. */
export function abortReason(signal: AbortSignal | undefined): CommandAborted | undefined {
  return signal?.aborted && signal.reason instanceof CommandAborted ? signal.reason : undefined;
}

/** Resolve with `promise`, or reject with the signal's reason as soon as it aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) {
    return promise;
  }
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

const SMITHY_CONTEXT_KEY = '__smithy_context';

/**
 * Bound every call the client makes, retries and backoff included, by `signal`: once it aborts, the call in
 * flight rejects with the signal's reason and no further attempt starts. A call that passes its own
 * `abortSignal` in the send options is bounded by that one instead (used to confirm an uncertain outcome after
 * the command's signal has fired). Close the client afterwards (`client.destroy()`) to drop a request that hangs.
 */
export function boundClientBySignal(client: CodePipelineClient | CloudWatchLogsClient, signal: AbortSignal): void {
  // The middleware reads neither the service's input nor its output: typed as CodePipeline's, it serves every client.
  (client as CodePipelineClient).middlewareStack.add((next, context) => async (args) => {
    const smithy = (context as Record<string, unknown>)[SMITHY_CONTEXT_KEY] as { abortSignal?: AbortSignal } | undefined;
    let effective = signal;
    if (smithy) {
      effective = smithy.abortSignal ?? signal;
      // The SDK's retry middleware reads the signal here: no retry or backoff once it fired.
      smithy.abortSignal = effective;
    }
    // Once the signal fired nothing more is sent: not even a first attempt (a change must never go out after Ctrl-C).
    if (effective.aborted) {
      return Promise.reject(effective.reason);
    }
    return raceSignal(next(args), effective);
  }, { step: 'initialize', name: 'cdkDeliveryCommandSignal', override: true });
}
