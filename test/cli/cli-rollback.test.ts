import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wireCli } from './wire-client';
import { ExitCode, run } from '../../src/cli/main';
import { awsError, drop, hang, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';
import { OnCallPipeline, uuid } from '../runtime/oncall-pipeline';

/**
 * `cdk-delivery rollback` against a stateful CodePipeline stand-in on 127.0.0.1 (test/runtime/oncall-pipeline.ts):
 * the SDK's own stack runs (serialization, retries, timeouts, error parsing).
 */

const fake = useFakeCodePipeline();
const ROLLBACK = ['rollback', '--pipeline', 'my-app', '--stage', 'Production'];

/** Executions 1 and 2 succeeded everywhere on the current definition; 3 failed in Production, which holds it. */
function failedRelease(): OnCallPipeline {
  const pipeline = new OnCallPipeline();
  pipeline.execution(1);
  pipeline.execution(2);
  const bad = pipeline.execution(3, { status: 'Failed', succeededIn: ['Source', 'Build', 'Staging'] });
  pipeline.hold('Production', bad, 'Failed', { failedActions: ['Deploy'] });
  fake.handler = pipeline.handler();
  return pipeline;
}

describe('rollback chooses the target CodePipeline would accept', () => {
  test('GIVEN Production failed in execution 3 WHEN rollback --yes runs THEN it rolls back to 2 (the last that succeeded there), once, exit 0', async () => {
    const pipeline = failedRelease();
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.OK);

    expect(pipeline.changes).toEqual([{ operation: 'RollbackStage', body: { pipelineName: 'my-app', stageName: 'Production', targetPipelineExecutionId: uuid(2) } }]);
    expect(t.stdout()).toBe(`Rolling back Production of pipeline my-app to execution ${uuid(2)}: rollback execution ${uuid(100)} started\n`);
    expect(t.stderr()).toBe('');
  });

  test('GIVEN Production succeeded in execution 3 (a bad release that passed) WHEN rollback runs THEN the target is 2, not the execution it holds', async () => {
    const pipeline = new OnCallPipeline();
    pipeline.execution(1);
    pipeline.execution(2);
    pipeline.hold('Production', pipeline.execution(3), 'Succeeded');
    fake.handler = pipeline.handler();

    expect(await run([...ROLLBACK, '--yes'], wireCli(fake).io)).toBe(ExitCode.OK);
    expect(pipeline.changes.map((c) => c.body.targetPipelineExecutionId)).toEqual([uuid(2)]);
  });

  test('GIVEN rollback executions and a newer execution that failed WHEN rollback runs THEN rollbacks are never a target', async () => {
    const pipeline = failedRelease();
    // A rollback to 1 that succeeded in Production, newer than 2: CodePipeline does not roll back to a rollback.
    pipeline.execution(4, { type: 'ROLLBACK', rollbackTarget: uuid(1) });
    pipeline.hold('Production', pipeline.execution(5, { status: 'Failed', succeededIn: ['Source', 'Build', 'Staging'] }), 'Failed');

    expect(await run([...ROLLBACK, '--yes'], wireCli(fake).io)).toBe(ExitCode.OK);
    expect(pipeline.changes.map((c) => c.body.targetPipelineExecutionId)).toEqual([uuid(2)]);
  });

  test('GIVEN --json WHEN rollback --yes runs THEN stdout is the outcome: stage, what it held, target, rollback execution, version', async () => {
    failedRelease();
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes', '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout())).toEqual({
      pipelineName: 'my-app',
      stageName: 'Production',
      currentPipelineExecutionId: uuid(3),
      currentStatus: 'Failed',
      pipelineVersion: 8,
      targetPipelineExecutionId: uuid(2),
      targetStartTime: '2026-12-03T02:00:00.000Z',
      pipelineExecutionId: uuid(100),
    });
    expect(t.stderr()).toBe('');
  });

  test('GIVEN --to an eligible execution WHEN rollback runs THEN that one is the target', async () => {
    const pipeline = failedRelease();

    expect(await run([...ROLLBACK, '--to', uuid(1), '--yes'], wireCli(fake).io)).toBe(ExitCode.OK);
    expect(pipeline.changes.map((c) => c.body.targetPipelineExecutionId)).toEqual([uuid(1)]);
  });
});

