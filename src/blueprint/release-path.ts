import { Stage } from 'aws-cdk-lib';
import { EnvironmentOptions, ProductionOptions, StagingOptions } from './environment';
import { PlannedEnvironment } from './release-plan';
import { validateWaveName } from './validate';
import { productionStageName, STAGING_STAGE, StageKind } from '../contract';

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
 * (`deploymentWindow`, `bake`) applied to every wave.
 */
export function releaseEnvironments(staging: StagingOptions, production: ProductionOptions): ReleaseEnvironment[] {
  if (!staging?.stage) {
    throw new Error("staging.stage: no Stage was given. Pass the CDK Stage to deploy and verify before production: staging: { stage: new MyStage(app, 'Staging', { env }) }.");
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
    throw new Error("production: both 'stages' and 'waves' are set. Use 'stages' for one parallel wave, or 'waves' for ordered waves, not both.");
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
    throw new Error("production.waves: the list is empty. Pass at least one wave with at least one Stage, or use 'production.stages'.");
  }
  for (const key of ['requireManualApproval', 'migrations', 'verify'] as const) {
    if (production[key] !== undefined) {
      throw new Error(`production.${key}: set it on each wave in 'production.waves' (at the production level only 'deploymentWindow' and 'bake' apply to every wave).`);
    }
  }
  const names = new Map<string, number>();
  return [stagingEnv, ...production.waves.map((wave, i): ReleaseEnvironment => {
    validateWaveName(wave?.name, `production.waves[${i}].name`);
    const previous = names.get(wave.name);
    if (previous !== undefined) {
      throw new Error(`production.waves[${i}].name: the wave name '${wave.name}' is already used by production.waves[${previous}]. Give every production wave a unique name.`);
    }
    names.set(wave.name, i);
    if (!wave.stages || wave.stages.length === 0) {
      throw new Error(`production.waves[${i}].stages: the wave '${wave.name}' has no Stage, so it would deploy nothing. Add its Stages, or remove the wave.`);
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
