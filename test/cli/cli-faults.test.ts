import { join } from 'node:path';
import { wireCli } from './wire-client';
import { ExitCode, run } from '../../src/cli/main';
import { awsError, FakeReply, hang, ok, raw, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';

/** Faults and bad input, each run through the CLI in-process against the CodePipeline stand-in on 127.0.0.1. */

const fake = useFakeCodePipeline();
const HISTORY = join(__dirname, '..', '..', 'examples', 'history', 'pipeline-history.json');
const PIPELINE = { pipeline: { name: 'my-app', version: 2, stages: [{ name: 'Build' }, { name: 'Production' }] }, metadata: { pipelineArn: 'arn:aws:codepipeline:eu-west-1:1:my-app' } };
const STATE = { pipelineName: 'my-app', stageStates: [{ stageName: 'Production', latestExecution: { pipelineExecutionId: 'e1', status: 'Succeeded' } }] };

function executions(statuses: readonly string[]): (operation: string) => FakeReply {
  let poll = 0;
  return (operation) => {
    if (operation !== 'GetPipelineExecution') return ok({});
    const status = statuses[Math.min(poll, statuses.length - 1)];
    poll += 1;
    return ok({ pipelineExecution: { pipelineName: 'my-app', pipelineExecutionId: 'exec-1', status } });
  };
}

/** Parse stdout as the one JSON document it must be. */
function json(text: string): unknown {
  return JSON.parse(text);
}

describe('wait: interval and timeout', () => {
  test.each([
    [['--timeout', '10', '--interval', '10'], 'The poll interval (--interval 10) must be shorter than the wait timeout (--timeout 10).'],
    [['--timeout', '10', '--interval', '30'], 'The poll interval (--interval 30) must be shorter than the wait timeout (--timeout 10).'],
    [['--timeout', '2200000'], 'The wait timeout (--timeout) must be between 1 and 604800 seconds, got 2200000.'],
    [['--timeout', '0.5'], 'The wait timeout (--timeout) must be between 1 and 604800 seconds, got 0.5.'],
    [['--interval', '2200000', '--timeout', '604800'], 'The poll interval (--interval) must be between 1 and 3600 seconds, got 2200000.'],
    [['--interval', '0.2'], 'The poll interval (--interval) must be between 1 and 3600 seconds, got 0.2.'],
  ])('GIVEN %j WHEN wait runs THEN exit 2 with the bound, before any request', async (args, message) => {
    const t = wireCli(fake);

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1', ...args], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe(`error: ${message}\n`);
    expect(fake.server.requests).toHaveLength(0);
  });

  test('GIVEN --interval 6 --timeout 10 and an execution that never ends WHEN wait runs THEN it polls at 0, 6 and 10 s and reports 10 s', async () => {
    fake.handler = executions(['InProgress']);
    const t = wireCli(fake);

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1', '--timeout', '10', '--interval', '6'], t.io)).toBe(ExitCode.TIMEOUT);
    expect(t.stderr()).toContain("error: Timed out after 10 s (--timeout 10) waiting for execution exec-1 of pipeline 'my-app' (last status: InProgress).");
    expect(fake.server.calls('GetPipelineExecution')).toHaveLength(3);
  });

  test('GIVEN --json WHEN wait runs to success THEN stdout is one JSON document and stderr carries no progress', async () => {
    fake.handler = executions(['InProgress', 'InProgress', 'Succeeded']);
    const t = wireCli(fake);

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1', '--interval', '5', '--json'], t.io)).toBe(ExitCode.OK);
    expect(json(t.stdout())).toEqual({ pipelineName: 'my-app', pipelineExecutionId: 'exec-1', status: 'Succeeded', succeeded: true, elapsedSeconds: 10 });
    expect(t.stderr()).toBe('');
  });

  test('GIVEN no --json WHEN wait runs THEN progress is on stderr (the contrast to the --json case)', async () => {
    fake.handler = executions(['InProgress', 'Succeeded']);
    const t = wireCli(fake);

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1', '--interval', '5'], t.io)).toBe(ExitCode.OK);
    expect(t.stderr()).toBe('Waiting for execution exec-1: InProgress (0s elapsed)\nWaiting for execution exec-1: Succeeded (5s elapsed)\n');
  });
});

describe('wait: SIGINT and SIGTERM', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)('GIVEN %s during the second poll WHEN wait runs THEN exit 130 with the execution and its last status', async (signal) => {
    const t = wireCli(fake);
    const polls = executions(['InProgress']);
    fake.handler = (operation) => {
      if (fake.server.calls('GetPipelineExecution').length === 2) {
        t.interrupt(signal);
        return hang();
      }
      return polls(operation);
    };

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1', '--interval', '5'], t.io)).toBe(ExitCode.INTERRUPTED);
    expect(t.stderr()).toContain(`error: Interrupted by ${signal} while waiting for execution exec-1 of pipeline 'my-app' (last status: InProgress, after 5 s). ` +
      'The execution goes on in CodePipeline; run `cdk-delivery wait --pipeline my-app --execution-id exec-1` to wait again.');
    expect(t.stdout()).toBe('');
    expect(t.listeners).toHaveLength(0);
  });

  test('GIVEN SIGINT WHEN wait --json runs THEN stderr is a JSON error with code INTERRUPTED and exit code 130, stdout is empty', async () => {
    const t = wireCli(fake);
    fake.handler = () => {
      t.interrupt('SIGINT');
      return hang();
    };

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1', '--json'], t.io)).toBe(ExitCode.INTERRUPTED);
    expect(json(t.stderr())).toEqual({ error: { code: 'INTERRUPTED', exitCode: 130, message: expect.stringContaining('Interrupted by SIGINT while waiting for execution exec-1') } });
    expect(t.stdout()).toBe('');
  });

  test('GIVEN SIGINT during a read WHEN status runs THEN exit 130 saying nothing was changed', async () => {
    const t = wireCli(fake);
    fake.handler = () => {
      t.interrupt('SIGINT');
      return hang();
    };

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.INTERRUPTED);
    expect(t.stderr()).toMatch(/error: Interrupted by SIGINT during GetPipeline(State)? on pipeline 'my-app'\. Nothing was changed\.\n/);
  });
});

