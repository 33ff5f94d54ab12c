import { CfnResource, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { PROJECT_CONFIG_HASH_VARIABLE as PROJECT_CONFIG_HASH } from './cdk-pipelines/layout-pipeline';
import { isPreparationAction } from './cdk-pipelines/names';
import { ReleaseMode } from '../../blueprint/release-mode';
import { isProductionStage, StageKind } from '../../contract';
import { MAX_ACTIONS_PER_STAGE, MAX_NAME_LENGTH, MAX_RULES_PER_CONDITION, MAX_STAGES, NAME_PATTERN } from '../../private/codepipeline-limits';
import { InternalError } from '../../private/errors';
import { RuleProvider } from '../../private/providers';
import {
  isApprovalAction, isCodeBuildAction, isDeployAction, readPipeline, RenderedAction, RenderedConditions, RenderedPipeline,
  RenderedRule, RenderedStage, rulesOf as rulesOfStage,
} from '../../private/rendered-pipeline';
import { reviewOrderProblems } from '../../review/review-invariant';

/**
 * The construct checks its own output: the final pipeline, as it will be deployed, against what the user
 * configured and what CodePipeline accepts. Any broken promise fails synthesis with a message that says exactly
 * what broke (a layout bug must never deploy silently).
 */

/** CodePipeline's limits (re-exported for the construct, which lays the pipeline out within them). */
export { MAX_ACTIONS_PER_STAGE, MAX_STAGES };

/** What one stage must be. */
export interface ExpectedStage {
  readonly name: string;
  readonly kind: StageKind;
  /** The environment a deployment stage belongs to. */
  readonly environment?: string;
  /** Whether self-mutation and asset publishing run in this stage (their CodeBuild actions carry the config hash). */
  readonly preparation?: boolean;
  readonly window?: { readonly cron: string; readonly timeZone: string };
  /** Number of CloudWatchAlarm rules of the bake (0: no bake). */
  readonly alarms?: number;
  /** `ROLLBACK`, `RETRY` or `FAIL` (FAIL renders no onFailure) when the environment bakes. */
  readonly onFailure?: string;
  /** Providers of the environment's entry rules (its `gates`), in order (beforeEntry rules beside the deployment window). */
  readonly entryRules?: string[];
  /** Actions besides CDK Pipelines' self-mutation and asset publishing (each of the user's own steps counts as one). */
  readonly actions?: number;
  /** The user's own steps (CDK Pipelines `Step`s) that run in this stage, by action name. */
  readonly ownSteps?: string[];
  /** A stage the user added with `pipeline.addStage` after construction. */
  readonly addedAfterConstruction?: boolean;
  /** The change-set review the stage's change sets must pass before they execute (a reviewed environment). */
  readonly review?: ExpectedReview;
}

/** A stage's change-set review: its approval and the change set it reads. */
export interface ExpectedReview {
  readonly approvalActionName: string;
  readonly changeSetName: string;
}

/** An approval gate: its manual approval actions must sit after the previous environment and before `gates`. */
export interface ExpectedApproval {
  /** The environment it gates. */
  readonly gatedEnvironment: string;
  /** The stage the approval actions are in. */
  readonly stageName: string;
  /** How many manual approval actions make up the gate. */
  readonly approvals: number;
  /** Names of the gate's approval actions (or the prefix before `.`, for approvals that a step renders as `<name>.<part>`). */
  readonly actionNames: string[];
  /** Migrations (action names) that must run after the approval. */
  readonly migrations: string[];
}

export interface PipelineExpectations {
  readonly mode: ReleaseMode;
  readonly stages: ExpectedStage[];
  readonly approvals: ExpectedApproval[];
}

/**
 * Reads the final stages of a pipeline resource as the template will hold them: its CloudFormation, resolved,
 * with raw overrides (`addOverride`, `addPropertyOverride`) merged in, through the one reading model. A stage
 * changed through an escape hatch is checked like any other; a value the model cannot read is in the stage's
 * `unreadable` list, which the self-check reports.
 */
export function readStages(cfnPipeline: codepipeline.CfnPipeline): RenderedStage[] {
  return renderPipeline(cfnPipeline).stages;
}

/** The pipeline resource as the template will hold it, read through the one reading model. */
function renderPipeline(cfnPipeline: codepipeline.CfnPipeline): RenderedPipeline {
  const stack = Stack.of(cfnPipeline);
  const pipelineId = stack.resolve(cfnPipeline.logicalId) as string;
  return readPipeline(pipelineId, renderResource(stack, cfnPipeline)[pipelineId]);
}

/** Every broken invariant, as a message (empty when the pipeline is sound). */
export function checkPipeline(stages: RenderedStage[], expected: PipelineExpectations): string[] {
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`DeliveryPipeline self-check: ${message}`);

  checkLimits(stages, fail);

  // Stages: exactly the planned ones, in order.
  const names = stages.map(s => s.name);
  const expectedNames = expected.stages.map(s => s.name);
  if (names.join('\n') !== expectedNames.join('\n')) {
    fail(`the pipeline's stages are [${names.join(', ')}], but the layout planned [${expectedNames.join(', ')}].`);
    return errors;
  }

  stages.forEach((stage, i) => checkStage(stage, expected.stages[i], fail));
  checkArtifacts(stages, fail);
  checkApprovals(stages, expected, fail);
  return errors;
}

