#!/usr/bin/env node
import { processIo } from './io';
import { run } from './program';

export { run } from './program';
export type { CliIo, ClientFactory, ClientSettings, InterruptSignal, LogsClientFactory, OutputStream, SignalSubscriber } from './io';
export { clientConfig, defaultClientFactory, defaultLogsClientFactory, processIo, processSignals } from './io';
export { ExitCode } from './exit-codes';

/**
 * The AWS SDK prints a 9-line NodeVersionSupportWarning on Node.js < 22 (about SDK releases from 2027, not the one
 * bundled here). The CLI supports Node.js 20 and is tested on it, so it opts out through the SDK's documented
 * switch, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true, unless the caller set that variable (to `false`
 * to see the warning).
 */
export function quietSdkNodeVersionWarning(env: NodeJS.ProcessEnv): void {
  if (env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  }
}

if (require.main === module) {
  quietSdkNodeVersionWarning(process.env);
  // A reader that stops early (`cdk-delivery --help | head`) closes the pipe: end quietly instead of a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') {
        throw error;
      }
      process.exit(process.exitCode ?? 0);
    });
  }
  run(process.argv.slice(2), processIo()).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
