import {
  Change,
  ChangeSetStatus,
  CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeChangeSetCommandOutput,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStacksCommand,
  StackStatus,
} from '@aws-sdk/client-cloudformation';
import { ApprovalStatus, CodePipelineClient, GetPipelineStateCommand, PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { classify, decide, ReleaseSizeReport, releaseSizeLine, ResourceChangeFact, shortSummary, StackChange } from './classify';
import { releaseSizeReport } from './release-size-check';
import { CHANGE_SET_CLASSES, CONFIG_VARIABLE, decisionLine, decodeTargets, EncodedConfig, Outcome, OUTCOMES, ReviewConfig, ReviewTarget } from './review-contract';
import { CfnTemplate, isRecord } from './template-model';
import { readReleaseHistory } from '../../runtime/release-size';

/**
 * The change-set review's handler logic, apart from its Lambda entry point (`review-change-sets.lambda.ts`) so that it
 * is tested against mocked clients.
 *
 * An EventBridge rule runs it when the review approval of an environment's stage STARTS (the approval sits between
 * the stacks' change-set prepare and execute actions). It reads each stack's change set and templates in the
 * target account (through CDK bootstrap's lookup role, narrowed by a session policy to those stacks), classifies,
 * checks the release size against the policy's limit when one is set (the pipeline's execution history), and then
 * approves (CONTINUE), leaves the approval pending and tells a person (HOLD), or rejects it (FAIL), with the
 * summary.
 */

/** What the handler did. */
export type ReviewResult =
  | { readonly outcome: 'IGNORED'; readonly reason: string }
  | { readonly outcome: 'NOTHING_PENDING'; readonly reason: string; readonly decision: Outcome; readonly summary: string }
  | { readonly outcome: 'APPROVED' | 'REJECTED' | 'HELD' | 'ALREADY_DECIDED'; readonly reason: string; readonly decision: Outcome; readonly summary: string };

/** The clients and the clock the handler uses (tests pass mocks and a sleep that does not wait). */
export interface ReviewDependencies {
  readonly codePipeline: CodePipelineClient;
  readonly sts: STSClient;
  readonly sns: SNSClient;
  /** A CloudFormation client in `region` with the assumed role's credentials. */
  readonly cloudFormation: (region: string, credentials: Credentials) => CloudFormationClient;
  readonly sleep: (milliseconds: number) => Promise<void>;
  readonly log: (level: 'INFO' | 'WARN', message: string, fields?: Record<string, unknown>) => void;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Bounds of the waits: a change set not yet created, an approval whose token is not yet in the pipeline state. */
export const WAIT = { attempts: 10, delayMilliseconds: 3000 };

/** PutApprovalResult errors that mean the approval was decided already (by a person, or by an earlier try of ours). */
const ALREADY_DECIDED_ERRORS = new Set(['ApprovalAlreadyCompletedException', 'InvalidApprovalTokenException']);

/** Change sets whose creation has not finished. */
const NOT_READY: readonly string[] = [ChangeSetStatus.CREATE_PENDING, ChangeSetStatus.CREATE_IN_PROGRESS];

/** CloudFormation's reasons for a change set that failed only because the stack already matches the template. */
const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

/** IAM's limit on an inline session policy (packed plaintext). */
const SESSION_POLICY_LIMIT = 2048;

/** Live stacks (not deleted, not being deleted, not a change set waiting to create the stack). */
const LIVE_STACK_STATUSES: StackStatus[] = Object.values(StackStatus)
  .filter(s => !s.startsWith('DELETE_') && s !== StackStatus.REVIEW_IN_PROGRESS);

/** A state of a stack the review cannot read: the approval is held with the reason. */
export class UnreviewableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreviewableError';
  }
}

