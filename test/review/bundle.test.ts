import * as path from 'path';
import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, GetPipelineStateCommand, ListPipelineExecutionsCommand, PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CONFIG_VARIABLE, encodeConfig, parseDecisionLine, ReviewConfig } from '../../src/review/private/review-contract';

/**
 * The bundle the function deploys (assets/, written by `npx projen bundle`), run as Lambda runs it: `index.handler`
 * with the configuration in its environment. The SDK is external to the bundle (the Lambda runtime provides it);
 * here it resolves to the test's node_modules, whose clients are mocked.
 */
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'review', 'private', 'review-change-sets.lambda', 'index.js');

const CONFIG: ReviewConfig = {
  environmentName: 'Production',
  stageName: 'Production',
  approvalActionName: 'Review',
  targets: [{ stackName: 'Prod-App', changeSetName: 'PipelineChange', account: '222222222222', region: 'eu-west-1', roleArn: 'arn:aws:iam::222222222222:role/lookup' }],
  stackNamePrefixes: [],
  policy: { STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'CONTINUE' },
};

const TEMPLATE = JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } } } });

test.each([
  ['approves a harmless change set', undefined, 'APPROVED'],
  // The release size comes from src/runtime/release-size.ts, bundled in: 3 new revisions over a limit of 2 hold.
  ['holds a harmless change set in a release over its size limit', { maxRevisions: 2, outcome: 'HOLD' as const }, 'HELD'],
])('the bundled handler %s', async (_, releaseSize, expected) => {
  const codePipeline = mockClient(CodePipelineClient);
  const sts = mockClient(STSClient);
  const cfn = mockClient(CloudFormationClient);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    codePipeline.on(GetPipelineStateCommand).resolves({
      stageStates: [{
        stageName: 'Production',
        latestExecution: { pipelineExecutionId: 'e-1', status: 'InProgress' },
        actionStates: [{ actionName: 'Review', latestExecution: { status: 'InProgress', token: 'tok' } }],
      }],
    });
    codePipeline.on(PutApprovalResultCommand).resolves({});
    const run = (id: string, status: 'Succeeded' | 'InProgress' | 'Failed', minute: number) => ({
      pipelineExecutionId: id, status, startTime: new Date(Date.UTC(2026, 11, 1, 8, minute)), sourceRevisions: [{ actionName: 'Source', revisionId: `c-${id}` }],
    });
    codePipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [run('e-1', 'InProgress', 30), run('e-3', 'Failed', 20), run('e-2', 'Failed', 10), run('e-0', 'Succeeded', 0)],
    });
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'a', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() } });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Prod-App', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue', Replacement: 'False' } }],
    });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
    process.env[CONFIG_VARIABLE] = JSON.stringify(encodeConfig({ ...CONFIG, releaseSize }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(BUNDLE) as { handler: (event: unknown) => Promise<{ outcome: string }> };

    const result = await handler({
      'source': 'aws.codepipeline',
      'detail-type': 'CodePipeline Action Execution State Change',
      'detail': { 'pipeline': 'my-app', 'execution-id': 'e-1', 'stage': 'Production', 'action': 'Review', 'state': 'STARTED' },
    });

    expect(result.outcome).toBe(expected);
    expect(codePipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(releaseSize === undefined ? 0 : 1);
    if (expected === 'APPROVED') {
      expect(codePipeline.commandCalls(PutApprovalResultCommand)[0].args[0].input).toMatchObject({ token: 'tok', result: { status: 'Approved' } });
    } else {
      expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    }
    // The decision line is logged as an object: Lambda's JSON format writes it under `message`, where the review
    // link's filter pattern and the CLI find it (review-contract.ts).
    const sizeLine = '- [HOLD] release size: 3 new source revisions since the last production release (execution e-0), more than the limit of 2.';
    const events = log.mock.calls.map(([value]) => JSON.stringify({ timestamp: 't', level: 'INFO', requestId: 'r', message: value }));
    expect(events.map(parseDecisionLine).filter(line => line !== undefined)).toEqual([expect.objectContaining({
      event: 'ReviewDecision',
      pipeline: 'my-app',
      executionId: 'e-1',
      stage: 'Production',
      action: 'Review',
      decision: expected === 'APPROVED' ? 'CONTINUE' : 'HOLD',
      ...(releaseSize === undefined ? {} : { summary: expect.stringContaining(sizeLine) }),
    })]);
  } finally {
    log.mockRestore();
    delete process.env[CONFIG_VARIABLE];
    codePipeline.restore();
    sts.restore();
    cfn.restore();
  }
});
