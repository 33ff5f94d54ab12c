import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ActionCategory, ActionOwner, GetPipelineExecutionCommand, ListActionExecutionsCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { mockedOperations, PIPELINE } from './sdk-fixtures';
import { consoleFragmentEncode, decisionFilterPattern, decisionLink } from '../../src/review/private/review-contract';
import { describeApprovalRelease } from '../../src/runtime/approval-release';
import { PendingApproval } from '../../src/runtime/approvals';
import { CommandAborted } from '../../src/runtime/command-signal';
import { DeliveryError, DeliveryErrorCode } from '../../src/runtime/errors';
import { MAX_LOG_PAGES, readReviewDecision, SEARCH_MARGIN_MS, withoutControlCharacters } from '../../src/runtime/review-summary';

/*
 * A pending `Review` approval shows what the change-set review found: the operations client reads the review's
 * decision line from the log group the approval's review link names (FilterLogEvents), and says why when it cannot.
 */

const EXECUTION = '3f6a1c2e-0d4b-4c1a-9a55-6f0e1f1d2b7a';
const LOG_GROUP = 'PipelineStack-DeliveryChangeReviewProductionLogs1A2B3C4D-AbCdEf012345';
const WAITING_SINCE = '2026-12-03T10:00:00.000Z';
const APPROVAL: PendingApproval = { stageName: 'Production', actionName: 'Review', token: 'tok-1', pipelineExecutionId: EXECUTION, waitingSince: WAITING_SINCE };
const LINK = decisionLink({ region: 'eu-west-1', encodedLogGroupName: consoleFragmentEncode(LOG_GROUP), executionId: EXECUTION });
const SUMMARY = 'Change review of Production: held for a person, 1 risky change.\n'
  + '- [HOLD] data: Prod-App: DynamoDB table OrdersA9B65338 is replaced (KeySchema changed); its data is deleted.\n'
  + 'Stacks: Prod-App (1 change).';

/** A log event as Lambda's JSON format writes the handler's decision line. */
function decisionEvent(fields: Record<string, unknown> = {}, timestamp = Date.parse('2026-12-03T10:00:05Z')) {
  const line = {
    level: 'INFO',
    message: 'Change review decided.',
    event: 'ReviewDecision',
    pipeline: PIPELINE,
    executionId: EXECUTION,
    stage: 'Production',
    action: 'Review',
    environment: 'Production',
    decision: 'HOLD',
    summary: SUMMARY,
    ...fields,
  };
  return { timestamp, message: JSON.stringify({ timestamp: 't', level: 'INFO', requestId: 'r-1', message: line }) };
}

const logsMock = mockClient(CloudWatchLogsClient);
const logs = () => new CloudWatchLogsClient({ region: 'eu-west-1' });

beforeEach(() => logsMock.reset());