describe('--json: valid JSON on every path', () => {
  test.each([
    [['status', '--pipeline', 'my-app', '--nope', '--json'], "unknown option '--nope'"],
    [['reject', '--pipeline', 'my-app', '--json'], "required option '--summary <text>' not specified"],
    [['wait', '--pipeline', 'my-app', '--timeout', 'soon', '--json'], "option '--timeout <seconds>' argument 'soon' is invalid. Expected a positive number of seconds."],
    [['stauts', '--json'], "unknown command 'stauts'"],
    [['--json'], "unknown option '--json'"],
    [['status', '--json'], 'Missing --pipeline <name>: the name of the pipeline to operate.'],
    [['wait', '--pipeline', 'my-app', '--interval', '60', '--timeout', '30', '--json'], 'The poll interval (--interval 60) must be shorter than the wait timeout (--timeout 30).'],
  ])('GIVEN the usage error %j THEN stderr is one JSON error (exit 2) and stdout is empty', async (args, message) => {
    const t = wireCli(fake);

    expect(await run(args, t.io)).toBe(ExitCode.USAGE);
    expect(json(t.stderr())).toEqual({ error: { code: 'INVALID_INPUT', exitCode: 2, message: expect.stringContaining(message) } });
    expect(t.stdout()).toBe('');
    expect(fake.server.requests).toHaveLength(0);
  });

  test('GIVEN the same usage error without --json THEN it is plain text (the contrast)', async () => {
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app', '--nope'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe("error: unknown option '--nope'\n");
  });

  test.each([
    [['--help', '--json'], 'help', 'Usage: cdk-delivery'],
    [['status', '--help', '--json'], 'help', 'Usage: cdk-delivery status'],
    [['--version', '--json'], 'version', ''],
  ])('GIVEN %j THEN stdout is JSON with the %s text, exit 0', async (args, key, text) => {
    const t = wireCli(fake);

    expect(await run(args, t.io)).toBe(ExitCode.OK);
    expect(json(t.stdout())).toEqual({ [key]: expect.stringContaining(text) });
    expect(t.stderr()).toBe('');
  });
});

