import { Duration, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { BakeFailureAction } from './bake';
import { DeploymentWindow } from './deployment-window';
import { GateRule } from './gate-rule';
import { EngineCapacities, LayoutEnvironment, LayoutProblem, planLayout, PlannedStage } from './layout';
import { EnvironmentInput, ProductionInput, ReleaseInput, StagingInput, StepTypes } from './release-input';
import { ReleaseMode } from './release-mode';
import { ApprovalGate, GatePlacement, planRelease, ReleasePlan } from './release-plan';
import { SecurityCheck } from './security';
import { MigrationCommandOptions, VerificationStepOptions } from './steps';
import {
  describe, NamedStep, validateApproval, validateCommands, validateOutputReferences, validateStages, validateStepName, validateUniqueStepNames,
  validateWaveName,
} from './validate';
import { productionStageName, STAGING_STAGE, StageKind } from '../contract';
import { ValidationError } from '../private/errors';
import { validateRelativeDirectory } from '../private/shell';
import { ChangeReviewPolicy } from '../review/change-review-policy';

/**
 * The release model: the one function (`resolveRelease`) that turns a pipeline's properties into a typed,
 * fully-defaulted, validated description of the release — environments with their guard rails, where the
 * approvals sit, which stages the release path becomes and what each runs. Every default is applied here, once;
 * engines render the model and never look at the properties' defaults again. The self-check's expectations are
 * derived from this model, not from what the engine rendered.
 */

/** An alarm-gated bake, with its failure action decided. */
export interface ResolvedBake {
  readonly alarms: cloudwatch.IAlarm[];
  readonly duration: Duration;
  readonly onFailure: BakeFailureAction;
  /** Whether `onFailure` is the default (messages say so). */
  readonly onFailureDefaulted: boolean;
}

/** A migration with its approval decided. */
export interface ResolvedMigration<T extends StepTypes> {
  readonly options: T['migration'];
  readonly property: string;
  /** Whether the migration asks for an approval before it runs (any approval of its environment covers it). */
  readonly requiresApproval: boolean;
}

/** One of the user's own engine steps, named. */
export interface NamedEngineStep<T extends StepTypes> {
  readonly step: T['step'];
  readonly name: string;
  readonly property: string;
}

/**
 * An environment of the release path (staging, or a production wave), in deployment order, with every setting
 * resolved: production-level defaults applied to each wave, lists defaulted to empty, change sets decided.
 */
export interface ResolvedEnvironment<T extends StepTypes> {
  readonly kind: StageKind;
  /** The environment's stage name (`Staging`, `Production`, `Production-<wave>`), before any split into parts. */
  readonly name: string;
  /** Property path, for messages (`staging`, `production`, `production.waves[1]`). */
  readonly property: string;
  /** The CDK Stages it deploys, in parallel. */
  readonly targets: Stage[];
  /** Property path of each target, for messages. */
  readonly targetProperty: (index: number) => string;
  /** The environment's own approval override; `undefined` inherits the pipeline's setting. */
  readonly requireManualApproval?: boolean;
  readonly migrations: Array<ResolvedMigration<T>>;
  readonly deploymentWindow?: DeploymentWindow;
  /** Rules that must pass before the environment is entered (the public `gates` property). */
  readonly entryRules: GateRule[];
  /** Whether the environment deploys through change sets (its own choice, else staging directly, else the pipeline's). */
  readonly useChangeSets: boolean;
  /**
   * The change-set review of every part of the environment (a `Review` approval between its change sets' prepare and
   * execute actions); `undefined`: no review. Only with `useChangeSets`.
   */
  readonly changeReview?: ChangeReviewPolicy;
  readonly bake?: ResolvedBake;
  readonly verify: VerificationStepOptions[];
  readonly verifySteps: Array<NamedEngineStep<T>>;
}

/** A member of the test stages: a test step, a security check or one of the user's own steps (exactly one is set). */
export interface TestMember<T extends StepTypes> {
  readonly name: string;
  readonly property: string;
  readonly test?: T['test'];
  readonly check?: SecurityCheck;
  readonly step?: T['step'];
}

/** The actions an engine renders for the approval that gates an environment. */
export interface ApprovalActions {
  /** Names of the actions (or the prefix before `.` of actions a step renders as `<name>.<part>`). */
  readonly names: string[];
  /** How many of them are manual approvals. */
  readonly approvals: number;
  /** How many actions they are in all (the layout's budget). */
  readonly actions: number;
  /** What they are, for messages. */
  readonly description: string;
}

/** An approval placed in a stage. */
export interface PlacedApproval<T extends StepTypes> {
  readonly approval: ApprovalGate;
  /** The environment it gates. */
  readonly gated: ResolvedEnvironment<T>;
  readonly actions: ApprovalActions;
}

/** What one planned deployment stage runs, in order: approval, migrations, deployments, verification, next approval. */
export interface DeploymentStage<T extends StepTypes> {
  readonly environment: ResolvedEnvironment<T>;
  /** The CDK Stages this part deploys. */
  readonly targets: Stage[];
  /** The approval that gates the environment, before anything else (first part only). */
  readonly approval?: PlacedApproval<T>;
  /**
   * The policy of this part's change-set review (every part with targets of a reviewed environment has its own
   * `Review` approval); `undefined`: its change sets execute right after they are prepared.
   */
  readonly review?: ChangeReviewPolicy;
  /** The environment's migrations, after the approval (first part only). */
  readonly migrations: Array<ResolvedMigration<T>>;
  /** The environment's verification steps, after the deployments (last part only). */
  readonly verify: VerificationStepOptions[];
  readonly verifySteps: Array<NamedEngineStep<T>>;
  /** The next environment's approval, beside the verification (last part only). */
  readonly nextApproval?: PlacedApproval<T>;
}

/** One stage of the release path after Source and Build. */
export interface ModelStage<T extends StepTypes> {
  readonly planned: PlannedStage;
  /** For a test stage: its members, in order. */
  readonly tests: Array<TestMember<T>>;
  /** For a deployment stage: what it runs. */
  readonly deployment?: DeploymentStage<T>;
}

export interface ReleaseModel<T extends StepTypes> {
  readonly mode: ReleaseMode;
  readonly plan: ReleasePlan;
  readonly tests: Array<TestMember<T>>;
  readonly environments: Array<ResolvedEnvironment<T>>;
  /** Whether the engine's preparation actions run in the build stage (no test stage). */
  readonly preparationInBuild: boolean;
  /** The stages after Source and Build, in order. */
  readonly stages: Array<ModelStage<T>>;
}

/** What the blueprint needs from the engine that will render the model. */
export interface ReleaseEngine<T extends StepTypes> {
  readonly capacities: EngineCapacities;
  /** Action names of the engine's own actions in stages that steps share: no step may take them. */
  readonly reservedStepNames: string[];
  /** Stage names of the engine's own stages: no CDK Stage may take them. */
  readonly reservedStageNames: string[];
  /** Actions the layout budgets to deploy one target of an environment. */
  targetActions(target: Stage, environment: ResolvedEnvironment<T>, environments: Array<ResolvedEnvironment<T>>): number;
  /** The actions of an approval that gates `gated`, named `actionName` where the engine renders one action. */
  approvalActions(gated: ResolvedEnvironment<T>, actionName: string): ApprovalActions;
  /** The name of one of the user's engine steps (its action name). */
  stepName(step: T['step']): string;
  /** Every property's type checked against the public API, after the blueprint's own (richer) messages. */
  checkTypes(): void;
  /** The engine's words for a layout that cannot be made. */
  describeLayoutProblem(problem: LayoutProblem, environments: Array<ResolvedEnvironment<T>>): string;
}

/** Action names of the approvals, by where they sit. */
export const APPROVE_ACTION = 'Approve';
export const PROMOTE_ACTION = 'PromoteToProduction';
/** The change-set review's approval, between the prepare and execute actions of a reviewed stage: one action, one hop. */
export const REVIEW_ACTION = 'Review';
export const REVIEW_ACTIONS = 1;

/**
 * Resolve, validate and plan the release. Throws a `ValidationError` naming the property, the bad value and the fix.
 */
export function resolveRelease<T extends StepTypes>(input: ReleaseInput<T>, engine: ReleaseEngine<T>): ReleaseModel<T> {
  const environments = resolveEnvironments(input, engine);
  const tests = testMembers(input, engine);
  validateSteps(input, tests, environments, engine);
  engine.checkTypes();

  const plan = planRelease(input.requireManualApproval ?? true, environments.map(env => ({
    id: env.name,
    phase: env.kind === StageKind.STAGING ? 'staging' : 'production',
    requireManualApproval: env.requireManualApproval,
    gatedMigrations: env.migrations.filter(m => m.requiresApproval).map(m => m.options.name),
  })));
  const placed = (env: ResolvedEnvironment<T> | undefined, placement: GatePlacement, actionName: string): PlacedApproval<T> | undefined => {
    const approval = env && plan.approvals.find(a => a.gatedEnvironment === env.name && a.placement === placement);
    return approval && env ? { approval, gated: env, actions: engine.approvalActions(env, actionName) } : undefined;
  };
  const before = (env: ResolvedEnvironment<T>) => placed(env, GatePlacement.BEFORE_DEPLOYMENT, APPROVE_ACTION);
  const after = (i: number) => placed(environments[i + 1], GatePlacement.WITH_STAGING_VERIFICATION, PROMOTE_ACTION);

  const layoutEnvironments = environments.map((env, i): LayoutEnvironment => {
    const gate = before(env);
    const next = after(i);
    return {
      name: env.name,
      kind: env.kind,
      property: env.property,
      targetActions: env.targets.map(target => engine.targetActions(target, env, environments)),
      targetNames: env.targets.map(target => target.node.path),
      preActions: (gate?.actions.actions ?? 0) + env.migrations.length,
      partActions: env.changeReview ? REVIEW_ACTIONS : 0,
      postActions: env.verify.length + env.verifySteps.length + (next?.actions.actions ?? 0),
      preDescription: [gate?.actions.description ?? '', `${env.migrations.length} migration(s)`].filter(Boolean).join(', '),
      postDescription: [`${env.verify.length + env.verifySteps.length} verification step(s)`, next?.actions.description ?? ''].filter(Boolean).join(', '),
      preGated: gate !== undefined,
      postGated: next !== undefined,
    };
  });
  const { layout, problem } = planLayout({ testSteps: tests.length, environments: layoutEnvironments }, engine.capacities);
  if (problem || !layout) {
    throw new ValidationError(engine.describeLayoutProblem(problem!, environments));
  }

  const stages = layout.stages.map((planned): ModelStage<T> => {
    if (planned.environment === undefined) {
      return { planned, tests: planned.members.map(i => tests[i]) };
    }
    const index = environments.findIndex(e => e.name === planned.environment);
    const environment = environments[index];
    const first = planned.part === 1;
    const last = planned.part === planned.parts;
    return {
      planned,
      tests: [],
      deployment: {
        environment,
        targets: planned.members.map(i => environment.targets[i]),
        approval: first ? before(environment) : undefined,
        review: planned.members.length > 0 ? environment.changeReview : undefined,
        migrations: first ? environment.migrations : [],
        verify: last ? environment.verify : [],
        verifySteps: last ? environment.verifySteps : [],
        nextApproval: last ? after(index) : undefined,
      },
    };
  });
  return { mode: plan.mode, plan, tests, environments, preparationInBuild: layout.preparationInBuild, stages };
}

/**
 * The release path: staging, then the production environments in order, with production-level defaults
 * (`deploymentWindow`, `gates`, `useChangeSets`, `bake`) applied to every wave and every other default decided.
 */
function resolveEnvironments<T extends StepTypes>(input: ReleaseInput<T>, engine: ReleaseEngine<T>): Array<ResolvedEnvironment<T>> {
  const staging: StagingInput<T> = input.staging;
  const production: ProductionInput<T> = input.production;
  if (!staging?.stage) {
    throw new ValidationError("staging.stage: no Stage was given. Pass the CDK Stage to deploy and verify before production: staging: { stage: new MyStage(app, 'Staging', { env }) }.");
  }
  const pipelineChangeSets = input.useChangeSets ?? true;
  checkReviewPolicy(input.changeReview, 'changeReview');
  const resolve = (
    kind: StageKind, name: string, property: string, targets: Stage[], targetProperty: (j: number) => string, options: EnvironmentInput<T>,
    inherited: Inherited = {},
  ): ResolvedEnvironment<T> => {
    // Staging deploys directly unless it asks: its change set would be executed right after it is made.
    const useChangeSets = options.useChangeSets ?? (kind === StageKind.STAGING ? false : pipelineChangeSets);
    return resolveReview({
      kind,
      name,
      property,
      targets,
      targetProperty,
      requireManualApproval: options.requireManualApproval,
      migrations: (options.migrations ?? []).map((m, i) => ({
        options: m,
        property: `${property}.migrations[${i}]`,
        requiresApproval: (m as MigrationCommandOptions).requireManualApproval ?? true,
      })),
      deploymentWindow: options.deploymentWindow,
      entryRules: options.gates ?? [],
      useChangeSets,
      bake: options.bake && {
        alarms: options.bake.alarms,
        duration: options.bake.duration,
        onFailure: options.bake.onFailure ?? BakeFailureAction.ROLLBACK,
        onFailureDefaulted: options.bake.onFailure === undefined,
      },
      changeReview: options.changeReview,
      verify: options.verify ?? [],
      // Not a list: the type check names it.
      verifySteps: (Array.isArray(options.verifySteps) ? options.verifySteps : [])
        .map((step, i) => ({ step, name: engine.stepName(step), property: `${property}.verifySteps[${i}]` })),
    }, {
      own: options.changeReview,
      ownChangeSets: options.useChangeSets,
      // The pipeline's review covers every environment that uses change sets: production (like its `useChangeSets`), and
      // staging only when it asks for change sets (it deploys directly by default).
      inheritedReview: inherited.changeReview ?? (kind === StageKind.STAGING && !useChangeSets ? undefined : input.changeReview),
      inheritedReviewProperty: inherited.changeReview !== undefined ? 'production.changeReview' : 'changeReview',
      inheritedChangeSets: inherited.useChangeSets,
      pipelineChangeSets: input.useChangeSets,
    });
  };
  const stagingEnv = resolve(StageKind.STAGING, STAGING_STAGE, 'staging', [staging.stage], () => 'staging.stage', staging);
  if (production.stages && production.waves) {
    throw new ValidationError("production: both 'stages' and 'waves' are set. Use 'stages' for one parallel wave, or 'waves' for ordered waves, not both.");
  }
  if (!production.waves) {
    return [stagingEnv, resolve(StageKind.PRODUCTION, productionStageName(), 'production', production.stages ?? [], j => `production.stages[${j}]`, production)];
  }
  if (production.waves.length === 0) {
    throw new ValidationError("production.waves: the list is empty. Pass at least one wave with at least one Stage, or use 'production.stages'.");
  }
  checkReviewPolicy(production.changeReview, 'production.changeReview');
  for (const key of ['requireManualApproval', 'migrations', 'verify', 'verifySteps'] as const) {
    if (production[key] !== undefined) {
      throw new ValidationError(`production.${key}: set it on each wave in 'production.waves' (at the production level only 'deploymentWindow', 'gates', 'useChangeSets', 'changeReview' and 'bake' apply to every wave).`);
    }
  }
  const names = new Map<string, number>();
  return [stagingEnv, ...production.waves.map((wave, i) => {
    validateWaveName(wave?.name, `production.waves[${i}].name`);
    const previous = names.get(wave.name);
    if (previous !== undefined) {
      throw new ValidationError(`production.waves[${i}].name: the wave name '${wave.name}' is already used by production.waves[${previous}]. Give every production wave a unique name.`);
    }
    names.set(wave.name, i);
    if (!wave.stages || wave.stages.length === 0) {
      throw new ValidationError(`production.waves[${i}].stages: the wave '${wave.name}' has no Stage, so it would deploy nothing. Add its Stages, or remove the wave.`);
    }
    return resolve(StageKind.PRODUCTION, productionStageName(wave.name), `production.waves[${i}]`, wave.stages, j => `production.waves[${i}].stages[${j}]`, {
      ...wave,
      deploymentWindow: wave.deploymentWindow ?? production.deploymentWindow,
      bake: wave.bake ?? production.bake,
      gates: wave.gates ?? production.gates,
      useChangeSets: wave.useChangeSets ?? production.useChangeSets,
    }, { changeReview: production.changeReview, useChangeSets: production.useChangeSets });
  })];
}

/** What a wave inherits from the production level, for the review's messages. */
interface Inherited {
  readonly changeReview?: ChangeReviewPolicy;
  readonly useChangeSets?: boolean;
}

/** Where an environment's review and change-set settings came from. */
interface ReviewSources {
  readonly own?: ChangeReviewPolicy;
  readonly ownChangeSets?: boolean;
  readonly inheritedReview?: ChangeReviewPolicy;
  readonly inheritedReviewProperty: string;
  readonly inheritedChangeSets?: boolean;
  readonly pipelineChangeSets?: boolean;
}

/**
 * The environment's review: its own policy, else the production level's (waves), else the pipeline's, else — every
 * change set is reviewed before it executes — `ChangeReviewPolicy.defaults()` when the environment uses change sets.
 * `ChangeReviewPolicy.disabled()` turns it off. A review reads change sets: an environment that deploys directly
 * cannot be given one.
 */
function resolveReview<T extends StepTypes>(env: ResolvedEnvironment<T>, sources: ReviewSources): ResolvedEnvironment<T> {
  checkReviewPolicy(sources.own, `${env.property}.changeReview`);
  const given = sources.own ?? sources.inheritedReview;
  if (given === undefined) {
    return { ...env, changeReview: env.useChangeSets ? ChangeReviewPolicy.defaults() : undefined };
  }
  if (!given.enabled || env.useChangeSets) {
    return { ...env, changeReview: given.enabled ? given : undefined };
  }
  const reviewProperty = sources.own !== undefined ? `${env.property}.changeReview` : sources.inheritedReviewProperty;
  const changeSetsProperty = sources.ownChangeSets !== undefined ? `${env.property}.useChangeSets`
    : sources.inheritedChangeSets !== undefined ? 'production.useChangeSets'
      : sources.pipelineChangeSets !== undefined && env.kind !== StageKind.STAGING ? 'useChangeSets'
        : `${env.property}.useChangeSets (staging deploys directly by default)`;
  throw new ValidationError(`${reviewProperty}: ${env.property} is reviewed, but ${changeSetsProperty} is false, so it deploys without change sets and there is nothing to review. `
    + `Set useChangeSets: true on ${env.property}, or remove ${reviewProperty}.`);
}

/** A review policy from an untyped caller: a `ChangeReviewPolicy` or nothing. */
function checkReviewPolicy(value: unknown, property: string): void {
  if (value !== undefined && !(value instanceof ChangeReviewPolicy)) {
    throw new ValidationError(`${property}: ${describe(value)} is not a ChangeReviewPolicy. Use ChangeReviewPolicy.defaults(), or ChangeReviewPolicy.of({ statefulReplacement: ReviewOutcome.HOLD, ... }).`);
  }
}

/** Test steps, then security checks, then the user's own steps: the layout's test members, in this order. */
function testMembers<T extends StepTypes>(input: ReleaseInput<T>, engine: ReleaseEngine<T>): Array<TestMember<T>> {
  // Not a list: the type check names it.
  const listed = <V>(value: V[] | undefined): V[] => Array.isArray(value) ? value : [];
  return [
    ...listed(input.tests).map((test, i) => ({ name: test.name, property: `tests[${i}]`, test })),
    ...listed(input.securityChecks).map((check, i) => ({ name: check.name, property: `securityChecks[${i}]`, check })),
    ...listed(input.testSteps).map((step, i) => ({ name: engine.stepName(step), property: `testSteps[${i}]`, step })),
  ];
}

/** Step names and commands, reserved names, unique names, Stages and output references. */
function validateSteps<T extends StepTypes>(
  input: ReleaseInput<T>, tests: Array<TestMember<T>>, environments: Array<ResolvedEnvironment<T>>, engine: ReleaseEngine<T>,
): void {
  validateCommands(input.synth.commands, 'synth.commands', "Pass the commands that build the app and run 'cdk synth', e.g. ['npm ci', 'npm run build', 'npx cdk synth'].");
  if (input.synth.primaryOutputDirectory !== undefined) {
    // It reaches shell lines (the preview deployment's `cdk deploy --app`): validated here, quoted there.
    validateRelativeDirectory(input.synth.primaryOutputDirectory, 'synth.primaryOutputDirectory', "'cdk.out' (the default) or 'infra/cdk.out'");
  }
  const steps: NamedStep[] = [];
  for (const member of tests) {
    validateStepName(member.name, `${member.property}.name`);
    if (member.test) {
      validateCommands(member.test.commands, `${member.property}.commands (step '${member.name}')`, "Give the test step the commands that run the tests, e.g. ['npm ci', 'npm test'].");
    }
    steps.push({ name: member.name, property: `${member.property}.name` });
  }
  for (const env of environments) {
    env.verify.forEach((v, i) => {
      validateStepName(v.name, `${env.property}.verify[${i}].name`);
      validateCommands(v.commands, `${env.property}.verify[${i}].commands (step '${v.name}')`, 'Give the verification step the commands that check the deployed environment.');
      steps.push({ name: v.name, property: `${env.property}.verify[${i}].name` });
    });
    env.verifySteps.forEach(step => {
      validateStepName(step.name, `${step.property}.name`);
      steps.push({ name: step.name, property: `${step.property}.name` });
    });
    env.migrations.forEach(m => {
      validateStepName(m.options.name, `${m.property}.name`);
      validateCommands(m.options.commands, `${m.property}.commands (step '${m.options.name}')`, 'Give the migration the commands that run it, e.g. [\'npm run migrate\'].');
      steps.push({ name: m.options.name, property: `${m.property}.name` });
    });
  }
  for (const step of steps) {
    if (engine.reservedStepNames.includes(step.name) || step.name === APPROVE_ACTION || step.name === PROMOTE_ACTION) {
      throw new ValidationError(`${step.property}: the step name '${step.name}' is used by the pipeline's own actions. Choose another name.`);
    }
  }
  for (const env of environments.filter(e => e.changeReview !== undefined)) {
    const taken = steps.find(step => step.name === REVIEW_ACTION && step.property.startsWith(`${env.property}.`));
    if (taken) {
      throw new ValidationError(`${taken.property}: the step name '${REVIEW_ACTION}' is the change-set review's approval in ${env.property}, which is reviewed. Choose another name.`);
    }
  }
  validateUniqueStepNames(steps);
  if (input.approval) {
    validateApproval(input.approval, 'approval');
  }
  const [staging, ...production] = environments;
  validateStages(
    { stage: staging.targets[0], property: staging.targetProperty(0) },
    production.flatMap(env => env.targets.map((stage, j) => ({ stage, property: env.targetProperty(j) }))),
    engine.reservedStageNames,
  );
  validateOutputReferences(environments.map(env => ({
    property: env.property, stages: env.targets, stageProperty: env.targetProperty, verify: env.verify,
  })));
}
