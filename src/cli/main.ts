#!/usr/bin/env node
import { processIo } from './io';
import { run } from './program';

export { run } from './program';
export type { CliIo, ClientFactory, ClientSettings, OutputStream } from './io';
export { clientConfig, defaultClientFactory, processIo } from './io';
export { ExitCode } from './exit-codes';

if (require.main === module) {
  run(process.argv.slice(2), processIo()).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