type Fail = (message: string) => void;

function checkLimits(stages: RenderedStage[], fail: Fail): void {
  if (stages.length > MAX_STAGES) {
    fail(`the pipeline has ${stages.length} stages; CodePipeline allows ${MAX_STAGES}.`);
  }
  const stageNames = new Set<string>();
  const ruleNames = new Map<string, string>();
  for (const stage of stages) {
    for (const value of stage.unreadable) {
      fail(`the pipeline's ${value.path} is ${JSON.stringify(value.value)}, not ${value.expected}: CodePipeline needs a literal there, and the self-check cannot verify what it cannot read. If an override (addOverride, addPropertyOverride) wrote it, write the literal value instead.`);
    }
    checkName(stage.name, `stage name '${stage.name}'`, fail);
    if (stageNames.has(stage.name)) {
      fail(`the stage name '${stage.name}' is used twice.`);
    }
    stageNames.add(stage.name);
    if (stage.actions.length === 0 || stage.actions.length > MAX_ACTIONS_PER_STAGE) {
      fail(`the stage '${stage.name}' has ${stage.actions.length} actions; CodePipeline allows 1 to ${MAX_ACTIONS_PER_STAGE}.`);
    }
    const actionNames = new Set<string>();
    for (const action of stage.actions) {
      checkName(action.name, `action name '${action.name}' in stage '${stage.name}'`, fail);
      if (actionNames.has(action.name)) {
        fail(`the action name '${action.name}' is used twice in stage '${stage.name}'.`);
      }
      actionNames.add(action.name);
    }
    for (const [when, block] of conditionBlocks(stage)) {
      const conditions = block.conditions ?? [];
      if (conditions.length > 1) {
        fail(`the ${when} of stage '${stage.name}' has ${conditions.length} conditions; CodePipeline allows exactly 1.`);
      }
      for (const condition of conditions) {
        const rules = condition.rules;
        if (rules.length === 0 || rules.length > MAX_RULES_PER_CONDITION) {
          fail(`a ${when} condition of stage '${stage.name}' has ${rules.length} rules; CodePipeline allows 1 to ${MAX_RULES_PER_CONDITION}.`);
        }
        for (const rule of rules) {
          const name = rule.name;
          checkName(name, `rule name '${name}' in stage '${stage.name}'`, fail);
          const previous = ruleNames.get(name);
          if (previous !== undefined) {
            fail(`the rule name '${name}' is used in stage '${previous}' and in stage '${stage.name}'; rule names must be unique in the pipeline.`);
          }
          ruleNames.set(name, stage.name);
        }
      }
    }
  }
}

function conditionBlocks(stage: RenderedStage): Array<[string, RenderedConditions]> {
  const blocks: Array<[string, RenderedConditions]> = [];
  if (stage.beforeEntry) blocks.push(['beforeEntry', stage.beforeEntry]);
  if (stage.onSuccess) blocks.push(['onSuccess', stage.onSuccess]);
  if (stage.onFailure && stage.onFailure.conditions.length > 0) blocks.push(['onFailure', stage.onFailure]);
  return blocks;
}