describe('one deadline per command', () => {
  test('GIVEN a hung endpoint and --deadline 1 (request timeout 10 s, 3 attempts) WHEN release runs THEN exit 5 after about 1 s, one attempt', async () => {
    fake.handler = () => hang();
    const t = wireCli(fake);
    const started = Date.now();

    expect(await run(['release', '--pipeline', 'my-app', '--deadline', '1'], t.io)).toBe(ExitCode.TIMEOUT);
    const elapsed = Date.now() - started;
    expect(t.stderr()).toBe("error: No answer to StartPipelineExecution on pipeline 'my-app' within the command deadline of 1 s. " +
      'The request may or may not have taken effect: check with `cdk-delivery status --pipeline my-app`. ' +
      'Check the network and the endpoint, or raise --deadline (CDK_DELIVERY_DEADLINE).\n');
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
    expect(fake.server.calls('StartPipelineExecution')).toHaveLength(1);
  });

  test('GIVEN CDK_DELIVERY_DEADLINE=0.5 WHEN status runs against a hung endpoint THEN the environment sets the deadline, and a read says nothing changed', async () => {
    fake.handler = () => hang();
    const t = wireCli(fake, { env: { CDK_DELIVERY_DEADLINE: '0.5' } });
    const started = Date.now();

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.TIMEOUT);
    expect(t.stderr()).toMatch(/^error: No answer to GetPipeline(State)? on pipeline 'my-app' within the command deadline of 0\.5 s\. Nothing was changed\./);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  test('GIVEN --deadline and CDK_DELIVERY_DEADLINE WHEN run THEN the flag wins', async () => {
    fake.handler = () => hang();
    const t = wireCli(fake, { env: { CDK_DELIVERY_DEADLINE: '600' } });

    expect(await run(['status', '--pipeline', 'my-app', '--deadline', '0.3'], t.io)).toBe(ExitCode.TIMEOUT);
    expect(t.stderr()).toContain('within the command deadline of 0.3 s.');
  });

  test.each([
    [{ CDK_DELIVERY_DEADLINE: 'soon' }, [], "CDK_DELIVERY_DEADLINE='soon' is invalid. Expected a positive number of seconds."],
    [{ CDK_DELIVERY_DEADLINE: '2200000' }, [], "CDK_DELIVERY_DEADLINE='2200000' is invalid. Expected at most 86400 seconds."],
    [{}, ['--deadline', '2200000'], "option '--deadline <seconds>' argument '2200000' is invalid. Expected at most 86400 seconds."],
    [{}, ['--request-timeout', '2200000'], "option '--request-timeout <seconds>' argument '2200000' is invalid. Expected at most 86400 seconds."],
  ])('GIVEN %j %j THEN exit 2 naming the bad value, before any request', async (env, args, message) => {
    const t = wireCli(fake, { env });

    expect(await run(['status', '--pipeline', 'my-app', ...args], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe(`error: ${message}\n`);
    expect(fake.server.requests).toHaveLength(0);
  });

  test('GIVEN a throttled first attempt WHEN status runs under the default deadline THEN the SDK still retries inside it (the deadline does not cut retries short)', async () => {
    fake.handler = (operation) => {
      if (operation === 'GetPipeline') return ok(PIPELINE);
      return fake.server.calls('GetPipelineState').length === 1 ? awsError(400, 'ThrottlingException', 'Rate exceeded') : ok(STATE);
    };
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(fake.server.calls('GetPipelineState')).toHaveLength(2);
  });
});

describe('replies are checked for shape', () => {
  test.each([
    ['an empty 200 body', raw(200, ''), 'stageStates is missing'],
    ['stageStates as a string', ok({ stageStates: 'oops' }), 'stageStates is a string ("oops"), expected a list'],
    ['a stage without a name', ok({ stageStates: [{ latestExecution: { status: 'Succeeded' } }] }), 'stageStates[0].stageName is missing'],
    ['actionStates as an object', ok({ stageStates: [{ stageName: 'Build', actionStates: { a: 1 } }] }), 'stageStates[0].actionStates is an object, expected a list'],
    ['enabled as a string', ok({ stageStates: [{ stageName: 'Build', inboundTransitionState: { enabled: 'no' } }] }),
      'stageStates[0].inboundTransitionState.enabled is a string ("no"), expected true or false'],
  ])('GIVEN GetPipelineState answers %s WHEN status runs THEN exit 1 naming the field', async (_name, reply, problem) => {
    fake.handler = (operation) => (operation === 'GetPipelineState' ? reply : ok(PIPELINE));
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toBe(`error: The reply to GetPipelineState on pipeline 'my-app' is not a valid CodePipeline reply: ${problem}. ` +
      'Nothing was decided from it. Check that the endpoint (AWS_ENDPOINT_URL_CODEPIPELINE, a proxy) is CodePipeline.\n');
    expect(t.stdout()).toBe('');
  });

  test('GIVEN a body that is not JSON WHEN status runs THEN exit 1 saying it could not be parsed', async () => {
    fake.handler = (operation) => (operation === 'GetPipelineState' ? raw(200, '<html>proxy login</html>') : ok(PIPELINE));
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toContain("error: The reply to GetPipelineState on pipeline 'my-app' is not a valid CodePipeline reply: it could not be parsed (SyntaxError: Unexpected token");
  });

  test('GIVEN a wrongly typed action state WHEN approve runs THEN exit 1 and no PutApprovalResult is sent', async () => {
    fake.handler = () => ok({ stageStates: [{ stageName: 'Production', latestExecution: { status: 'InProgress' }, actionStates: [{ actionName: 'Approve', latestExecution: { status: 'InProgress', token: 42 } }] }] });
    const t = wireCli(fake);

    expect(await run(['approve', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toContain('stageStates[0].actionStates[0].latestExecution.token is a number (42), expected a string');
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(0);
  });

  test('GIVEN GetPipelineExecution answers {} WHEN wait runs THEN exit 1 at once instead of polling an unknown status until the timeout', async () => {
    fake.handler = () => ok({});
    const t = wireCli(fake);

    expect(await run(['wait', '--pipeline', 'my-app', '--execution-id', 'exec-1'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toContain("The reply to GetPipelineExecution on pipeline 'my-app' is not a valid CodePipeline reply: pipelineExecution is missing.");
    expect(fake.server.calls('GetPipelineExecution')).toHaveLength(1);
  });

  test('GIVEN ListPipelineExecutions answers a list as an object WHEN metrics runs THEN exit 1 naming the field', async () => {
    fake.handler = () => ok({ pipelineExecutionSummaries: { id: 'x' } });
    const t = wireCli(fake);

    expect(await run(['metrics', '--pipeline', 'my-app', '--json'], t.io)).toBe(ExitCode.FAILED);
    expect(json(t.stderr())).toEqual({ error: { code: 'FAILED', exitCode: 1, message: expect.stringContaining('pipelineExecutionSummaries is an object, expected a list') } });
  });

  test('GIVEN GetPipeline without stages names WHEN freeze runs THEN exit 1 and nothing is frozen', async () => {
    fake.handler = () => ok({ pipeline: { stages: [{ actions: [] }] } });
    const t = wireCli(fake);

    expect(await run(['freeze', '--pipeline', 'my-app', '--reason', 'Quarter close'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toContain('pipeline.stages[0].name is missing');
    expect(fake.server.calls('DisableStageTransition')).toHaveLength(0);
  });

  test('GIVEN a well-formed reply WHEN status runs THEN it passes the checks (the contrast)', async () => {
    fake.handler = (operation) => (operation === 'GetPipelineState' ? ok(STATE) : ok(operation === 'GetPipeline' ? PIPELINE : { tags: [] }));
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
  });
});

describe('metrics windows', () => {
  test.each([
    [['--since', '2025-05-20', '--until', '2025-05-10'], 'The metrics window is empty: since (2025-05-20T00:00:00.000Z) must be before until (2025-05-10T00:00:00.000Z).'],
    [['--since', '2025-05-20', '--until', '2025-05-20'], 'The metrics window is empty: since (2025-05-20T00:00:00.000Z) must be before until (2025-05-20T00:00:00.000Z).'],
    [['--since', '2025-06-30'], 'The metrics window is empty: since (2025-06-30T00:00:00.000Z) must be before until (2025-05-26T00:00:00.000Z).'],
  ])('GIVEN %j WHEN metrics runs THEN exit 2 and no figures', async (args, message) => {
    const t = wireCli(fake);

    expect(await run(['metrics', '--history', HISTORY, ...args], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe(`error: ${message}\n`);
    expect(t.stdout()).toBe('');
  });

  test('GIVEN --until before --since WHEN export runs against the pipeline THEN exit 2 before any request', async () => {
    const t = wireCli(fake);

    expect(await run(['export', '--pipeline', 'my-app', '--since', '2025-05-20', '--until', '2025-05-10'], t.io)).toBe(ExitCode.USAGE);
    expect(fake.server.requests).toHaveLength(0);
  });

  test('GIVEN a history older than the default window WHEN metrics runs THEN a note on stderr says which period the file covers', async () => {
    const t = wireCli(fake, { now: Date.parse('2026-01-01T00:00:00Z') });

    expect(await run(['metrics', '--history', HISTORY], t.io)).toBe(ExitCode.OK);
    expect(t.stderr()).toMatch(/^note: No execution started in the default window \(the 30 days before now: 2025-12-02T00:00:00.000Z to 2026-01-01T00:00:00.000Z\)\. The history file covers 2025-05-05T00:00:00.000Z to 2025-05-26T00:00:00.000Z \(\d+ executions, the first started 2025-05-0\d.*; pass --since and --until to choose a period inside it\.\n$/);
  });

  test('GIVEN the same history with --json THEN the notice is a field of the one JSON document and stderr stays empty', async () => {
    const t = wireCli(fake, { now: Date.parse('2026-01-01T00:00:00Z') });

    expect(await run(['metrics', '--history', HISTORY, '--json'], t.io)).toBe(ExitCode.OK);
    expect(json(t.stdout())).toMatchObject({ counts: { succeeded: 0 }, notice: expect.stringContaining('The history file covers 2025-05-05T00:00:00.000Z to 2025-05-26T00:00:00.000Z') });
    expect(t.stderr()).toBe('');
  });

  test.each([
    ['a default window that holds executions', ['--history', HISTORY], Date.parse('2025-05-26T00:00:00Z')],
    ['an explicit empty window', ['--history', HISTORY, '--since', '2024-01-01', '--until', '2024-02-01'], Date.parse('2026-01-01T00:00:00Z')],
  ])('GIVEN %s WHEN metrics runs THEN no note', async (_name, args, now) => {
    const t = wireCli(fake, { now });

    expect(await run(['metrics', ...args], t.io)).toBe(ExitCode.OK);
    expect(t.stderr()).toBe('');
  });
});

describe('release --variable checks the declared variables', () => {
  const declared = (variables?: unknown[]) => (operation: string): FakeReply => {
    if (operation === 'GetPipeline') return ok({ pipeline: { name: 'my-app', stages: [{ name: 'Build' }], ...(variables ? { variables } : {}) } });
    return ok({ pipelineExecutionId: 'exec-9' });
  };

  test('GIVEN declared variables WHEN release passes one THEN GetPipeline is read once and StartPipelineExecution gets it', async () => {
    fake.handler = declared([{ name: 'RELEASE_NOTE', defaultValue: 'none' }, { name: 'TICKET' }]);
    const t = wireCli(fake);

    expect(await run(['release', '--pipeline', 'my-app', '--variable', 'TICKET=OPS-1'], t.io)).toBe(ExitCode.OK);
    expect(fake.server.calls('GetPipeline')).toHaveLength(1);
    expect(fake.server.calls('StartPipelineExecution')[0].body).toMatchObject({ name: 'my-app', variables: [{ name: 'TICKET', value: 'OPS-1' }] });
  });

  test('GIVEN an undeclared name WHEN release runs THEN exit 2 naming it and the declared ones; nothing starts', async () => {
    fake.handler = declared([{ name: 'RELEASE_NOTE' }, { name: 'TICKET' }]);
    const t = wireCli(fake);

    expect(await run(['release', '--pipeline', 'my-app', '--variable', 'TICKET=OPS-1', '--variable', 'TIKCET=x'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe("error: Pipeline 'my-app' declares no variable 'TIKCET'; it declares 'RELEASE_NOTE', 'TICKET'. " +
      'Use a declared name, or declare the variable on the pipeline and deploy it.\n');
    expect(fake.server.calls('StartPipelineExecution')).toHaveLength(0);
  });

  test('GIVEN a pipeline that declares none WHEN release passes a variable THEN exit 2 saying so; nothing starts', async () => {
    fake.handler = declared(undefined);
    const t = wireCli(fake);

    expect(await run(['release', '--pipeline', 'my-app', '--variable', 'NOTE=hi'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe("error: Pipeline 'my-app' declares no variables, so CodePipeline would reject --variable 'NOTE'. " +
      'Declare the variable on the pipeline (DeliveryPipeline variables) and deploy it, or drop --variable.\n');
    expect(fake.server.calls('StartPipelineExecution')).toHaveLength(0);
  });

  test('GIVEN no --variable WHEN release runs THEN no GetPipeline call (no extra permission needed)', async () => {
    fake.handler = declared(undefined);
    const t = wireCli(fake);

    expect(await run(['release', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(fake.server.calls('GetPipeline')).toHaveLength(0);
    expect(t.stdout()).toBe('Started execution exec-9 of pipeline my-app\n');
  });
});
