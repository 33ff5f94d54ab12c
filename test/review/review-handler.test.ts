import {
  ChangeSetNotFoundException,
  CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeChangeSetCommandOutput,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  ApprovalAlreadyCompletedException,
  CodePipelineClient,
  GetPipelineStateCommand,
  InvalidApprovalTokenException,
  ListPipelineExecutionsCommand,
  PipelineExecutionSummary,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AppVersion, synthesize, V1 } from './versioned-app';
import { CONFIG_VARIABLE, encodeConfig, ReviewConfig } from '../../src/review/private/review-contract';
import { configFromEnvironment, Credentials, reviewChangeSets, sessionPolicy, WAIT } from '../../src/review/private/review-handler';
import { CfnTemplate } from '../../src/review/private/template-model';
import { HISTORY_READ } from '../../src/runtime/release-size';

const PIPELINE = 'my-app';
const EXECUTION = '3f6a1c2e-0d4b-4c1a-9a55-6f0e1f1d2b7a';
const ROLE = 'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:approvals';

const CONFIG: ReviewConfig = {
  environmentName: 'Production',
  stageName: 'Production',
  approvalActionName: 'Review',
  targets: [{ stackName: 'Prod-App', changeSetName: 'PipelineChange', account: '222222222222', region: 'eu-west-1', roleArn: ROLE }],
  stackNamePrefixes: [],
  policy: { STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'CONTINUE' },
  topicArn: TOPIC,
};

const deployed = synthesize(V1);

/** The approval action STARTED, as EventBridge delivers it. */
function started(overrides: { action?: string; state?: string; stage?: string } = {}) {
  return {
    'version': '0',
    'detail-type': 'CodePipeline Action Execution State Change',
    'source': 'aws.codepipeline',
    'account': '111111111111',
    'region': 'us-east-1',
    'detail': {
      'pipeline': PIPELINE,
      'execution-id': EXECUTION,
      'stage': overrides.stage ?? 'Production',
      'action': overrides.action ?? 'Review',
      'state': overrides.state ?? 'STARTED',
      'type': { owner: 'AWS', category: 'Approval', provider: 'Manual', version: '1' },
    },
  };
}

/** `token: null` is an action without a token (a default parameter would turn `undefined` into 'tok-1'). */
function pipelineState(status: 'InProgress' | 'Succeeded' = 'InProgress', token: string | null = 'tok-1', executionId = EXECUTION) {
  return {
    pipelineName: PIPELINE,
    stageStates: [{
      stageName: 'Production',
      latestExecution: { pipelineExecutionId: executionId, status: 'InProgress' as const },
      actionStates: [
        { actionName: 'App.Prepare', latestExecution: { status: 'Succeeded' as const } },
        { actionName: 'Review', latestExecution: { status, token: token ?? undefined } },
      ],
    }],
  };
}

const notFound = () => Object.assign(new Error('Stack with id Prod-App does not exist'), { name: 'ValidationError', $metadata: {} });

interface Setup {
  /** The new version of the app (the change set's templates). */
  readonly next?: Partial<AppVersion>;
  /** The change set's pages (resource changes), as DescribeChangeSet returns them. */
  readonly pages?: Partial<DescribeChangeSetCommandOutput>[];
  readonly exists?: boolean;
}