/** Reads and checks the configuration the construct wrote into the function's environment. */
export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): ReviewConfig {
  const text = env[CONFIG_VARIABLE];
  if (text === undefined || text.trim() === '') {
    throw new Error(`Environment variable ${CONFIG_VARIABLE} is not set: the ChangeSetReview construct writes the review's configuration there.`);
  }
  const encoded = JSON.parse(text) as EncodedConfig;
  const config: ReviewConfig = { ...encoded, targets: decodeTargets(Array.isArray(encoded.groups) ? encoded.groups : []) };
  const problems: string[] = [];
  for (const key of ['environmentName', 'stageName', 'approvalActionName'] as const) {
    if (typeof config[key] !== 'string' || config[key].length === 0) {
      problems.push(`${key} must be a non-empty string`);
    }
  }
  if (!Array.isArray(config.targets) || config.targets.length === 0) {
    problems.push('targets must list at least one stack');
  }
  for (const c of CHANGE_SET_CLASSES) {
    if (!OUTCOMES.includes(config.policy?.[c])) {
      problems.push(`policy.${c} must be one of ${OUTCOMES.join(', ')}`);
    }
  }
  if (config.releaseSize !== undefined) {
    const limit: Record<string, unknown> = isRecord(config.releaseSize) ? config.releaseSize : {};
    const maxRevisions = limit.maxRevisions;
    if (typeof maxRevisions !== 'number' || !Number.isInteger(maxRevisions) || maxRevisions < 1) {
      problems.push(`releaseSize.maxRevisions must be a whole number of at least 1 (got ${JSON.stringify(maxRevisions) ?? 'nothing'})`);
    }
    if (!OUTCOMES.includes(limit.outcome as Outcome)) {
      problems.push(`releaseSize.outcome must be one of ${OUTCOMES.join(', ')}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Environment variable ${CONFIG_VARIABLE} is not a valid review configuration: ${problems.join('; ')}.`);
  }
  const { groups: _groups, ...rest } = config as ReviewConfig & { groups?: unknown };
  return { ...rest, stackNamePrefixes: config.stackNamePrefixes ?? [] };
}

/** Handles one "CodePipeline Action Execution State Change" event. */
export async function reviewChangeSets(event: unknown, config: ReviewConfig, deps: ReviewDependencies): Promise<ReviewResult> {
  const detail = isRecord(event) && isRecord(event.detail) ? event.detail : {};
  const pipelineName = String(detail.pipeline ?? '');
  const executionId = String(detail['execution-id'] ?? '');
  if (detail.state !== 'STARTED' || detail.stage !== config.stageName || detail.action !== config.approvalActionName || pipelineName === '' || executionId === '') {
    const reason = `Not the start of approval '${config.approvalActionName}' in stage '${config.stageName}' `
      + `(got ${String(detail.action)} ${String(detail.state)} in ${String(detail.stage)}): nothing to do.`;
    deps.log('INFO', reason);
    return { outcome: 'IGNORED', reason };
  }

  // Only with a limit; a failed read throws like the change-set reads (Lambda retries, then the dead-letter queue).
  let releaseSize: ReleaseSizeReport | undefined;
  if (config.releaseSize !== undefined) {
    const history = await readReleaseHistory(deps.codePipeline, pipelineName, executionId);
    releaseSize = releaseSizeReport(history, executionId, config.releaseSize);
  }

  let stacks: StackChange[];
  let decision: { outcome: Outcome; summary: string };
  try {
    stacks = await readStacks(config, deps);
    decision = decide(classify(stacks), config.policy, config.environmentName, releaseSize);
  } catch (error) {
    if (!(error instanceof UnreviewableError)) {
      throw error; // Lambda retries, then the dead-letter queue: the approval stays pending meanwhile.
    }
    decision = {
      outcome: 'HOLD',
      summary: [
        `Change review of ${config.environmentName}: held for a person, the change could not be reviewed: ${error.message}`,
        ...(releaseSize === undefined ? [] : [releaseSizeLine(releaseSize)]),
      ].join('\n'),
    };
  }
  // The decision line (review-contract.ts): what the approval's review link and `cdk-delivery status` read.
  const line = decisionLine({
    pipeline: pipelineName,
    executionId,
    stage: config.stageName,
    action: config.approvalActionName,
    environment: config.environmentName,
    decision: decision.outcome,
    summary: decision.summary,
  });
  deps.log('INFO', 'Change review decided.', { ...line });

  const token = await pendingToken(pipelineName, executionId, config, deps);
  if (token === undefined) {
    const reason = `Approval '${config.approvalActionName}' of execution ${executionId} is no longer pending: nothing to decide.`;
    deps.log('INFO', reason);
    return { outcome: 'NOTHING_PENDING', reason, decision: decision.outcome, summary: decision.summary };
  }

  if (decision.outcome === 'HOLD') {
    if (config.topicArn !== undefined) {
      await deps.sns.send(new PublishCommand({
        TopicArn: config.topicArn,
        Subject: `Change review of ${config.environmentName}: held for a person`.slice(0, 100),
        Message: `${decision.summary}\n\nPipeline ${pipelineName}, execution ${executionId}: approval '${config.approvalActionName}' `
          + `in stage '${config.stageName}' waits for a person.\nApprove or reject: npx cdk-delivery approve|reject --pipeline ${pipelineName} `
          + `--stage ${config.stageName}`,
      }));
    }
    return { outcome: 'HELD', reason: `Held approval '${config.approvalActionName}' of execution ${executionId} for a person.`, decision: decision.outcome, summary: decision.summary };
  }

  const status = decision.outcome === 'CONTINUE' ? ApprovalStatus.Approved : ApprovalStatus.Rejected;
  try {
    await deps.codePipeline.send(new PutApprovalResultCommand({
      pipelineName,
      stageName: config.stageName,
      actionName: config.approvalActionName,
      token,
      result: { status, summary: shortSummary(decision.summary) },
    }));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (!ALREADY_DECIDED_ERRORS.has(name)) {
      throw error;
    }
    // A lost reply to our own earlier try, or a person who decided first: either way, nothing more to do.
    const reason = `Approval '${config.approvalActionName}' of execution ${executionId} was already decided (${name}): nothing more to do.`;
    deps.log('WARN', reason);
    return { outcome: 'ALREADY_DECIDED', reason, decision: decision.outcome, summary: decision.summary };
  }
  const outcome = status === ApprovalStatus.Approved ? 'APPROVED' : 'REJECTED';
  return { outcome, reason: `${outcome === 'APPROVED' ? 'Approved' : 'Rejected'} approval '${config.approvalActionName}' of execution ${executionId}.`, decision: decision.outcome, summary: decision.summary };
}

/** The token of the review approval while it is pending for `executionId`; waits (bounded) for it to appear. */
async function pendingToken(pipelineName: string, executionId: string, config: ReviewConfig, deps: ReviewDependencies): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    const state = await deps.codePipeline.send(new GetPipelineStateCommand({ name: pipelineName }));
    const stage = (state.stageStates ?? []).find(s => s.stageName === config.stageName);
    if (stage?.latestExecution?.pipelineExecutionId !== executionId) {
      return undefined; // another execution holds the stage now
    }
    const action = (stage.actionStates ?? []).find(a => a.actionName === config.approvalActionName);
    const execution = action?.latestExecution;
    if (execution?.status === 'InProgress' && execution.token) {
      return execution.token;
    }
    if (execution?.status !== undefined && execution.status !== 'InProgress') {
      return undefined; // decided already
    }
    if (attempt >= WAIT.attempts) {
      throw new Error(`Approval '${config.approvalActionName}' of execution ${executionId} has no token after ${WAIT.attempts} reads of the pipeline state.`);
    }
    await deps.sleep(WAIT.delayMilliseconds);
  }
}

