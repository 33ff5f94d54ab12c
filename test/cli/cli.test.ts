import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  InvalidApprovalTokenException,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  ListTagsForResourceCommand,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { memoryIo } from './memory-io';
import { ExitCode, run } from '../../src/cli/main';
import { approvalStage, ARN, finishedStage, mockedOperations, pipelineDefinition, state } from '../runtime/sdk-fixtures';

const EXAMPLE_HISTORY = join(__dirname, '..', '..', 'examples', 'history', 'pipeline-history.json');
const ESC = '\u001b[';

function mocked() {
  const { client, mock } = mockedOperations();
  return { client, mock };
}

function statusMocks(mock: ReturnType<typeof mocked>['mock']) {
  mock.on(GetPipelineCommand).resolves(pipelineDefinition(['Source', 'Build', 'Staging', 'Production']));
  mock.on(GetPipelineStateCommand).resolves(state([
    finishedStage('Source', 'Succeeded', ['Source']),
    finishedStage('Build', 'Succeeded', ['Synth']),
    approvalStage('Staging', 'PromoteToProduction', 'tok-1'),
    { stageName: 'Production', inboundTransitionState: { enabled: false, disabledReason: 'Quarter end', lastChangedBy: 'ops' }, actionStates: [{ actionName: 'Deploy' }] },
  ]));
  mock.on(ListTagsForResourceCommand, { resourceArn: ARN }).resolves({ tags: [{ key: 'release-mode', value: 'continuous-delivery' }] });
}

