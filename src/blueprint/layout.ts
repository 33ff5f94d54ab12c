import { MAX_NAME_LENGTH, partStageName, StageKind, TEST_STAGE } from '../contract';
import { ValidationError } from '../private/errors';

/**
 * Engine-independent stage layout: which CodePipeline-like stages the release path becomes, in order.
 *
 * The scale policy lives here. A stage holds a limited number of actions (CodePipeline: 50), so:
 * - Test steps run in parallel in `Test`; when they do not fit in one stage (the first also holds the
 *   preparation actions: self-mutation and asset publishing), they continue in `Test-2`, `Test-3`, …
 * - An environment whose targets do not fit in one stage is split into consecutive parts `<name>-1`, `<name>-2`, …
 *   Each part deploys whole targets (never half a target), and every part carries the environment's guard rails
 *   (deployment window, bake, rollback): a part is a deployment like any other, and baking after each part stops
 *   a bad change after the first part instead of after all of them. The approval and the migrations sit in the
 *   first part, before any deployment; the verification steps in the last part, after every deployment.
 * Anything that still does not fit fails here, with the property, the numbers and the fix.
 */

/** An environment of the release path as the layout sees it. */
export interface LayoutEnvironment {
  /** The environment's stage name (`Staging`, `Production`, `Production-<wave>`). */
  readonly name: string;
  readonly kind: StageKind;
  /** Property path, for messages. */
  readonly property: string;
  /** Actions each target (CDK `Stage`) deploys with, in order. */
  readonly targetActions: number[];
  /** Names of the targets, for messages. */
  readonly targetNames: string[];
  /** Actions before the deployments (approvals, migrations): in the first part. */
  readonly preActions: number;
  /** Actions after the deployments (verification, the next environment's approval): in the last part. */
  readonly postActions: number;
  /** What the pre and post actions are, for messages. */
  readonly preDescription?: string;
  readonly postDescription?: string;
}

export interface LayoutInput {
  readonly testSteps: number;
  /** Actions that share the first test stage (or, without tests, a slot of the build stage). */
  readonly preparationActions: number;
  /** Actions of the build stage, before preparation. */
  readonly buildActions: number;
  readonly maxActionsPerStage: number;
  readonly maxStages: number;
  readonly environments: LayoutEnvironment[];
}

/** One planned stage. */
export interface PlannedStage {
  readonly name: string;
  readonly kind: StageKind;
  /** For deployment stages: the environment's name, part number and part count. */
  readonly environment?: string;
  readonly part: number;
  readonly parts: number;
  /** For test stages: indices of the test steps; for deployment stages: indices of the environment's targets. */
  readonly members: number[];
  /** Whether this stage holds the preparation actions. */
  readonly preparation: boolean;
}

export interface PipelineLayout {
  readonly stages: PlannedStage[];
  /** Whether preparation runs in the build stage (no test steps). */
  readonly preparationInBuild: boolean;
}

