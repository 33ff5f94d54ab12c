/**
 * `npm run test:profile`: where the test suite's time goes. Runs jest with its JSON output (or reads one written
 * earlier, `--from <file>`, e.g. CI's .ci-out/jest.json) and prints each suite's wall time, slowest first, with
 * its test count, then the sum of suite times against the run's wall time (their ratio is the parallelism jest got).
 *
 * Usage:
 *   npm run test:profile                       run the whole suite, print the 15 slowest suites
 *   npm run test:profile -- --top 50           more rows
 *   npm run test:profile -- --from FILE        print a profile from a jest --json file, run nothing
 *   npm run test:profile -- test/cli           extra arguments go to jest (a path filter, --maxWorkers=1, ...)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The part of jest's `--json` output this script reads. */
interface JestJson {
  readonly startTime: number;
  readonly numTotalTests: number;
  readonly numFailedTests: number;
  readonly testResults: ReadonlyArray<{
    readonly name: string;
    readonly startTime: number;
    readonly endTime: number;
    readonly assertionResults: readonly unknown[];
  }>;
}

export interface SuiteTime {
  readonly file: string;
  readonly seconds: number;
  readonly tests: number;
}

/** Suite times, slowest first, from jest's JSON output (paths relative to the project the run was made in). */
export function suiteTimes(result: JestJson, root: string): SuiteTime[] {
  const rootOf = (file: string) => {
    const at = file.lastIndexOf(`${path.sep}test${path.sep}`);
    return at >= 0 ? file.slice(0, at) : root;
  };
  return result.testResults
    .map(r => ({ file: path.relative(rootOf(r.name), r.name), seconds: (r.endTime - r.startTime) / 1000, tests: r.assertionResults.length }))
    .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file));
}

/** The printed profile: a row per suite (the `top` slowest), then totals. */
export function formatProfile(result: JestJson, root: string, top: number): string {
  const suites = suiteTimes(result, root);
  const width = Math.max(5, ...suites.slice(0, top).map(s => s.file.length));
  const rows = suites.slice(0, top).map(s => `${s.file.padEnd(width)}  ${s.seconds.toFixed(1).padStart(7)}  ${String(s.tests).padStart(5)}`);
  const sum = suites.reduce((total, s) => total + s.seconds, 0);
  const wall = (lastEnd(result) - result.startTime) / 1000;
  return [
    `${'suite'.padEnd(width)}  ${'seconds'.padStart(7)}  ${'tests'.padStart(5)}`,
    ...rows,
    suites.length > top ? `... ${suites.length - top} more suites` : undefined,
    `${suites.length} suites, ${result.numTotalTests} tests (${result.numFailedTests} failed); suite time ${sum.toFixed(1)} s, wall ${wall.toFixed(1)} s, parallelism ${(wall > 0 ? sum / wall : 0).toFixed(2)}`,
  ].filter((line): line is string => line !== undefined).join('\n');
}

function lastEnd(result: JestJson): number {
  return result.testResults.reduce((latest, r) => Math.max(latest, r.endTime), result.startTime);
}

function main(argv: string[]): number {
  const root = path.join(__dirname, '..');
  let top = 15;
  let from: string | undefined;
  const jestArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') {
      top = Number(argv[++i]);
      if (!Number.isInteger(top) || top < 1) throw new Error(`--top: '${argv[i]}' is not a positive whole number.`);
    } else if (argv[i] === '--from') {
      from = argv[++i];
      if (from === undefined) throw new Error('--from: give the path of a jest --json output file.');
    } else {
      jestArgs.push(argv[i]);
    }
  }
  let status = 0;
  if (from === undefined) {
    from = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'test-profile-')), 'jest.json');
    const run = spawnSync(path.join(root, 'node_modules', '.bin', 'jest'), ['--ci', '--json', `--outputFile=${from}`, ...jestArgs], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    status = run.status ?? 1;
  }
  console.log(formatProfile(JSON.parse(fs.readFileSync(from, 'utf-8')) as JestJson, root, top));
  return status;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
