import { ApprovalPipeline, RELEASE_COMMIT } from './approval-pipeline';
import { wireCli } from './wire-client';
import { ExitCode, run } from '../../src/cli/main';
import { awsError, drop, hang, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';

/** Approvals when the reply to PutApprovalResult is lost, against the stand-in of approval-pipeline.ts. */

const fake = useFakeCodePipeline();
const APPROVE = ['approve', '--pipeline', 'my-app', '--summary', 'Dashboards green'];

describe('an uncertain PutApprovalResult is reported truthfully', () => {
  test('GIVEN the reply is lost (timeout) after the commit WHEN approve runs THEN the retry finds the token used, the state shows it approved: exit 0, recorded once', async () => {
    const pipeline = new ApprovalPipeline(() => hang());
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    const code = await run([...APPROVE, '--request-timeout', '0.3'], t.io);

    expect({ code, stderr: t.stderr() }).toEqual({ code: ExitCode.OK, stderr: '' });
    expect(t.stdout()).toBe('Approved Production/Approve of execution exec-3 in pipeline my-app: "Dashboards green"\n' +
      '  commit   4f2a9c1d0e7b (octo/shop main): Cache product catalogue reads\n' +
      '  author   not reported by CodePipeline (authored 2025-05-26T08:35:12Z); pass --repo <clone> to see who\n' +
      '  size     2 new source revisions (at least 2 commits) since 1a2b3c4d5e6f (the last production release, execution exec-1); pass --repo <clone> for commits and lines\n' +
      '  comment  Approve the release to Production. Staging is deployed.\n' +
      '(Recorded once: the reply to an earlier attempt was lost and the retry (attempt 2) found the token used (ApprovalAlreadyCompletedException); ' +
      'the pipeline state, read again, shows the decision.)\n');
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(2);
    expect(pipeline.decisions).toEqual([{ status: 'Approved', summary: 'Dashboards green' }]);
  });

  test('GIVEN a 500 after the commit WHEN approve --json runs THEN the JSON result says approved and why it was confirmed, exit 0', async () => {
    const pipeline = new ApprovalPipeline(() => awsError(500, 'InternalFailure', 'reply lost'));
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run([...APPROVE, '--json'], t.io)).toBe(ExitCode.OK);
    expect(JSON.parse(t.stdout())).toEqual({
      pipelineName: 'my-app',
      stageName: 'Production',
      actionName: 'Approve',
      pipelineExecutionId: 'exec-3',
      decision: 'Approved',
      summary: 'Dashboards green',
      decidedAt: '2025-05-26T09:00:00.000Z',
      confirmedAfter: 'the reply to an earlier attempt was lost and the retry (attempt 2) found the token used (ApprovalAlreadyCompletedException)',
      release: expect.objectContaining({ pipelineExecutionId: 'exec-3', revisions: [expect.objectContaining({ revisionId: RELEASE_COMMIT })], gaps: [] }),
    });
    expect(t.stderr()).toBe('');
    expect(pipeline.decisions).toHaveLength(1);
  });

  test('GIVEN the connection drops after the commit WHEN reject runs THEN the rejection is confirmed from the state, exit 0', async () => {
    const pipeline = new ApprovalPipeline(() => drop());
    fake.handler = pipeline.handler();
    const t = wireCli(fake);

    expect(await run(['reject', '--pipeline', 'my-app', '--summary', 'Migration not reviewed'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toMatch(/^Rejected Production\/Approve of execution exec-3 in pipeline my-app: "Migration not reviewed"\n {2}commit {3}4f2a9c1d0e7b [^\n]*\n(.*\n){3}\(Recorded once: /);
    expect(pipeline.decisions).toEqual([{ status: 'Rejected', summary: 'Migration not reviewed' }]);
  });

  test('GIVEN every attempt fails with a 500 before any commit WHEN approve runs THEN "not recorded", still pending (confirmed), exit 1', async () => {
    const pipeline = new ApprovalPipeline();
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'PutApprovalResult' ? awsError(500, 'InternalFailure', 'try later') : handler(operation, body);
    const t = wireCli(fake);

    expect(await run(APPROVE, t.io)).toBe(ExitCode.FAILED);
    expect(t.stderr()).toContain('error: The approval was not recorded: CodePipeline answered HTTP 500 (InternalFailure), and Production/Approve is still pending ' +
      '(confirmed by reading the pipeline state). Run the command again.');
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(3);
    expect(pipeline.decisions).toEqual([]);
  });

  test('GIVEN the reply is lost and the state cannot be read again WHEN approve runs THEN outcome unknown, exit 8, saying what to check', async () => {
    const pipeline = new ApprovalPipeline(() => awsError(503, 'ServiceUnavailable', 'reply lost'));
    fake.handler = pipeline.handler({ state: (call) => (call > 1 ? awsError(403, 'AccessDeniedException', 'no read now') : undefined) });
    const t = wireCli(fake);

    expect(await run(APPROVE, t.io)).toBe(ExitCode.UNCERTAIN);
    expect(t.stderr()).toContain("error: The approval of Production/Approve in pipeline 'my-app' may or may not be recorded: the reply to an earlier attempt was lost");
    expect(t.stderr()).toContain('and reading the state to confirm failed (Access denied for GetPipelineState');
    expect(t.stderr()).toContain('Check with `cdk-delivery status --pipeline my-app` (or the console) before deciding again.');
    expect(t.stderr()).not.toContain('not recorded:');
    expect(pipeline.decisions).toHaveLength(1);
  });

  test('GIVEN someone else rejects while our reply is lost WHEN approve runs THEN conflict naming their decision, exit 6', async () => {
    const pipeline = new ApprovalPipeline();
    const handler = pipeline.handler();
    fake.handler = (operation, body) => {
      if (operation === 'PutApprovalResult' && fake.server.calls('PutApprovalResult').length === 1) {
        pipeline.decideElsewhere('Rejected', 'Stop the release');
        return awsError(500, 'InternalFailure', 'reply lost');
      }
      return handler(operation, body);
    };
    const t = wireCli(fake);

    expect(await run(APPROVE, t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain("error: The approval was not recorded by this command: Production/Approve was rejected by someone else with the summary 'Stop the release'");
    expect(pipeline.decisions).toEqual([]);
  });

  test('GIVEN a token already used before our first attempt WHEN approve runs THEN a certain conflict (one attempt), exit 6', async () => {
    const pipeline = new ApprovalPipeline();
    const handler = pipeline.handler();
    fake.handler = (operation, body) => operation === 'PutApprovalResult'
      ? awsError(400, 'InvalidApprovalTokenException', 'The token is invalid')
      : handler(operation, body);
    const t = wireCli(fake);

    expect(await run(APPROVE, t.io)).toBe(ExitCode.CONFLICT);
    expect(t.stderr()).toContain('error: The approval was not recorded: it was already approved or rejected, or its token is no longer valid (InvalidApprovalTokenException)');
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(1);
    expect(fake.server.calls('GetPipelineState')).toHaveLength(1);
  });

  test('GIVEN the command deadline passes while PutApprovalResult hangs after the commit WHEN approve runs THEN the state read confirms it, exit 0', async () => {
    const pipeline = new ApprovalPipeline(() => hang());
    fake.handler = pipeline.handler();
    const t = wireCli(fake);
    const started = Date.now();

    expect(await run([...APPROVE, '--deadline', '0.5'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('(Recorded once: the command deadline passed before the reply came;');
    expect(fake.server.calls('PutApprovalResult')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('GIVEN Ctrl-C while PutApprovalResult hangs and nothing was committed WHEN approve runs THEN "not recorded", exit 130', async () => {
    const pipeline = new ApprovalPipeline();
    const handler = pipeline.handler();
    const t = wireCli(fake);
    fake.handler = (operation, body) => {
      if (operation === 'PutApprovalResult') {
        t.interrupt('SIGINT');
        return hang();
      }
      return handler(operation, body);
    };

    expect(await run(APPROVE, t.io)).toBe(ExitCode.INTERRUPTED);
    expect(t.stderr()).toContain('error: The approval was not recorded: the command was interrupted (SIGINT) before the reply came, and Production/Approve is still pending');
    expect(pipeline.decisions).toEqual([]);
    expect(t.listeners).toHaveLength(0);
  });
});

describe('no command approves twice', () => {
  test('GIVEN an approval recorded through a lost reply WHEN approve runs again THEN nothing is pending (exit 3) and one decision exists', async () => {
    const pipeline = new ApprovalPipeline(() => awsError(500, 'InternalFailure', 'reply lost'));
    fake.handler = pipeline.handler();

    expect(await run(APPROVE, wireCli(fake).io)).toBe(ExitCode.OK);
    const again = wireCli(fake);
    expect(await run(APPROVE, again.io)).toBe(ExitCode.NOT_FOUND);
    expect(again.stderr()).toContain("error: No approval is pending in pipeline 'my-app'.");
    expect(pipeline.decisions).toEqual([{ status: 'Approved', summary: 'Dashboards green' }]);
  });

  test.each([
    ['500 after the commit', () => awsError(500, 'InternalFailure', 'lost')],
    ['a hang after the commit', () => hang()],
    ['a dropped connection after the commit', () => drop()],
  ])('GIVEN %s WHEN every command runs in turn THEN exactly one PutApprovalResult commits', async (_name, afterCommit) => {
    const pipeline = new ApprovalPipeline(afterCommit);
    fake.handler = pipeline.handler();
    const commands = [
      ['status', '--pipeline', 'my-app'],
      [...APPROVE, '--request-timeout', '0.3'],
      [...APPROVE, '--request-timeout', '0.3'],
      ['reject', '--pipeline', 'my-app', '--summary', 'late', '--request-timeout', '0.3'],
      ['freeze', '--pipeline', 'my-app', '--reason', 'Quarter close'],
      ['unfreeze', '--pipeline', 'my-app'],
      ['release', '--pipeline', 'my-app'],
    ];

    for (const args of commands) {
      await run(args, wireCli(fake).io);
    }

    expect(pipeline.decisions).toEqual([{ status: 'Approved', summary: 'Dashboards green' }]);
  });
});
