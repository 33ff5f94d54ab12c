import * as fc from 'fast-check';
import { BakeFailureAction } from '../../src';
import { isProductionStage } from '../../src/contract';
import { RenderedAction, RenderedStage } from '../../src/private/rendered-pipeline';
import { GeneratedConfig, GeneratedGuards, generatedApp } from '../fixtures/generated-app';
import { renderedStages } from '../fixtures/rendered';

/**
 * Property-based: generated configurations are synthesized for real, and the synthesized template is checked
 * against the guard-rail invariants by an oracle written independently of the construct's own self-check.
 * Invalid configurations must be rejected with a message that names the property.
 */

const guardsArb = (maxAlarms: number): fc.Arbitrary<GeneratedGuards> => fc.record({
  window: fc.boolean(),
  bakeAlarms: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: maxAlarms }) }),
  onFailure: fc.constantFrom(undefined, BakeFailureAction.ROLLBACK, BakeFailureAction.RETRY, BakeFailureAction.FAIL),
  requireManualApproval: fc.constantFrom(undefined, undefined, true, false),
  migrations: fc.integer({ min: 0, max: 2 }),
  gatedMigrations: fc.constantFrom(undefined, true, false),
  verify: fc.integer({ min: 0, max: 2 }),
  useChangeSets: fc.constantFrom(undefined, undefined, true, false),
}, { requiredKeys: [] });

const targetsArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 3, arbitrary: fc.integer({ min: 5, max: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 41, max: 120 }) },
);

function configArb(maxAlarms: number): fc.Arbitrary<GeneratedConfig> {
  return fc.record({
    requireManualApproval: fc.boolean(),
    tests: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: 5, max: 60 }) }),
    useChangeSets: fc.boolean(),
    stacksPerTarget: fc.integer({ min: 1, max: 2 }),
    staging: guardsArb(maxAlarms),
    useWaves: fc.boolean(),
    waves: fc.array(fc.record({ targets: targetsArb }).chain(w => guardsArb(maxAlarms).map(g => ({ ...g, ...w }))), { minLength: 1, maxLength: 4 }),
    production: fc.record({ window: fc.boolean(), bakeAlarms: fc.integer({ min: 0, max: maxAlarms }) }),
    autoApprove: fc.constantFrom(false, false, false, true),
    changeReview: fc.constantFrom(undefined, false, true),
  }).map(c => {
    // At most 120 production targets in all; one wave when `stages` is used.
    let budget = 120;
    const waves = (c.useWaves ? c.waves : c.waves.slice(0, 1)).map(w => {
      const targets = Math.min(w.targets, Math.max(1, budget));
      budget -= targets;
      return { ...w, targets };
    });
    return { ...c, waves };
  });
}

/** The environments in order, with the guard rails that apply to each (production-level defaults resolved). */
function environments(config: GeneratedConfig): Array<{ name: string; guards: GeneratedGuards; targets: number }> {
  const production = config.useWaves
    ? config.waves.map((w, i) => ({
      name: `Production-w${i + 1}`,
      targets: w.targets,
      guards: {
        ...w,
        window: w.window || config.production.window,
        bakeAlarms: w.bakeAlarms || config.production.bakeAlarms,
        onFailure: w.bakeAlarms ? w.onFailure : undefined,
      },
    }))
    : [{
      name: 'Production',
      targets: config.waves[0].targets,
      guards: {
        ...config.waves[0],
        window: config.production.window || config.waves[0].window,
        bakeAlarms: config.production.bakeAlarms || config.waves[0].bakeAlarms,
        onFailure: config.production.bakeAlarms ? undefined : config.waves[0].onFailure,
      },
    }];
  return [{ name: 'Staging', targets: 1, guards: config.staging }, ...production];
}

/** The environments a person must approve before they are entered. */
function gatedEnvironments(config: GeneratedConfig): string[] {
  const envs = environments(config);
  const firstGated = config.requireManualApproval ? envs.slice(1).find(e => e.guards.requireManualApproval !== false)?.name : undefined;
  return envs.filter(e => e.name === firstGated || e.guards.requireManualApproval === true
    || ((e.guards.migrations ?? 0) > 0 && e.guards.gatedMigrations !== false)).map(e => e.name);
}

