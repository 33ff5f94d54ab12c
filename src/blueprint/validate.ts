import { Duration, Stack, Stage, Token } from 'aws-cdk-lib';
import { isEmailAddress, NAME_PATTERN, PRODUCTION_STAGE } from '../contract';

/**
 * Synth-time validation of the release model. Every message names the property, the bad value and the fix.
 */


/** Stage names that the pipeline itself uses and a CDK `Stage` therefore cannot have. */
export const RESERVED_STAGE_NAMES = ['Source', 'Build', 'UpdatePipeline', 'Assets'];

/** A CDK `Stage` handed to the pipeline, with the property that carried it (for messages). */
export interface PlacedStage {
  readonly stage: Stage;
  readonly property: string;
}

/** A step name with the property that carried it. */
export interface NamedStep {
  readonly name: string;
  readonly property: string;
}

/** The stacks that belong directly to `stage` (not to a nested stage). */
export function stacksOf(stage: Stage): Stack[] {
  return stage.node.findAll().filter((c): c is Stack => Stack.isStack(c) && !c.nested && Stage.of(c) === stage);
}

export function validateStepName(name: string, property: string): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new Error(`${property}: '${name}' is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name).`);
  }
}

export function validateWaveName(name: string, property: string): void {
  // The wave becomes the CodePipeline stage `Production-<name>`.
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.length > 100 - `${PRODUCTION_STAGE}-`.length) {
    throw new Error(`${property}: '${name}' is not a valid wave name. Use 1 to 89 letters, digits, '.', '@', '-' or '_' (it becomes the CodePipeline stage name 'Production-${name}').`);
  }
}

export function validateCommands(commands: string[], property: string, fix: string): void {
  if (!Array.isArray(commands)) {
    throw new Error(`${property}: no commands were given. ${fix}`);
  }
  if (commands.length === 0 || commands.every(c => c.trim() === '')) {
    throw new Error(`${property}: ${JSON.stringify(commands)} has no command to run. ${fix}`);
  }
}

export function validateUniqueStepNames(steps: NamedStep[]): void {
  const seen = new Map<string, string>();
  for (const step of steps) {
    const previous = seen.get(step.name);
    if (previous !== undefined) {
      throw new Error(`${step.property}: the step name '${step.name}' is already used by ${previous}. Give every test and verification step a unique name.`);
    }
    seen.set(step.name, step.property);
  }
}

export function validateStages(staging: PlacedStage, production: PlacedStage[]): void {
  if (production.length === 0) {
    throw new Error("production: no production Stage was given. Pass at least one CDK Stage in 'production.stages' (or in 'production.waves[].stages').");
  }
  const all = [staging, ...production];

  const seen = new Map<Stage, string>();
  for (const placed of all) {
    const previous = seen.get(placed.stage);
    if (previous !== undefined) {
      throw new Error(`${placed.property}: the Stage '${placed.stage.node.path}' is already used as ${previous}. A Stage deploys to one environment: create one Stage instance per environment.`);
    }
    seen.set(placed.stage, placed.property);

    if (RESERVED_STAGE_NAMES.includes(placed.stage.stageName)) {
      throw new Error(`${placed.property}: the Stage name '${placed.stage.stageName}' is reserved for the pipeline's own '${placed.stage.stageName}' stage. Give the Stage another construct id.`);
    }

    if (stacksOf(placed.stage).length === 0) {
      throw new Error(`${placed.property}: the Stage '${placed.stage.node.path}' has no stacks, so it would deploy nothing. Add the application's stacks to the Stage (new MyStack(stage, 'Id')) before handing it to the pipeline.`);
    }
  }

  const stagingTargets = targetsOf(staging.stage);
  for (const placed of production) {
    for (const target of targetsOf(placed.stage)) {
      if (stagingTargets.has(target)) {
        const [account, region] = target.split('/');
        throw new Error(`${placed.property}: the Stage '${placed.stage.node.path}' targets account ${account} region ${region}, the same as staging ('${staging.stage.node.path}'). Staging must be a separate environment: deploy it to another account or region.`);
      }
    }
  }
}

/** `account/region` of every stack in the stage whose environment is known at synth time. */
function targetsOf(stage: Stage): Set<string> {
  const targets = new Set<string>();
  for (const stack of stacksOf(stage)) {
    if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) {
      targets.add(`${stack.account}/${stack.region}`);
    }
  }
  return targets;
}

/** The approval settings the validator needs (kept engine-independent). */
export interface ApprovalSettings {
  readonly reviewUrl?: string;
  readonly notifyEmails?: string[];
  readonly timeout?: Duration;
  readonly comment?: string;
  readonly autoApproveUnlessPermissionsBroaden?: boolean;
}


export function validateApproval(approval: ApprovalSettings, property: string): void {
  if (approval.timeout && !Token.isUnresolved(approval.timeout.toSeconds())) {
    const minutes = approval.timeout.toSeconds() / 60;
    if (minutes < 5 || minutes > 86400 || !Number.isInteger(minutes)) {
      throw new Error(`${property}.timeout: ${approval.timeout.toHumanString()} is outside what CodePipeline allows for a manual approval. Use whole minutes from Duration.minutes(5) to Duration.days(60).`);
    }
  }
  for (const email of approval.notifyEmails ?? []) {
    if (!Token.isUnresolved(email) && !isEmailAddress(email)) {
      throw new Error(`${property}.notifyEmails: '${email}' is not an e-mail address. Use addresses such as 'release-managers@example.com'.`);
    }
  }
  if (approval.reviewUrl && !Token.isUnresolved(approval.reviewUrl) && !/^https?:\/\/\S+$/.test(approval.reviewUrl)) {
    throw new Error(`${property}.reviewUrl: '${approval.reviewUrl}' is not an http(s) URL. Use the full address of the page to review, e.g. 'https://dashboards.example.com/staging'.`);
  }
  if (approval.autoApproveUnlessPermissionsBroaden) {
    const unsupported = (['comment', 'reviewUrl', 'notifyEmails', 'timeout'] as const).filter(k => approval[k] !== undefined);
    if (unsupported.length > 0) {
      throw new Error(`${property}: ${unsupported.join(', ')} cannot be combined with autoApproveUnlessPermissionsBroaden, whose approval is created by CDK Pipelines' ConfirmPermissionsBroadening (it supports only notificationTopic). Remove ${unsupported.join(', ')} or the automatic approval.`);
    }
  }
}