describe('readReviewDecision', () => {
  test('GIVEN a review link WHEN the line is logged THEN the decision and its whole summary, searched from 5 minutes before the approval started', async () => {
    logsMock.on(FilterLogEventsCommand).resolves({ events: [decisionEvent()] });
    const read = await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK);
    expect(read).toEqual({
      decision: { decision: 'HOLD', environment: 'Production', summary: SUMMARY, loggedAt: '2026-12-03T10:00:05.000Z', logGroupName: LOG_GROUP },
    });
    expect(logsMock.commandCalls(FilterLogEventsCommand).map(c => c.args[0].input)).toEqual([{
      logGroupName: LOG_GROUP,
      filterPattern: decisionFilterPattern(EXECUTION),
      startTime: Date.parse(WAITING_SINCE) - SEARCH_MARGIN_MS,
      nextToken: undefined,
    }]);
  });

  test('GIVEN an approval that is not a review\'s (another link, or none) THEN nothing is read', async () => {
    expect(await readReviewDecision(logs(), PIPELINE, APPROVAL, 'https://example.com/runbook')).toBeUndefined();
    expect(logsMock.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  });

  test('terminal control characters in the summary are removed (escape sequences, carriage returns, C1 controls, bidi overrides); line feeds stay', async () => {
    const hostile = 'Change review of Production: held for a person, 1 risky change.\n'
      + '- [HOLD] data: Prod-App: table \u001b[2J\u001b]0;pwned\u0007Orders\r\u009b31m is replaced\u202e\tgnp.exe.';
    logsMock.on(FilterLogEventsCommand).resolves({ events: [decisionEvent({ summary: hostile, environment: 'Prod\u001b[31m' })] });
    const read = await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK);
    expect(read?.decision?.summary).toBe('Change review of Production: held for a person, 1 risky change.\n'
      + '- [HOLD] data: Prod-App: table [2J]0;pwnedOrders31m is replaced gnp.exe.');
    expect(read?.decision?.environment).toBe('Prod[31m');
    expect(withoutControlCharacters('plain text, nothing to remove')).toBe('plain text, nothing to remove');
  });

  test('the latest line of this execution, stage and action wins; lines of others and events that are no decision line are left out', async () => {
    logsMock.on(FilterLogEventsCommand).resolves({
      events: [
        decisionEvent({ summary: 'later, another execution', executionId: 'other' }, Date.parse('2026-12-03T10:09:00Z')),
        decisionEvent({ summary: 'the retry', decision: 'HOLD' }, Date.parse('2026-12-03T10:02:00Z')),
        decisionEvent({ summary: 'first try' }, Date.parse('2026-12-03T10:01:00Z')),
        decisionEvent({ summary: 'another stage', stage: 'Production-2' }, Date.parse('2026-12-03T10:08:00Z')),
        decisionEvent({ summary: 'another pipeline', pipeline: 'other-app' }, Date.parse('2026-12-03T10:07:00Z')),
        { timestamp: Date.parse('2026-12-03T10:06:00Z'), message: 'START RequestId: r-2 Version: $LATEST' },
        { timestamp: Date.parse('2026-12-03T10:06:00Z') },
      ],
    });
    expect((await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK))?.decision?.summary).toBe('the retry');
  });

  test('pages are followed (FilterLogEvents answers empty pages while it scans)', async () => {
    logsMock.on(FilterLogEventsCommand)
      .resolvesOnce({ events: [], nextToken: 'p2' })
      .resolvesOnce({ events: [decisionEvent()] });
    expect((await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK))?.decision?.decision).toBe('HOLD');
    expect(logsMock.commandCalls(FilterLogEventsCommand).map(c => c.args[0].input.nextToken)).toEqual([undefined, 'p2']);
  });

  test('GIVEN no line yet THEN a gap says the review may still run; after the page limit it says how far it looked', async () => {
    logsMock.on(FilterLogEventsCommand).resolves({ events: [] });
    expect(await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK)).toEqual({
      gap: `No decision of the change-set review for execution ${EXECUTION} in log group ${LOG_GROUP} yet: the review runs when the approval starts `
        + '(it may still be reading the change sets; run the command again in a minute). If it stays missing, look at the review function\'s '
        + 'dead-letter queue alarm: the approval then waits for a person without a summary.',
    });
    logsMock.reset();
    logsMock.on(FilterLogEventsCommand).resolves({ events: [], nextToken: 'more' });
    const read = await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK);
    expect(read?.gap).toContain(`in the first ${MAX_LOG_PAGES} pages of FilterLogEvents yet`);
    expect(logsMock.commandCalls(FilterLogEventsCommand)).toHaveLength(MAX_LOG_PAGES);
  });

  test.each([
    ['AccessDeniedException', `The review's summary could not be read from log group ${LOG_GROUP}: access denied (AccessDeniedException): `
      + 'not authorized to perform: logs:FilterLogEvents. Allow logs:FilterLogEvents on that log group to see it here, or open the review link.'],
    ['ResourceNotFoundException', `The review's summary could not be read from log group ${LOG_GROUP}: it does not exist (ResourceNotFoundException): `
      + 'not authorized to perform: logs:FilterLogEvents. Check --region: the review link puts it in eu-west-1.'],
    ['ServiceUnavailableException', `The review's summary could not be read from log group ${LOG_GROUP} (ServiceUnavailableException): `
      + 'not authorized to perform: logs:FilterLogEvents. Open the review link to read it in the console.'],
  ])('GIVEN FilterLogEvents fails with %s THEN a gap says why and what to do, and the command goes on', async (name, gap) => {
    logsMock.on(FilterLogEventsCommand).rejects(Object.assign(new Error('not authorized to perform: logs:FilterLogEvents'), { name, $metadata: {} }));
    expect(await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK)).toEqual({ gap });
  });

  test('GIVEN the command\'s deadline passes while reading THEN the command ends (TIMEOUT), saying nothing was changed', async () => {
    logsMock.on(FilterLogEventsCommand).rejects(CommandAborted.deadline(30));
    const error = await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).code).toBe(DeliveryErrorCode.TIMEOUT);
    expect((error as DeliveryError).message).toBe(`The command deadline of 30 s passed while reading the change-set review's decision from log group ${LOG_GROUP} `
      + `(pipeline '${PIPELINE}'). Nothing was changed.`);
    logsMock.reset();
    logsMock.on(FilterLogEventsCommand).rejects(CommandAborted.interrupted('SIGINT'));
    const interrupted = await readReviewDecision(logs(), PIPELINE, APPROVAL, LINK).catch((e: unknown) => e);
    expect((interrupted as DeliveryError).code).toBe(DeliveryErrorCode.INTERRUPTED);
  });

  test('GIVEN no logs client, or no execution id THEN a gap says where the summary is', async () => {
    expect(await readReviewDecision(undefined, PIPELINE, APPROVAL, LINK)).toEqual({
      gap: `The review's summary is in log group ${LOG_GROUP} (see the review link); this client was given no CloudWatch Logs client to read it.`,
    });
    expect(await readReviewDecision(logs(), PIPELINE, { ...APPROVAL, pipelineExecutionId: undefined }, LINK)).toEqual({
      gap: `The review's summary is in log group ${LOG_GROUP}, but the stage Production reports no execution id to look it up by.`,
    });
    expect(logsMock.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  });

  test('GIVEN no time the approval started THEN the whole log group is searched (no startTime)', async () => {
    logsMock.on(FilterLogEventsCommand).resolves({ events: [decisionEvent({}, Number.NaN)] });
    const read = await readReviewDecision(logs(), PIPELINE, { ...APPROVAL, waitingSince: undefined }, LINK);
    expect(read?.decision?.loggedAt).toBeUndefined();
    expect(logsMock.commandCalls(FilterLogEventsCommand)[0].args[0].input.startTime).toBeUndefined();
  });
});