describe('rollback says clearly when there is no target', () => {
  test('GIVEN the first execution after a definition change failed WHEN rollback runs THEN exit 3 naming the limit, nothing sent', async () => {
    const pipeline = failedRelease();
    // A self-mutation made version 9; execution 3 is the first on it (the stand-in lists as documented: current version only).
    pipeline.version = 9;
    pipeline.hold('Production', pipeline.execution(4, { status: 'Failed', succeededIn: ['Source', 'Build'] }), 'Failed');
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.NOT_FOUND);
    expect(t.stderr()).toBe("error: Stage Production of pipeline 'my-app' has no rollback target: no earlier execution succeeded in Production on the " +
      'current pipeline definition (version 9). CodePipeline rolls back only to an execution started on the current definition, so the first ' +
      'release after a definition change has no rollback target. Nothing was sent. To restore an older release, start an execution of its ' +
      'commit (cdk-delivery release --source-revision <action>=COMMIT_ID:<sha>).\n');
    expect(fake.server.calls('RollbackStage')).toHaveLength(0);
  });

  test('GIVEN a listing that also returns executions of an older definition WHEN rollback runs THEN their version is checked: exit 3, nothing sent', async () => {
    const pipeline = failedRelease();
    pipeline.version = 9;
    pipeline.filterByVersion = false;
    pipeline.hold('Production', pipeline.execution(4, { status: 'Failed', succeededIn: ['Source', 'Build'] }), 'Failed');
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.NOT_FOUND);
    expect(t.stderr()).toContain(`no execution succeeded in Production on the current pipeline definition (version 9); the most recent one that did, ${uuid(2)}, ran on version 8.`);
    expect(fake.server.calls('RollbackStage')).toHaveLength(0);
  });

  test('GIVEN the same pipeline on its current definition WHEN rollback runs THEN the version check passes and it rolls back (both ways)', async () => {
    const pipeline = failedRelease();
    pipeline.filterByVersion = false;

    expect(await run([...ROLLBACK, '--yes'], wireCli(fake).io)).toBe(ExitCode.OK);
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN --to an execution of an older definition WHEN rollback runs THEN exit 2 naming both versions, nothing sent', async () => {
    const pipeline = failedRelease();
    pipeline.version = 9;
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--to', uuid(2), '--yes'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain(`error: --to ${uuid(2)} ran on pipeline definition version 8, and the pipeline is at version 9`);
    expect(fake.server.calls('RollbackStage')).toHaveLength(0);
  });

  test('GIVEN --to a rollback execution WHEN rollback runs THEN exit 2 naming the execution it restored', async () => {
    const pipeline = failedRelease();
    pipeline.execution(4, { type: 'ROLLBACK', rollbackTarget: uuid(1) });
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--to', uuid(4), '--yes'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain(`is a rollback execution, and CodePipeline does not roll back to a rollback; it restored ${uuid(1)}: name that one.`);
  });
});

