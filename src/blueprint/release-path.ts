import { Stage } from 'aws-cdk-lib';
import { EnvironmentOptions, ProductionOptions, StagingOptions } from './environment';
import { LayoutEnvironment, PlannedStage } from './layout';
import { ApprovalGate, GatePlacement, PlannedEnvironment, ReleasePlan } from './release-plan';
import { MigrationStepOptions, VerificationStepOptions } from './steps';
import { validateWaveName } from './validate';
import { productionStageName, STAGING_STAGE, StageKind } from '../contract';
import { ValidationError } from '../private/errors';

/** An environment of the release path (staging or a production wave), in deployment order. */
export interface ReleaseEnvironment {
  readonly kind: StageKind;
  /** The environment's stage name (before any split into parts). */
  readonly name: string;
  /** Property path, for messages. */
  readonly property: string;
  readonly stages: Stage[];
  /** Property path of each stage, for messages. */
  readonly stageProperty: (index: number) => string;
  /** The environment's settings, with the production-level defaults applied. */
  readonly options: EnvironmentOptions;
}

/**
 * The release path: staging, then the production environments in order, with production-level defaults
 * (`deploymentWindow`, `gates`, `useChangeSets`, `bake`) applied to every wave.
 */
export function releaseEnvironments(staging: StagingOptions, production: ProductionOptions): ReleaseEnvironment[] {
  if (!staging?.stage) {
    throw new ValidationError("staging.stage: no Stage was given. Pass the CDK Stage to deploy and verify before production: staging: { stage: new MyStage(app, 'Staging', { env }) }.");
  }
  const stagingEnv: ReleaseEnvironment = {
    kind: StageKind.STAGING,
    name: STAGING_STAGE,
    property: 'staging',
    stages: [staging.stage],
    stageProperty: () => 'staging.stage',
    options: staging,
  };
  if (production.stages && production.waves) {
    throw new ValidationError("production: both 'stages' and 'waves' are set. Use 'stages' for one parallel wave, or 'waves' for ordered waves, not both.");
  }
  if (!production.waves) {
    return [stagingEnv, {
      kind: StageKind.PRODUCTION,
      name: productionStageName(),
      property: 'production',
      stages: production.stages ?? [],
      stageProperty: j => `production.stages[${j}]`,
      options: production,
    }];
  }
  if (production.waves.length === 0) {
    throw new ValidationError("production.waves: the list is empty. Pass at least one wave with at least one Stage, or use 'production.stages'.");
  }
  for (const key of ['requireManualApproval', 'migrations', 'verify'] as const) {
    if (production[key] !== undefined) {
      throw new ValidationError(`production.${key}: set it on each wave in 'production.waves' (at the production level only 'deploymentWindow', 'gates', 'useChangeSets' and 'bake' apply to every wave).`);
    }
  }
  const names = new Map<string, number>();
  return [stagingEnv, ...production.waves.map((wave, i): ReleaseEnvironment => {
    validateWaveName(wave?.name, `production.waves[${i}].name`);
    const previous = names.get(wave.name);
    if (previous !== undefined) {
      throw new ValidationError(`production.waves[${i}].name: the wave name '${wave.name}' is already used by production.waves[${previous}]. Give every production wave a unique name.`);
    }
    names.set(wave.name, i);
    if (!wave.stages || wave.stages.length === 0) {
      throw new ValidationError(`production.waves[${i}].stages: the wave '${wave.name}' has no Stage, so it would deploy nothing. Add its Stages, or remove the wave.`);
    }
    return {
      kind: StageKind.PRODUCTION,
      name: productionStageName(wave.name),
      property: `production.waves[${i}]`,
      stages: wave.stages,
      stageProperty: j => `production.waves[${i}].stages[${j}]`,
      options: {
        ...wave,
        deploymentWindow: wave.deploymentWindow ?? production.deploymentWindow,
        bake: wave.bake ?? production.bake,
        gates: wave.gates ?? production.gates,
        useChangeSets: wave.useChangeSets ?? production.useChangeSets,
      },
    };
  })];
}

