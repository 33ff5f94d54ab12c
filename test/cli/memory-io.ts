import { promises as fs } from 'node:fs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CliIo, ClientSettings, fileLines } from '../../src/cli/io';
import { Clock } from '../../src/runtime/wait-for-execution';

export interface MemoryIoOptions {
  /** The client the CLI gets; without one, creating a client fails the test. */
  readonly client?: CodePipelineClient;
  readonly env?: Record<string, string | undefined>;
  readonly tty?: boolean;
  readonly now?: number;
  /** How a person at the terminal answers a confirmation; without one, nobody can be asked (stdin is not a terminal). */
  readonly answer?: boolean;
}

/** The lines of a text written by the CLI, as `readLines` gives a file's. */
async function* memoryLines(text: string): AsyncGenerator<string> {
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  yield* (lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines);
}

/** An in-memory CliIo: captured stdout/stderr, recorded client settings and written files, a fake clock. */
export function memoryIo(options: MemoryIoOptions = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const clientSettings: ClientSettings[] = [];
  const written = new Map<string, string>();
  const questions: string[] = [];
  let now = options.now ?? Date.parse('2025-05-26T00:00:00Z');
  const clock: Clock = { now: () => now, sleep: async (ms) => { now += ms; } };
  const io: CliIo = {
    stdout: { isTTY: options.tty ?? false, write: (chunk) => stdout.push(chunk) },
    stderr: { isTTY: options.tty ?? false, write: (chunk) => stderr.push(chunk) },
    env: options.env ?? {},
    createClient: (settings) => {
      clientSettings.push(settings);
      if (!options.client) {
        throw new Error('This command must not create an AWS client');
      }
      return options.client;
    },
    clock,
    readFile: (path) => fs.readFile(path, 'utf8'),
    readLines: (path) => written.has(path) ? memoryLines(written.get(path) ?? '') : fileLines(path),
    writeChunks: async (path, chunks) => { written.set(path, [...chunks].join('')); },
    ...(options.answer === undefined ? {} : {
      confirm: async (question: string) => {
        questions.push(question);
        return options.answer ?? false;
      },
    }),
  };
  return {
    io,
    stdout: () => stdout.join(''),
    stderr: () => stderr.join(''),
    clientSettings,
    written,
    /** The confirmation questions asked. */
    questions,
  };
}
