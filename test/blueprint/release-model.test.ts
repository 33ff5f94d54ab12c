import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { BakeFailureAction, DeploymentWindow, GateRule, ReleaseMode } from '../../src';
import { LayoutProblemKind } from '../../src/blueprint/layout';
import { ReleaseInput, StepTypes } from '../../src/blueprint/release-input';
import { ReleaseEngine, ReleaseModel, resolveRelease } from '../../src/blueprint/release-model';
import { stacksOf } from '../../src/blueprint/validate';

/**
 * The release model, resolved without an engine and without synthesis: defaults, the release path, the layout and
 * validation, in milliseconds. The engine here is a table of capacities (10 actions per stage, one action per
 * stack), so that splits happen with a handful of Stages.
 */

/** A step of the toy engine: anything with an id. */
interface ToyStep { readonly id: string }

const engine: ReleaseEngine<StepTypes> = {
  capacities: { maxActionsPerStage: 10, maxStages: 12, maxNameLength: 100, preparationActions: 3, buildActions: 1 },
  reservedStepNames: ['Publish'],
  reservedStageNames: ['Assets'],
  targetActions: target => stacksOf(target).length,
  approvalActions: (gated, name) => ({ names: [name], approvals: 1, actions: 1, description: `the approval of ${gated.name}` }),
  stepName: step => (step as ToyStep).id,
  checkTypes: () => undefined,
  describeLayoutProblem: problem => `layout problem: ${problem.kind}${problem.environment ? ` in ${problem.environment.property}` : ''}`,
};

class World {
  public readonly app = new App();
  private count = 0;

  /** A Stage with `stacks` stacks. */
  public stage(name = `S${++this.count}`, stacks = 1): Stage {
    const stage = new Stage(this.app, name);
    for (let i = 0; i < stacks; i++) {
      new Stack(stage, `Stack${i}`);
    }
    return stage;
  }

  public input(overrides: Partial<ReleaseInput<StepTypes>> = {}): ReleaseInput<StepTypes> {
    return {
      synth: { commands: ['npx cdk synth'] },
      tests: [{ name: 'Unit', commands: ['npm test'] }],
      staging: overrides.staging ?? { stage: this.stage('Staging'), verify: [{ name: 'Smoke', commands: ['true'] }] },
      production: overrides.production ?? { stages: [this.stage('Prod')] },
      ...overrides,
    };
  }
}