/** The environments as the release plan sees them: the migration default (gated) is decided here. */
export function plannedEnvironments(environments: ReleaseEnvironment[]): PlannedEnvironment[] {
  return environments.map(env => ({
    id: env.name,
    phase: env.kind === StageKind.STAGING ? 'staging' : 'production',
    requireManualApproval: env.options.requireManualApproval,
    gatedMigrations: (env.options.migrations ?? []).filter(m => m.requireManualApproval ?? true).map(m => m.name),
  }));
}

/** What a planned stage of an environment runs, in order: gate, migrations, deployments, verification, next gate. */
export interface EnvironmentStage {
  readonly planned: PlannedStage;
  readonly environment: ReleaseEnvironment;
  /** The Stages this part deploys. */
  readonly targets: Stage[];
  /** The approval that gates the environment, before anything else (first part only). */
  readonly gate?: ApprovalGate;
  /** The environment's migrations, after `gate` (first part only). */
  readonly migrations: MigrationStepOptions[];
  /** The environment's verification steps, after the deployments (last part only). */
  readonly verify: VerificationStepOptions[];
  /** The next environment's approval, beside the verification (last part only). */
  readonly nextGate?: ApprovalGate;
  readonly nextEnvironment?: ReleaseEnvironment;
}

/** What the layout needs to know about the cost, in actions, of the engine's steps. */
export interface ActionCosts {
  /** Actions to deploy one target of an environment. */
  readonly target: (stage: Stage, env: ReleaseEnvironment) => number;
  /** Actions of the approval that gates an environment. */
  readonly gate: (gated: ReleaseEnvironment) => number;
  /** What the gate is, for messages. */
  readonly describeGate: (gated: ReleaseEnvironment) => string;
}

/** The gate of `env` at `placement`, if the plan has one. */
export function gateOf(plan: ReleasePlan, env: ReleaseEnvironment | undefined, placement: GatePlacement): ApprovalGate | undefined {
  return env && plan.approvals.find(a => a.gates === env.name && a.placement === placement);
}

/** The environments as the layout sees them: targets, and the actions before and after the deployments. */
export function layoutEnvironments(environments: ReleaseEnvironment[], plan: ReleasePlan, costs: ActionCosts): LayoutEnvironment[] {
  return environments.map((env, i) => {
    const next = environments[i + 1];
    const gate = gateOf(plan, env, GatePlacement.BEFORE_DEPLOYMENT);
    const nextGate = gateOf(plan, next, GatePlacement.WITH_STAGING_VERIFICATION);
    const migrations = env.options.migrations ?? [];
    const verify = env.options.verify ?? [];
    return {
      name: env.name,
      kind: env.kind,
      property: env.property,
      targetActions: env.stages.map(stage => costs.target(stage, env)),
      targetNames: env.stages.map(stage => stage.node.path),
      preActions: (gate ? costs.gate(env) : 0) + migrations.length,
      postActions: verify.length + (nextGate ? costs.gate(next) : 0),
      preDescription: [gate ? costs.describeGate(env) : '', `${migrations.length} migration(s)`].filter(Boolean).join(', '),
      postDescription: [`${verify.length} verification step(s)`, nextGate ? costs.describeGate(next) : ''].filter(Boolean).join(', '),
    };
  });
}

/** What each planned deployment stage runs (the gate and migrations in the first part, verification in the last). */
export function environmentStage(planned: PlannedStage, environments: ReleaseEnvironment[], plan: ReleasePlan): EnvironmentStage {
  const index = environments.findIndex(e => e.name === planned.environment);
  const environment = environments[index];
  const next = environments[index + 1];
  const first = planned.part === 1;
  const last = planned.part === planned.parts;
  const nextGate = last ? gateOf(plan, next, GatePlacement.WITH_STAGING_VERIFICATION) : undefined;
  return {
    planned,
    environment,
    targets: planned.members.map(i => environment.stages[i]),
    gate: first ? gateOf(plan, environment, GatePlacement.BEFORE_DEPLOYMENT) : undefined,
    migrations: first ? environment.options.migrations ?? [] : [],
    verify: last ? environment.options.verify ?? [] : [],
    nextGate,
    nextEnvironment: nextGate ? next : undefined,
  };
}
