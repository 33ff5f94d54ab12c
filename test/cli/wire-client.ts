import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { memoryIo, MemoryIoOptions } from './memory-io';
import { clientConfig, InterruptSignal } from '../../src/cli/main';
import { FakeCodePipelineFixture } from '../runtime/fake-codepipeline-server';

/**
 * The CLI in-process with the clients it would build (clientConfig: request timeout, the SDK's retry strategy)
 * pointed at the local JSON 1.1 server, and a signal source the test can fire.
 */
export function wireCli(fake: FakeCodePipelineFixture, options: Omit<MemoryIoOptions, 'client'> = {}) {
  const t = memoryIo(options);
  const listeners: Array<(signal: InterruptSignal) => void> = [];
  const io = {
    ...t.io,
    createClient: (settings: Parameters<typeof clientConfig>[0]) => {
      t.clientSettings.push(settings);
      return new CodePipelineClient({
        ...clientConfig(settings),
        region: 'eu-west-1',
        endpoint: fake.server.endpoint,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
    },
    // The CloudWatch Logs client (a change-set review's summary) talks to the same server (target Logs_20140328.*).
    createLogsClient: (settings: Parameters<typeof clientConfig>[0]) => new CloudWatchLogsClient({
      ...clientConfig(settings),
      region: 'eu-west-1',
      endpoint: fake.server.endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    }),
    onSignal: (listener: (signal: InterruptSignal) => void) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
  return {
    ...t,
    io,
    /** Deliver a signal as the process would. */
    interrupt: (signal: InterruptSignal) => [...listeners].forEach((listener) => listener(signal)),
    /** Signal handlers still installed (the CLI removes its own when the command ends). */
    listeners,
  };
}