/** Every target's change (deployed template, new template, change set), then the stacks removed from the app. */
async function readStacks(config: ReviewConfig, deps: ReviewDependencies): Promise<StackChange[]> {
  const sessions = new Map<string, Promise<CloudFormationClient>>();
  const clientFor = (target: ReviewTarget): Promise<CloudFormationClient> => {
    const key = `${target.roleArn}|${target.region}`;
    if (!sessions.has(key)) {
      sessions.set(key, assume(target, config, deps));
    }
    return sessions.get(key)!;
  };
  const changes: StackChange[] = [];
  for (const target of config.targets) {
    changes.push(await readTarget(target, await clientFor(target), deps));
  }
  const targetNames = new Set(config.targets.map(t => `${t.account}|${t.region}|${t.stackName}`));
  const places = new Map(config.targets.map(t => [`${t.account}|${t.region}`, t]));
  if (config.stackNamePrefixes.length > 0) {
    for (const [place, target] of places) {
      const cfn = await clientFor(target);
      for (const stackName of await liveStackNames(cfn)) {
        if (config.stackNamePrefixes.some(prefix => stackName.startsWith(prefix)) && !targetNames.has(`${place}|${stackName}`)) {
          changes.push({ stackName, before: await template(cfn, { StackName: stackName }) });
        }
      }
    }
  }
  return changes;
}