describe('describeApprovalRelease of a Review approval', () => {
  function mockReview() {
    const { client, mock } = mockedOperations();
    mock.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { pipelineExecutionId: EXECUTION, artifactRevisions: [] } });
    mock.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    mock.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [{
        pipelineExecutionId: EXECUTION,
        stageName: 'Production',
        actionName: 'Review',
        input: {
          actionTypeId: { category: ActionCategory.Approval, owner: ActionOwner.AWS, provider: 'Manual', version: '1' },
          configuration: { CustomData: 'Change-set review of Production: …', ExternalEntityLink: LINK.replace(EXECUTION, '#{codepipeline.PipelineExecutionId}') },
          resolvedConfiguration: { CustomData: 'Change-set review of Production: …', ExternalEntityLink: LINK },
        },
      }],
    });
    return client;
  }

  test('carries the review\'s decision beside the review link', async () => {
    logsMock.on(FilterLogEventsCommand).resolves({ events: [decisionEvent()] });
    const release = await describeApprovalRelease(mockReview(), PIPELINE, APPROVAL, { logs: logs() });
    expect(release.reviewUrl).toBe(LINK);
    expect(release.review).toEqual({ decision: 'HOLD', environment: 'Production', summary: SUMMARY, loggedAt: '2026-12-03T10:00:05.000Z', logGroupName: LOG_GROUP });
    expect(release.gaps).toEqual([]);
  });

  test('a summary it cannot read is a gap, not a failure', async () => {
    logsMock.on(FilterLogEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: {} }));
    const release = await describeApprovalRelease(mockReview(), PIPELINE, APPROVAL, { logs: logs() });
    expect(release.review).toBeUndefined();
    expect(release.gaps).toEqual([`The review's summary could not be read from log group ${LOG_GROUP}: access denied (AccessDeniedException): denied. `
      + 'Allow logs:FilterLogEvents on that log group to see it here, or open the review link.']);
  });
});