export function planLayout(input: LayoutInput): PipelineLayout {
  const max = input.maxActionsPerStage;
  const stages: PlannedStage[] = [];

  // Tests: the first stage also holds the preparation actions.
  const testParts = chunk(range(input.testSteps), [max - input.preparationActions, max]);
  testParts.forEach((members, i) => stages.push({
    name: partStageName(TEST_STAGE, i + 1, testParts.length),
    kind: StageKind.TEST,
    part: i + 1,
    parts: testParts.length,
    members,
    preparation: i === 0,
  }));
  const preparationInBuild = input.testSteps === 0;
  if (preparationInBuild && input.buildActions + input.preparationActions > max) {
    throw new ValidationError(`pipeline: the build stage would hold ${input.buildActions + input.preparationActions} actions; CodePipeline allows ${max}.`);
  }

  for (const env of input.environments) {
    env.targetActions.forEach((actions, i) => {
      if (actions > max) {
        throw new ValidationError(`${env.property}: the Stage '${env.targetNames[i]}' deploys with ${actions} actions, more than the ${max} a CodePipeline stage holds. Split its stacks over several Stages, or deploy without change sets (useChangeSets: false on the pipeline and on every environment: one action per stack instead of two).`);
      }
    });
    for (const [count, when, what] of [[env.preActions, 'before', env.preDescription], [env.postActions, 'after', env.postDescription]] as const) {
      if (count > max) {
        throw new ValidationError(`${env.property}: ${count} actions must run ${when} its deployments${what ? ` (${what})` : ''}, more than the ${max} a CodePipeline stage holds.${what?.includes('permission') ? ' The permission-broadening check adds 2 actions per gated Stage: split the gated environment into waves of fewer Stages, or approve manually.' : ''}`);
      }
    }
    const parts = packTargets(env, max);
    const longest = partStageName(env.name, parts.length, parts.length);
    if (longest.length > MAX_NAME_LENGTH) {
      const room = MAX_NAME_LENGTH - (longest.length - (env.name.length - env.name.indexOf('-') - 1));
      throw new ValidationError(`${env.property}.name: once the wave is split into ${parts.length} parts its stage '${partStageName(env.name, 1, parts.length)}' has ${longest.length} characters; CodePipeline allows ${MAX_NAME_LENGTH}. Use a wave name of at most ${room} characters.`);
    }
    parts.forEach((members, i) => stages.push({
      name: partStageName(env.name, i + 1, parts.length),
      kind: env.kind,
      environment: env.name,
      part: i + 1,
      parts: parts.length,
      members,
      preparation: false,
    }));
  }

  const total = 2 + stages.length; // Source and Build come first
  if (total > input.maxStages) {
    const production = input.environments.filter(e => e.kind === StageKind.PRODUCTION);
    throw new ValidationError(`pipeline: the release path needs ${total} stages (Source, Build, ${stages.length - testParts.length > 0 ? `${stages.length - testParts.length} deployment stage(s) for ${input.environments.length} environment(s)` : ''}${testParts.length > 0 ? `, ${testParts.length} test stage(s)` : ''}); CodePipeline allows ${input.maxStages}. Use fewer production waves (${production.length} now: put several Stages in one wave, they deploy in parallel), or fewer targets per wave.`);
  }

  const seen = new Map<string, PlannedStage>();
  for (const stage of stages) {
    const previous = seen.get(stage.name);
    if (previous) {
      throw new ValidationError(`pipeline: two stages would be named '${stage.name}' (${describe(previous)} and ${describe(stage)}). Rename the production wave so that its stage names cannot collide with a split wave's '<wave>-<n>' parts.`);
    }
    seen.set(stage.name, stage);
  }
  return { stages, preparationInBuild };
}

function describe(stage: PlannedStage): string {
  return stage.parts > 1 ? `part ${stage.part} of ${stage.environment ?? stage.kind}` : `${stage.environment ?? stage.kind}`;
}

/**
 * Packs targets greedily, in order, into parts: the first part also holds `preActions`, the last `postActions`.
 */
function packTargets(env: LayoutEnvironment, max: number): number[][] {
  const parts: number[][] = [];
  let current: number[] = [];
  let used = env.preActions;
  env.targetActions.forEach((actions, i) => {
    if (current.length > 0 && used + actions > max) {
      parts.push(current);
      current = [];
      used = 0;
    } else if (current.length === 0 && used + actions > max) {
      // The pre actions leave no room for this target: they get a part of their own (which carries the
      // environment's guard rails like any other part), and the target starts the next one.
      parts.push([]);
      used = 0;
    }
    current.push(i);
    used += actions;
  });
  if (used + env.postActions > max && current.length > 0) {
    parts.push(current);
    current = [];
  }
  parts.push(current);
  return parts;
}

/** Splits items into consecutive chunks of the given capacities (the last capacity repeats). */
function chunk(items: number[], capacities: number[]): number[][] {
  const chunks: number[][] = [];
  let rest = items;
  while (rest.length > 0) {
    const capacity = Math.max(1, capacities[Math.min(chunks.length, capacities.length - 1)]);
    chunks.push(rest.slice(0, capacity));
    rest = rest.slice(capacity);
  }
  return chunks;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
