/**
 * Final layout of the synthesized pipeline, applied to the resolved L1 `Stages` of the CfnPipeline.
 *
 * CDK Pipelines always puts self-mutation (`UpdatePipeline`) and asset publishing (`Assets`) in stages of their
 * own, one hop each, between the build and the first deployment. Neither deploys anything, so both can run in
 * parallel with the test steps: the layout folds them into the `Test` stage (or, without test steps, into a
 * second slot of the `Build` stage). If self-mutation changes the pipeline, CodePipeline restarts the
 * execution on the new definition (`restartExecutionOnUpdate`), exactly as before. It also renames the stages
 * to the pipeline's public names and attaches stage-level properties (V2 conditions) by final name.
 */

/** CodePipeline's limit on actions in one stage. */
const MAX_ACTIONS_PER_STAGE = 50;

/** An action as the L2 renders it (camelCase L1 shape), after token resolution. */
export interface RenderedAction {
  readonly name: string;
  readonly runOrder?: number;
  readonly [key: string]: unknown;
}

/** A stage as the L2 renders it (camelCase L1 shape), after token resolution. */
export interface RenderedStage {
  readonly name: string;
  readonly actions: RenderedAction[];
  readonly [key: string]: unknown;
}

export interface StageLayout {
  /** Intermediate (CDK Pipelines) stage name → public stage name. */
  readonly renames: Map<string, string>;
  /** Intermediate name of the test stage, if there are test steps. */
  readonly testStage?: string;
  /** Extra stage-level properties (camelCase L1), by public stage name. */
  readonly stageProperties?: Map<string, Record<string, unknown>>;
}

export function isPreparationStage(name: string): boolean {
  return name === 'UpdatePipeline' || /^Assets(\.\d+)?$/.test(name);
}

export function applyStageLayout(stages: RenderedStage[], layout: StageLayout): RenderedStage[] {
  const preparation = stages.filter(s => isPreparationStage(s.name));
  let result = stages.filter(s => !isPreparationStage(s.name));
  const prepActions = preparation.flatMap(s => s.actions);

  if (prepActions.length > 0) {
    const testStage = layout.testStage === undefined ? undefined : result.find(s => s.name === layout.testStage);
    const build = result.find(s => s.name === 'Build');
    if (testStage && testStage.actions.length + prepActions.length <= MAX_ACTIONS_PER_STAGE) {
      // Self-mutation and asset publishing run beside the first slot of tests.
      result = result.map(s => s === testStage ? { ...s, actions: [...prepActions, ...s.actions] } : s);
    } else if (!testStage && build && build.actions.length + prepActions.length <= MAX_ACTIONS_PER_STAGE) {
      const lastSlot = Math.max(...build.actions.map(a => a.runOrder ?? 1));
      const moved = prepActions.map(a => ({ ...a, runOrder: lastSlot + (a.runOrder ?? 1) }));
      result = result.map(s => s === build ? { ...s, actions: [...s.actions, ...moved] } : s);
    } else {
      // Too many actions to fold: keep CDK Pipelines' own layout.
      result = stages;
    }
  }

  return result.map(stage => {
    const name = layout.renames.get(stage.name) ?? stage.name;
    return { ...stage, name, ...(layout.stageProperties?.get(name) ?? {}) };
  });
}
