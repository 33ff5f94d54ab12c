import { ReleaseMode } from '../../src';
import { GatePlacement, GateReason, planRelease, PlannedEnvironment } from '../../src/blueprint/release-plan';

const staging: PlannedEnvironment = { id: 'Staging', phase: 'staging' };
const prod = (id: string, requireManualApproval?: boolean): PlannedEnvironment => ({ id, phase: 'production', requireManualApproval });

describe('planRelease', () => {
  test('continuous delivery: exactly one approval, beside staging verification, gating the first production wave', () => {
    const plan = planRelease(true, [staging, prod('Production-a'), prod('Production-b')]);
    expect(plan.mode).toBe(ReleaseMode.CONTINUOUS_DELIVERY);
    expect(plan.approvals).toEqual([
      { gatedEnvironment: 'Production-a', placement: GatePlacement.WITH_STAGING_VERIFICATION, reason: GateReason.PIPELINE, migrations: [] },
    ]);
  });

  test('continuous deployment: no approval anywhere', () => {
    const plan = planRelease(false, [staging, prod('Production-a'), prod('Production-b')]);
    expect(plan.mode).toBe(ReleaseMode.CONTINUOUS_DEPLOYMENT);
    expect(plan.approvals).toEqual([]);
  });

  test('continuous delivery with a canary let through: the gate moves to the next production wave', () => {
    const plan = planRelease(true, [staging, prod('Production-canary', false), prod('Production-rest')]);
    expect(plan.approvals).toEqual([
      { gatedEnvironment: 'Production-rest', placement: GatePlacement.BEFORE_DEPLOYMENT, reason: GateReason.PIPELINE, migrations: [] },
    ]);
  });

  test('continuous deployment with one gated wave: only that wave is gated', () => {
    const plan = planRelease(false, [staging, prod('Production-a'), prod('Production-b', true)]);
    expect(plan.mode).toBe(ReleaseMode.CONTINUOUS_DEPLOYMENT);
    expect(plan.approvals).toEqual([
      { gatedEnvironment: 'Production-b', placement: GatePlacement.BEFORE_DEPLOYMENT, reason: GateReason.ENVIRONMENT, migrations: [] },
    ]);
  });

  test('an override of true on the already gated wave does not add a second approval', () => {
    const plan = planRelease(true, [staging, prod('Production', true)]);
    expect(plan.approvals).toHaveLength(1);
    expect(plan.approvals[0].gatedEnvironment).toBe('Production');
  });

  test('staging is gated only by its own override', () => {
    expect(planRelease(true, [staging, prod('Production')]).approvals.map(a => a.gatedEnvironment)).toEqual(['Production']);
    const plan = planRelease(false, [{ ...staging, requireManualApproval: true }, prod('Production')]);
    expect(plan.approvals).toEqual([
      { gatedEnvironment: 'Staging', placement: GatePlacement.BEFORE_DEPLOYMENT, reason: GateReason.ENVIRONMENT, migrations: [] },
    ]);
  });

  test('every production wave opted out: no pipeline-level gate', () => {
    const plan = planRelease(true, [staging, prod('Production-a', false)]);
    expect(plan.mode).toBe(ReleaseMode.CONTINUOUS_DELIVERY);
    expect(plan.approvals).toEqual([]);
  });

  test('a gated migration under continuous deployment gets an approval; next to staging it runs beside verification', () => {
    const plan = planRelease(false, [staging, { ...prod('Production-a'), gatedMigrations: ['Migrate'] }, { ...prod('Production-b'), gatedMigrations: ['Migrate2'] }]);
    expect(plan.approvals).toEqual([
      { gatedEnvironment: 'Production-a', placement: GatePlacement.WITH_STAGING_VERIFICATION, reason: GateReason.MIGRATION, migrations: ['Migrate'] },
      { gatedEnvironment: 'Production-b', placement: GatePlacement.BEFORE_DEPLOYMENT, reason: GateReason.MIGRATION, migrations: ['Migrate2'] },
    ]);
  });

  test('a migration in an environment that is already gated does not add a second approval', () => {
    const plan = planRelease(true, [staging, { ...prod('Production'), gatedMigrations: ['Migrate'] }]);
    expect(plan.approvals).toEqual([
      { gatedEnvironment: 'Production', placement: GatePlacement.WITH_STAGING_VERIFICATION, reason: GateReason.PIPELINE, migrations: ['Migrate'] },
    ]);
  });

  test('a staging migration is gated before the staging deployment', () => {
    const plan = planRelease(false, [{ ...staging, gatedMigrations: ['Seed'] }, prod('Production')]);
    expect(plan.approvals).toEqual([
      { gatedEnvironment: 'Staging', placement: GatePlacement.BEFORE_DEPLOYMENT, reason: GateReason.MIGRATION, migrations: ['Seed'] },
    ]);
  });
});
