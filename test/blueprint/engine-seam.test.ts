import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Duration } from 'aws-cdk-lib/core';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { DeliveryPipeline, DeliveryPipelineProps, DeploymentWindow, GateRule, SecurityCheck } from '../../src';
import { ReleaseModel, resolveRelease, REVIEW_ACTION } from '../../src/blueprint/release-model';
import { cdkPipelinesEngine, CodePipelineSteps } from '../../src/codepipeline/private/cdk-pipelines/engine';
import { AppStage, Fixture, fixture, PIPELINE_ENV, referenceProps } from '../fixtures/app';

/**
 * The engine seam, proven: the release model's structure (stages, the steps in each, approvals, entry rules, bakes)
 * rendered by a toy second engine that knows nothing of CodePipeline — jobs in the way a GitHub Actions workflow
 * would hold them — equals the structure read back from the CodePipeline template, on several configurations.
 */

/** One job of the toy engine: a stage of the release path, as any engine would have to run it. */
interface Job {
  readonly name: string;
  /** The user's steps (tests, checks, migrations, verification, own steps), in the order the model gives them. */
  readonly steps: string[];
  /** Approval steps. */
  readonly approvals: string[];
  /** Kinds of rule that must pass before the job starts (deployment window first). */
  readonly entry: string[];
  /** Alarms watched after the job. */
  readonly bakeAlarms: number;
}

/** The toy engine: renders a model into jobs, without any CodePipeline type. */
function renderJobs(model: ReleaseModel<CodePipelineSteps>): Job[] {
  return model.stages.map(stage => {
    const d = stage.deployment;
    if (!d) {
      return { name: stage.planned.name, steps: stage.tests.map(t => t.name), approvals: [], entry: [], bakeAlarms: 0 };
    }
    const env = d.environment;
    return {
      name: stage.planned.name,
      steps: [...d.migrations.map(m => m.options.name), ...d.verify.map(v => v.name), ...d.verifySteps.map(s => s.name)],
      // The change-set review's approval (on by default with change sets) in every part of a reviewed environment.
      approvals: [...(d.approval?.actions.names ?? []), ...(d.nextApproval?.actions.names ?? []), ...(d.review ? [REVIEW_ACTION] : [])],
      entry: [...(env.deploymentWindow ? ['DeploymentWindow'] : []), ...env.entryRules.map(r => r.kind)],
      bakeAlarms: env.bake?.alarms.length ?? 0,
    };
  });
}

interface ActionJson {
  readonly Name: string;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
}
interface RuleJson { readonly RuleTypeId: { readonly Provider: string } }
interface StageJson {
  readonly Name: string;
  readonly Actions: ActionJson[];
  readonly BeforeEntry?: { readonly Conditions: Array<{ readonly Rules: RuleJson[] }> };
  readonly OnSuccess?: { readonly Conditions: Array<{ readonly Rules: RuleJson[] }> };
}

/** The same structure, read from the CodePipeline template (the engine's own actions left out). */
function readJobs(f: Fixture): Job[] {
  const [pipeline] = Object.values(Template.fromStack(f.stack).findResources('AWS::CodePipeline::Pipeline'));
  const own = /^(SelfMutate|FileAssets?|DockerAssets?)$/;
  return (pipeline.Properties.Stages as StageJson[]).slice(2).map(stage => {
    const actions = stage.Actions.filter(a => !own.test(a.Name) && a.ActionTypeId.Category !== 'Deploy');
    const approval = (a: ActionJson) => a.ActionTypeId.Category === 'Approval' || /^CheckPermissions-/.test(a.Name);
    return {
      name: stage.Name,
      steps: actions.filter(a => !approval(a)).map(a => a.Name),
      approvals: [...new Set(actions.filter(approval).map(a => a.Name.split('.')[0]))],
      entry: (stage.BeforeEntry?.Conditions ?? []).flatMap(c => c.Rules.map(r => r.RuleTypeId.Provider)),
      bakeAlarms: (stage.OnSuccess?.Conditions ?? []).flatMap(c => c.Rules).length,
    };
  });
}

