import { ApprovalPipeline, RELEASE_COMMIT } from './approval-pipeline';
import { wireCli } from './wire-client';
import { defaultLogsClientFactory, ExitCode, processIo, run } from '../../src/cli/main';
import { consoleFragmentEncode, decisionFilterPattern, decisionLink } from '../../src/review/private/review-contract';
import { awsError, epochSeconds, FakeReply, ok, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';

/*
 * `status`, `approve` and `reject` show the summary of a change-set review's pending `Review` approval (issue 20,
 * item 4), read from the review function's log group (FilterLogEvents) that the approval's review link names. On the
 * wire: the SDK's CloudWatch Logs client talks JSON 1.1 to the local server, as it would to CloudWatch Logs.
 */

const fake = useFakeCodePipeline();
const LOG_GROUP = 'PipelineStack-DeliveryChangeReviewProductionLogs1A2B3C4D-AbCdEf012345';
const LINK = decisionLink({ region: 'eu-west-1', encodedLogGroupName: consoleFragmentEncode(LOG_GROUP), executionId: 'exec-3' });
const COMMENT = 'Change-set review of Production: a function reads the change sets prepared above, approves a safe release by itself, and leaves a risky one '
  + 'here for a person. The review\'s summary: see the review link (the function\'s log, filtered to this execution), or run cdk-delivery status.';
const SUMMARY = 'Change review of Production: held for a person, 1 risky change.\n'
  + '- [HOLD] data: Prod-App: DynamoDB table \u001b[31mOrders\u001b[0m is replaced (KeySchema changed); its data is deleted.\n'
  + 'Stacks: Prod-App (1 change).';

/** The stand-in's pending approval is the change-set review's: stage Production, action Review, with its review link. */
function reviewPipeline(logs: (body: Record<string, unknown>) => FakeReply) {
  const pipeline = new ApprovalPipeline();
  const state = pipeline.state() as { stageStates: Array<{ stageName: string; actionStates: Array<{ actionName: string }> }> };
  state.stageStates[1].actionStates[0].actionName = 'Review';
  return {
    pipeline,
    handler: pipeline.handler({
      state: () => ok(state),
      other: (operation, body) => {
        if (operation === 'FilterLogEvents') {
          return logs(body);
        }
        if (operation === 'ListActionExecutions') {
          return ok({
            actionExecutionDetails: [{
              pipelineExecutionId: 'exec-3',
              stageName: 'Production',
              actionName: 'Review',
              status: 'InProgress',
              input: {
                actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' },
                configuration: { CustomData: COMMENT, ExternalEntityLink: LINK.replace('exec-3', '#{codepipeline.PipelineExecutionId}') },
                resolvedConfiguration: { CustomData: COMMENT, ExternalEntityLink: LINK },
              },
            }],
          });
        }
        return undefined;
      },
    }),
  };
}

/** The decision line as the review function's log group holds it (Lambda's JSON format). */
function decisionEvents(summary = SUMMARY) {
  const line = {
    level: 'INFO',
    message: 'Change review decided.',
    event: 'ReviewDecision',
    pipeline: 'my-app',
    executionId: 'exec-3',
    stage: 'Production',
    action: 'Review',
    environment: 'Production',
    decision: 'HOLD',
    summary,
  };
  return ok({
    events: [{
      logStreamName: '2026/12/03/[$LATEST]abc',
      timestamp: Date.parse('2025-05-26T09:00:04Z'),
      message: JSON.stringify({ timestamp: '2025-05-26T09:00:04.000Z', level: 'INFO', requestId: 'r-1', message: line }),
      ingestionTime: Date.parse('2025-05-26T09:00:05Z'),
      eventId: '1',
    }],
    searchedLogStreams: [],
  });
}

const SUMMARY_LINES = [
  '    summary  Change review of Production: held for a person, 1 risky change.',
  '             - [HOLD] data: Prod-App: DynamoDB table [31mOrders[0m is replaced (KeySchema changed); its data is deleted.',
  '             Stacks: Prod-App (1 change).',
];

describe('status', () => {
  test('GIVEN a held review WHEN status runs THEN the summary is printed under the review link, without its control characters', async () => {
    fake.handler = reviewPipeline(() => decisionEvents()).handler;
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    const out = t.stdout();
    expect(out).toContain(`    review   ${LINK}\n${SUMMARY_LINES.join('\n')}\n`);
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('not read');
    const [request] = fake.server.calls('FilterLogEvents');
    expect(request.target).toBe('Logs_20140328.FilterLogEvents');
    expect(request.body).toEqual({
      logGroupName: LOG_GROUP,
      filterPattern: decisionFilterPattern('exec-3'),
      startTime: epochSeconds('2025-05-26T09:00:00Z') * 1000 - 5 * 60 * 1000,
    });
  });

  test('GIVEN --json THEN the review is part of the pending approval\'s release', async () => {
    fake.handler = reviewPipeline(() => decisionEvents()).handler;
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app', '--json'], t.io)).toBe(ExitCode.OK);
    const status = JSON.parse(t.stdout()) as { pendingApprovals: Array<{ release: { review: unknown; gaps: string[] } }> };
    expect(status.pendingApprovals[0].release.review).toEqual({
      decision: 'HOLD',
      environment: 'Production',
      summary: SUMMARY.replace(/\u001b/g, ''),
      loggedAt: '2025-05-26T09:00:04.000Z',
      logGroupName: LOG_GROUP,
    });
    expect(status.pendingApprovals[0].release.gaps).toEqual([]);
  });

  test.each([
    ['no permission', () => awsError(400, 'AccessDeniedException', 'User: arn:aws:iam::111111111111:user/ops is not authorized to perform: logs:FilterLogEvents'),
      `not read: The review's summary could not be read from log group ${LOG_GROUP}: access denied (AccessDeniedException): User: arn:aws:iam::111111111111:user/ops `
      + 'is not authorized to perform: logs:FilterLogEvents. Allow logs:FilterLogEvents on that log group to see it here, or open the review link.'],
    ['no line yet', () => ok({ events: [], searchedLogStreams: [] }),
      'not read: No decision of the change-set review for execution exec-3 in log group '
      + `${LOG_GROUP} yet: the review runs when the approval starts (it may still be reading the change sets; run the command again in a minute).`],
  ])('GIVEN %s THEN status still succeeds and says so among the gaps', async (_what, logs, gap) => {
    fake.handler = reviewPipeline(logs).handler;
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain(`    ${gap}`);
    expect(t.stdout()).not.toContain('summary  ');
    expect(t.stderr()).toBe('');
  });

  test('GIVEN an approval that is not a review\'s THEN no log is read', async () => {
    fake.handler = new ApprovalPipeline().handler();
    const t = wireCli(fake);

    expect(await run(['status', '--pipeline', 'my-app'], t.io)).toBe(ExitCode.OK);
    expect(fake.server.calls('FilterLogEvents')).toHaveLength(0);
    expect(t.stdout()).not.toContain('summary  ');
  });
});

describe('approve and reject', () => {
  test('approve --commit prints the review\'s summary with what it approved', async () => {
    const { pipeline, handler } = reviewPipeline(() => decisionEvents());
    fake.handler = handler;
    const t = wireCli(fake);

    expect(await run(['approve', '--pipeline', 'my-app', '--summary', 'Table migration planned', '--commit', RELEASE_COMMIT.slice(0, 7)], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain('Approved Production/Review of execution exec-3 in pipeline my-app: "Table migration planned"\n');
    expect(t.stdout()).toContain(`  review   ${LINK}\n${SUMMARY_LINES.map(line => line.slice(2)).join('\n')}\n`);
    expect(pipeline.decisions).toEqual([{ status: 'Approved', summary: 'Table migration planned' }]);
  });

  test('reject decides even when the summary cannot be read', async () => {
    const { pipeline, handler } = reviewPipeline(() => awsError(400, 'AccessDeniedException', 'denied'));
    fake.handler = handler;
    const t = wireCli(fake);

    expect(await run(['reject', '--pipeline', 'my-app', '--summary', 'Keep the table'], t.io)).toBe(ExitCode.OK);
    expect(t.stdout()).toContain(`  not read: The review's summary could not be read from log group ${LOG_GROUP}: access denied`);
    expect(pipeline.decisions).toEqual([{ status: 'Rejected', summary: 'Keep the table' }]);
  });
});

test('the CLI\'s own io reads the logs with a CloudWatch Logs client of the command\'s region and request timeout', async () => {
  expect(processIo().createLogsClient).toBe(defaultLogsClientFactory);
  const client = defaultLogsClientFactory({ region: 'eu-central-1', requestTimeoutMs: 1234 });
  try {
    expect(await client.config.region()).toBe('eu-central-1');
    expect(client.config.serviceId).toBe('CloudWatch Logs');
  } finally {
    client.destroy();
  }
});