/** Credentials of the target's lookup role, narrowed by a session policy to reading the review's stacks. */
async function assume(target: ReviewTarget, config: ReviewConfig, deps: ReviewDependencies): Promise<CloudFormationClient> {
  const reply = await deps.sts.send(new AssumeRoleCommand({
    RoleArn: target.roleArn,
    RoleSessionName: 'cdk-delivery-change-review',
    DurationSeconds: 900,
    Policy: sessionPolicy(target, config),
  }));
  const c = reply.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) {
    throw new Error(`AssumeRole of ${target.roleArn} returned no credentials.`);
  }
  return deps.cloudFormation(target.region, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
}

/**
 * The session policy: the lookup role may read everything (ReadOnlyAccess); this session may only describe the
 * change sets and read the templates of the review's stacks in the target's account and region (and list stacks when
 * removed stacks are looked for). Stack ARNs end in a generated id, hence `/*`. Longer than IAM's 2048 characters
 * (many stacks), it falls back to every stack of that account and region, still read-only.
 */
export function sessionPolicy(target: ReviewTarget, config: ReviewConfig): string {
  const partition = target.roleArn.split(':')[1] || 'aws';
  const base = `arn:${partition}:cloudformation:${target.region}:${target.account}`;
  const here = config.targets.filter(t => t.account === target.account && t.region === target.region);
  const statements = (stacks: string[]) => {
    const list: object[] = [{ Effect: 'Allow', Action: ['cloudformation:DescribeChangeSet', 'cloudformation:GetTemplate', 'cloudformation:DescribeStacks'], Resource: stacks }];
    if (config.stackNamePrefixes.length > 0) {
      list.push({ Effect: 'Allow', Action: ['cloudformation:ListStacks'], Resource: '*' });
    }
    return JSON.stringify({ Version: '2012-10-17', Statement: list });
  };
  const exact = statements([
    ...here.map(t => `${base}:stack/${t.stackName}/*`),
    ...config.stackNamePrefixes.map(prefix => `${base}:stack/${prefix}*/*`),
    ...[...new Set(here.map(t => t.changeSetName))].map(name => `${base}:changeSet/${name}/*`),
  ]);
  return exact.length <= SESSION_POLICY_LIMIT ? exact : statements([`${base}:stack/*`, `${base}:changeSet/*`]);
}

async function readTarget(target: ReviewTarget, cfn: CloudFormationClient, deps: ReviewDependencies): Promise<StackChange> {
  const exists = await stackExists(cfn, target.stackName);
  const changeSet = await describeChangeSet(cfn, target, deps);
  const name = target.stackName;
  if (changeSet === 'NO_CHANGES') {
    const current = exists ? await template(cfn, { StackName: name }) : undefined;
    return { stackName: name, before: current, after: current, resourceChanges: [] };
  }
  return {
    stackName: name,
    before: exists ? await template(cfn, { StackName: name }) : undefined,
    after: await template(cfn, { StackName: name, ChangeSetName: target.changeSetName }),
    resourceChanges: changeSet,
  };
}

