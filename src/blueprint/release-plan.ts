import { ReleaseMode } from './release-mode';

/**
 * Engine-independent release semantics: where manual approvals sit.
 *
 * This is the one place that gives `requireManualApproval` its meaning. The CodePipeline backend only
 * renders the gates this plan returns.
 */

/** An environment of the release path, in deployment order. */
export interface PlannedEnvironment {
  /** Stable identifier (the CodePipeline stage name the environment becomes). */
  readonly id: string;
  /** `staging` is verified before any production environment is entered. */
  readonly phase: 'staging' | 'production';
  /** The environment's own approval override; `undefined` inherits the pipeline's setting. */
  readonly requireManualApproval?: boolean;
  /** Names of the environment's migrations that require an approval before they run. */
  readonly gatedMigrations?: string[];
}

/** Why an approval exists. */
export enum GateReason {
  /** The pipeline-level `requireManualApproval: true` (continuous delivery). */
  PIPELINE = 'pipeline',
  /** The environment's own `requireManualApproval: true`. */
  ENVIRONMENT = 'environment',
  /** A migration that requires approval, in an environment nothing else gates. */
  MIGRATION = 'migration',
}

/** Where an approval runs. */
export enum GatePlacement {
  /**
   * In parallel with the staging verification steps, after the staging deployment: the person reviews while
   * the machine verifies, and production waits for both.
   */
  WITH_STAGING_VERIFICATION = 'with-staging-verification',
  /** As the first action of the environment it gates, before any of its deployments. */
  BEFORE_DEPLOYMENT = 'before-deployment',
}

/** A manual approval that gates one environment. */
export interface ApprovalGate {
  /** The environment that cannot be entered until a person approves. */
  readonly gatedEnvironment: string;
  readonly placement: GatePlacement;
  readonly reason: GateReason;
  /** Migrations of the gated environment that this approval covers. */
  readonly migrations: string[];
}

export interface ReleasePlan {
  readonly mode: ReleaseMode;
  readonly approvals: ApprovalGate[];
}

/**
 * Decide where approvals sit.
 *
 * - Continuous delivery (`requireManualApproval: true`): exactly one approval gates production. It sits after the
 *   staging deployment and before every production deployment; with no overrides it runs in parallel with the
 *   staging verification steps. A production environment that sets `requireManualApproval: false` (a canary
 *   let through automatically) passes the gate on to the next production environment.
 * - Continuous deployment (`false`): no approval anywhere, unless an environment overrides with `true`.
 * - An override of `true` gates that environment only; staging is never gated by the pipeline-level setting.
 * - A migration that requires approval is covered by any approval of its environment; an environment that
 *   nothing else gates gets one, before its migrations run.
 */
export function planRelease(requireManualApproval: boolean, environments: PlannedEnvironment[]): ReleasePlan {
  const production = environments.filter(e => e.phase === 'production');
  const stagingIndex = environments.findIndex(e => e.phase === 'staging');
  const pipelineGated = requireManualApproval
    ? production.find(e => e.requireManualApproval !== false)
    : undefined;

  const approvals: ApprovalGate[] = [];
  environments.forEach((env, index) => {
    const migrations = env.gatedMigrations ?? [];
    const reason = env === pipelineGated ? GateReason.PIPELINE
      : env.requireManualApproval === true ? GateReason.ENVIRONMENT
        : migrations.length > 0 ? GateReason.MIGRATION : undefined;
    if (reason === undefined) {
      return;
    }
    // The environment right after staging is gated beside the staging verification (no extra hop); that
    // approval also comes before the environment's migrations, which run in its own stage.
    const followsStaging = stagingIndex >= 0 && index === stagingIndex + 1;
    const placement = followsStaging ? GatePlacement.WITH_STAGING_VERIFICATION : GatePlacement.BEFORE_DEPLOYMENT;
    approvals.push({ gatedEnvironment: env.id, placement, reason, migrations });
  });

  return {
    mode: requireManualApproval ? ReleaseMode.CONTINUOUS_DELIVERY : ReleaseMode.CONTINUOUS_DEPLOYMENT,
    approvals,
  };
}

/**
 * What an approval shows the person who decides: which environment it lets in, and which migrations it lets run.
 * At most `maxLength` characters (CodePipeline: 1000): many long migration names are counted instead.
 */
export function approvalComment(gate: ApprovalGate, maxLength: number, names = gate.migrations.join(', ')): string {
  const environment = gate.gatedEnvironment;
  const migrations = gate.migrations.length > 0
    ? ` Approving also lets the migration(s) ${names} run before ${environment} deploys.`
    : '';
  const comment = gate.reason === GateReason.PIPELINE
    ? `Approve the release to ${environment}. Staging is deployed; its verification runs in parallel with this approval.${migrations}`
    : gate.reason === GateReason.ENVIRONMENT
      ? `Approve the deployment to ${environment}.${migrations}`
      : `Approve the migration(s) ${names} before they run in ${environment}.`;
  return comment.length <= maxLength ? comment : approvalComment(gate, maxLength, `${gate.migrations.length} listed in the stage`);
}