function checkInvariants(config: GeneratedConfig, stages: RenderedStage[], stageNames: string[]): void {
  expect(stages.map(s => s.name)).toEqual(stageNames);
  expect(stages.length).toBeLessThanOrEqual(50);
  const ruleNames = new Set<string>();
  for (const stage of stages) {
    expect(stage.actions.length).toBeGreaterThan(0);
    expect(stage.actions.length).toBeLessThanOrEqual(50);
    expect(new Set(stage.actions.map(a => a.name)).size).toBe(stage.actions.length);
    for (const block of [stage.beforeEntry, stage.onSuccess]) {
      expect((block?.conditions ?? []).length).toBeLessThanOrEqual(1);
      for (const rule of (block?.conditions ?? []).flatMap(c => c.rules)) {
        expect(rule.name).toMatch(/^[A-Za-z0-9.@\-_]{1,100}$/);
        expect(ruleNames.has(rule.name)).toBe(false);
        ruleNames.add(rule.name);
      }
      expect((block?.conditions ?? []).flatMap(c => c.rules).length).toBeLessThanOrEqual(5);
    }
  }

  // Every stage of an environment carries the environment's window, bake and rollback.
  const envOf = (stageName: string) => environments(config).find(e => stageName === e.name || new RegExp(`^${e.name}-\\d+$`).test(stageName));
  let deployments = 0;
  for (const stage of stages) {
    const env = envOf(stage.name);
    const deploys = stage.actions.filter(a => a.actionTypeId.category === 'Deploy').length;
    deployments += deploys;
    if (!env) {
      expect(deploys).toBe(0);
      continue;
    }
    expect(env.name === 'Staging' || isProductionStage(stage.name)).toBe(true);
    expect((stage.beforeEntry?.conditions[0].rules ?? []).map(r => r.ruleTypeId.provider)).toEqual(env.guards.window ? ['DeploymentWindow'] : []);
    expect((stage.onSuccess?.conditions[0].rules ?? []).filter(r => r.ruleTypeId.provider === 'CloudWatchAlarm')).toHaveLength(env.guards.bakeAlarms ?? 0);
    const onFailure = env.guards.bakeAlarms ? (env.guards.onFailure ?? BakeFailureAction.ROLLBACK) : undefined;
    expect(stage.onFailure?.result).toBe(onFailure === BakeFailureAction.FAIL ? undefined : onFailure);
  }
  // Each environment deploys through change sets (prepare + execute per stack) or directly (one action), as chosen.
  for (const env of environments(config)) {
    const changeSets = env.guards.useChangeSets ?? (env.name === 'Staging' ? false : config.useChangeSets);
    const actions = stages.filter(s => envOf(s.name)?.name === env.name).flatMap(s => s.actions.filter(a => a.actionTypeId.category === 'Deploy'));
    expect(actions).toHaveLength(env.targets * config.stacksPerTarget * (changeSets ? 2 : 1));
    const modes = new Set(actions.map(a => a.configuration.ActionMode));
    expect([...modes].sort()).toEqual(changeSets ? ['CHANGE_SET_EXECUTE', 'CHANGE_SET_REPLACE'] : ['CREATE_UPDATE']);
  }
  expect(deployments).toBe(stages.flatMap(s => s.actions).filter(a => a.actionTypeId.category === 'Deploy').length);

  // Change-set review (on unless disabled): every stage of an environment that uses change sets and deploys has one Review
  // approval, after every prepare and before every execute; no other stage has one.
  for (const stage of stages) {
    const env = envOf(stage.name);
    const reviews = stage.actions.filter(a => a.name === 'Review');
    const deploys = stage.actions.filter(a => a.actionTypeId.category === 'Deploy');
    const changeSets = env && (env.guards.useChangeSets ?? (env.name === 'Staging' ? false : config.useChangeSets));
    if (config.changeReview === false || !env || !changeSets || deploys.length === 0) {
      expect(reviews).toHaveLength(0);
      continue;
    }
    expect(reviews.map(r => r.actionTypeId.category)).toEqual(['Approval']);
    const at = reviews[0].runOrder;
    for (const action of deploys) {
      expect(action.configuration.ActionMode === 'CHANGE_SET_REPLACE' ? action.runOrder < at : action.runOrder > at).toBe(true);
    }
  }

  // Artifacts are produced before they are read.
  const position = (i: number, a: RenderedAction) => i * 1000 + a.runOrder;
  const produced = new Map<string, number>();
  stages.forEach((s, i) => s.actions.forEach(a => a.outputArtifacts.forEach(o => produced.set(o.name, position(i, a)))));
  stages.forEach((s, i) => s.actions.forEach(a => a.inputArtifacts.forEach(input => {
    expect(produced.get(input.name)).toBeLessThan(position(i, a));
  })));

  // Approvals: one gate (per gated Stage with auto-approval) between the previous environment and each gated one.
  const approvals = stages.flatMap((s, i) => s.actions.filter(a => a.actionTypeId.category === 'Approval' && a.name !== 'Review').map(a => position(i, a)));
  const gated = gatedEnvironments(config);
  const envs = environments(config);
  const approvalsPerGate = (name: string) => config.autoApprove ? envs.find(e => e.name === name)!.targets : 1;
  expect(approvals).toHaveLength(gated.reduce((n, g) => n + approvalsPerGate(g), 0));
  const deployPositions = (env: string) => stages.flatMap((s, i) => envOf(s.name)?.name === env
    ? s.actions.filter(a => a.actionTypeId.category === 'Deploy').map(a => position(i, a)) : []);
  for (const g of gated) {
    const index = envs.findIndex(e => e.name === g);
    const after = index > 0 ? Math.max(...deployPositions(envs[index - 1].name)) : -1;
    const before = Math.min(...deployPositions(g));
    expect(approvals.filter(p => p > after && p < before).length).toBeGreaterThanOrEqual(approvalsPerGate(g));
  }
}