function checkName(name: string, what: string, fail: Fail): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    fail(`the ${what} is not a valid CodePipeline name (1 to ${MAX_NAME_LENGTH} letters, digits, '.', '@', '-' or '_').`);
  }
}

function rulesOf(block: RenderedConditions | undefined, provider: RuleProvider): RenderedRule[] {
  return (block?.conditions ?? []).flatMap(c => c.rules).filter(r => r.ruleTypeId.provider === provider);
}

function checkStage(stage: RenderedStage, expected: ExpectedStage, fail: Fail): void {
  const deploys = stage.actions.some(isDeployment);
  if (expected.addedAfterConstruction) {
    if (deploys) {
      fail(`the stage '${stage.name}', added with pipeline.addStage after construction, deploys stacks: no guard rail (approval, deployment window, bake, rollback) covers it. Deploy through the release path instead: a production wave (production.waves) or staging.`);
    }
    return;
  }
  checkActions(stage, expected, fail);
  if (expected.review) {
    checkReview(stage, expected.review, fail);
  }
  if (deploys && expected.kind !== StageKind.STAGING && expected.kind !== StageKind.PRODUCTION) {
    fail(`the stage '${stage.name}' deploys stacks but is a ${expected.kind} stage.`);
  }
  if (expected.kind === StageKind.PRODUCTION && !isProductionStage(stage.name)) {
    fail(`the production stage '${stage.name}' is not named as one: freeze and the delivery metrics would not see it.`);
  }

  // Guard rails: every stage of an environment carries the environment's window, bake and rollback.
  const windows = rulesOf(stage.beforeEntry, RuleProvider.DEPLOYMENT_WINDOW);
  if (expected.window) {
    const config = windows[0]?.configuration;
    const ok = windows.length === 1 && config?.Cron === expected.window.cron && config?.TimeZone === expected.window.timeZone;
    if (!ok) {
      fail(`the stage '${stage.name}' of ${expected.environment} must only be entered in its deployment window (${expected.window.cron}, ${expected.window.timeZone}), but its beforeEntry condition ${windows.length === 0 ? 'has no DeploymentWindow rule' : 'has a different DeploymentWindow rule'}.`);
    }
  } else if (windows.length > 0) {
    fail(`the stage '${stage.name}' has a deployment window that was not configured for it.`);
  }
  const gates = (stage.beforeEntry?.conditions ?? []).flatMap(c => c.rules ?? [])
    .filter(r => r.ruleTypeId.provider !== RuleProvider.DEPLOYMENT_WINDOW).map(r => r.ruleTypeId.provider);
  const expectedGates = expected.entryRules ?? [];
  if (gates.join(',') !== expectedGates.join(',')) {
    fail(`the stage '${stage.name}' must be gated by ${expectedGates.length > 0 ? `the rule(s) ${expectedGates.join(', ')}` : 'no gate rule'} before entry, but its beforeEntry condition has ${gates.length > 0 ? gates.join(', ') : 'none'}.`);
  }
  const entryResults = (stage.beforeEntry?.conditions ?? []).map(c => c.result);
  if (entryResults.some(r => r !== 'FAIL')) {
    fail(`the stage '${stage.name}' has a beforeEntry condition whose result is ${entryResults.find(r => r !== 'FAIL')}, not FAIL: a failed gate would let the release through.`);
  }
  const alarms = rulesOf(stage.onSuccess, RuleProvider.CLOUDWATCH_ALARM);
  if ((expected.alarms ?? 0) !== alarms.length) {
    fail(`the stage '${stage.name}' must bake on ${expected.alarms ?? 0} alarm(s), but its onSuccess condition has ${alarms.length} CloudWatchAlarm rule(s).`);
  }
  const bakeResults = (stage.onSuccess?.conditions ?? []).map(c => c.result);
  const wantedBake = expected.onFailure === 'ROLLBACK' ? 'ROLLBACK' : 'FAIL';
  if (alarms.length > 0 && bakeResults.some(r => r !== wantedBake)) {
    fail(`the stage '${stage.name}' must ${wantedBake === 'ROLLBACK' ? 'roll back' : 'fail'} when an alarm fires during the bake, but its onSuccess condition's result is ${bakeResults.find(r => r !== wantedBake)}.`);
  }
  const onFailure = stage.onFailure?.result;
  const wanted = expected.onFailure === 'FAIL' ? undefined : expected.onFailure;
  if (onFailure !== wanted) {
    fail(`the stage '${stage.name}' must ${wanted ? `${wanted.toLowerCase()} on failure` : 'have no onFailure result'}, but its onFailure result is ${onFailure ?? 'absent'}.`);
  }

  // Actions beside self-mutation restart the execution when their project changes.
  if (expected.preparation) {
    for (const action of stage.actions.filter(a => isCodeBuildAction(a) && a.name !== 'Synth')) {
      if (!JSON.stringify(action.configuration?.EnvironmentVariables ?? '').includes(PROJECT_CONFIG_HASH)) {
        fail(`the CodeBuild action '${action.name}' runs beside self-mutation in stage '${stage.name}' without ${PROJECT_CONFIG_HASH}: a change to its project would not restart the execution.`);
      }
    }
  }
}

