import { ChangeSetNotFoundException, CloudFormationClient, DescribeChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, GetPipelineStateCommand } from '@aws-sdk/client-codepipeline';
import { SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Token } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import { encodedLogGroupName } from '../../src/review/private/change-set-review';
import { log } from '../../src/review/private/review-change-sets.lambda';
import {
  consoleFragmentDecode,
  consoleFragmentEncode,
  decisionFilterPattern,
  decisionLine,
  decisionLink,
  logGroupOfDecisionLink,
  parseDecisionLine,
  ReviewConfig,
  ReviewDecisionLine,
} from '../../src/review/private/review-contract';
import { reviewChangeSets } from '../../src/review/private/review-handler';

/*
 * The review's decision line (issue 20, item 4): the handler logs each decision as one structured line that the
 * approval's review link and `cdk-delivery status|approve|reject` read back. The format is a contract between the
 * deployed function and the CLI, so it is pinned here field by field.
 */

const EXECUTION = '3f6a1c2e-0d4b-4c1a-9a55-6f0e1f1d2b7a';
const ROLE = 'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1';

const LINE: ReviewDecisionLine = {
  event: 'ReviewDecision',
  pipeline: 'my-app',
  executionId: EXECUTION,
  stage: 'Production',
  action: 'Review',
  environment: 'Production',
  decision: 'HOLD',
  summary: 'Change review of Production: held for a person, 1 risky change.\n- [HOLD] data: Prod-App: DynamoDB table Orders is replaced.',
};

/** What the Node.js runtime writes for `console.log(value)` in Lambda's JSON log format: the value under `message`. */
function lambdaJsonEvent(value: unknown): string {
  return JSON.stringify({ timestamp: '2026-12-03T10:00:00.000Z', level: 'INFO', requestId: 'r-1', message: value });
}

describe('the decision line', () => {
  test('decisionLine writes exactly the contract\'s fields, event first', () => {
    const { event: _event, ...fields } = LINE;
    expect(Object.keys(decisionLine({ ...fields, extra: 'dropped' } as never))).toEqual(
      ['event', 'pipeline', 'executionId', 'stage', 'action', 'environment', 'decision', 'summary']);
    expect(decisionLine(fields)).toEqual(LINE);
  });

  test('is read back from Lambda\'s JSON envelope (the object under message), from a line logged as text, and bare', () => {
    expect(parseDecisionLine(lambdaJsonEvent({ level: 'INFO', message: 'Change review decided.', ...LINE }))).toEqual(LINE);
    expect(parseDecisionLine(lambdaJsonEvent(JSON.stringify(LINE)))).toEqual(LINE);
    expect(parseDecisionLine(JSON.stringify(LINE))).toEqual(LINE);
  });

  test.each([
    ['another event', lambdaJsonEvent({ ...LINE, event: 'Other' })],
    ['a field missing', lambdaJsonEvent({ ...LINE, summary: undefined })],
    ['a field of another type', lambdaJsonEvent({ ...LINE, executionId: 42 })],
    ['an unknown decision', lambdaJsonEvent({ ...LINE, decision: 'MAYBE' })],
    ['a text line', 'START RequestId: r-1 Version: $LATEST'],
    ['a JSON list', '[1, 2]'],
    ['null', 'null'],
  ])('is not read from %s', (_what, text) => {
    expect(parseDecisionLine(text)).toBeUndefined();
  });

  test('the filter pattern selects the line\'s event and execution under message (Lambda\'s JSON format)', () => {
    expect(decisionFilterPattern(EXECUTION)).toBe(`{ $.message.event = "ReviewDecision" && $.message.executionId = "${EXECUTION}" }`);
  });
});