/** Whether the stack exists (a stack that a change set is about to create is REVIEW_IN_PROGRESS: not yet). */
async function stackExists(cfn: CloudFormationClient, stackName: string): Promise<boolean> {
  try {
    const reply = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = reply.Stacks?.[0]?.StackStatus;
    return status !== undefined && status !== StackStatus.REVIEW_IN_PROGRESS;
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      return false;
    }
    throw error;
  }
}

/** All pages of the change set's resource changes; waits (bounded) while it is being created. */
async function describeChangeSet(cfn: CloudFormationClient, target: ReviewTarget, deps: ReviewDependencies): Promise<ResourceChangeFact[] | 'NO_CHANGES'> {
  const facts: ResourceChangeFact[] = [];
  let nextToken: string | undefined;
  let attempt = 1;
  // Not a do/while: `continue` there would test the loop condition (no next page yet) and leave with nothing read.
  for (;;) {
    let page: DescribeChangeSetCommandOutput;
    try {
      page = await cfn.send(new DescribeChangeSetCommand({ StackName: target.stackName, ChangeSetName: target.changeSetName, NextToken: nextToken }));
    } catch (error) {
      if (error instanceof Error && error.name === 'ChangeSetNotFoundException') {
        throw new UnreviewableError(`change set ${target.changeSetName} of stack ${target.stackName} does not exist (${target.account}, ${target.region}).`);
      }
      throw error;
    }
    const status = page.Status ?? '';
    if (NOT_READY.includes(status)) {
      if (nextToken !== undefined || attempt >= WAIT.attempts) {
        throw new UnreviewableError(`change set ${target.changeSetName} of stack ${target.stackName} is still ${status} after ${attempt} reads.`);
      }
      attempt++;
      await deps.sleep(WAIT.delayMilliseconds);
      continue;
    }
    if (status === ChangeSetStatus.FAILED) {
      if (NO_CHANGES.test(page.StatusReason ?? '')) {
        return 'NO_CHANGES';
      }
      throw new UnreviewableError(`change set ${target.changeSetName} of stack ${target.stackName} FAILED: ${page.StatusReason ?? 'no reason given'}.`);
    }
    facts.push(...(page.Changes ?? []).map(fact).filter((f): f is ResourceChangeFact => f !== undefined));
    nextToken = page.NextToken;
    if (nextToken === undefined) {
      return facts;
    }
  }
}

function fact(change: Change): ResourceChangeFact | undefined {
  const rc = change.ResourceChange;
  if (rc?.LogicalResourceId === undefined) {
    return undefined;
  }
  const recreatedBy = (rc.Details ?? [])
    .filter(d => d.Target?.RequiresRecreation !== undefined && d.Target.RequiresRecreation !== 'Never' && d.Target.Name !== undefined)
    .map(d => d.Target!.Name!);
  return {
    logicalId: rc.LogicalResourceId,
    resourceType: rc.ResourceType ?? '',
    action: rc.Action ?? '',
    replacement: rc.Replacement,
    recreatedBy: [...new Set(recreatedBy)],
  };
}

/** A template (deployed, or the change set's), parsed; CDK writes JSON. */
async function template(cfn: CloudFormationClient, input: { StackName: string; ChangeSetName?: string }): Promise<CfnTemplate> {
  const reply = await cfn.send(new GetTemplateCommand({ ...input, TemplateStage: 'Original' }));
  try {
    return JSON.parse(reply.TemplateBody ?? '') as CfnTemplate;
  } catch {
    const which = input.ChangeSetName === undefined ? 'deployed template' : `template of change set ${input.ChangeSetName}`;
    throw new UnreviewableError(`the ${which} of stack ${input.StackName} is not JSON (the review reads the JSON templates CDK writes).`);
  }
}

async function liveStackNames(cfn: CloudFormationClient): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStacksCommand({ StackStatusFilter: LIVE_STACK_STATUSES, NextToken: nextToken }));
    names.push(...(page.StackSummaries ?? []).map(s => s.StackName ?? '').filter(n => n !== ''));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return names;
}