/**
 * No change set of a reviewed stage executes without its review: the review approval sits after every prepare and
 * before every execute, no stack deploys directly, and every change set is the one the review reads.
 */
function checkReview(stage: RenderedStage, review: ExpectedReview, fail: Fail): void {
  const problems = reviewOrderProblems(stage, review.approvalActionName);
  problems.forEach(problem => fail(`${problem}. The release model reviews this environment's change sets before they execute; if an override moved or removed the review, restore it.`));
  for (const action of stage.actions.filter(a => a.actionTypeId.provider === 'CloudFormation' && typeof a.configuration.ChangeSetName === 'string')) {
    if (action.configuration.ChangeSetName !== review.changeSetName) {
      fail(`stage '${stage.name}': '${action.name}' uses the change set '${String(action.configuration.ChangeSetName)}', but the review reads '${review.changeSetName}': it would execute unreviewed.`);
    }
  }
}

/** The stage holds the actions the model planned: each of the user's own steps, and no action more or less. */
function checkActions(stage: RenderedStage, expected: ExpectedStage, fail: Fail): void {
  const names = stage.actions.map(a => a.name);
  for (const step of expected.ownSteps ?? []) {
    if (!names.some(name => name === step || name.startsWith(`${step}.`))) {
      fail(`your step '${step}' is missing from stage '${stage.name}', where the release model placed it.`);
    }
  }
  if (expected.actions === undefined) {
    return;
  }
  const own = stage.actions.filter(a => !isPreparationAction(a.name)).length;
  if (own !== expected.actions) {
    const steps = expected.ownSteps ?? [];
    fail(`the stage '${stage.name}' has ${own} action(s) besides self-mutation and asset publishing, but the release model planned ${expected.actions}. `
      + (steps.length > 0
        ? `Each of your own steps (${steps.join(', ')}) counts as one action: split a step that adds several actions (an ICodePipelineActionFactory) into steps of one action each.`
        : 'Please report it with your aws-cdk-lib version.'));
  }
}

const isDeployment = isDeployAction;
const isApproval = isApprovalAction;

/** Position of an action: (stage index, runOrder), compared lexicographically. */
type Position = readonly [number, number];
const before = (a: Position, b: Position) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
const positionOf = (stageIndex: number, action: RenderedAction): Position => [stageIndex, action.runOrder];

function checkArtifacts(stages: RenderedStage[], fail: Fail): void {
  const produced = new Map<string, Position>();
  stages.forEach((stage, i) => stage.actions.forEach(action => {
    for (const output of action.outputArtifacts ?? []) {
      produced.set(output.name, positionOf(i, action));
    }
  }));
  stages.forEach((stage, i) => stage.actions.forEach(action => {
    for (const input of action.inputArtifacts ?? []) {
      const at = produced.get(input.name);
      if (!at || !before(at, positionOf(i, action))) {
        fail(`the action '${action.name}' in stage '${stage.name}' reads the artifact '${input.name}', which no earlier action produces.`);
      }
    }
  }));
}