function setup({ next = {}, pages = [{ Status: 'CREATE_COMPLETE', Changes: [] }], exists = true }: Setup = {}) {
  const newTemplates = synthesize({ ...V1, ...next });
  const codePipeline = mockClient(CodePipelineClient);
  const sts = mockClient(STSClient);
  const sns = mockClient(SNSClient);
  const cfn = mockClient(CloudFormationClient);
  codePipeline.on(GetPipelineStateCommand).resolves(pipelineState());
  codePipeline.on(PutApprovalResultCommand).resolves({ approvedAt: new Date() });
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'session', Expiration: new Date() } });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  if (exists) {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Prod-App', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
  } else {
    cfn.on(DescribeStacksCommand).rejects(notFound());
  }
  let page = 0;
  cfn.on(DescribeChangeSetCommand).callsFake(() => ({ ChangeSetName: 'PipelineChange', ...pages[Math.min(page++, pages.length - 1)] }));
  cfn.on(GetTemplateCommand).callsFake((input: { StackName: string; ChangeSetName?: string }) => {
    const source: Record<string, CfnTemplate> = input.ChangeSetName === undefined ? deployed : newTemplates;
    return { TemplateBody: JSON.stringify(source[input.StackName]) };
  });
  const clients: { region: string; credentials: Credentials }[] = [];
  const sleeps: number[] = [];
  const logs: string[] = [];
  const deps = {
    codePipeline: new CodePipelineClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    sns: new SNSClient({ region: 'us-east-1' }),
    cloudFormation: (region: string, credentials: Credentials) => {
      clients.push({ region, credentials });
      return new CloudFormationClient({ region, credentials });
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    log: (level: string, message: string) => logs.push(`${level} ${message}`),
  };
  return { deps, codePipeline, sts, sns, cfn, clients, sleeps, logs };
}

afterEach(() => {
  mockClient(CodePipelineClient).restore();
  mockClient(STSClient).restore();
  mockClient(SNSClient).restore();
  mockClient(CloudFormationClient).restore();
});

const TABLE_REPLACED = {
  Status: 'CREATE_COMPLETE' as const,
  Changes: [{
    Type: 'Resource' as const,
    ResourceChange: {
      Action: 'Modify' as const,
      LogicalResourceId: 'OrdersA9B65338',
      ResourceType: 'AWS::DynamoDB::Table',
      Replacement: 'True' as const,
      Details: [{ Target: { Attribute: 'Properties' as const, Name: 'KeySchema', RequiresRecreation: 'Always' as const } }],
    },
  }],
};