/** Actions in a stage run in the order CodePipeline lists them; compare steps as sets within a job. */
function normalise(jobs: Job[]): Job[] {
  return jobs.map(j => ({ ...j, steps: [...j.steps].sort(), approvals: [...j.approvals].sort() }));
}

const configurations: Array<[string, (f: Fixture) => Partial<DeliveryPipelineProps>, string[]]> = [
  ['the reference app (continuous delivery)', () => ({}), ['Test', 'Staging', 'Production']],
  ['continuous deployment with a gated wave, migrations, a window, entry rules and a bake', f => {
    const alarm = cloudwatch.Alarm.fromAlarmArn(f.stack, 'Errors', `arn:aws:cloudwatch:us-east-1:${PIPELINE_ENV.account}:alarm:errors`);
    return {
      requireManualApproval: false,
      production: {
        waves: [
          { name: 'canary', stages: [f.production[0]], bake: { alarms: [alarm], duration: Duration.minutes(10) } },
          { name: 'rest', stages: f.production.slice(1), requireManualApproval: true, migrations: [{ name: 'Migrate', commands: ['npm run migrate'] }] },
        ],
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'Europe/Berlin'),
        gates: [GateRule.noAlarm(alarm)],
      },
    };
  }, ['Test', 'Staging', 'Production-canary', 'Production-rest']],
  ['tests, security checks and steps of your own, split over two test stages', f => ({
    tests: Array.from({ length: 46 }, (_, i) => ({ name: `T${i}`, commands: ['npm test'] })),
    securityChecks: [SecurityCheck.secretsDetection()],
    testSteps: [new pipelines.ShellStep('Lint', { commands: ['npm run lint'] }), new pipelines.ShellStep('Docs', { commands: ['npm run docs'] })],
    staging: { stage: f.staging, verifySteps: [new pipelines.ShellStep('E2E', { commands: ['npm run e2e'] })] },
  }), ['Test-1', 'Test-2', 'Staging', 'Production']],
  ['a production environment split into parts, with the permission-broadening approval', f => ({
    approval: { autoApproveUnlessPermissionsBroaden: true },
    production: {
      waves: [
        { name: 'canary', stages: [f.production[0]] },
        { name: 'cells', stages: [...f.production.slice(1), ...Array.from({ length: 30 }, (_, i) => new AppStage(f.app, `Cell${i}`, { env: { account: '444444444444', region: 'us-east-1' } }))] },
      ],
    },
  }), ['Test', 'Staging', 'Production-canary', 'Production-cells-1', 'Production-cells-2']],
];

describe('the model renders the same structure with and without CodePipeline', () => {
  test.each(configurations)('%s', (_, overrides, stageNames) => {
    const f = fixture();
    const props = referenceProps(f, overrides(f));
    const model = resolveRelease<CodePipelineSteps>(props, cdkPipelinesEngine(props));
    new DeliveryPipeline(f.stack, 'Delivery', props);
    const read = readJobs(f);
    expect(normalise(read)).toEqual(normalise(renderJobs(model)));
    // Not vacuous: each configuration has the stages it is about, and steps to compare.
    expect(read.map(j => j.name)).toEqual(stageNames);
    expect(read.flatMap(j => j.steps).length).toBeGreaterThan(0);
  });

  test('a difference is seen: a model with one step less does not match the template', () => {
    const f = fixture();
    const props = referenceProps(f);
    const model = resolveRelease<CodePipelineSteps>(props, cdkPipelinesEngine(props));
    new DeliveryPipeline(f.stack, 'Delivery', props);
    const jobs = renderJobs(model);
    const fewer = jobs.map(j => j.name === 'Staging' ? { ...j, steps: j.steps.slice(1) } : j);
    expect(normalise(readJobs(f))).not.toEqual(normalise(fewer));
  });
});