function resolve(input: ReleaseInput<StepTypes>): ReleaseModel<StepTypes> {
  return resolveRelease(input, engine);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** The model's stages as `name: contents` lines. */
function outline(model: ReleaseModel<StepTypes>): string[] {
  return model.stages.map(s => {
    const d = s.deployment;
    if (!d) {
      return `${s.planned.name}: ${s.tests.map(t => t.name).join(' ')}${s.planned.preparation ? ' +preparation' : ''}`;
    }
    return `${s.planned.name}: ${[
      d.approval ? `approve(${d.approval.gated.name})` : '',
      ...d.migrations.map(m => `migrate(${m.options.name})`),
      `deploy(${d.targets.map(t => t.stageName).join(',')})`,
      ...d.verify.map(v => `verify(${v.name})`),
      ...d.verifySteps.map(v => `step(${v.name})`),
      d.nextApproval ? `approve(${d.nextApproval.gated.name})` : '',
    ].filter(Boolean).join(' ')}`;
  });
}

describe('defaults, applied once', () => {
  test('staging deploys directly, production through change sets; lists are empty; rules none', () => {
    const w = new World();
    const model = resolve(w.input());
    const [staging, production] = model.environments;
    expect([staging.useChangeSets, production.useChangeSets]).toEqual([false, true]);
    expect([staging.entryRules, staging.migrations, production.verify, production.verifySteps]).toEqual([[], [], [], []]);
    expect(staging.bake).toBeUndefined();
    expect(model.mode).toBe(ReleaseMode.CONTINUOUS_DELIVERY);
  });

  test('the pipeline\'s useChangeSets reaches production, an environment\'s own choice wins', () => {
    const w = new World();
    const model = resolve(w.input({
      useChangeSets: false,
      staging: { stage: w.stage('Staging'), useChangeSets: true },
    }));
    expect(model.environments.map(e => e.useChangeSets)).toEqual([true, false]);
  });

  test('a bake rolls back unless told otherwise, and the model says when that is the default', () => {
    const w = new World();
    const alarm = cloudwatch.Alarm.fromAlarmArn(new Stack(w.app, 'Alarms'), 'A', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:a');
    const model = resolve(w.input({
      production: {
        waves: [
          { name: 'a', stages: [w.stage()] },
          { name: 'b', stages: [w.stage()], bake: { alarms: [alarm], duration: Duration.minutes(5), onFailure: BakeFailureAction.RETRY } },
        ],
        bake: { alarms: [alarm], duration: Duration.minutes(30) },
      },
    }));
    const [, a, b] = model.environments;
    expect([a.bake?.onFailure, a.bake?.onFailureDefaulted]).toEqual([BakeFailureAction.ROLLBACK, true]);
    expect([b.bake?.onFailure, b.bake?.onFailureDefaulted, b.bake?.duration.toMinutes()]).toEqual([BakeFailureAction.RETRY, false, 5]);
  });

  test('production-level window and entry rules reach every wave; a wave\'s own win', () => {
    const w = new World();
    const window = DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'Europe/Berlin');
    const own = DeploymentWindow.cron('* * 10-12 ? * MON-FRI', 'Europe/Berlin');
    const rule = GateRule.variableCheck('#{variables.GO}', 'EQ' as never, 'yes');
    const model = resolve(w.input({
      production: { waves: [{ name: 'a', stages: [w.stage()] }, { name: 'b', stages: [w.stage()], deploymentWindow: own }], deploymentWindow: window, gates: [rule] },
    }));
    expect(model.environments.slice(1).map(e => [e.deploymentWindow, e.entryRules])).toEqual([[window, [rule]], [own, [rule]]]);
  });

  test('a migration asks for an approval unless it says otherwise', () => {
    const w = new World();
    const model = resolve(w.input({
      requireManualApproval: false,
      production: { stages: [w.stage()], migrations: [{ name: 'M1', commands: ['m'] }, { name: 'M2', commands: ['m'], requireManualApproval: false }] },
    }));
    expect(model.environments[1].migrations.map(m => [m.options.name, m.requiresApproval])).toEqual([['M1', true], ['M2', false]]);
  });
});

describe('the release path', () => {
  test('continuous delivery: the production approval sits beside the staging verification', () => {
    const w = new World();
    expect(outline(resolve(w.input()))).toEqual([
      'Test: Unit +preparation',
      'Staging: deploy(Staging) verify(Smoke) approve(Production)',
      'Production: deploy(Prod)',
    ]);
  });

  test('continuous deployment: no approval; a gated wave gets its own before its deployments, with its migrations after it', () => {
    const w = new World();
    const model = resolve(w.input({
      requireManualApproval: false,
      production: {
        waves: [
          { name: 'canary', stages: [w.stage('Canary')] },
          { name: 'rest', stages: [w.stage('Rest')], requireManualApproval: true, migrations: [{ name: 'Migrate', commands: ['m'] }] },
        ],
      },
    }));
    expect(model.mode).toBe(ReleaseMode.CONTINUOUS_DEPLOYMENT);
    expect(outline(model)).toEqual([
      'Test: Unit +preparation',
      'Staging: deploy(Staging) verify(Smoke)',
      'Production-canary: deploy(Canary)',
      'Production-rest: approve(Production-rest) migrate(Migrate) deploy(Rest)',
    ]);
  });

  test('your own steps are test members after the tests and checks, and verification steps after verify', () => {
    const w = new World();
    const model = resolve(w.input({
      testSteps: [{ id: 'Lint' }],
      staging: { stage: w.stage('Staging'), verify: [{ name: 'Smoke', commands: ['true'] }], verifySteps: [{ id: 'E2E' }] },
    }));
    expect(outline(model)).toEqual([
      'Test: Unit Lint +preparation',
      'Staging: deploy(Staging) verify(Smoke) step(E2E) approve(Production)',
      'Production: deploy(Prod)',
    ]);
  });

  test('an environment larger than a stage is split: verification in the last part (its approval, next to staging, beside the staging verification)', () => {
    const w = new World();
    const model = resolve(w.input({
      requireManualApproval: false,
      production: {
        stages: Array.from({ length: 12 }, (_, i) => w.stage(`P${i}`)),
        requireManualApproval: true,
        verify: [{ name: 'Check', commands: ['true'] }],
      },
    }));
    expect(outline(model).slice(1)).toEqual([
      'Staging: deploy(Staging) verify(Smoke) approve(Production)',
      // Each part holds its change-set review's approval (on by default with change sets): one Stage fewer in the first.
      'Production-1: deploy(P0,P1,P2,P3,P4,P5,P6,P7,P8)',
      'Production-2: deploy(P9,P10,P11) verify(Check)',
    ]);
  });

  test('a gated wave after another is split with its approval and migrations in the first part', () => {
    const w = new World();
    const model = resolve(w.input({
      requireManualApproval: false,
      production: {
        waves: [
          { name: 'canary', stages: [w.stage('Canary')] },
          { name: 'rest', stages: Array.from({ length: 12 }, (_, i) => w.stage(`P${i}`)), requireManualApproval: true, migrations: [{ name: 'M', commands: ['m'] }] },
        ],
      },
    }));
    expect(outline(model).slice(3)).toEqual([
      'Production-rest-1: approve(Production-rest) migrate(M) deploy(P0,P1,P2,P3,P4,P5,P6)',
      'Production-rest-2: deploy(P7,P8,P9,P10,P11)',
    ]);
  });

  test('tests beyond the first stage (which holds the preparation actions) continue in Test-2; without tests, preparation is in Build', () => {
    const w = new World();
    const tests = Array.from({ length: 8 }, (_, i) => ({ name: `T${i}`, commands: ['npm test'] }));
    const model = resolve(w.input({ tests }));
    expect(outline(model).slice(0, 2)).toEqual(['Test-1: T0 T1 T2 T3 T4 T5 T6 +preparation', 'Test-2: T7']);
    expect(model.preparationInBuild).toBe(false);
    expect(resolve(new World().input({ tests: [] })).preparationInBuild).toBe(true);
  });
});

describe('validation, next to the feature', () => {
  test.each([
    ['a step named like the engine\'s own action', (w: World) => w.input({ testSteps: [{ id: 'Publish' }] }),
      "testSteps[0].name: the step name 'Publish' is used by the pipeline's own actions. Choose another name."],
    ['a step named like an approval', (w: World) => w.input({ tests: [{ name: 'PromoteToProduction', commands: ['x'] }] }),
      "tests[0].name: the step name 'PromoteToProduction' is used by the pipeline's own actions. Choose another name."],
    ['a Stage named like the engine\'s own stage', (w: World) => w.input({ production: { stages: [w.stage('Assets')] } }),
      "production.stages[0]: the Stage name 'Assets' is reserved for the pipeline's own 'Assets' stage. Give the Stage another construct id."],
    ['a Stage named like the blueprint\'s own stage', (w: World) => w.input({ production: { stages: [w.stage('Build')] } }),
      "production.stages[0]: the Stage name 'Build' is reserved for the pipeline's own 'Build' stage. Give the Stage another construct id."],
    ['a verification step of yours named like a test', (w: World) => w.input({ staging: { stage: w.stage('Staging'), verifySteps: [{ id: 'Unit' }] } }),
      "staging.verifySteps[0].name: the step name 'Unit' is already used by tests[0].name. Give every test and verification step a unique name."],
    ['two waves of one name', (w: World) => w.input({ production: { waves: [{ name: 'a', stages: [w.stage()] }, { name: 'a', stages: [w.stage()] }] } }),
      "production.waves[1].name: the wave name 'a' is already used by production.waves[0]. Give every production wave a unique name."],
  ])('%s', (_, input, message) => {
    expect(errorOf(() => resolve(input(new World())))).toBe(message);
  });

  test('a layout that does not fit is worded by the engine, from the structured problem', () => {
    const w = new World();
    const waves = Array.from({ length: 10 }, (_, i) => ({ name: `w${i}`, stages: [w.stage()] }));
    expect(errorOf(() => resolve(w.input({ production: { waves } })))).toBe(`layout problem: ${LayoutProblemKind.TOO_MANY_STAGES}`);
    const v = new World();
    expect(errorOf(() => resolve(v.input({ production: { stages: [v.stage('Big', 11)] } })))).toBe(`layout problem: ${LayoutProblemKind.TARGET_TOO_LARGE} in production`);
  });

  test('the type check runs after the blueprint\'s own messages', () => {
    const w = new World();
    const calls: string[] = [];
    const checking: ReleaseEngine<StepTypes> = { ...engine, checkTypes: () => calls.push('types') };
    expect(errorOf(() => resolveRelease(w.input({ tests: [{ name: 'a b', commands: ['x'] }] }), checking))).toMatch(/^tests\[0\]\.name/);
    expect(calls).toEqual([]);
    resolveRelease(new World().input(), checking);
    expect(calls).toEqual(['types']);
  });
});