function checkApprovals(stages: RenderedStage[], expected: PipelineExpectations, fail: Fail): void {
  // The release's approvals: not those of the user's own steps, nor of stages added after construction, nor the
  // change-set reviews (checked by checkReview).
  const usersOwn = (stage: RenderedStage, action: RenderedAction) => {
    const planned = expected.stages.find(s => s.name === stage.name);
    return planned?.addedAfterConstruction === true
      || (planned?.review !== undefined && action.name === planned.review.approvalActionName)
      || (planned?.ownSteps ?? []).some(step => action.name === step || action.name.startsWith(`${step}.`));
  };
  const approvals = stages.flatMap((stage, i) => stage.actions.filter(a => isApproval(a) && !usersOwn(stage, a))
    .map(action => ({ stage, action, at: positionOf(i, action) })));
  const wanted = expected.approvals.reduce((n, a) => n + a.approvals, 0);
  if (approvals.length !== wanted) {
    const mode = expected.mode === ReleaseMode.CONTINUOUS_DELIVERY ? 'continuous delivery' : 'continuous deployment';
    fail(`the pipeline has ${approvals.length} manual approval action(s), but ${mode} with this configuration needs exactly ${wanted} (${expected.approvals.map(a => `${a.gatedEnvironment}: ${a.approvals}`).join(', ') || 'none'}).`);
  }
  const environmentOf = (name: string) => expected.stages.find(s => s.name === name)?.environment;
  const deployments = (environment: string) => stages.flatMap((stage, i) =>
    environmentOf(stage.name) === environment ? stage.actions.filter(isDeployment).map(a => positionOf(i, a)) : []);
  const environments = [...new Set(expected.stages.map(s => s.environment).filter((e): e is string => e !== undefined))];

  for (const gate of expected.approvals) {
    const mine = approvals.filter(a => a.stage.name === gate.stageName
      && gate.actionNames.some(n => a.action.name === n || a.action.name.startsWith(`${n}.`)));
    if (mine.length < gate.approvals) {
      fail(`the approval that gates ${gate.gatedEnvironment} is missing from stage '${gate.stageName}'.`);
      continue;
    }
    const envIndex = environments.indexOf(gate.gatedEnvironment);
    const previous = envIndex > 0 ? deployments(environments[envIndex - 1]) : [];
    const gated = deployments(gate.gatedEnvironment);
    for (const { action, at } of mine) {
      if (previous.some(p => !before(p, at))) {
        fail(`the approval '${action.name}' for ${gate.gatedEnvironment} runs before ${environments[envIndex - 1]} is deployed; it must follow that deployment.`);
      }
      if (gated.some(p => !before(at, p))) {
        fail(`the approval '${action.name}' does not precede every deployment of ${gate.gatedEnvironment}.`);
      }
      for (const migration of gate.migrations) {
        const run = stages.flatMap((s, i) => s.actions.filter(a => a.name === migration).map(a => positionOf(i, a)));
        if (run.length === 0 || run.some(p => !before(at, p))) {
          fail(`the migration '${migration}' of ${gate.gatedEnvironment} must run after the approval '${action.name}'.`);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Trust boundaries, read from the rendered CloudFormation (escape hatches and overrides included).

/** The names of the trust invariants, as the self-check's messages give them. */
export enum TrustInvariant {
  /** No trigger of the release pipeline starts it on a pull request's unmerged code. */
  ONLY_MERGED_CODE = 'only merged code starts the release pipeline',
  /** Every rule that runs commands has a role of its own that cannot assume deploy, publishing or lookup roles. */
  COMMANDS_RULE_ROLE = 'a rule that runs commands has its own role, which cannot assume deploy, publishing or lookup roles',
}

/** A resource as the template declares it. */
export interface RenderedResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The pipeline resource and the stack's IAM resources, as they will be deployed. */
export interface RenderedTrust {
  readonly pipelineId: string;
  /** The pipeline, read through the one reading model. */
  readonly pipeline: RenderedPipeline;
  /** The pipeline's resource and, when a rule runs commands, the IAM resources of its stack. */
  readonly resources: Record<string, RenderedResource>;
}

const TRUST_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

/**
 * Renders the pipeline and the IAM resources of its stack exactly as the template will hold them: each L1's
 * CloudFormation, resolved, with its raw overrides (`addOverride`, `addPropertyOverride`) merged in. Reading the
 * typed L1 properties instead would miss an override.
 */
export function renderTrust(cfnPipeline: codepipeline.CfnPipeline): RenderedTrust {
  const stack = Stack.of(cfnPipeline);
  const pipelineId = stack.resolve(cfnPipeline.logicalId) as string;
  const resources: Record<string, RenderedResource> = renderResource(stack, cfnPipeline);
  const pipeline = readPipeline(pipelineId, resources[pipelineId]);
  // IAM resources are read only when a rule runs commands (rendering every policy of a large stack costs time).
  if (!pipeline.stages.some(stage => rulesOfStage(stage).some(({ rule }) => rule.ruleTypeId.provider === RuleProvider.COMMANDS))) {
    return { pipelineId, pipeline, resources };
  }
  for (const c of stack.node.findAll()) {
    if (c instanceof CfnResource && c !== cfnPipeline && TRUST_TYPES.has(c.cfnResourceType) && Stack.of(c) === stack) {
      Object.assign(resources, renderResource(stack, c));
    }
  }
  return { pipelineId, pipeline, resources };
}

function renderResource(stack: Stack, resource: CfnResource): Record<string, RenderedResource> {
  const render = (resource as unknown as { readonly _toCloudFormation?: () => unknown })._toCloudFormation;
  if (typeof render !== 'function') {
    throw new InternalError('DeliveryPipeline self-check: aws-cdk-lib no longer renders a CfnResource with _toCloudFormation(), so the trust invariants cannot be read from the template. Please report it with your aws-cdk-lib version.');
  }
  return (stack.resolve(render.call(resource)) as { readonly Resources?: Record<string, RenderedResource> }).Resources ?? {};
}

/** Every broken trust invariant, as a message naming it (empty when the boundaries hold). */
export function checkTrust(rendered: RenderedTrust): string[] {
  const errors: string[] = [];
  const fail = (invariant: TrustInvariant, message: string) => errors.push(`DeliveryPipeline self-check: trust invariant "${invariant}" is broken: ${message}`);
  checkTriggers(rendered.pipeline, fail);
  checkCommandRules(rendered.pipeline, rendered.resources, fail);
  return errors;
}

type TrustFail = (invariant: TrustInvariant, message: string) => void;

function checkTriggers(pipeline: RenderedPipeline, fail: TrustFail): void {
  pipeline.triggers.forEach((trigger, i) => {
    const pullRequest = trigger.pullRequest;
    if (pullRequest.length > 0) {
      fail(TrustInvariant.ONLY_MERGED_CODE, `Triggers[${i}] (source action '${trigger.sourceActionName}') starts the release pipeline on pull requests `
        + `(GitConfiguration.PullRequest: ${JSON.stringify(pullRequest)}). A pull request's head commit is unmerged code, and the release pipeline `
        + 'runs with deploy, publishing and lookup roles and secrets: remove the pull-request filter, and check pull requests with PullRequestChecks.');
    }
  });
}

/** How the template spells each condition block (the messages name it so). */
const BLOCK_KEYS = { beforeEntry: 'BeforeEntry', onSuccess: 'OnSuccess', onFailure: 'OnFailure' } as const;

function checkCommandRules(pipeline: RenderedPipeline, resources: Record<string, RenderedResource>, fail: TrustFail): void {
  const serviceRole = JSON.stringify(pipeline.roleArn);
  const actionRoles = new Map<string, string>();
  for (const stage of pipeline.stages) {
    for (const action of stage.actions) {
      if (action.roleArn !== undefined) {
        actionRoles.set(JSON.stringify(action.roleArn), `the action '${action.name}' in stage '${stage.name}'`);
      }
    }
  }
  for (const stage of pipeline.stages) {
    for (const { when, rule } of rulesOfStage(stage)) {
      if (rule.ruleTypeId.provider !== RuleProvider.COMMANDS) {
        continue;
      }
      const where = `the Commands rule '${rule.name}' (${BLOCK_KEYS[when]} of stage '${stage.name}')`;
      const problem = commandsRoleProblem(rule.roleArn, serviceRole, actionRoles, resources);
      if (problem) {
        fail(TrustInvariant.COMMANDS_RULE_ROLE, `${where} ${problem}`);
      }
    }
  }
}

/** Why a Commands rule's role breaks the boundary, or undefined when it holds. */
function commandsRoleProblem(
  roleArn: unknown, serviceRole: string, actionRoles: Map<string, string>, resources: Record<string, RenderedResource>,
): string | undefined {
  if (roleArn === undefined) {
    return 'has no RoleArn, so it runs with the pipeline\'s service role, which can assume the deploy, publishing and lookup roles of every target account. Give it a role of its own.';
  }
  if (JSON.stringify(roleArn) === serviceRole) {
    return 'runs with the pipeline\'s service role (its RoleArn is the pipeline\'s RoleArn), which can assume the deploy, publishing and lookup roles of every target account. Give it a role of its own.';
  }
  const shared = actionRoles.get(JSON.stringify(roleArn));
  if (shared) {
    return `shares its role with ${shared}. Give it a role of its own.`;
  }
  const getAtt = record(roleArn)['Fn::GetAtt'];
  const roleId = Array.isArray(getAtt) && getAtt[1] === 'Arn' ? String(getAtt[0]) : undefined;
  const role = roleId !== undefined ? resources[roleId] : undefined;
  if (!roleId || role?.Type !== 'AWS::IAM::Role') {
    return `has the RoleArn ${JSON.stringify(roleArn)}, which is not a role of the pipeline's stack, so its permissions cannot be verified${/cdk-/.test(JSON.stringify(roleArn)) ? ' (it names a CDK bootstrap role)' : ''}. Give it a role of its own, defined beside the pipeline.`;
  }
  const documents: Array<[string, unknown]> = list(role.Properties?.Policies).map(p => [`its inline policy '${String(record(p).PolicyName)}'`, record(p).PolicyDocument]);
  const attached = (r: RenderedResource) => list(r.Properties?.Roles).some(ref => record(ref).Ref === roleId);
  for (const [id, resource] of Object.entries(resources)) {
    if ((resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') && attached(resource)) {
      documents.push([`the policy ${id}`, resource.Properties?.PolicyDocument]);
    }
  }
  for (const arn of list(role.Properties?.ManagedPolicyArns)) {
    const ref = record(arn).Ref;
    const managed = typeof ref === 'string' ? resources[ref] : undefined;
    if (managed?.Type !== 'AWS::IAM::ManagedPolicy') {
      return `has the role ${roleId}, which has the managed policy ${JSON.stringify(arn)}: a policy outside the pipeline's stack cannot be verified (it may allow sts:AssumeRole). Do not attach managed policies to this role.`;
    }
    documents.push([`the managed policy ${ref}`, managed.Properties?.PolicyDocument]);
  }
  for (const [what, document] of documents) {
    for (const statement of list(record(document).Statement).map(record)) {
      if (statement.Effect !== 'Allow') {
        continue;
      }
      const grants = statement.Action !== undefined
        ? list(statement.Action).some(a => matchesAction(a, 'sts:AssumeRole'))
        : !list(statement.NotAction).some(a => matchesAction(a, 'sts:AssumeRole'));
      if (grants) {
        const resource = JSON.stringify(statement.Resource ?? statement.NotResource);
        return `has the role ${roleId}, whose ${what} allows sts:AssumeRole on ${resource}${/cdk-|"\*"/.test(resource) ? ' (CDK bootstrap roles: deploy, publishing, lookup)' : ''}. `
          + 'A rule that runs commands must not be able to assume any role: remove the statement.';
      }
    }
  }
  return undefined;
}

/** Whether an IAM action pattern (`sts:*`, `*`, `sts:Assume*`) covers the action, as IAM matches them (case-insensitive). */
function matchesAction(pattern: unknown, action: string): boolean {
  if (typeof pattern !== 'string') {
    return true; // an unresolved action could be anything: treat it as granting
  }
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 'i');
  return regex.test(action);
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}
