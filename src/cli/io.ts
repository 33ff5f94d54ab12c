import { promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient, CodePipelineClientConfig } from '@aws-sdk/client-codepipeline';
import { Clock, systemClock } from '../runtime/wait-for-execution';

/** Where the CLI writes: process.stdout/stderr, or a buffer in tests. */
export interface OutputStream {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

/** How the CLI builds its SDK client. */
export interface ClientSettings {
  readonly region?: string;
  readonly profile?: string;
  /** Per-request timeout in milliseconds. */
  readonly requestTimeoutMs: number;
}

export type ClientFactory = (settings: ClientSettings) => CodePipelineClient;

/** How the CLI builds the CloudWatch Logs client that reads a change-set review's summary. */
export type LogsClientFactory = (settings: ClientSettings) => CloudWatchLogsClient;

/** The signals that interrupt a command. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** Call `listener` on the first SIGINT or SIGTERM; returns a function that stops listening. */
export type SignalSubscriber = (listener: (signal: InterruptSignal) => void) => () => void;

/** Everything the CLI touches outside itself, injectable for in-process tests. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly createClient: ClientFactory;
  /**
   * The client `status`, `approve` and `reject` read a change-set review's summary with. Absent: the summary is not
   * read, and the approval's gaps say where it is.
   */
  readonly createLogsClient?: LogsClientFactory;
  readonly clock: Clock;
  readonly readFile: (path: string) => Promise<string>;
  /** The lines of a text file, without line ends, read as a stream (a file larger than a string can hold works). */
  readonly readLines: (path: string) => AsyncIterable<string>;
  /** Write a file from chunks, one after the other (never joined into one string). */
  readonly writeChunks: (path: string, chunks: Iterable<string>) => Promise<void>;
  /** Where interruptions come from. Default: none (in-process callers that do not handle signals). */
  readonly onSignal?: SignalSubscriber;
  /**
   * Ask a yes/no question and resolve true only for yes. Absent when nobody can answer (stdin is not a terminal):
   * then a change that needs a confirmation needs `--yes`.
   */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** A yes/no question on the terminal (asked on stderr, answered on stdin); undefined when stdin is not a terminal. */
export function terminalConfirm(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WritableStream = process.stderr):
((question: string) => Promise<boolean>) | undefined {
  if (!input.isTTY) {
    return undefined;
  }
  return (question) => new Promise((resolve) => {
    const rl = createInterface({ input, output });
    let answer: boolean | undefined;
    // Ctrl-C at the question (the terminal is in raw mode: no SIGINT reaches the process) declines.
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => resolve(answer ?? false));
    rl.question(question, (text) => {
      answer = /^(y|yes)$/i.test(text.trim());
      rl.close();
    });
  });
}

/**
 * SIGINT and SIGTERM of this process. Each handler is installed once: a second Ctrl-C gets Node's default
 * behaviour (the process ends at once).
 */
export const processSignals: SignalSubscriber = (listener) => {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => listener(signal);
    process.once(signal, handler);
    return { signal, handler };
  });
  return () => handlers.forEach(({ signal, handler }) => process.removeListener(signal, handler));
};

/**
 * The SDK client as the CLI uses it: the SDK's own credential chain (with `profile`), region resolution,
 * retry strategy (AWS_MAX_ATTEMPTS, default 3 attempts) and endpoint resolution, which honours
 * AWS_ENDPOINT_URL_CODEPIPELINE and AWS_ENDPOINT_URL. A request that takes longer than the timeout fails.
 */
export function clientConfig(settings: ClientSettings): CodePipelineClientConfig {
  return {
    region: settings.region,
    profile: settings.profile,
    requestHandler: { requestTimeout: settings.requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

export const defaultClientFactory: ClientFactory = (settings) => new CodePipelineClient(clientConfig(settings));

/** The CloudWatch Logs client with the same settings (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL point it elsewhere). */
export const defaultLogsClientFactory: LogsClientFactory = (settings) => new CloudWatchLogsClient(clientConfig(settings));

/** The lines of a UTF-8 text file, streamed; opening fails (ENOENT, EACCES) before the first line. */
export async function* fileLines(path: string): AsyncGenerator<string> {
  const handle = await fs.open(path, 'r');
  try {
    yield* handle.readLines({ encoding: 'utf8', autoClose: false });
  } finally {
    await handle.close();
  }
}

/** Write the chunks to a new file (replacing one that exists), each awaited before the next. */
export async function writeFileChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const handle = await fs.open(path, 'w');
  try {
    for (const chunk of chunks) {
      await handle.write(chunk, null, 'utf8');
    }
  } finally {
    await handle.close();
  }
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    createClient: defaultClientFactory,
    createLogsClient: defaultLogsClientFactory,
    clock: systemClock,
    readFile: (path) => fs.readFile(path, 'utf8'),
    readLines: fileLines,
    writeChunks: writeFileChunks,
    onSignal: processSignals,
    confirm: terminalConfirm(),
  };
}