describe('the handler logs one decision line per decision', () => {
  afterEach(() => {
    mockClient(CodePipelineClient).restore();
    mockClient(STSClient).restore();
    mockClient(SNSClient).restore();
    mockClient(CloudFormationClient).restore();
  });

  const CONFIG: ReviewConfig = {
    environmentName: 'Production',
    stageName: 'Production',
    approvalActionName: 'Review',
    targets: [{ stackName: 'Prod-App', changeSetName: 'PipelineChange', account: '222222222222', region: 'eu-west-1', roleArn: ROLE }],
    stackNamePrefixes: [],
    policy: { STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'CONTINUE' },
  };

  test('a hold (the change set is missing): pipeline, execution, stage, action, environment, decision and the whole summary', async () => {
    const codePipeline = mockClient(CodePipelineClient);
    mockClient(STSClient).on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() } });
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Prod-App', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(DescribeChangeSetCommand).rejects(new ChangeSetNotFoundException({ message: 'not found', $metadata: {} }));
    codePipeline.on(GetPipelineStateCommand).resolves({
      stageStates: [{
        stageName: 'Production',
        latestExecution: { pipelineExecutionId: EXECUTION, status: 'InProgress' },
        actionStates: [{ actionName: 'Review', latestExecution: { status: 'InProgress', token: 'tok-1' } }],
      }],
    });
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const result = await reviewChangeSets({
      detail: { 'pipeline': 'my-app', 'execution-id': EXECUTION, 'stage': 'Production', 'action': 'Review', 'state': 'STARTED' },
    }, CONFIG, {
      codePipeline: new CodePipelineClient({ region: 'us-east-1' }),
      sts: new STSClient({ region: 'us-east-1' }),
      sns: new SNSClient({ region: 'us-east-1' }),
      cloudFormation: (region, credentials) => new CloudFormationClient({ region, credentials }),
      sleep: async () => undefined,
      log: (_level, message, fields) => logged.push({ message, fields }),
    });
    expect(result.outcome).toBe('HELD');
    const lines = logged.map(l => parseDecisionLine(JSON.stringify(l.fields ?? {}))).filter(l => l !== undefined);
    expect(lines).toEqual([{
      event: 'ReviewDecision',
      pipeline: 'my-app',
      executionId: EXECUTION,
      stage: 'Production',
      action: 'Review',
      environment: 'Production',
      decision: 'HOLD',
      summary: 'Change review of Production: held for a person, the change could not be reviewed: change set PipelineChange of stack Prod-App '
        + 'does not exist (222222222222, eu-west-1).',
    }]);
  });

  test('the function logs objects, so Lambda\'s JSON format nests the fields (a filter pattern can see them), not one escaped text', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { event: _event, ...fields } = LINE;
      log('INFO', 'Change review decided.', { ...decisionLine(fields) });
      expect(spy).toHaveBeenCalledTimes(1);
      const [value] = spy.mock.calls[0];
      expect(typeof value).toBe('object');
      expect(JSON.parse(lambdaJsonEvent(value)).message).toEqual({ level: 'INFO', message: 'Change review decided.', ...LINE });
      expect(parseDecisionLine(lambdaJsonEvent(value))).toEqual(LINE);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the review link', () => {
  test('the console\'s fragment encoding: URI-encoded twice, % written $', () => {
    expect(consoleFragmentEncode('/aws/lambda/my-function')).toBe('$252Faws$252Flambda$252Fmy-function');
    expect(consoleFragmentEncode('"ERROR"')).toBe('$2522ERROR$2522');
    expect(consoleFragmentDecode('$252Faws$252Flambda$252Fmy-function')).toBe('/aws/lambda/my-function');
    expect(consoleFragmentDecode('$E0$A4$A')).toBeUndefined();
  });

  test('points at the log group, filtered to the execution; the CLI reads the log group back from it', () => {
    const link = decisionLink({ region: 'eu-west-1', encodedLogGroupName: consoleFragmentEncode('/cdk-delivery/review'), executionId: EXECUTION });
    expect(link).toBe('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/'
      + `$252Fcdk-delivery$252Freview/log-events$3FfilterPattern$3D${consoleFragmentEncode('{ $.message.event = "ReviewDecision" && $.message.executionId = "')}`
      + `${EXECUTION}${consoleFragmentEncode('" }')}`);
    const filter = consoleFragmentDecode(link.slice(link.indexOf('filterPattern$3D') + 'filterPattern$3D'.length));
    expect(filter).toBe(decisionFilterPattern(EXECUTION));
    expect(logGroupOfDecisionLink(link)).toEqual({ region: 'eu-west-1', logGroupName: '/cdk-delivery/review' });
  });

  test.each([
    ['another console page', 'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/my-app/view?region=eu-west-1'],
    ['a log group without the filter', 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/abc'],
    ['another host', 'https://example.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/abc/log-events$3FfilterPattern$3D'],
  ])('is not read from %s', (_what, url) => {
    expect(logGroupOfDecisionLink(url)).toBeUndefined();
  });

  test('a generated log group name stays a reference (letters, digits and - need no encoding); a known name is encoded', () => {
    const reference = Token.asString({ Ref: 'ReviewLogs' });
    expect(encodedLogGroupName(reference)).toBe(reference);
    expect(encodedLogGroupName('/aws/lambda/review')).toBe('$252Faws$252Flambda$252Freview');
    expect(consoleFragmentEncode('PipelineStack-DeliveryChangeReviewProductionLogs1A2B3C4D-AbCdEf012345')).toBe('PipelineStack-DeliveryChangeReviewProductionLogs1A2B3C4D-AbCdEf012345');
  });
});