/** CI runs 200 configurations with a fixed seed; PROPERTY_RUNS and PROPERTY_SEED explore more (e.g. before a release). */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);

const tooManyAlarms = (config: GeneratedConfig) => environments(config).some(e => (e.guards.bakeAlarms ?? 0) > 5);

/** Auto-approval adds a check and an approval per gated Stage: beyond one stage's 50 actions, the gate cannot be laid out. */
function gateOverflows(config: GeneratedConfig): boolean {
  if (!config.autoApprove) {
    return false;
  }
  const envs = environments(config);
  const gated = new Set(gatedEnvironments(config));
  return envs.some((env, i) => {
    const next = envs[i + 1];
    const pre = (gated.has(env.name) && i !== 1 ? 2 * env.targets : 0) + (env.guards.migrations ?? 0);
    const post = (env.guards.verify ?? 0) + (next && i === 0 && gated.has(next.name) ? 2 * next.targets : 0);
    return pre > 50 || post > 50;
  });
}

/** An explicit pipeline-level review covers production: an environment of it that deploys directly cannot be reviewed. */
function reviewWithoutChangeSets(config: GeneratedConfig): boolean {
  return config.changeReview === true && environments(config).slice(1).some(e => !(e.guards.useChangeSets ?? config.useChangeSets));
}

describe('guard rails hold on generated configurations (synthesized for real)', () => {
  test('valid configurations: the template keeps every promise', () => {
    fc.assert(fc.property(configArb(5), config => {
      if (reviewWithoutChangeSets(config)) {
        expect(() => generatedApp(config)).toThrow(/^PipelineStack\/Delivery: changeReview: production(\.waves\[\d+\])? is reviewed, but (useChangeSets|production\.waves\[\d+\]\.useChangeSets|production\.useChangeSets) is false/);
        return;
      }
      if (gateOverflows(config)) {
        expect(() => generatedApp(config)).toThrow(/^PipelineStack\/Delivery: (staging|production(\.waves\[\d+\])?): \d+ actions must run (before|after) its deployments \(.*permission-broadening check.*\), more than the 50 a CodePipeline stage holds\./);
        return;
      }
      const { stack, pipeline } = generatedApp(config);
      checkInvariants(config, renderedStages(stack), pipeline.stageNames);
    }), { numRuns: RUNS, seed: SEED });
  });

  test('invalid configurations are rejected with a message naming the property', () => {
    fc.assert(fc.property(configArb(8).filter(c => tooManyAlarms(c) && !gateOverflows(c) && !reviewWithoutChangeSets(c)), config => {
      expect(() => generatedApp(config)).toThrow(/^PipelineStack\/Delivery: (staging|production(\.waves\[\d+\])?)\.bake\.alarms: \d alarms, but a CodePipeline condition holds at most 5 rules/);
    }), { numRuns: Math.ceil(RUNS / 5), seed: SEED });
    // Around CodePipeline's 50 stages: Source, Build, Test (when there are tests), Staging and one stage per wave.
    fc.assert(fc.property(fc.integer({ min: 45, max: 70 }), fc.integer({ min: 0, max: 3 }), (waves, tests) => {
      const config: GeneratedConfig = {
        requireManualApproval: true,
        tests,
        useChangeSets: true,
        stacksPerTarget: 1,
        staging: {},
        production: {},
        useWaves: true,
        waves: Array.from({ length: waves }, () => ({ targets: 1 })),
      };
      const stages = 3 + (tests > 0 ? 1 : 0) + waves;
      if (stages <= 50) {
        expect(generatedApp(config).pipeline.stageNames).toHaveLength(stages);
      } else {
        expect(() => generatedApp(config)).toThrow(`pipeline: the release path needs ${stages} stages`);
      }
    }), { numRuns: Math.ceil(RUNS / 10), seed: SEED });
  });
});
