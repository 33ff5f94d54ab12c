import { EngineCapacities, LayoutEnvironment, LayoutProblemKind, planLayout } from '../../src/blueprint/layout';
import { describeLayoutProblem } from '../../src/codepipeline/private/cdk-pipelines/engine';
import { StageKind } from '../../src/contract';

/** The layout alone: structured results and problems, no engine, no synthesis. */

const capacities: EngineCapacities = { maxActionsPerStage: 10, maxStages: 8, maxNameLength: 20, preparationActions: 3, buildActions: 1 };

function env(name: string, targets: number[], overrides: Partial<LayoutEnvironment> = {}): LayoutEnvironment {
  return {
    name,
    kind: name === 'Staging' ? StageKind.STAGING : StageKind.PRODUCTION,
    property: name === 'Staging' ? 'staging' : 'production',
    targetActions: targets,
    targetNames: targets.map((_, i) => `${name}${i}`),
    preActions: 0,
    postActions: 0,
    ...overrides,
  };
}

describe('planLayout', () => {
  test('packs whole targets greedily; the first part holds the pre actions, the last the post actions', () => {
    const { layout, problem } = planLayout({ testSteps: 2, environments: [env('Staging', [2]), env('Production', [4, 4, 4], { preActions: 1, postActions: 3 })] }, capacities);
    expect(problem).toBeUndefined();
    expect(layout!.stages.map(s => [s.name, s.members])).toEqual([
      ['Test', [0, 1]], ['Staging', [0]], ['Production-1', [0, 1]], ['Production-2', [2]],
    ]);
  });

  test('pre actions that leave no room for a target get a part of their own', () => {
    const { layout } = planLayout({ testSteps: 1, environments: [env('Staging', [1]), env('Production', [10], { preActions: 2 })] }, capacities);
    expect(layout!.stages.map(s => [s.name, s.members])).toEqual([['Test', [0]], ['Staging', [0]], ['Production-1', []], ['Production-2', [0]]]);
  });

  test('the review approval (partActions) is counted in every part that deploys targets, and only there', () => {
    const plan = (overrides: Partial<LayoutEnvironment>) => planLayout({ testSteps: 1, environments: [env('Staging', [1]), env('Production', [4, 4, 4], overrides)] }, capacities)
      .layout!.stages.filter(s => s.environment === 'Production').map(s => s.members);
    expect(plan({ preActions: 2 })).toEqual([[0, 1], [2]]);
    // 2 + 1 + 4 leaves no room for the second target; the second part holds 1 + 4 + 4.
    expect(plan({ preActions: 2, partActions: 1 })).toEqual([[0], [1, 2]]);
    // A part of pre actions alone deploys nothing and has no review: 2 + 1 + 9 does not fit, 1 + 9 does.
    const alone = planLayout({ testSteps: 1, environments: [env('Staging', [1]), env('Production', [9], { preActions: 2, partActions: 1 })] }, capacities);
    expect(alone.layout!.stages.filter(s => s.environment === 'Production').map(s => s.members)).toEqual([[], [0]]);
  });

  test('a target that fits a stage alone but not with its review', () => {
    const production = env('Production', [10], { partActions: 1 });
    const { problem } = planLayout({ testSteps: 1, environments: [env('Staging', [1]), production] }, capacities);
    expect(problem).toEqual({ kind: LayoutProblemKind.TARGET_TOO_LARGE, environment: production, index: 0, needed: 11 });
    expect(describeLayoutProblem(problem!, [], false)).toBe("production: the Stage 'Production0' deploys with 10 actions, which with the change-set review's approval (11) is more than the 50 a CodePipeline stage holds. Split its stacks over several Stages (each part of the environment gets its own review), or leave its change sets unreviewed (changeReview: ChangeReviewPolicy.disabled() on production).");
  });

  test.each([
    ['the build stage cannot hold the preparation', { testSteps: 0, environments: [env('Staging', [1])] }, { ...capacities, buildActions: 8 },
      { kind: LayoutProblemKind.BUILD_STAGE_FULL, needed: 11 }],
    ['a target larger than a stage', { testSteps: 1, environments: [env('Staging', [11])] }, capacities,
      { kind: LayoutProblemKind.TARGET_TOO_LARGE, index: 0, needed: 11 }],
    ['too many actions before the deployments', { testSteps: 1, environments: [env('Staging', [1], { preActions: 11 })] }, capacities,
      { kind: LayoutProblemKind.TOO_MANY_PRE_ACTIONS, needed: 11 }],
    ['too many actions after the deployments', { testSteps: 1, environments: [env('Staging', [1], { postActions: 12 })] }, capacities,
      { kind: LayoutProblemKind.TOO_MANY_POST_ACTIONS, needed: 12 }],
    ['a split name too long', { testSteps: 1, environments: [env('Production-abcdefghijk', [6, 6])] }, capacities,
      { kind: LayoutProblemKind.PART_NAME_TOO_LONG, parts: 2, needed: 24 }],
    ['too many stages', { testSteps: 1, environments: [env('Staging', [1]), env('Production', [9, 9, 9, 9, 9, 9])] }, capacities,
      { kind: LayoutProblemKind.TOO_MANY_STAGES, needed: 10, testStages: 1, deploymentStages: 7 }],
    ['two stages of one name', { testSteps: 1, environments: [env('Staging', [1]), env('Production-a', [6, 6]), env('Production-a-1', [1])] }, capacities,
      { kind: LayoutProblemKind.STAGE_NAME_COLLISION, names: ['Production-a-1', 'part 1 of Production-a', 'Production-a-1'] }],
  ])('%s: a structured problem', (_, input, engine, expected) => {
    const { layout, problem } = planLayout(input, engine);
    expect(layout).toBeUndefined();
    expect(problem).toEqual(expect.objectContaining(expected));
  });
});

describe('the CodePipeline engine words the problems', () => {
  const gated = env('Production', [1], { property: 'production', preActions: 60, preDescription: 'a permission-broadening check and approval for each of the 30 Stage(s) of Production: 60 actions, 0 migration(s)', preGated: true });

  test('a gate of the permission-broadening check gets its advice from the structured problem, not from the prose', () => {
    const problem = { kind: LayoutProblemKind.TOO_MANY_PRE_ACTIONS, environment: gated, needed: 60 };
    expect(describeLayoutProblem(problem, [], true)).toBe('production: 60 actions must run before its deployments (a permission-broadening check and approval for each of the 30 Stage(s) of Production: 60 actions, 0 migration(s)), '
      + 'more than the 50 a CodePipeline stage holds. The permission-broadening check adds 2 actions per gated Stage: split the gated environment into waves of fewer Stages, or approve manually.');
    // Without the automatic approval (or without a gate among the actions) there is no such advice.
    expect(describeLayoutProblem(problem, [], false)).not.toMatch(/permission-broadening check adds/);
    expect(describeLayoutProblem({ ...problem, environment: { ...gated, preGated: false } }, [], true)).not.toMatch(/permission-broadening check adds/);
  });
});
