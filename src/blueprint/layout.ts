import { partStageName, StageKind, TEST_STAGE } from '../contract';

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
 * Anything that still does not fit is returned as a `LayoutProblem` (what did not fit, with the numbers): the engine
 * words it, with its own limits and its own fixes (`codepipeline/private/layout-messages.ts`).
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
  /** Actions every part that deploys targets holds besides them (the change-set review's approval). */
  readonly partActions?: number;
  /** Actions after the deployments (verification, the next environment's approval): in the last part. */
  readonly postActions: number;
  /** What the pre and post actions are, for messages. */
  readonly preDescription?: string;
  readonly postDescription?: string;
  /** Whether the pre (post) actions include an approval gate's actions. */
  readonly preGated?: boolean;
  readonly postGated?: boolean;
}

/** What the engine can hold: its limits and the actions it adds itself. */
export interface EngineCapacities {
  /** Actions one stage holds. */
  readonly maxActionsPerStage: number;
  /** Stages one pipeline holds. */
  readonly maxStages: number;
  /** Characters of a stage name. */
  readonly maxNameLength: number;
  /** Actions the engine adds beside the first test stage (or, without tests, in a slot of the build stage). */
  readonly preparationActions: number;
  /** Actions of the build stage, before preparation. */
  readonly buildActions: number;
}

export interface LayoutInput {
  /**
   * Test members (test steps, security checks, the user's own steps), in order. Each is one action: the engine
   * verifies on its output that each produced exactly one.
   */
  readonly testSteps: number;
  readonly environments: LayoutEnvironment[];
}

/** What did not fit. */
export enum LayoutProblemKind {
  /** Without tests, the build stage cannot hold the build and the preparation actions. */
  BUILD_STAGE_FULL = 'build-stage-full',
  /** One target deploys with more actions than a stage holds. */
  TARGET_TOO_LARGE = 'target-too-large',
  /** The actions before (or after) an environment's deployments do not fit in one stage. */
  TOO_MANY_PRE_ACTIONS = 'too-many-pre-actions',
  TOO_MANY_POST_ACTIONS = 'too-many-post-actions',
  /** A split environment's part names are longer than a stage name may be. */
  PART_NAME_TOO_LONG = 'part-name-too-long',
  /** The release path needs more stages than a pipeline holds. */
  TOO_MANY_STAGES = 'too-many-stages',
  /** Two planned stages have the same name. */
  STAGE_NAME_COLLISION = 'stage-name-collision',
}

/** A layout that cannot be made, with the numbers the engine needs to say why. */
export interface LayoutProblem {
  readonly kind: LayoutProblemKind;
  /** The environment concerned, when one is. */
  readonly environment?: LayoutEnvironment;
  /** The target concerned. */
  readonly index?: number;
  /** How many actions (or stages, or characters) were needed. */
  readonly needed?: number;
  /** For a split: the part count. */
  readonly parts?: number;
  /** For a collision: the stage name, then what each of the two stages is. */
  readonly names?: string[];
  readonly testStages?: number;
  readonly deploymentStages?: number;
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

/** A layout, or what kept it from being made. */
export interface LayoutResult {
  readonly layout?: PipelineLayout;
  readonly problem?: LayoutProblem;
}

export function planLayout(input: LayoutInput, engine: EngineCapacities): LayoutResult {
  const max = engine.maxActionsPerStage;
  const stages: PlannedStage[] = [];

  // Tests: the first stage also holds the preparation actions.
  const testParts = chunk(range(input.testSteps), [max - engine.preparationActions, max]);
  testParts.forEach((members, i) => stages.push({
    name: partStageName(TEST_STAGE, i + 1, testParts.length),
    kind: StageKind.TEST,
    part: i + 1,
    parts: testParts.length,
    members,
    preparation: i === 0,
  }));
  const preparationInBuild = input.testSteps === 0;
  if (preparationInBuild && engine.buildActions + engine.preparationActions > max) {
    return { problem: { kind: LayoutProblemKind.BUILD_STAGE_FULL, needed: engine.buildActions + engine.preparationActions } };
  }

  for (const env of input.environments) {
    // A target shares its part with the part's own actions (the review approval).
    const perPart = env.partActions ?? 0;
    const target = env.targetActions.findIndex(actions => actions + perPart > max);
    if (target >= 0) {
      return { problem: { kind: LayoutProblemKind.TARGET_TOO_LARGE, environment: env, index: target, needed: env.targetActions[target] + perPart } };
    }
    if (env.preActions > max) {
      return { problem: { kind: LayoutProblemKind.TOO_MANY_PRE_ACTIONS, environment: env, needed: env.preActions } };
    }
    if (env.postActions > max) {
      return { problem: { kind: LayoutProblemKind.TOO_MANY_POST_ACTIONS, environment: env, needed: env.postActions } };
    }
    const parts = packTargets(env, max);
    const longest = partStageName(env.name, parts.length, parts.length);
    if (longest.length > engine.maxNameLength) {
      return { problem: { kind: LayoutProblemKind.PART_NAME_TOO_LONG, environment: env, parts: parts.length, needed: longest.length } };
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
  if (total > engine.maxStages) {
    return {
      problem: {
        kind: LayoutProblemKind.TOO_MANY_STAGES,
        needed: total,
        testStages: testParts.length,
        deploymentStages: stages.length - testParts.length,
      },
    };
  }

  const seen = new Map<string, PlannedStage>();
  for (const stage of stages) {
    const previous = seen.get(stage.name);
    if (previous) {
      return { problem: { kind: LayoutProblemKind.STAGE_NAME_COLLISION, names: [stage.name, describeStage(previous), describeStage(stage)] } };
    }
    seen.set(stage.name, stage);
  }
  return { layout: { stages, preparationInBuild } };
}

function describeStage(stage: PlannedStage): string {
  return stage.parts > 1 ? `part ${stage.part} of ${stage.environment ?? stage.kind}` : `${stage.environment ?? stage.kind}`;
}

/**
 * Packs targets greedily, in order, into parts: the first part also holds `preActions`, the last `postActions`, every
 * part with targets `partActions`.
 */
function packTargets(env: LayoutEnvironment, max: number): number[][] {
  // A part that deploys targets also holds the part's own actions (the review approval); one without targets does not.
  const perPart = env.partActions ?? 0;
  const parts: number[][] = [];
  let current: number[] = [];
  let used = env.preActions;
  env.targetActions.forEach((actions, i) => {
    if (current.length > 0 && used + actions > max) {
      parts.push(current);
      current = [];
      used = 0;
    } else if (current.length === 0 && used + perPart + actions > max) {
      // The pre actions leave no room for this target: they get a part of their own (which carries the
      // environment's guard rails like any other part), and the target starts the next one.
      parts.push([]);
      used = 0;
    }
    if (current.length === 0) {
      used += perPart;
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
