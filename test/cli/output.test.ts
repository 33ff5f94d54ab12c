import { memoryIo } from './memory-io';
import { formatDuration, formatPercent } from '../../src/cli/format';
import { ExitCode, run } from '../../src/cli/main';
import { WaitProgressReporter } from '../../src/cli/progress';
import { Style } from '../../src/cli/style';

describe('Style', () => {
  test.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
  ])('GIVEN isTTY=%s and env %j WHEN styled THEN colour is %s', (isTTY, env, color) => {
    const style = Style.for({ isTTY, write: () => true }, env);

    expect(style.color).toBe(color);
    expect(style.red('x')).toBe(color ? '\u001b[31mx\u001b[39m' : 'x');
    expect(style.tableStyle()).toEqual(color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] });
  });
});

describe('format', () => {
  test.each([
    [null, 'n/a'], [0, '0s'], [59.4, '59s'], [450, '7m 30s'], [5400, '1h 30m'], [180_000, '2d 2h'],
  ])('GIVEN %p seconds WHEN formatted THEN %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  test.each([[null, 'n/a'], [0.836, '83.6 %'], [1, '100.0 %']])('GIVEN %p WHEN formatted as percent THEN %s', (fraction, text) => {
    expect(formatPercent(fraction)).toBe(text);
  });
});

describe('WaitProgressReporter', () => {
  test('GIVEN a TTY WHEN progress is reported THEN one line is redrawn in place and cleared at the end', () => {
    const chunks: string[] = [];
    const reporter = new WaitProgressReporter({ isTTY: true, write: (c) => chunks.push(c) }, new Style(false));

    reporter.update({ pipelineExecutionId: 'e1', status: 'InProgress', elapsedSeconds: 0, poll: 1 });
    reporter.update({ pipelineExecutionId: 'e1', status: 'InProgress', elapsedSeconds: 10, poll: 2 });
    reporter.finish();

    expect(chunks.slice(0, 2).every((c) => c.startsWith('\r\u001b[2K') && c.includes('Waiting for execution e1: InProgress'))).toBe(true);
    expect(chunks[chunks.length - 1]).toBe('\r\u001b[2K');
    expect(chunks.every((c) => !c.includes('\n'))).toBe(true);
  });

  test('GIVEN no TTY WHEN the same status repeats THEN only changes are printed, one line each', () => {
    const chunks: string[] = [];
    const reporter = new WaitProgressReporter({ isTTY: false, write: (c) => chunks.push(c) }, new Style(false));

    reporter.update({ pipelineExecutionId: 'e1', status: 'InProgress', elapsedSeconds: 0, poll: 1 });
    reporter.update({ pipelineExecutionId: 'e1', status: 'InProgress', elapsedSeconds: 10, poll: 2 });
    reporter.update({ pipelineExecutionId: 'e1', status: 'Failed', elapsedSeconds: 20, poll: 3 });
    reporter.finish();

    expect(chunks).toEqual(['Waiting for execution e1: InProgress (0s elapsed)\n', 'Waiting for execution e1: Failed (20s elapsed)\n']);
  });
});

describe('unexpected errors', () => {
  test('GIVEN a failure that is not a DeliveryError WHEN a command runs THEN it is reported as unexpected with exit 1', async () => {
    const t = memoryIo();

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toBe('error: Unexpected error: This command must not create an AWS client\n');
  });
});
