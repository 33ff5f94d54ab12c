import { wireCli } from './wire-client';
import { ExitCode, run } from '../../src/cli/main';
import { awsError, drop, hang, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';
import { OnCallPipeline, uuid } from '../runtime/oncall-pipeline';

/**
 * `cdk-delivery retry`, `stop` and `override`, and the rollback targets `status` shows, against the stateful
 * CodePipeline stand-in on 127.0.0.1 (test/runtime/oncall-pipeline.ts). Rollback: cli-rollback.test.ts.
 */

const fake = useFakeCodePipeline();

/** Staging failed in execution 3 (actions Deploy and Smoke failed). */
function failedStaging(): OnCallPipeline {
  const pipeline = new OnCallPipeline();
  pipeline.execution(1);
  pipeline.execution(2);
  pipeline.hold('Staging', pipeline.execution(3, { status: 'Failed', succeededIn: ['Source', 'Build'] }), 'Failed', { failedActions: ['Deploy', 'Smoke'] });
  fake.handler = pipeline.handler();
  return pipeline;
}

/** Execution 3 runs; Production holds it, waiting on a failed before-entry condition (a closed deployment window). */
function heldAtWindow(): OnCallPipeline {
  const pipeline = new OnCallPipeline();
  pipeline.execution(1);
  pipeline.execution(2);
  pipeline.hold('Production', pipeline.execution(3, { status: 'InProgress', succeededIn: ['Source', 'Build', 'Staging'] }), 'InProgress', { beforeEntry: 'Failed' });
  fake.handler = pipeline.handler();
  return pipeline;
}

describe('retry', () => {
  const RETRY = ['retry', '--pipeline', 'my-app', '--stage', 'Staging'];

  test('GIVEN Staging failed WHEN retry runs THEN the failed actions of its latest execution are retried, exit 0 (no confirmation: nothing is undone)', async () => {
    const pipeline = failedStaging();
    const t = wireCli(fake);

    expect(await run(RETRY, t.io)).toBe(ExitCode.OK);
    expect(pipeline.changes).toEqual([{
      operation: 'RetryStageExecution',
      body: { pipelineName: 'my-app', stageName: 'Staging', pipelineExecutionId: uuid(3), retryMode: 'FAILED_ACTIONS' },
    }]);
    expect(t.stdout()).toBe(`Retrying the failed actions (Deploy, Smoke) of stage Staging in execution ${uuid(3)} of pipeline my-app\n`);
  });

  test('GIVEN --all --json WHEN retry runs THEN every action is retried and stdout is the outcome', async () => {
    const pipeline = failedStaging();
    const t = wireCli(fake);

    expect(await run([...RETRY, '--all', '--json'], t.io)).toBe(ExitCode.OK);
    expect(pipeline.changes.map((c) => c.body.retryMode)).toEqual(['ALL_ACTIONS']);
    expect(JSON.parse(t.stdout())).toEqual({
      pipelineName: 'my-app', stageName: 'Staging', pipelineExecutionId: uuid(3), retryMode: 'ALL_ACTIONS', failedActions: ['Deploy', 'Smoke'], manualRetriesBefore: 0,
    });
  });

  test('GIVEN Staging succeeded WHEN retry runs THEN exit 6 (not failed), nothing sent', async () => {
    const pipeline = new OnCallPipeline();
    pipeline.hold('Staging', pipeline.execution(1), 'Succeeded');
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run(RETRY, t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain(`error: Stage Staging of pipeline 'my-app' has not failed: its latest execution ${uuid(1)} is Succeeded.`);
    expect(fake.server.calls('RetryStageExecution')).toHaveLength(0);
  });

  test('GIVEN --execution-id of an older execution WHEN retry runs THEN exit 6: CodePipeline retries only the latest', async () => {
    failedStaging();
    const t = wireCli(fake);

    expect(await run([...RETRY, '--execution-id', uuid(2)], t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain(`error: Execution ${uuid(2)} is not the one stage Staging failed in last (${uuid(3)}).`);
  });

  test.each([
    ['a hang', () => hang()],
    ['a 500', () => awsError(500, 'InternalFailure', 'lost')],
    ['a dropped connection', () => drop()],
  ])('GIVEN %s after the retry was made WHEN retry runs THEN the resend is refused, the re-read confirms it: exit 0, one retry', async (_name, lost) => {
    const pipeline = failedStaging();
    pipeline.afterChange = () => lost();
    const t = wireCli(fake);

    expect(await run([...RETRY, '--request-timeout', '0.3'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('(Done once: the reply to an earlier attempt was lost and the retry (attempt 2) was refused (StageNotRetryableException)');
    expect(pipeline.changes).toHaveLength(1);
    expect(pipeline.stage('Staging').manualRetries).toBe(1);
  });

  test('GIVEN a retry made WHEN retry runs again THEN exit 6 (the stage runs), still one retry', async () => {
    const pipeline = failedStaging();

    expect(await run(RETRY, wireCli(fake).io)).toBe(ExitCode.OK);
    expect(await run(RETRY, wireCli(fake).io)).toBe(ExitCode.CONFLICT);
    expect(pipeline.changes).toHaveLength(1);
  });
});

describe('stop', () => {
  const STOP = ['stop', '--pipeline', 'my-app', '--reason', 'Error rate above 5 %', '--yes'];

  function running(): OnCallPipeline {
    const pipeline = new OnCallPipeline();
    pipeline.execution(1);
    pipeline.hold('Production', pipeline.execution(2, { status: 'InProgress', succeededIn: ['Source', 'Build', 'Staging'] }), 'InProgress');
    fake.handler = pipeline.handler();
    return pipeline;
  }

  test('GIVEN one execution in progress WHEN stop runs THEN it is stopped with the reason, actions allowed to finish, exit 0', async () => {
    const pipeline = running();
    const t = wireCli(fake);

    expect(await run(STOP, t.io)).toBe(ExitCode.OK);
    expect(pipeline.changes).toEqual([{
      operation: 'StopPipelineExecution',
      body: { pipelineName: 'my-app', pipelineExecutionId: uuid(2), abandon: false, reason: 'Error rate above 5 %' },
    }]);
    expect(t.stdout()).toBe(`Stopping execution ${uuid(2)} of pipeline my-app: Error rate above 5 %\n`);
  });

  test('GIVEN --stage --abandon --json WHEN stop runs THEN the execution the stage holds is abandoned; stdout is the outcome', async () => {
    const pipeline = running();
    const t = wireCli(fake);

    expect(await run([...STOP, '--stage', 'Production', '--abandon', '--json'], t.io)).toBe(ExitCode.OK);
    expect(pipeline.changes.map((c) => c.body.abandon)).toEqual([true]);
    expect(JSON.parse(t.stdout())).toEqual({
      pipelineName: 'my-app', pipelineExecutionId: uuid(2), statusBefore: 'InProgress', abandon: true, reason: 'Error rate above 5 %',
    });
  });

  test('GIVEN an execution already Stopping WHEN stop runs without --abandon THEN exit 6 suggesting --abandon; with --abandon it is sent', async () => {
    const pipeline = running();
    pipeline.executions.find((e) => e.id === uuid(2))!.status = 'Stopping';
    const t = wireCli(fake);

    expect(await run(STOP, t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain(`error: Execution ${uuid(2)} of pipeline 'my-app' is already Stopping. Nothing was sent. Add --abandon`);
    expect(await run([...STOP, '--abandon'], wireCli(fake).io)).toBe(ExitCode.OK);
    expect(pipeline.changes.map((c) => c.body.abandon)).toEqual([true]);
  });

  test('GIVEN no execution in progress WHEN stop runs THEN exit 3; two in progress without --execution-id THEN exit 2', async () => {
    const idle = new OnCallPipeline();
    idle.execution(1);
    fake.handler = idle.handler();
    const none = wireCli(fake);
    expect(await run(STOP, none.io)).toBe(ExitCode.NOT_FOUND);
    expect(none.stderr()).toContain("error: No execution of pipeline 'my-app' is in progress: nothing to stop.");

    const busy = new OnCallPipeline();
    busy.execution(1, { status: 'InProgress' });
    busy.execution(2, { status: 'InProgress' });
    fake.handler = busy.handler();
    const two = wireCli(fake);
    expect(await run(STOP, two.io)).toBe(ExitCode.USAGE);
    expect(two.stderr()).toContain(`error: 2 executions of pipeline 'my-app' are in progress: ${uuid(2)}, ${uuid(1)}. Name the one to stop with --execution-id or --stage.`);
    expect(busy.changes).toHaveLength(0);
  });

  test.each([
    [['--reason', 'x'.repeat(201)], 'error: --reason has 201 characters; CodePipeline keeps at most 200. Shorten it.'],
    [['--reason', '   '], 'error: --reason is required and must not be blank'],
    [['--reason', 'ok', '--execution-id', uuid(2), '--stage', 'Production'], 'error: Give --execution-id or --stage, not both'],
  ])('GIVEN %j WHEN stop runs THEN exit 2, no AWS call', async (args, message) => {
    running();
    const t = wireCli(fake);

    expect(await run(['stop', '--pipeline', 'my-app', ...args, '--yes'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain(message);
    expect(fake.server.requests).toHaveLength(0);
  });

  test('GIVEN the reply to the stop is lost WHEN stop runs THEN the resend gets DuplicatedStopRequestException, the re-read confirms: exit 0, one stop', async () => {
    const pipeline = running();
    pipeline.afterChange = () => awsError(500, 'InternalFailure', 'lost');
    const t = wireCli(fake);

    expect(await run(STOP, t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('was refused (DuplicatedStopRequestException); the pipeline, read again, shows the change.)');
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN a stop without a terminal and without --yes WHEN stop runs THEN exit 2 naming --yes', async () => {
    running();
    const t = wireCli(fake);

    expect(await run(['stop', '--pipeline', 'my-app', '--reason', 'x'], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain('error: stop changes the pipeline and asks for a confirmation');
  });

  test('GIVEN a terminal WHEN stop --abandon runs THEN the question warns what abandoning may leave behind', async () => {
    running();
    const t = wireCli(fake, { answer: false });

    expect(await run(['stop', '--pipeline', 'my-app', '--reason', 'Bad release', '--abandon'], t.io)).toBe(ExitCode.DECLINED);
    expect(t.stderr()).toContain(`Stop execution ${uuid(2)} of pipeline my-app (InProgress): abandon its actions in progress (they may leave failed or out-of-sequence work behind).\n  Reason: Bad release\n`);
    expect(fake.server.calls('StopPipelineExecution')).toHaveLength(0);
  });
});

describe('override', () => {
  const OVERRIDE = ['override', '--pipeline', 'my-app', '--stage', 'Production', '--reason', 'Hotfix for incident 4711', '--yes'];

  test('GIVEN Production held by a failed before-entry condition WHEN override runs THEN that condition is overridden, the reason is in the result', async () => {
    const pipeline = heldAtWindow();
    const t = wireCli(fake);

    expect(await run([...OVERRIDE, '--json'], t.io)).toBe(ExitCode.OK);
    expect(pipeline.changes).toEqual([{
      operation: 'OverrideStageCondition',
      body: { pipelineName: 'my-app', stageName: 'Production', pipelineExecutionId: uuid(3), conditionType: 'BEFORE_ENTRY' },
    }]);
    expect(JSON.parse(t.stdout())).toEqual({
      pipelineName: 'my-app',
      stageName: 'Production',
      pipelineExecutionId: uuid(3),
      conditionType: 'BEFORE_ENTRY',
      conditionStatus: 'Failed',
      reason: 'Hotfix for incident 4711',
    });
  });

  test('GIVEN a failing on-success condition WHEN override --condition on-success runs THEN ON_SUCCESS is overridden (text output)', async () => {
    const pipeline = new OnCallPipeline();
    pipeline.hold('Production', pipeline.execution(1, { status: 'InProgress' }), 'InProgress', { onSuccess: 'InProgress' });
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run([...OVERRIDE, '--condition', 'on-success'], t.io)).toBe(ExitCode.OK);
    expect(pipeline.changes.map((c) => c.body.conditionType)).toEqual(['ON_SUCCESS']);
    expect(t.stdout()).toBe(`Overrode the ON_SUCCESS condition of stage Production for execution ${uuid(1)} of pipeline my-app (it was InProgress): Hotfix for incident 4711\n`);
  });

  test('GIVEN an override made WHEN override runs again THEN exit 6 "already overridden", one override', async () => {
    const pipeline = heldAtWindow();

    expect(await run(OVERRIDE, wireCli(fake).io)).toBe(ExitCode.OK);
    const again = wireCli(fake);
    expect(await run(OVERRIDE, again.io)).toBe(ExitCode.CONFLICT);
    expect(again.stderr()).toContain(`error: No condition of stage Production holds execution ${uuid(3)} back (BEFORE_ENTRY: Overridden, ON_SUCCESS: none). ` +
      'Nothing was sent: it was already overridden.');
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN the reply is lost WHEN override runs THEN the resend is refused and the re-read confirms: exit 0, one override', async () => {
    const pipeline = heldAtWindow();
    pipeline.afterChange = () => drop();
    const t = wireCli(fake);

    expect(await run(OVERRIDE, t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('was refused (ConditionNotOverridableException); the pipeline, read again, shows the change.)');
    expect(pipeline.changes).toHaveLength(1);
  });

  test('GIVEN a condition that does not allow overrides WHEN override runs THEN CodePipeline\'s refusal is a conflict, exit 6, one attempt', async () => {
    const pipeline = heldAtWindow();
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'OverrideStageCondition'
      ? awsError(400, 'ConditionNotOverridableException', 'Unable to override because the condition does not allow overrides')
      : handler(operation, body);
    const t = wireCli(fake);

    expect(await run(OVERRIDE, t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain("error: CodePipeline refused OverrideStageCondition on pipeline 'my-app': the pipeline's state does not allow it now " +
      '(ConditionNotOverridableException): Unable to override because the condition does not allow overrides.');
    expect(fake.server.calls('OverrideStageCondition')).toHaveLength(1);
  });

  test.each([
    [['--condition', 'on-failure'], "error: --condition 'on-failure' is not a condition CodePipeline overrides: use before-entry or on-success."],
    [['--execution-id', 'latest'], 'error: --execution-id "latest" is not a CodePipeline execution id'],
  ])('GIVEN %j WHEN override runs THEN exit 2 before any AWS call', async (args, message) => {
    heldAtWindow();
    const t = wireCli(fake);

    expect(await run([...OVERRIDE, ...args], t.io)).toBe(ExitCode.USAGE);
    expect(t.stderr()).toContain(message);
    expect(fake.server.requests).toHaveLength(0);
  });
});

describe('status shows where each stage would roll back to', () => {
  test('GIVEN stages that roll back on failure WHEN status runs THEN each one\'s target is the last execution that succeeded there (text and JSON)', async () => {
    // Execution 3 passed Staging and is in Production now: a failure there rolls Production back to 2, and a failure
    // of the next release in Staging rolls Staging back to 3, the execution it holds.
    const pipeline = new OnCallPipeline();
    pipeline.execution(1);
    pipeline.execution(2);
    const current = pipeline.execution(3, { status: 'InProgress', succeededIn: ['Source', 'Build', 'Staging'] });
    pipeline.hold('Staging', current, 'Succeeded');
    pipeline.hold('Production', current, 'InProgress');
    fake.handler = pipeline.handler();
    const text = wireCli(fake);
    const json = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], text.io)).toBe(ExitCode.OK);
    expect(await run(['status', '--pipeline', 'my-app', '--json'], json.io)).toBe(ExitCode.OK);

    expect(text.stdout()).toContain('Automatic rollback (a failure now rolls the stage back to):\n' +
      `  Staging: execution ${uuid(3)}, started 2026-12-01T03:00:00.000Z\n` +
      `  Production: execution ${uuid(2)}, started 2026-12-03T02:00:00.000Z\n`);
    expect(JSON.parse(json.stdout()).automaticRollback).toEqual([
      { stageName: 'Staging', pipelineVersion: 8, targetPipelineExecutionId: uuid(3), targetStartTime: '2026-12-01T03:00:00.000Z' },
      { stageName: 'Production', pipelineVersion: 8, targetPipelineExecutionId: uuid(2), targetStartTime: '2026-12-03T02:00:00.000Z' },
    ]);
  });

  test('GIVEN the first execution after a definition change WHEN status runs THEN it says the stage has no rollback target and why', async () => {
    const pipeline = new OnCallPipeline(['Source', 'Build', 'Production'], ['Production']);
    pipeline.execution(1);
    pipeline.version = 9;
    pipeline.hold('Production', pipeline.execution(2, { status: 'InProgress', succeededIn: ['Source', 'Build'] }), 'InProgress');
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('Automatic rollback (a failure now rolls the stage back to):\n' +
      '  Production: no target: no earlier execution succeeded in Production on the current pipeline definition (version 9). CodePipeline ' +
      'rolls back only to an execution started on the current definition, so the first release after a definition change has no rollback ' +
      'target; a failure fails the stage and restores nothing.\n');
  });

  test('GIVEN credentials without ListPipelineExecutions WHEN status runs THEN the rest of status stands and the target reads unknown, exit 0', async () => {
    const pipeline = new OnCallPipeline(['Source', 'Build', 'Production'], ['Production']);
    pipeline.hold('Production', pipeline.execution(1), 'Succeeded');
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'ListPipelineExecutions'
      ? awsError(400, 'AccessDeniedException', 'not authorized to perform codepipeline:ListPipelineExecutions')
      : handler(operation, body);
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('  Production: unknown: Access denied for ListPipelineExecutions on pipeline \'my-app\' (AccessDeniedException)');
    expect(t.stdout()).toContain('│ Production');
  });

  test('GIVEN the command deadline passes while a target is read WHEN status runs THEN the deadline still ends it, exit 5', async () => {
    const pipeline = new OnCallPipeline(['Source', 'Build', 'Production'], ['Production']);
    pipeline.hold('Production', pipeline.execution(1), 'Succeeded');
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'ListPipelineExecutions' ? hang() : handler(operation, body);

    expect(await run(['status', '--pipeline', 'my-app', '--deadline', '0.5'], wireCli(fake).io)).toBe(ExitCode.TIMEOUT);
  });

  test('GIVEN a stage that rolls back through an onSuccess condition with result ROLLBACK WHEN status runs THEN its target is listed too', async () => {
    const pipeline = new OnCallPipeline(['Source', 'Build', 'Production'], []);
    pipeline.stage('Production').onSuccessRollsBack = true;
    pipeline.hold('Production', pipeline.execution(1), 'Succeeded');
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain(`Automatic rollback (a failure now rolls the stage back to):\n  Production: execution ${uuid(1)}`);
  });

  test('GIVEN no stage rolls back on failure WHEN status runs THEN no section and no extra call', async () => {
    const pipeline = new OnCallPipeline(['Source', 'Build', 'Production'], []);
    pipeline.hold('Production', pipeline.execution(1), 'Succeeded');
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).not.toContain('Automatic rollback');
    expect(fake.server.calls('ListPipelineExecutions')).toHaveLength(0);
  });
});

test('GIVEN --help WHEN run THEN the on-call commands and exit code 9 are listed', async () => {
  const t = wireCli(fake);

  expect(await run(['--help'], t.io)).toBe(ExitCode.OK);
  for (const command of ['rollback', 'retry', 'stop', 'override']) {
    expect(t.stdout()).toContain(`  ${command} [options]`);
  }
  expect(t.stdout()).toContain('  9    declined: a rollback, stop or override was not confirmed; nothing was sent');
});