describe('the change-set review handler', () => {
  test('a harmless change is approved automatically, with the summary recorded', async () => {
    const { deps, codePipeline, sns } = setup({
      next: { greeting: 'good morning' },
      pages: [{ Status: 'CREATE_COMPLETE', Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Handler886CB40B', ResourceType: 'AWS::Lambda::Function', Replacement: 'False' } }] }],
    });
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('APPROVED');
    expect(codePipeline.commandCalls(PutApprovalResultCommand).map(c => c.args[0].input)).toEqual([{
      pipelineName: PIPELINE,
      stageName: 'Production',
      actionName: 'Review',
      token: 'tok-1',
      result: {
        status: 'Approved',
        summary: 'Change review of Production: approved automatically, no stateful resource replaced or deleted, no permission broadened, no stack removed.\n'
          + 'Stacks: Prod-App (1 change).',
      },
    }]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('a replaced table holds the approval: no decision, the summary goes to the topic', async () => {
    const { deps, codePipeline, sns } = setup({ next: { tableKey: 'id' }, pages: [TABLE_REPLACED] });
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('HELD');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand).map(c => c.args[0].input)).toEqual([{
      TopicArn: TOPIC,
      Subject: 'Change review of Production: held for a person',
      Message: [
        'Change review of Production: held for a person, 1 risky change.',
        '- [HOLD] data: Prod-App: DynamoDB table OrdersA9B65338 is replaced (KeySchema changed); its data is deleted.',
        'Stacks: Prod-App (1 change).',
        '',
        `Pipeline ${PIPELINE}, execution ${EXECUTION}: approval 'Review' in stage 'Production' waits for a person.`,
        `Approve or reject: npx cdk-delivery approve|reject --pipeline ${PIPELINE} --stage Production`,
      ].join('\n'),
    }]);
  });

  test('a hold without a topic only logs', async () => {
    const { deps, sns, logs } = setup({ next: { tableKey: 'id' }, pages: [TABLE_REPLACED] });
    const result = await reviewChangeSets(started(), { ...CONFIG, topicArn: undefined }, deps);
    expect(result.outcome).toBe('HELD');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(logs).toContain('INFO Change review decided.');
  });

  test('FAIL in the policy rejects the approval with the summary as the reason', async () => {
    const { deps, codePipeline } = setup({ next: { tableKey: 'id' }, pages: [TABLE_REPLACED] });
    const result = await reviewChangeSets(started(), { ...CONFIG, policy: { ...CONFIG.policy, STATEFUL_REPLACEMENT: 'FAIL' } }, deps);
    expect(result.outcome).toBe('REJECTED');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)[0].args[0].input.result).toEqual({
      status: 'Rejected',
      summary: 'Change review of Production: rejected, 1 change the policy does not allow.\n'
        + '- [FAIL] data: Prod-App: DynamoDB table OrdersA9B65338 is replaced (KeySchema changed); its data is deleted.\n'
        + 'Stacks: Prod-App (1 change).',
    });
  });

  test.each([
    ['ApprovalAlreadyCompletedException', () => new ApprovalAlreadyCompletedException({ message: 'already completed', $metadata: {} })],
    ['InvalidApprovalTokenException', () => new InvalidApprovalTokenException({ message: 'token invalid', $metadata: {} })],
  ])('a lost reply: PutApprovalResult answering %s on a retry neither fails nor acts twice', async (_name, error) => {
    const { deps, codePipeline } = setup();
    codePipeline.on(PutApprovalResultCommand).rejects(error());
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('ALREADY_DECIDED');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(1);
  });

  test('a retry after a decision took effect finds nothing pending and decides nothing', async () => {
    const { deps, codePipeline } = setup();
    codePipeline.on(GetPipelineStateCommand).resolves(pipelineState('Succeeded', null));
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('NOTHING_PENDING');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  test('an approval of another execution (this one was superseded) is left alone', async () => {
    const { deps, codePipeline } = setup();
    codePipeline.on(GetPipelineStateCommand).resolves(pipelineState('InProgress', 'tok-9', 'another-execution'));
    expect((await reviewChangeSets(started(), CONFIG, deps)).outcome).toBe('NOTHING_PENDING');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  test('any other PutApprovalResult error propagates (Lambda retries, then the dead-letter queue)', async () => {
    const { deps, codePipeline } = setup();
    codePipeline.on(PutApprovalResultCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    await expect(reviewChangeSets(started(), CONFIG, deps)).rejects.toThrow('Rate exceeded');
  });

  test('a change set that is not ready yet is read again after a wait; the token too', async () => {
    const { deps, sleeps, cfn, codePipeline } = setup({ pages: [{ Status: 'CREATE_IN_PROGRESS' }, { Status: 'CREATE_PENDING' }, { Status: 'CREATE_COMPLETE', Changes: [] }] });
    let reads = 0;
    codePipeline.on(GetPipelineStateCommand).callsFake(() => (reads++ === 0 ? pipelineState('InProgress', null) : pipelineState()));
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('APPROVED');
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(3);
    expect(codePipeline.commandCalls(GetPipelineStateCommand)).toHaveLength(2);
    expect(sleeps).toEqual([WAIT.delayMilliseconds, WAIT.delayMilliseconds, WAIT.delayMilliseconds]);
  });

  test('an approval whose token never appears: an error after the bounded reads (Lambda retries, then the dead-letter queue)', async () => {
    const { deps, codePipeline, sleeps } = setup();
    codePipeline.on(GetPipelineStateCommand).resolves(pipelineState('InProgress', null));
    await expect(reviewChangeSets(started(), CONFIG, deps)).rejects.toThrow(
      `Approval 'Review' of execution ${EXECUTION} has no token after ${WAIT.attempts} reads of the pipeline state.`);
    expect(codePipeline.commandCalls(GetPipelineStateCommand)).toHaveLength(WAIT.attempts);
    expect(sleeps).toHaveLength(WAIT.attempts - 1);
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  test('a change set that never becomes ready is held, saying why (never approved unread)', async () => {
    const { deps, codePipeline, sns, cfn } = setup({ pages: [{ Status: 'CREATE_IN_PROGRESS' }] });
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('HELD');
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(WAIT.attempts);
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toMatch(
      /^Change review of Production: held for a person, the change could not be reviewed: change set PipelineChange of stack Prod-App is still CREATE_IN_PROGRESS after 10 reads\./);
  });

  test('a change set that does not exist, or that failed, is held with the reason', async () => {
    const missing = setup();
    missing.cfn.on(DescribeChangeSetCommand).rejects(new ChangeSetNotFoundException({ message: 'ChangeSet [PipelineChange] does not exist', $metadata: {} }));
    expect((await reviewChangeSets(started(), CONFIG, missing.deps))).toMatchObject({
      outcome: 'HELD',
      summary: 'Change review of Production: held for a person, the change could not be reviewed: change set PipelineChange of stack Prod-App does not exist (222222222222, eu-west-1).',
    });
    const failed = setup({ pages: [{ Status: 'FAILED', StatusReason: 'Template format error' }] });
    expect(await reviewChangeSets(started(), CONFIG, failed.deps)).toMatchObject({ summary: expect.stringMatching(/change set PipelineChange of stack Prod-App FAILED: Template format error\.$/) });
  });

  test('a change set with no changes is approved', async () => {
    const { deps, codePipeline } = setup({ pages: [{ Status: 'FAILED', StatusReason: 'The submitted information didn\'t contain changes. Submit different information to create a change set.' }] });
    expect((await reviewChangeSets(started(), CONFIG, deps)).outcome).toBe('APPROVED');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)[0].args[0].input.result?.summary).toMatch(/Stacks: Prod-App \(0 changes\)\.$/);
  });

  test('every page of the change set is read: a replacement on page 2 is found', async () => {
    const { deps, cfn } = setup({
      next: { tableKey: 'id' },
      pages: [
        { Status: 'CREATE_COMPLETE', Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Handler886CB40B', ResourceType: 'AWS::Lambda::Function', Replacement: 'False' } }], NextToken: 'page-2' },
        TABLE_REPLACED,
      ],
    });
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('HELD');
    expect(cfn.commandCalls(DescribeChangeSetCommand).map(c => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(result).toMatchObject({ summary: expect.stringContaining('Stacks: Prod-App (2 changes).') });
  });

  test('a stack that does not exist yet is a creation: no deployed template is read; its permissions are new', async () => {
    const { deps, cfn } = setup({ exists: false });
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(cfn.commandCalls(GetTemplateCommand).map(c => c.args[0].input)).toEqual([{ StackName: 'Prod-App', ChangeSetName: 'PipelineChange', TemplateStage: 'Original' }]);
    expect(result).toMatchObject({ outcome: 'HELD', summary: expect.stringContaining('Stacks: Prod-App (new, 30 resources).') });
  });

  test('a stack in REVIEW_IN_PROGRESS (created by this change set) is a creation too', async () => {
    const { deps, cfn } = setup();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Prod-App', StackStatus: 'REVIEW_IN_PROGRESS', CreationTime: new Date() }] });
    expect(await reviewChangeSets(started(), CONFIG, deps)).toMatchObject({ summary: expect.stringContaining('Prod-App (new, 30 resources)') });
  });

  test('reads through the target\'s lookup role, with a session policy limited to the review\'s stacks', async () => {
    const { deps, sts, clients } = setup();
    await reviewChangeSets(started(), CONFIG, deps);
    const input = sts.commandCalls(AssumeRoleCommand)[0].args[0].input;
    expect(input).toMatchObject({ RoleArn: ROLE, RoleSessionName: 'cdk-delivery-change-review', DurationSeconds: 900 });
    expect(JSON.parse(input.Policy!)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: ['cloudformation:DescribeChangeSet', 'cloudformation:GetTemplate', 'cloudformation:DescribeStacks'],
        Resource: ['arn:aws:cloudformation:eu-west-1:222222222222:stack/Prod-App/*', 'arn:aws:cloudformation:eu-west-1:222222222222:changeSet/PipelineChange/*'],
      }],
    });
    expect(clients).toEqual([{ region: 'eu-west-1', credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'session' } }]);
  });

  test('a session policy too long for IAM (many stacks) falls back to every stack of that account and region, still read-only', () => {
    const targets = Array.from({ length: 40 }, (_, i) => ({ ...CONFIG.targets[0], stackName: `Prod-Service${i}-WithAVeryLongStackName` }));
    const policy = JSON.parse(sessionPolicy(targets[0], { ...CONFIG, targets }));
    expect(policy.Statement[0].Resource).toEqual(['arn:aws:cloudformation:eu-west-1:222222222222:stack/*', 'arn:aws:cloudformation:eu-west-1:222222222222:changeSet/*']);
    expect(policy.Statement[0].Action).toEqual(['cloudformation:DescribeChangeSet', 'cloudformation:GetTemplate', 'cloudformation:DescribeStacks']);
  });

  test('stacks of the environment\'s prefix that are no longer targets are reported as removed', async () => {
    const { deps, cfn, sts } = setup();
    cfn.on(ListStacksCommand).resolves({
      StackSummaries: [
        { StackName: 'Prod-App', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() },
        { StackName: 'Prod-Legacy', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() },
        { StackName: 'Other-Team', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() },
      ],
    });
    const result = await reviewChangeSets(started(), { ...CONFIG, stackNamePrefixes: ['Prod-'], policy: { ...CONFIG.policy, STACK_REMOVAL: 'HOLD' } }, deps);
    expect(result).toMatchObject({
      outcome: 'HELD',
      summary: 'Change review of Production: held for a person, 1 risky change.\n'
        + '- [HOLD] removed stack: Prod-Legacy is no longer in the app; CloudFormation leaves it running (2 resources, 2 stateful): delete it yourself if that is intended.\n'
        + 'Stacks: Prod-App (0 changes), Prod-Legacy (removed from the app).',
    });
    const policy = JSON.parse(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.Policy!);
    expect(policy.Statement[0].Resource).toContain('arn:aws:cloudformation:eu-west-1:222222222222:stack/Prod-*/*');
    expect(policy.Statement[1]).toEqual({ Effect: 'Allow', Action: ['cloudformation:ListStacks'], Resource: '*' });
  });

  test.each([
    [{ state: 'SUCCEEDED' }],
    [{ action: 'App.Prepare' }],
    [{ stage: 'Staging' }],
  ])('other events (%j) are ignored without reading anything', async (overrides) => {
    const { deps, codePipeline, sts } = setup();
    expect((await reviewChangeSets(started(overrides), CONFIG, deps)).outcome).toBe('IGNORED');
    expect(codePipeline.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('the release size (policy maxReleaseRevisions)', () => {
  const LIMITED: ReviewConfig = { ...CONFIG, releaseSize: { maxRevisions: 20, outcome: 'HOLD' } };
  const HARMLESS = { Status: 'CREATE_COMPLETE' as const, Changes: [{ Type: 'Resource' as const, ResourceChange: { Action: 'Modify' as const, LogicalResourceId: 'Handler886CB40B', ResourceType: 'AWS::Lambda::Function', Replacement: 'False' as const } }] };
  const T0 = Date.parse('2026-12-01T08:00:00Z');

  function run(id: string, status: string, minutes: number, revision: string): PipelineExecutionSummary {
    return {
      pipelineExecutionId: id,
      status: status as PipelineExecutionSummary['status'],
      startTime: new Date(T0 + minutes * 60_000),
      lastUpdateTime: new Date(T0 + (minutes + 30) * 60_000),
      sourceRevisions: [{ actionName: 'Source', revisionId: revision }],
    };
  }

  /**
   * The pending execution (newest), `newer` executions that pushed `c1`..`cN` since the last success `released`
   * (which shipped `c0`), newest first, then older history.
   */
  function history(pushes: number, options: { released?: boolean; older?: number } = {}): PipelineExecutionSummary[] {
    const released = options.released ?? true;
    const pending = run(EXECUTION, 'InProgress', pushes * 10, `c${pushes}`);
    const between = Array.from({ length: pushes - 1 }, (_, i) => run(`e-${pushes - 1 - i}`, i % 2 === 0 ? 'Superseded' : 'Failed', (pushes - 1 - i) * 10, `c${pushes - 1 - i}`));
    const base = run('e-released', released ? 'Succeeded' : 'Failed', 0, 'c0');
    const older = Array.from({ length: options.older ?? 0 }, (_, i) => run(`e-old-${i}`, 'Succeeded', -10 * (i + 1), `old-${i}`));
    return [pending, ...between, base, ...older];
  }

  /**
   * ListPipelineExecutions over `summaries` in pages of HISTORY_READ.pageSize, newest first; returns the nextToken of
   * each call as it was sent (the SDK's paginator reuses one input object, so the recorded calls show its last state).
   */
  function serve(codePipeline: ReturnType<typeof setup>['codePipeline'], summaries: PipelineExecutionSummary[]): Array<string | undefined> {
    const tokens: Array<string | undefined> = [];
    codePipeline.on(ListPipelineExecutionsCommand).callsFake((input: { nextToken?: string; maxResults?: number }) => {
      tokens.push(input.nextToken);
      const from = Number(input.nextToken ?? 0);
      const to = from + (input.maxResults ?? 100);
      return { pipelineExecutionSummaries: summaries.slice(from, to), nextToken: to < summaries.length ? String(to) : undefined };
    });
    return tokens;
  }

  test('over the limit: held, with the count, the last release and the limit in the summary', async () => {
    const { deps, codePipeline, sns } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    serve(codePipeline, history(41));
    const result = await reviewChangeSets(started(), LIMITED, deps);
    expect(result).toMatchObject({
      outcome: 'HELD',
      summary: 'Change review of Production: held for a person, 1 risky change.\n'
        + '- [HOLD] release size: 41 new source revisions since the last production release (execution e-released), more than the limit of 20.\n'
        + 'Stacks: Prod-App (1 change).',
    });
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toMatch(/^Change review of Production: held for a person, 1 risky change\.\n- \[HOLD\] release size: 41 new/);
    expect(codePipeline.commandCalls(ListPipelineExecutionsCommand).map(c => c.args[0].input))
      .toEqual([{ pipelineName: PIPELINE, maxResults: 100, nextToken: undefined }]);
  });

  test('at the limit: approved, the size recorded with the decision', async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    serve(codePipeline, history(20));
    const result = await reviewChangeSets(started(), LIMITED, deps);
    expect(result.outcome).toBe('APPROVED');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)[0].args[0].input.result).toEqual({
      status: 'Approved',
      summary: 'Change review of Production: approved automatically, no stateful resource replaced or deleted, no permission broadened, no stack removed.\n'
        + 'Release size: 20 new source revisions since the last production release (execution e-released), within the limit of 20.\n'
        + 'Stacks: Prod-App (1 change).',
    });
  });

  test('one revision more than the limit, and largeRelease FAIL: rejected; a risky change set and a large release both listed', async () => {
    const { deps, codePipeline } = setup({ next: { tableKey: 'id' }, pages: [TABLE_REPLACED] });
    serve(codePipeline, history(21));
    const result = await reviewChangeSets(started(), { ...CONFIG, releaseSize: { maxRevisions: 20, outcome: 'FAIL' } }, deps);
    expect(result.outcome).toBe('REJECTED');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)[0].args[0].input.result?.summary).toBe(
      'Change review of Production: rejected, 1 change the policy does not allow.\n'
      + '- [FAIL] release size: 21 new source revisions since the last production release (execution e-released), more than the limit of 20.\n'
      + '- [HOLD] data: Prod-App: DynamoDB table OrdersA9B65338 is replaced (KeySchema changed); its data is deleted.\n'
      + 'Stacks: Prod-App (1 change).');
  });

  test('no earlier success in the whole history: not determined, not held for its size, and the summary says so', async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    serve(codePipeline, history(41, { released: false }));
    const result = await reviewChangeSets(started(), LIMITED, deps);
    expect(result.outcome).toBe('APPROVED');
    expect(result).toMatchObject({
      summary: expect.stringContaining('\nRelease size: not determined, no execution succeeded before this one (42 executions read, the whole history), '
        + 'so there is no production release to count from; not held for its size (limit 20).\nStacks: Prod-App (1 change).'),
    });
  });

  test('a long history is read page by page until the page with the last success, and no further', async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    const tokens = serve(codePipeline, history(150, { older: 300 }));
    const result = await reviewChangeSets(started(), LIMITED, deps);
    expect(tokens).toEqual([undefined, '100']);
    expect(result).toMatchObject({ outcome: 'HELD', summary: expect.stringContaining('- [HOLD] release size: 150 new source revisions since the last production release (execution e-released), more than the limit of 20.') });
  });

  test(`the page cap: after ${HISTORY_READ.pages} pages without an earlier success, not determined and not held, saying the cap was hit`, async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    serve(codePipeline, history(HISTORY_READ.pages * HISTORY_READ.pageSize + 50));
    const result = await reviewChangeSets(started(), LIMITED, deps);
    expect(codePipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(HISTORY_READ.pages);
    expect(result.outcome).toBe('APPROVED');
    expect(result).toMatchObject({
      summary: expect.stringContaining('\nRelease size: not determined, none of the 500 executions read (5 pages, the most the review reads) succeeded before this one; '
        + 'not held for its size (limit 20).\n'),
    });
  });

  test('a success that started after the pending execution is not the last release; the history ends without an earlier one', async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    serve(codePipeline, [run('e-later', 'Succeeded', 60, 'c9'), run(EXECUTION, 'InProgress', 30, 'c8'), run('e-first', 'Failed', 0, 'c7')]);
    const result = await reviewChangeSets(started(), LIMITED, deps);
    expect(result).toMatchObject({ outcome: 'APPROVED', summary: expect.stringContaining('Release size: not determined, no execution succeeded before this one (3 executions read, the whole history)') });
  });

  test('a pending execution missing from the history: not determined, not held', async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    serve(codePipeline, [run('e-other', 'Succeeded', 0, 'c0')]);
    const result = await reviewChangeSets(started(), LIMITED, deps);
    expect(result).toMatchObject({
      outcome: 'APPROVED',
      summary: expect.stringContaining(`Release size: not determined, execution ${EXECUTION} is not in the pipeline's history (1 execution read); not held for its size (limit 20).`),
    });
  });

  test('a throttled or denied history read propagates like the other read failures: nothing approved (Lambda retries, then the dead-letter queue)', async () => {
    const { deps, codePipeline, sns } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    codePipeline.on(ListPipelineExecutionsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    await expect(reviewChangeSets(started(), LIMITED, deps)).rejects.toThrow('Rate exceeded');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('a failure on a later page propagates too (a partial history is never counted)', async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    const summaries = history(150);
    codePipeline.on(ListPipelineExecutionsCommand)
      .resolvesOnce({ pipelineExecutionSummaries: summaries.slice(0, 100), nextToken: '100' })
      .rejects(Object.assign(new Error('User is not authorized to perform: codepipeline:ListPipelineExecutions'), { name: 'AccessDeniedException', $metadata: {} }));
    await expect(reviewChangeSets(started(), LIMITED, deps)).rejects.toThrow('not authorized');
    expect(codePipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  test('without a limit the history is not read', async () => {
    const { deps, codePipeline } = setup({ next: { greeting: 'good morning' }, pages: [HARMLESS] });
    serve(codePipeline, history(41));
    const result = await reviewChangeSets(started(), CONFIG, deps);
    expect(result.outcome).toBe('APPROVED');
    expect(codePipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(0);
    expect(result).not.toMatchObject({ summary: expect.stringContaining('elease size') });
  });

  test('a change set that could not be read is held, and the summary still gives the release size', async () => {
    const { deps, codePipeline } = setup({ pages: [{ Status: 'FAILED', StatusReason: 'Template format error' }] });
    serve(codePipeline, history(3));
    expect(await reviewChangeSets(started(), LIMITED, deps)).toMatchObject({
      outcome: 'HELD',
      summary: 'Change review of Production: held for a person, the change could not be reviewed: change set PipelineChange of stack Prod-App FAILED: Template format error.\n'
        + 'Release size: 3 new source revisions since the last production release (execution e-released), within the limit of 20.',
    });
  });

  test('an ignored event reads no history', async () => {
    const { deps, codePipeline } = setup();
    expect((await reviewChangeSets(started({ state: 'SUCCEEDED' }), LIMITED, deps)).outcome).toBe('IGNORED');
    expect(codePipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(0);
  });
});

describe('configFromEnvironment', () => {
  test('reads the configuration the construct writes', () => {
    expect(configFromEnvironment({ [CONFIG_VARIABLE]: JSON.stringify(encodeConfig(CONFIG)) })).toEqual(CONFIG);
    const limited: ReviewConfig = { ...CONFIG, releaseSize: { maxRevisions: 20, outcome: 'FAIL' } };
    expect(configFromEnvironment({ [CONFIG_VARIABLE]: JSON.stringify(encodeConfig(limited)) })).toEqual(limited);
  });

  test.each([
    [{ maxRevisions: 0, outcome: 'HOLD' }, 'releaseSize.maxRevisions must be a whole number of at least 1 (got 0).'],
    [{ maxRevisions: 1.5, outcome: 'HOLD' }, 'releaseSize.maxRevisions must be a whole number of at least 1 (got 1.5).'],
    [{ maxRevisions: '20', outcome: 'HOLD' }, 'releaseSize.maxRevisions must be a whole number of at least 1 (got "20").'],
    [{ outcome: 'HOLD' }, 'releaseSize.maxRevisions must be a whole number of at least 1 (got nothing).'],
    [{ maxRevisions: 20, outcome: 'hold' }, 'releaseSize.outcome must be one of CONTINUE, HOLD, FAIL.'],
    [null, 'releaseSize.maxRevisions must be a whole number of at least 1 (got nothing); releaseSize.outcome must be one of CONTINUE, HOLD, FAIL.'],
  ])('refuses a broken release-size limit %j', (releaseSize, problem) => {
    const text = JSON.stringify({ ...encodeConfig(CONFIG), releaseSize });
    expect(() => configFromEnvironment({ [CONFIG_VARIABLE]: text })).toThrow(`Environment variable ${CONFIG_VARIABLE} is not a valid review configuration: ${problem}`);
  });

  test.each([
    [{}, /REVIEW_CONFIG is not set/],
    [{ [CONFIG_VARIABLE]: JSON.stringify(encodeConfig({ ...CONFIG, targets: [], policy: { ...CONFIG.policy, STACK_REMOVAL: 'MAYBE' as never } })) },
      /not a valid review configuration: targets must list at least one stack; policy.STACK_REMOVAL must be one of CONTINUE, HOLD, FAIL\./],
  ])('refuses a missing or broken configuration (%#)', (env, message) => {
    expect(() => configFromEnvironment(env)).toThrow(message);
  });
});