describe('rollback refuses what CodePipeline would refuse, before sending', () => {
  test('GIVEN Production is running WHEN rollback runs THEN exit 6 (busy), nothing sent', async () => {
    const pipeline = failedRelease();
    pipeline.hold('Production', pipeline.execution(4, { status: 'InProgress', succeededIn: [] }), 'InProgress');
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain(`error: Stage Production of pipeline 'my-app' is InProgress (execution ${uuid(4)} (InProgress))`);
    expect(fake.server.calls('RollbackStage')).toHaveLength(0);
  });

  test('GIVEN the source stage WHEN rollback runs THEN exit 2', async () => {
    failedRelease();
    const t = wireCli(fake);

    expect(await run(['rollback', '--pipeline', 'my-app', '--stage', 'Source', '--yes'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain("error: Source is the pipeline's first (source) stage, and CodePipeline does not roll back a source stage.");
  });

  test.each([
    [['--stage', 'Nope'], ExitCode.NOT_FOUND, "error: Pipeline 'my-app' has no stage 'Nope'. Its stages: Source, Build, Staging, Production."],
    [['--stage', 'Prod uction'], ExitCode.USAGE, 'error: --stage "Prod uction" is not a stage name'],
    [['--stage', 'Production', '--to', 'exec-2'], ExitCode.USAGE, 'error: --to "exec-2" is not a CodePipeline execution id'],
    [['--stage', 'Production', '--to', uuid(77)], ExitCode.NOT_FOUND, 'PipelineExecutionNotFoundException during GetPipelineExecution'],
  ])('GIVEN %j WHEN rollback runs THEN exit %i with the message', async (args, code, message) => {
    failedRelease();
    const t = wireCli(fake);

    expect(await run(['rollback', '--pipeline', 'my-app', ...args, '--yes'], t.io)).toBe(code);
    expect(t.stderr()).toContain(message);
    expect(fake.server.calls('RollbackStage')).toHaveLength(0);
  });

  test('GIVEN an unknown pipeline WHEN rollback runs THEN exit 3', async () => {
    fake.handler = () => awsError(400, 'PipelineNotFoundException', 'The account with id 1 does not include a pipeline with the name nope');
    const t = wireCli(fake);

    expect(await run(['rollback', '--pipeline', 'nope', '--stage', 'Production', '--yes'], t.io)).toBe(ExitCode.NOT_FOUND);
    expect(t.stderr()).toContain("error: PipelineNotFoundException during GetPipelineState on pipeline 'nope'");
  });
});

describe('rollback never rolls back twice', () => {
  test.each([
    ['the reply hangs after the change (request timeout)', () => hang()],
    ['a 500 after the change', () => awsError(500, 'InternalFailure', 'reply lost')],
    ['the connection drops after the change', () => drop()],
  ])('GIVEN %s WHEN rollback runs THEN the SDK resend is refused, the re-read confirms it: exit 0, one rollback', async (_name, lost) => {
    const pipeline = failedRelease();
    pipeline.afterChange = () => lost();
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes', '--request-timeout', '0.3'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toBe(`Rolling back Production of pipeline my-app to execution ${uuid(2)}: rollback execution ${uuid(100)} started\n` +
      '(Done once: the reply to an earlier attempt was lost and the retry (attempt 2) was refused (UnableToRollbackStageException); ' +
      'the pipeline, read again, shows the change.)\n');
    expect(fake.server.calls('RollbackStage')).toHaveLength(2);
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN a lost reply and --json WHEN rollback runs THEN the JSON outcome carries confirmedAfter, stderr stays empty', async () => {
    const pipeline = failedRelease();
    pipeline.afterChange = () => awsError(500, 'InternalFailure', 'reply lost');
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes', '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout())).toMatchObject({
      pipelineExecutionId: uuid(100),
      targetPipelineExecutionId: uuid(2),
      confirmedAfter: 'the reply to an earlier attempt was lost and the retry (attempt 2) was refused (UnableToRollbackStageException)',
    });
    expect(t.stderr()).toBe('');
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN throttling on the first attempt WHEN rollback runs THEN the SDK retries and one rollback is made, exit 0', async () => {
    const pipeline = failedRelease();
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'RollbackStage' && fake.server.calls('RollbackStage').length === 1
      ? awsError(400, 'ThrottlingException', 'Rate exceeded')
      : handler(operation, body);

    expect(await run([...ROLLBACK, '--yes'], wireCli(fake).io)).toBe(ExitCode.OK);
    expect(fake.server.calls('RollbackStage')).toHaveLength(2);
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN a 500 on every attempt and nothing made WHEN rollback runs THEN "not made", confirmed by reading, exit 1', async () => {
    const pipeline = failedRelease();
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'RollbackStage' ? awsError(500, 'InternalFailure', 'try later') : handler(operation, body);
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toContain(`error: The rollback of Production to ${uuid(2)} was not made: CodePipeline answered HTTP 500 (InternalFailure), ` +
      `and stage Production still holds ${uuid(3)} (confirmed by reading the pipeline again). Run the command again.`);
    expect(fake.server.calls('RollbackStage')).toHaveLength(3);
    expect(pipeline.changes).toHaveLength(0);
  });

  test('GIVEN throttling beyond the retries WHEN rollback runs THEN the re-read shows nothing made: exit 1 naming the throttling', async () => {
    const pipeline = failedRelease();
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'RollbackStage' ? awsError(400, 'ThrottlingException', 'Rate exceeded') : handler(operation, body);
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toContain('the request was sent 3 times and the last attempt failed (ThrottlingException), so an earlier one may have been applied');
    expect(t.stderr()).toContain('CodePipeline throttled RollbackStage');
    expect(pipeline.changes).toHaveLength(0);
  });

  test('GIVEN the reply is lost and the pipeline cannot be read again WHEN rollback runs THEN outcome unknown, exit 8', async () => {
    const pipeline = failedRelease();
    pipeline.afterChange = () => awsError(503, 'ServiceUnavailable', 'reply lost');
    fake.handler = pipeline.handler({ state: (call) => (call > 1 ? awsError(403, 'AccessDeniedException', 'no read now') : undefined) });
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.UNCERTAIN);
    expect(t.stderr()).toContain(`error: The rollback of Production to ${uuid(2)} in pipeline 'my-app' may or may not be made`);
    expect(t.stderr()).toContain('Check with `cdk-delivery status --pipeline my-app` (or the console) before running the command again.');
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN the command deadline passes while RollbackStage hangs after the change WHEN rollback runs THEN the re-read confirms it: exit 0, one call', async () => {
    const pipeline = failedRelease();
    pipeline.afterChange = () => hang();
    const t = wireCli(fake);

    expect(await run([...ROLLBACK, '--yes', '--deadline', '0.5'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('(Done once: the command deadline passed before the reply came; the pipeline, read again, shows the change.)');
    expect(fake.server.calls('RollbackStage')).toHaveLength(1);
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN Ctrl-C while RollbackStage hangs and nothing was made WHEN rollback runs THEN "not made", exit 130', async () => {
    const pipeline = failedRelease();
    const handler = pipeline.handler();
    const t = wireCli(fake);
    fake.handler = (operation, body) => {
      if (operation === 'RollbackStage') {
        t.interrupt('SIGINT');
        return hang();
      }
      return handler(operation, body);
    };

    expect(await run([...ROLLBACK, '--yes'], t.io)).toBe(ExitCode.INTERRUPTED);
    expect(t.stderr()).toContain(`error: The rollback of Production to ${uuid(2)} was not made: the command was interrupted (SIGINT) before the reply came, ` +
      `and stage Production still holds ${uuid(3)} (confirmed by reading the pipeline again).`);
    expect(pipeline.changes).toHaveLength(0);
    expect(t.listeners).toHaveLength(0);
  });

  test('GIVEN a rollback made WHEN rollback runs again (after it finished) THEN exit 6 "already rolled back", still one rollback', async () => {
    const pipeline = failedRelease();

    expect(await run([...ROLLBACK, '--yes'], wireCli(fake).io)).toBe(ExitCode.OK);
    pipeline.stage('Production').status = 'Succeeded';
    const again = wireCli(fake);
    expect(await run([...ROLLBACK, '--yes'], again.io)).toBe(ExitCode.CONFLICT);

    expect(again.stderr()).toContain(`error: Stage Production of pipeline 'my-app' was already rolled back: it holds execution ${uuid(100)} (Succeeded, a rollback).`);
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN a rollback still running WHEN rollback runs again THEN exit 6 (busy), still one rollback', async () => {
    const pipeline = failedRelease();

    expect(await run([...ROLLBACK, '--yes'], wireCli(fake).io)).toBe(ExitCode.OK);
    expect(await run([...ROLLBACK, '--yes'], wireCli(fake).io)).toBe(ExitCode.CONFLICT);
    expect(pipeline.changes).toHaveLength(1);
  });
});

describe('rollback asks before it changes anything', () => {
  test('GIVEN a terminal answering yes WHEN rollback runs without --yes THEN the plan is shown on stderr, then it rolls back', async () => {
    const pipeline = failedRelease();
    const t = wireCli(fake, { answer: true });

    expect(await run(ROLLBACK, t.io)).toBe(ExitCode.OK);
    expect(t.stderr()).toBe('Roll back stage Production of pipeline my-app (pipeline definition version 8)\n' +
      `  from execution ${uuid(3)} (Failed)\n` +
      `  to   execution ${uuid(2)}, started 2026-12-03T02:00:00.000Z\n` +
      'CodePipeline redeploys the stage with that execution\'s source revisions, artifacts and variables.\n');
    expect(t.questions).toEqual(['Proceed? [y/N] ']);
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN a terminal answering no WHEN rollback runs THEN exit 9, nothing sent', async () => {
    const pipeline = failedRelease();
    const t = wireCli(fake, { answer: false });

    expect(await run(ROLLBACK, t.io)).toBe(ExitCode.DECLINED);
    expect(t.stderr()).toContain("error: Not confirmed: nothing was sent to pipeline 'my-app'.");
    expect(pipeline.changes).toHaveLength(0);
    expect(fake.server.calls('RollbackStage')).toHaveLength(0);
  });

  test('GIVEN no terminal (a script) and no --yes WHEN rollback runs THEN exit 2 naming --yes, no AWS call', async () => {
    failedRelease();
    const t = wireCli(fake);

    expect(await run(ROLLBACK, t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toBe('error: rollback changes the pipeline and asks for a confirmation, but stdin is not a terminal: run it on a terminal ' +
      'without --json to see what it will do and answer, or pass --yes to confirm in advance.\n');
    expect(fake.server.requests).toHaveLength(0);
  });

  test('GIVEN --json without --yes on a terminal WHEN rollback runs THEN a JSON usage error (no question on stderr), exit 2', async () => {
    failedRelease();
    const t = wireCli(fake, { answer: true });

    expect(await run([...ROLLBACK, '--json'], t.io)).toBe(ExitCode.USAGE);
    expect(JSON.parse(t.stderr())).toEqual({ error: { code: 'INVALID_INPUT', exitCode: 2, message: expect.stringContaining('under --json no question is asked') } });
    expect(t.questions).toEqual([]);
    expect(t.stdout()).toBe('');
  });

  test('GIVEN a person who takes longer than --deadline to answer WHEN they answer yes THEN the deadline paused: the rollback is made', async () => {
    const pipeline = failedRelease();
    const t = wireCli(fake);
    const io = { ...t.io, confirm: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 700)) };

    expect(await run([...ROLLBACK, '--deadline', '0.5'], io)).toBe(ExitCode.OK);
    expect(t.stdout()).toBe(`Rolling back Production of pipeline my-app to execution ${uuid(2)}: rollback execution ${uuid(100)} started\n`);
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN SIGTERM while the question waits WHEN the person then answers yes THEN nothing is sent, exit 130', async () => {
    const pipeline = failedRelease();
    const t = wireCli(fake);
    const io = {
      ...t.io,
      confirm: async () => {
        t.interrupt('SIGTERM');
        return true;
      },
    };

    expect(await run(ROLLBACK, io)).toBe(ExitCode.INTERRUPTED);
    expect(t.stderr()).toContain("error: Interrupted by SIGTERM at the confirmation: nothing was sent to pipeline 'my-app'.");
    expect(fake.server.calls('RollbackStage')).toHaveLength(0);
    expect(pipeline.changes).toHaveLength(0);
  });
});

test('GIVEN status on a stand-in that holds no rollback target WHEN rollback and status agree THEN both name the limit', async () => {
  const pipeline = failedRelease();
  pipeline.version = 9;
  const status = wireCli(fake);

  expect(await run(['status', '--pipeline', 'my-app', '--json'], status.io)).toBe(ExitCode.OK);
  const production = (JSON.parse(status.stdout()) as { automaticRollback: Array<{ stageName: string; noTargetReason?: string }> })
    .automaticRollback.find((r) => r.stageName === 'Production');
  expect(production?.noTargetReason).toContain('the first release after a definition change has no rollback target');
});

describe('the README shows what the CLI prints', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf-8');

  /** The output lines of the README's console block for `$ npx cdk-delivery <args>`, up to `[exit N]`. */
  function readmeOutput(args: string): { output: string; exit: number } {
    const start = readme.indexOf(`$ npx cdk-delivery ${args}\n`);
    expect(start).toBeGreaterThanOrEqual(0);
    const block = readme.slice(start, readme.indexOf('```', start)).split('\n').slice(1);
    const exitLine = block.findIndex((line) => /^\[exit \d+\]$/.test(line));
    return { output: block.slice(0, exitLine).join('\n') + '\n', exit: Number(/\d+/.exec(block[exitLine])?.[0]) };
  }

  test('GIVEN the README\'s rollback example WHEN the same command runs THEN the output and exit code are the README\'s', async () => {
    failedRelease();
    const t = wireCli(fake);
    const shown = readmeOutput('rollback --pipeline my-app --stage Production --yes');

    expect(await run(['rollback', '--pipeline', 'my-app', '--stage', 'Production', '--yes'], t.io)).toBe(shown.exit);
    expect(t.stdout()).toBe(shown.output);
  });

  test('GIVEN the first release after a definition change WHEN status runs THEN its rollback lines are the README\'s', async () => {
    const pipeline = new OnCallPipeline(['Source', 'Build', 'Production'], ['Production']);
    pipeline.execution(1);
    pipeline.version = 9;
    pipeline.hold('Production', pipeline.execution(2, { status: 'InProgress', succeededIn: ['Source', 'Build'] }), 'InProgress');
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    const lines = t.stdout().slice(t.stdout().indexOf('Automatic rollback'));
    expect(readme).toContain(`\`\`\`console\n${lines}\`\`\``);
  });
});