describe('cdk-delivery usage', () => {
  test('GIVEN --help WHEN run THEN every subcommand and the exit codes are listed on stdout, exit 0', async () => {
    const t = memoryIo();

    const code = await run(['--help'], t.io);

    expect(code).toBe(ExitCode.OK);
    for (const command of ['status', 'approve', 'reject', 'freeze', 'unfreeze', 'release', 'wait', 'metrics', 'export']) {
      expect(t.stdout()).toContain(`  ${command} [options]`);
    }
    expect(t.stdout()).toContain('Exit codes:');
    expect(t.stdout()).toContain('6    conflict: the approval was already decided (by someone else) or its token is no longer valid');
    expect(t.stdout()).toContain('130  interrupted by SIGINT (Ctrl-C) or SIGTERM');
  });

  test('GIVEN a subcommand --help WHEN run THEN its options are shown, exit 0', async () => {
    const t = memoryIo();

    expect(await run(['freeze', '--help'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('--reason <text>');
    expect(t.stdout()).toContain('--pipeline <name>');
    expect(t.stdout()).toContain('--json');
  });

  test('GIVEN no subcommand WHEN run THEN help goes to stderr and the exit is 2', async () => {
    const t = memoryIo();

    expect(await run([], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain('Usage: cdk-delivery [options] [command]');
    expect(t.stdout()).toBe('');
  });

  test('GIVEN a misspelt subcommand WHEN run THEN it suggests the right one, exit 2', async () => {
    const t = memoryIo();

    expect(await run(['stauts'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain("error: unknown command 'stauts'\n(Did you mean status?)");
  });

  test('GIVEN no --pipeline WHEN status runs THEN it says which option is missing, exit 2, no client created', async () => {
    const t = memoryIo();

    expect(await run(['status'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe('error: Missing --pipeline <name>: the name of the pipeline to operate.\n');
    expect(t.clientSettings).toEqual([]);
  });

  test('GIVEN --version WHEN run THEN the package version is printed, exit 0', async () => {
    const t = memoryIo();

    expect(await run(['--version'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('cdk-delivery status', () => {
  test('GIVEN a pipeline WHEN status runs THEN a table shows stages, the pending approval and the freeze; the client gets region, profile, timeout', async () => {
    const { client, mock } = mocked();
    statusMocks(mock);
    const t = memoryIo({ client });

    const code = await run(['status', '--pipeline', 'my-app', '--region', 'eu-west-1', '--profile', 'ops', '--request-timeout', '12'], t.io);

    expect(code).toBe(ExitCode.OK);
    expect(t.clientSettings).toEqual([{ region: 'eu-west-1', profile: 'ops', requestTimeoutMs: 12_000 }]);
    const out = t.stdout();
    expect(out).toContain('Pipeline my-app: continuous-delivery, version 7');
    expect(out).toMatch(/│ Staging\s+│ InProgress\s+│ open\s+│ PromoteToProduction: InProgress/);
    expect(out).toMatch(/│ Production \(prod\)\s+│ NotStarted\s+│ frozen\s+│ Deploy: NotStarted/);
    expect(out).toContain('Pending approvals:\n  Staging/PromoteToProduction (execution exec-1, waiting since 2025-03-01T10:00:00.000Z)');
    expect(out).toContain('Frozen: Production by ops: Quarter end');
    expect(out).not.toContain(ESC);
  });

  test('GIVEN --json WHEN status runs THEN stdout is the status object', async () => {
    const { client, mock } = mocked();
    statusMocks(mock);
    const t = memoryIo({ client });

    expect(await run(['status', '--pipeline', 'my-app', '--json'], t.io)).toBe(ExitCode.OK);
    const parsed = JSON.parse(t.stdout());
    expect(parsed).toMatchObject({
      pipelineName: 'my-app',
      releaseMode: 'continuous-delivery',
      pendingApprovals: [{ stageName: 'Staging', actionName: 'PromoteToProduction', token: 'tok-1' }],
      disabledTransitions: [{ stageName: 'Production', reason: 'Quarter end' }],
    });
  });

  test('GIVEN a TTY WHEN status runs THEN statuses are coloured; NO_COLOR turns colours off', async () => {
    const { client, mock } = mocked();
    statusMocks(mock);
    const coloured = memoryIo({ client, tty: true });
    const plain = memoryIo({ client, tty: true, env: { NO_COLOR: '1' } });

    await run(['status', '--pipeline', 'my-app'], coloured.io);
    await run(['status', '--pipeline', 'my-app'], plain.io);

    expect(coloured.stdout()).toContain(`${ESC}32mSucceeded${ESC}39m`);
    expect(plain.stdout()).not.toContain(ESC);
    expect(plain.stdout()).toContain('Succeeded');
  });

  test('GIVEN an AccessDeniedException WHEN status runs with --json THEN stderr has a JSON error and the exit is 4', async () => {
    const { client, mock } = mocked();
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    mock.on(GetPipelineCommand).rejects(denied);
    mock.on(GetPipelineStateCommand).rejects(denied);
    const t = memoryIo({ client });

    expect(await run(['status', '--pipeline', 'my-app', '--json'], t.io)).toBe(ExitCode.ACCESS_DENIED);
    expect(t.stdout()).toBe('');
    expect(JSON.parse(t.stderr())).toEqual({
      error: {
        code: 'ACCESS_DENIED',
        exitCode: 4,
        message: "Access denied for GetPipeline on pipeline 'my-app' (AccessDeniedException): not authorized. " +
          'Check your credentials (--profile, AWS_PROFILE) and that their policy allows codepipeline:GetPipeline.',
      },
    });
  });
});

/** The first release of a CodeCommit pipeline: one revision (the summary is the message itself), no earlier success. */
function firstRelease(mock: ReturnType<typeof mocked>['mock']) {
  mock.on(GetPipelineExecutionCommand).resolves({
    pipelineExecution: { pipelineExecutionId: 'exec-1', artifactRevisions: [{ name: 'Source', revisionId: '0123456789abcdef0123456789abcdef01234567', revisionSummary: 'First release' }] },
  });
  mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
  mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [{ pipelineExecutionId: 'exec-1', status: 'InProgress' }] });
}

const FIRST_RELEASE = '  commit   0123456789ab: First release\n' +
  '  author   not reported by CodePipeline; pass --repo <clone> to see who\n' +
  '  size     unknown: no earlier execution succeeded, so no production release to measure against\n';

describe('cdk-delivery approve / reject', () => {
  test('GIVEN one pending approval WHEN approve runs THEN it is approved with the default summary, exit 0', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Staging', 'PromoteToProduction', 'tok-1')]));
    mock.on(PutApprovalResultCommand).resolves({ approvedAt: new Date('2025-05-26T10:00:00Z') });
    firstRelease(mock);
    const t = memoryIo({ client });

    expect(await run(['approve', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toBe('Approved Staging/PromoteToProduction of execution exec-1 in pipeline my-app: "Approved with cdk-delivery"\n' + FIRST_RELEASE);
    expect(mock.commandCalls(PutApprovalResultCommand)[0].args[0].input.result).toEqual({ status: 'Approved', summary: 'Approved with cdk-delivery' });
  });

  test('GIVEN nothing pending WHEN approve runs THEN it says so, exit 3', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineStateCommand).resolves(state([finishedStage('Production')]));
    const t = memoryIo({ client });

    expect(await run(['approve', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.NOT_FOUND);
    expect(t.stderr()).toBe("error: No approval is pending in pipeline 'my-app'.\n");
  });

  test('GIVEN two pending approvals WHEN approve runs without --stage THEN it lists them, exit 2', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production-eu', 'Approve', 'a'), approvalStage('Production-us', 'Approve', 'b')]));
    const t = memoryIo({ client });

    expect(await run(['approve', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain('2 approvals are pending in pipeline \'my-app\': Production-eu/Approve, Production-us/Approve.');
  });

  test('GIVEN --stage and --action WHEN reject runs THEN that approval is rejected with the summary', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production-eu', 'Approve', 'a'), approvalStage('Production-us', 'Approve', 'b')]));
    mock.on(PutApprovalResultCommand).resolves({});
    firstRelease(mock);
    const t = memoryIo({ client });

    const code = await run(['reject', '--pipeline', 'my-app', '--stage', 'Production-us', '--action', 'Approve', '--summary', 'Breaks checkout'], t.io);

    expect(code).toBe(ExitCode.OK);
    expect(mock.commandCalls(PutApprovalResultCommand)[0].args[0].input).toMatchObject({ stageName: 'Production-us', token: 'b', result: { status: 'Rejected' } });
    expect(t.stdout()).toBe('Rejected Production-us/Approve of execution exec-1 in pipeline my-app: "Breaks checkout"\n' + FIRST_RELEASE);
  });

  test('GIVEN a blank --summary WHEN approve runs THEN exit 2 before any client is created', async () => {
    const t = memoryIo();

    expect(await run(['approve', '--pipeline', 'my-app', '--summary', ' '], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe('error: The approval summary must not be empty.\n');
    expect(t.clientSettings).toEqual([]);
  });

  test('GIVEN reject without --summary WHEN run THEN commander refuses it, exit 2', async () => {
    const t = memoryIo();

    expect(await run(['reject', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain("error: required option '--summary <text>' not specified");
  });

  test('GIVEN a token already used WHEN approve runs THEN exit 6 with the conflict message', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production', 'Approve', 'tok')]));
    mock.on(PutApprovalResultCommand).rejects(new InvalidApprovalTokenException({ message: 'The token is invalid', $metadata: {} }));
    const t = memoryIo({ client });

    expect(await run(['approve', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain('Nothing was approved twice');
  });
});

describe('cdk-delivery freeze / unfreeze', () => {
  test('GIVEN --reason WHEN freeze runs THEN Production* stages are frozen, exit 0', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(['Source', 'Staging', 'Production-eu', 'Production-us']));
    mock.on(DisableStageTransitionCommand).resolves({});
    const t = memoryIo({ client });

    expect(await run(['freeze', '--pipeline', 'my-app', '--reason', 'Black Friday'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toBe('Frozen Production-eu, Production-us in pipeline my-app: Black Friday\n');
  });

  test('GIVEN freeze without --reason WHEN run THEN exit 2 naming the option', async () => {
    const t = memoryIo();

    expect(await run(['freeze', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain("error: required option '--reason <text>' not specified");
  });

  test('GIVEN a reason CodePipeline rejects WHEN freeze runs THEN exit 2 before any client is created', async () => {
    const t = memoryIo();

    expect(await run(['freeze', '--pipeline', 'my-app', '--reason', 'freeze: close'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe('error: The freeze reason contains characters CodePipeline rejects: ":". Use letters, digits, spaces and ! @ ( ) . * ? -\n');
    expect(t.clientSettings).toEqual([]);
  });

  test('GIVEN repeated --stage WHEN unfreeze runs with --json THEN those stages are unfrozen and JSON printed', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(['Staging', 'Production']));
    mock.on(EnableStageTransitionCommand).resolves({});
    const t = memoryIo({ client });

    expect(await run(['unfreeze', '--pipeline', 'my-app', '--stage', 'Staging', '--stage', 'Production', '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout())).toEqual({ pipelineName: 'my-app', state: 'unfrozen', stageNames: ['Staging', 'Production'] });
    expect(mock.commandCalls(EnableStageTransitionCommand)).toHaveLength(2);
  });
});

describe('cdk-delivery release', () => {
  test('GIVEN variables and a source revision WHEN release runs THEN the execution id is printed', async () => {
    const { client, mock } = mocked();
    mock.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-77' });
    mock.on(GetPipelineCommand).resolves({ pipeline: { name: 'my-app', roleArn: 'r', stages: [], variables: [{ name: 'NOTE' }] } });
    const t = memoryIo({ client });

    const code = await run(['release', '--pipeline', 'my-app', '--variable', 'NOTE=a=b', '--source-revision', 'Source=COMMIT_ID:4f2a9c1',
      '--client-request-token', 'r-1'], t.io);

    expect(code).toBe(ExitCode.OK);
    expect(t.stdout()).toBe('Started execution exec-77 of pipeline my-app\n');
    expect(mock.commandCalls(StartPipelineExecutionCommand)[0].args[0].input).toEqual({
      name: 'my-app',
      variables: [{ name: 'NOTE', value: 'a=b' }],
      sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: '4f2a9c1' }],
      clientRequestToken: 'r-1',
    });
  });

  test.each([
    [['--variable', 'novalue'], "Expected name=value, got 'novalue'."],
    [['--source-revision', 'Source:abc'], "Expected ActionName=REVISION_TYPE:value (e.g. Source=COMMIT_ID:4f2a9c1), got 'Source:abc'."],
    [['--source-revision', 'Source=BRANCH:main'], "Source revision type 'BRANCH' for action 'Source' is invalid"],
  ])('GIVEN %j WHEN release runs THEN exit 2 with the expected form, before any client is created', async (args, message) => {
    const t = memoryIo();

    expect(await run(['release', '--pipeline', 'my-app', ...args], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain(message);
    expect(t.clientSettings).toEqual([]);
  });
});

describe('cdk-delivery wait', () => {
  test('GIVEN an execution that succeeds WHEN wait runs THEN progress goes to stderr per status change and exit is 0', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineExecutionCommand).resolvesOnce({ pipelineExecution: { status: 'InProgress' } })
      .resolvesOnce({ pipelineExecution: { status: 'InProgress' } }).resolves({ pipelineExecution: { status: 'Succeeded' } });
    const t = memoryIo({ client });

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1', '--interval', '15'], t.io)).toBe(ExitCode.OK);
    expect(t.stderr()).toBe('Waiting for execution exec-1: InProgress (0s elapsed)\nWaiting for execution exec-1: Succeeded (30s elapsed)\n');
    expect(t.stdout()).toBe('Execution exec-1 of pipeline my-app Succeeded after 30s of waiting\n');
  });

  test('GIVEN an execution that fails WHEN wait runs with --json THEN the result says so and exit is 1', async () => {
    const { client, mock } = mocked();
    mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [{ pipelineExecutionId: 'latest' }] });
    mock.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { status: 'Failed', statusSummary: 'Deploy failed' } });
    const t = memoryIo({ client });

    expect(await run(['wait', '--pipeline', 'my-app', '--json'], t.io)).toBe(ExitCode.FAILED);
    expect(JSON.parse(t.stdout())).toMatchObject({ pipelineExecutionId: 'latest', status: 'Failed', succeeded: false, statusSummary: 'Deploy failed' });
  });

  test('GIVEN an execution that does not finish WHEN wait runs THEN exit 5 after the timeout', async () => {
    const { client, mock } = mocked();
    mock.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { status: 'InProgress' } });
    const t = memoryIo({ client });

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'e', '--timeout', '60', '--interval', '20'], t.io)).toBe(ExitCode.TIMEOUT);
    expect(t.stderr()).toContain("error: Timed out after 60 s (--timeout 60) waiting for execution e of pipeline 'my-app' (last status: InProgress).");
  });

  test.each([['--timeout', '0'], ['--interval', 'soon']])('GIVEN %s %s WHEN wait runs THEN exit 2', async (option, value) => {
    const t = memoryIo();

    expect(await run(['wait', '--pipeline', 'my-app', option, value], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain(`error: option '${option} <seconds>' argument '${value}' is invalid. Expected a positive number of seconds.`);
  });
});

describe('cdk-delivery metrics', () => {
  const window = ['--since', '2025-05-05', '--until', '2025-05-26'];

  test('GIVEN the example history WHEN metrics runs with --json THEN it is computed offline with every DESIGN.md field', async () => {
    const t = memoryIo();

    expect(await run(['metrics', '--history', EXAMPLE_HISTORY, ...window, '--json'], t.io)).toBe(ExitCode.OK);
    expect(t.clientSettings).toEqual([]);
    const metrics = JSON.parse(t.stdout());
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining([
      'counts', 'throughputPerDay', 'durationMedianSeconds', 'durationP95Seconds', 'successRate', 'mttrSeconds', 'openFailureEpisodes',
      'leadTimeMedianSeconds', 'changeFailureRate',
    ]));
    expect(metrics.counts).toEqual({ succeeded: 51, failed: 10, stopped: 1, superseded: 3, cancelled: 0 });
    expect(metrics.ignoredInProgress).toBe(1);
    expect(metrics.throughputPerDay).toBeCloseTo(51 / 21, 12);
    expect(metrics.successRate).toBeCloseTo(51 / 61, 12);
    expect(metrics.changeFailureRate).toBeCloseTo(2 / 51, 12);
    // DORA deployment frequency: the 49 executions that deployed to production, over 21 days
    expect(metrics.productionDeployments).toBe(49);
    expect(metrics.deploymentsPerDay).toBeCloseTo(49 / 21, 12);
    expect(metrics.deploymentsPerWeek).toBeCloseTo(49 / 3, 12);
    expect(metrics.restoredProductionFailures).toBe(2);
  });

  test('GIVEN the README\'s metrics --json example WHEN run THEN the output is the JSON the README shows, field for field', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf-8');
    const command = '$ npx cdk-delivery metrics --history examples/history/pipeline-history.json --since 2025-05-05 --until 2025-05-26 --json\n';
    const shown = readme.slice(readme.indexOf(command) + command.length, readme.indexOf('[exit 0]', readme.indexOf(command)));
    const t = memoryIo();

    expect(await run(['metrics', '--history', EXAMPLE_HISTORY, '--since', '2025-05-05', '--until', '2025-05-26', '--json'], t.io)).toBe(ExitCode.OK);

    expect(readme).toContain(command);
    expect(t.stdout()).toBe(shown);
    expect(JSON.parse(shown).excludedImpossible).toBe(0);
  });

  test('GIVEN the example history WHEN metrics runs without --json THEN a table shows each figure beside its CircleCI benchmark', async () => {
    const t = memoryIo();

    expect(await run(['metrics', '--history', EXAMPLE_HISTORY, ...window], t.io)).toBe(ExitCode.OK);
    const out = t.stdout();
    expect(out).toContain('Pipeline shop-api, 2025-05-05T00:00:00.000Z to 2025-05-26T00:00:00.000Z (21.0 days): 51 succeeded, 10 failed');
    expect(out).toMatch(/│ Throughput\s+│ 2\.43 per day\s+│ >= 1 per day\s+│ yes │/);
    expect(out).toMatch(/│ Success rate\s+│ 83\.6 % \(51\/61\)\s+│ >= 90 %\s+│ no\s+│/);
    expect(out).toMatch(/│ Duration \(median\)\s+│ .+│ <= 10 min\s+│ no\s+│/);
    expect(out).toMatch(/│ Mean time to recovery\s+│ .+ \(9 recovered\)\s+│ < 60 min\s+│/);
    expect(out).toMatch(/│ Change failure rate\s+│ 3\.9 % \(2\/51\)/);
    expect(out).toMatch(/│ Deployment frequency\s+│ 2\.33 per day \(16\.3 per week\)\s+│/);
    expect(out).toMatch(/│ Time to restore\s+│ 4m 39s \(2 restored\)\s+│/);
  });

  test('GIVEN neither --pipeline nor --history WHEN metrics runs THEN exit 2 explaining both', async () => {
    const t = memoryIo();

    expect(await run(['metrics'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain('metrics needs --pipeline <name> (to read CodePipeline) or --history <file> (offline, from `cdk-delivery export`).');
  });

  test.each([
    [['--history', '/nonexistent/history.json'], 'Cannot read history file /nonexistent/history.json: ENOENT'],
    [['--history', __filename], `History file ${__filename} is not valid JSON`],
    [['--history', EXAMPLE_HISTORY, '--since', '2025-05-26', '--until', '2025-05-05'], 'The metrics window is empty'],
    [['--history', EXAMPLE_HISTORY, '--until', 'tomorrow'], "option '--until <iso>' argument 'tomorrow' is invalid."],
  ])('GIVEN %j WHEN metrics runs THEN exit 2 with a clear message', async (args, message) => {
    const t = memoryIo();

    expect(await run(['metrics', ...args], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain(message);
  });

  test('GIVEN only --until WHEN metrics runs THEN the window is the 30 days before it', async () => {
    const t = memoryIo();

    expect(await run(['metrics', '--history', EXAMPLE_HISTORY, '--until', '2025-05-26', '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout())).toMatchObject({ since: '2025-04-26T00:00:00.000Z', until: '2025-05-26T00:00:00.000Z', windowDays: 30 });
  });

  test('GIVEN --pipeline WHEN metrics runs THEN the history is read from CodePipeline over the default window (30 days before now)', async () => {
    const { client, mock } = mocked();
    mock.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        { pipelineExecutionId: 'e1', status: 'Succeeded', startTime: new Date('2025-05-20T10:00:00Z'), lastUpdateTime: new Date('2025-05-20T10:08:00Z') },
      ],
    });
    mock.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
    const t = memoryIo({ client, now: Date.parse('2025-05-26T00:00:00Z') });

    expect(await run(['metrics', '--pipeline', 'my-app', '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout())).toMatchObject({
      since: '2025-04-26T00:00:00.000Z', counts: { succeeded: 1 }, durationMedianSeconds: 480, leadTimeMedianSeconds: null,
    });
  });
});

describe('cdk-delivery export', () => {
  function exportMocks(mock: ReturnType<typeof mocked>['mock']) {
    mock.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        { pipelineExecutionId: 'e1', status: 'Succeeded', startTime: new Date('2025-05-20T10:00:00Z'), lastUpdateTime: new Date('2025-05-20T10:08:00Z') },
      ],
    });
    mock.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [{
        pipelineExecutionId: 'e1',
        stageName: 'Production',
        actionName: 'Deploy',
        status: 'Succeeded',
        startTime: new Date('2025-05-20T10:05:00Z'),
        lastUpdateTime: new Date('2025-05-20T10:08:00Z'),
      }],
    });
  }

  test('GIVEN --out WHEN export runs THEN the history file is written and a summary printed; metrics can read it back', async () => {
    const { client, mock } = mocked();
    exportMocks(mock);
    const t = memoryIo({ client });

    expect(await run(['export', '--pipeline', 'my-app', '--since', '2025-05-01', '--until', '2025-05-26', '--out', 'h.json'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toBe('Wrote 1 executions and 1 action executions of my-app (2025-05-01T00:00:00.000Z to 2025-05-26T00:00:00.000Z) to h.json\n');
    // JSON Lines: a header, one line per execution, one per action execution
    const lines = (t.written.get('h.json') ?? '').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(JSON.parse(lines[0])).toEqual({
      formatVersion: 2,
      pipelineName: 'my-app',
      exportedAt: '2025-05-26T00:00:00.000Z',
      since: '2025-05-01T00:00:00.000Z',
      until: '2025-05-26T00:00:00.000Z',
      executions: 1,
      actionExecutions: 1,
    });
    expect(JSON.parse(lines[1])).toMatchObject({ pipelineExecutionSummary: { pipelineExecutionId: 'e1', startTime: '2025-05-20T10:00:00.000Z' } });
    expect(JSON.parse(lines[2])).toMatchObject({ actionExecutionDetail: { pipelineExecutionId: 'e1', stageName: 'Production' } });

    expect(await run(['metrics', '--history', 'h.json', '--since', '2025-05-01', '--until', '2025-05-26', '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout().split('\n').slice(1).join('\n'))).toMatchObject({ counts: { succeeded: 1 }, durationMedianSeconds: 480, productionDeployments: 1 });
  });

  test('GIVEN no --out WHEN export runs THEN the history JSON goes to stdout', async () => {
    const { client, mock } = mocked();
    exportMocks(mock);
    const t = memoryIo({ client });

    expect(await run(['export', '--pipeline', 'my-app', '--since', '2025-05-01', '--until', '2025-05-26'], t.io)).toBe(ExitCode.OK);
    const lines = t.stdout().trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => Object.keys(line)[0])).toEqual(['formatVersion', 'pipelineExecutionSummary', 'actionExecutionDetail']);
  });

  test('GIVEN an unwritable --out WHEN export runs THEN exit 1 naming the file', async () => {
    const { client, mock } = mocked();
    exportMocks(mock);
    const t = memoryIo({ client });
    const io = { ...t.io, writeChunks: () => Promise.reject(new Error('EACCES: permission denied')) };

    expect(await run(['export', '--pipeline', 'my-app', '--out', '/root/h.json', '--json'], io)).toBe(ExitCode.FAILED);
    expect(JSON.parse(t.stderr()).error.message).toBe('Could not write /root/h.json: EACCES: permission denied');
  });
});
