import { DisableStageTransitionCommand, GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BakeFailureAction, DeliveryPipeline, PipelineShape } from '../../src';
import { ruleName } from '../../src/codepipeline/private/stage-conditions';
import { isProductionStage } from '../../src/contract';
import { RenderedStage } from '../../src/private/rendered-pipeline';
import { PIPELINE_ENV } from '../fixtures/app';
import { GeneratedConfig, generatedApp, generatedProps, simpleConfig } from '../fixtures/generated-app';
import { renderedStages, stageNamed } from '../fixtures/rendered';
import { mockedOperations, pipelineDefinition, PIPELINE } from '../runtime/sdk-fixtures';

const stagesOf = renderedStages;
const deploys = (stage: RenderedStage) => stage.actions.filter(a => a.actionTypeId.category === 'Deploy');
const guarded: Partial<GeneratedConfig> = { production: { window: true, bakeAlarms: 2 } };

describe('scale: a production phase with more targets than one CodePipeline stage holds', () => {
  test.each([
    // targets, expected production stages (2 actions per target with change sets and 1 for each part's change-set
    // review: 24 targets per stage)
    [1, ['Production']],
    [30, ['Production-1', 'Production-2']],
    [100, ['Production-1', 'Production-2', 'Production-3', 'Production-4', 'Production-5']],
  ])('%i targets: every production stage carries the window, the bake and the rollback', (targets, expected) => {
    const { stack, pipeline } = generatedApp(simpleConfig(targets, guarded));
    const stages = stagesOf(stack);
    const production = stages.filter(s => isProductionStage(s.name));

    expect(production.map(s => s.name)).toEqual(expected);
    expect(pipeline.stageNames).toEqual(stages.map(s => s.name));
    expect(pipeline.pipeline.stages.map(s => s.stageName)).toEqual(stages.map(s => s.name));
    expect(production.reduce((n, s) => n + deploys(s).length, 0)).toBe(targets * 2);
    for (const stage of production) {
      expect(stage.actions.length).toBeLessThanOrEqual(50);
      expect(stage.beforeEntry?.conditions[0].rules.map(r => [r.ruleTypeId.provider, r.configuration.TimeZone]))
        .toEqual([['DeploymentWindow', 'Europe/Berlin']]);
      expect(stage.onSuccess?.conditions[0].rules.map(r => [r.ruleTypeId.provider, r.configuration.AlarmStates, r.configuration.WaitTime]))
        .toEqual([['CloudWatchAlarm', 'ALARM', '10'], ['CloudWatchAlarm', 'ALARM', '10']]);
      expect(stage.onFailure?.result).toBe('ROLLBACK');
    }
  });

  test('each target deploys whole in one part; the approval precedes the first part', () => {
    const { stack } = generatedApp(simpleConfig(30, { stacksPerTarget: 2 }));
    const stages = stagesOf(stack);
    const production = stages.filter(s => isProductionStage(s.name));
    // 4 actions per target (2 stacks x prepare+execute): 12 targets per stage.
    expect(production.map(s => deploys(s).length)).toEqual([48, 48, 24]);
    for (const stage of production) {
      const targetsHere = new Set(deploys(stage).map(a => a.name.split('.')[0]));
      for (const other of production.filter(s => s !== stage)) {
        expect(deploys(other).some(a => targetsHere.has(a.name.split('.')[0]))).toBe(false);
      }
    }
    const staging = stages.find(s => s.name === 'Staging')!;
    expect(staging.actions.filter(a => a.actionTypeId.category === 'Approval').map(a => a.name)).toEqual(['PromoteToProduction']);
  });

  test('freeze and the delivery metrics recognise every production part', async () => {
    const { pipeline } = generatedApp(simpleConfig(100));
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(pipeline.stageNames));
    mock.on(DisableStageTransitionCommand).resolves({});

    const outcome = await ops.freeze({ reason: 'Quarter end' });

    expect(outcome.stageNames).toEqual(['Production-1', 'Production-2', 'Production-3', 'Production-4', 'Production-5']);
    expect(mock.commandCalls(DisableStageTransitionCommand).map(c => c.args[0].input.pipelineName)).toEqual(Array(5).fill(PIPELINE));
  });

  test('waves split too: Production-<wave>-<n>, each part with the wave\'s guard rails', () => {
    const { stack } = generatedApp({
      ...simpleConfig(0),
      useWaves: true,
      waves: [{ targets: 1, bakeAlarms: 1 }, { targets: 60, window: true, bakeAlarms: 1, onFailure: BakeFailureAction.RETRY }],
    });
    const stages = stagesOf(stack);
    expect(stages.map(s => s.name)).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production-w1', 'Production-w2-1', 'Production-w2-2', 'Production-w2-3']);
    for (const stage of stages.slice(5)) {
      expect(stage.beforeEntry?.conditions[0].rules[0].name).toBe(`${stage.name}-DeploymentWindow`);
      expect(stage.onFailure?.result).toBe('RETRY');
    }
    expect(stages[4].beforeEntry).toBeUndefined();
  });

  test('a Stage too large for one CodePipeline stage is a clear error', () => {
    // CDK Pipelines adds two actions per stack wherever the pipeline uses change sets (and splits a stage past 50),
    // also in staging, whose pairs become direct deployments afterwards.
    const fix = 'Split its stacks over several Stages, or deploy without change sets (useChangeSets: false on the pipeline and on every environment: one action per stack instead of two).';
    expect(() => generatedApp(simpleConfig(1, { stacksPerTarget: 26 })))
      .toThrow(`staging: the Stage 'Staging' deploys with 52 actions, more than the 50 a CodePipeline stage holds. ${fix}`);
    const directStaging = simpleConfig(1, { stacksPerTarget: 26, staging: { useChangeSets: false }, waves: [{ targets: 1, useChangeSets: true }] });
    expect(() => generatedApp(directStaging))
      .toThrow(`staging: the Stage 'Staging' deploys with 52 actions, more than the 50 a CodePipeline stage holds. ${fix}`);
    // Without change sets anywhere, 26 stacks are 26 actions.
    expect(generatedApp(simpleConfig(1, { stacksPerTarget: 26, useChangeSets: false })).pipeline.stageNames).toContain('Production');
  });

  // Found by the property test (seed 20261126, 40 runs): CDK Pipelines builds a direct environment with change sets
  // too (and splits a stage past 50 actions) before its pairs become single deployments; the layout counts both.
  test('a direct production of 41 targets beside a staging with change sets: parts sized for CDK Pipelines, all direct', () => {
    const { stack, pipeline } = generatedApp(simpleConfig(41, { tests: 0, useChangeSets: false, staging: { useChangeSets: true } }));
    expect(pipeline.stageNames).toEqual(['Source', 'Build', 'Staging', 'Production-1', 'Production-2']);
    const stages = renderedStages(stack);
    const modes = (name: string) => deploys(stageNamed(stages, name)).map(a => a.configuration.ActionMode);
    expect(modes('Staging')).toEqual(['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE']);
    expect([...modes('Production-1'), ...modes('Production-2')]).toEqual(Array(41).fill('CREATE_UPDATE'));
  });

  // Found by a 500-run exploration (PROPERTY_SEED=7): 47 waves and no tests make exactly 50 stages, which is valid.
  test('exactly 50 stages synthesize; 51 are a clear error', () => {
    const config = (waves: number): GeneratedConfig => ({
      ...simpleConfig(0, { tests: 0 }), useWaves: true, waves: Array.from({ length: waves }, () => ({ targets: 1 })),
    });
    expect(generatedApp(config(47)).pipeline.stageNames).toHaveLength(50);
    expect(() => generatedApp(config(48))).toThrow(/^PipelineStack\/Delivery: pipeline: the release path needs 51 stages/);
  });

  test('more than 50 stages is a clear error naming the count and the fix', () => {
    const config: GeneratedConfig = { ...simpleConfig(0), useWaves: true, waves: Array.from({ length: 60 }, () => ({ targets: 1 })) };
    expect(() => generatedApp(config))
      .toThrow('pipeline: the release path needs 64 stages (Source, Build, 61 deployment stage(s) for 61 environment(s), 1 test stage(s)); CodePipeline allows 50. Use fewer production waves (60 now: put several Stages in one wave, they deploy in parallel), or fewer targets per wave.');
  });
});

describe('scale: test steps', () => {
  test('60 test steps continue in Test-2; self-mutation and assets stay beside the first', () => {
    const { stack, pipeline } = generatedApp(simpleConfig(1, { tests: 60 }));
    const stages = stagesOf(stack);
    expect(pipeline.stageNames).toEqual(['Source', 'Build', 'Test-1', 'Test-2', 'Staging', 'Production']);
    const [test1, test2] = [stages[2], stages[3]];
    expect(test1.actions.map(a => a.name)).toContain('SelfMutate');
    expect(test1.actions.length + test2.actions.length).toBe(61); // 60 tests + self-mutation (no assets)
    expect(test1.actions.length).toBeLessThanOrEqual(50);
    expect(new Set(test1.actions.map(a => a.runOrder))).toEqual(new Set([1]));
  });
});

describe('bad input at the limits: clear errors at synth', () => {
  test('a bake with more alarms than a condition holds', () => {
    expect(() => generatedApp(simpleConfig(1, { production: { bakeAlarms: 6 } })))
      .toThrow('production.bake.alarms: 6 alarms, but a CodePipeline condition holds at most 5 rules (one CloudWatchAlarm rule per alarm) and a stage has exactly one onSuccess condition. Combine related alarms into a cloudwatch.CompositeAlarm (AlarmRule.anyOf(...)) and bake on at most 5.');
  });

  test('an empty wave', () => {
    expect(() => generatedApp({ ...simpleConfig(0), useWaves: true, waves: [{ targets: 1 }, { targets: 0 }] }))
      .toThrow("production.waves[1].stages: the wave 'w2' has no Stage, so it would deploy nothing. Add its Stages, or remove the wave.");
  });

  test('auto-approval for more Stages than one stage holds (a check and an approval per Stage)', () => {
    const config = simpleConfig(26, {
      requireManualApproval: false, tests: 0, autoApprove: true, staging: {}, waves: [{ targets: 26, migrations: 1 }],
    });
    expect(() => generatedApp(config))
      .toThrow('staging: 52 actions must run after its deployments (0 verification step(s), a permission-broadening check and approval for each of the 26 Stage(s) of Production: 52 actions), more than the 50 a CodePipeline stage holds. The permission-broadening check adds 2 actions per gated Stage: split the gated environment into waves of fewer Stages, or approve manually.');
  });

  test('a wave name that leaves no room for the part number once the wave is split', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const props = generatedProps({ ...simpleConfig(0), useWaves: true, waves: [{ targets: 30 }] }, app, stack);
    const name = 'w'.repeat(89);
    expect(() => new DeliveryPipeline(stack, 'Delivery', { ...props, production: { waves: [{ ...props.production.waves![0], name }] } }))
      .toThrow(`production.waves[0].name: once the wave is split into 2 parts its stage 'Production-${name}-1' has 102 characters; CodePipeline allows 100. Use a wave name of at most 87 characters.`);
  });

  test('long rule names are shortened by a stable rule and stay unique', () => {
    const long = `Production-${'x'.repeat(89)}`;
    const name = ruleName(long, 'Alarm1');
    expect(name).toHaveLength(100);
    expect(name).toBe(ruleName(long, 'Alarm1'));
    expect(name).not.toBe(ruleName(long, 'Alarm2'));
    expect(name).toMatch(/^Production-x+-[0-9a-f]{8}$/);
    expect(ruleName('Production', 'Alarm1')).toBe('Production-Alarm1');
  });
});

describe('actions beside self-mutation restart the execution when their project changes', () => {
  function pipelineResource(command: string): unknown {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const props = generatedProps(simpleConfig(1), app, stack);
    new DeliveryPipeline(stack, 'Delivery', { ...props, tests: [{ name: 'Test1', commands: [command] }] });
    const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'));
    return pipeline.Properties;
  }

  test('changing a test command changes the pipeline definition (so self-mutation restarts the execution)', () => {
    const before = pipelineResource('npm test');
    const after = pipelineResource('npm run test:all');
    expect(after).not.toEqual(before);
    expect(pipelineResource('npm test')).toEqual(before); // stable across syntheses
  });

  test('every CodeBuild action in the stage with self-mutation carries _PROJECT_CONFIG_HASH', () => {
    const { stack } = generatedApp(simpleConfig(1, { tests: 3 }));
    const test = stagesOf(stack).find(s => s.name === 'Test')!;
    for (const action of test.actions) {
      expect(JSON.stringify(action.configuration.EnvironmentVariables)).toContain('_PROJECT_CONFIG_HASH');
    }
  });

  test('without tests, self-mutation runs in the build stage\'s second slot, with the hash', () => {
    const { stack, pipeline } = generatedApp(simpleConfig(1, { tests: 0 }));
    const build = stagesOf(stack).find(s => s.name === 'Build')!;
    expect(pipeline.stageNames).toEqual(['Source', 'Build', 'Staging', 'Production']);
    expect(build.actions.map(a => [a.name, a.runOrder])).toEqual([['Synth', 1], ['SelfMutate', 2]]);
  });
});

describe('the construct checks its own output', () => {
  test('an approval added after construction breaks the approval invariant: synth fails naming it', () => {
    const { app, pipeline } = generatedApp(simpleConfig(1));
    const production = pipeline.pipeline.stages.find(s => s.stageName === 'Production')!;
    production.addAction(new cpactions.ManualApprovalAction({ actionName: 'Sneaky', runOrder: 9 }));
    expect(() => app.synth()).toThrow(/DeliveryPipeline self-check: the pipeline has 2 manual approval action\(s\), but continuous delivery with this configuration needs exactly 1 \(Production: 1\)/);
  });

  test('a deployment added to a test stage is caught', () => {
    const { app, pipeline } = generatedApp(simpleConfig(1));
    const test = pipeline.pipeline.stages.find(s => s.stageName === 'Test')!;
    const artifact = new codepipeline.Artifact('Extra');
    test.addAction(new cpactions.S3DeployAction({
      actionName: 'Deploy', input: artifact, bucket: s3.Bucket.fromBucketName(Stack.of(pipeline), 'Site', 'site-bucket'),
    }));
    expect(() => app.synth()).toThrow(/DeliveryPipeline self-check: .*Deploy.*/);
  });

  // Shrunk counterexample of the property-based test: two gates in one stage (the staging migration's approval before
  // the staging deployment, the production migration's beside the staging verification) were mixed up by the check.
  test('regression: two approval gates in the Staging stage are told apart', () => {
    const { app, stack } = generatedApp(simpleConfig(22, {
      requireManualApproval: false, tests: 0, useChangeSets: false, staging: { migrations: 1 }, waves: [{ targets: 22, migrations: 1 }],
    }));
    expect(() => app.synth()).not.toThrow();
    const staging = stagesOf(stack).find(s => s.name === 'Staging')!;
    expect(staging.actions.filter(a => a.actionTypeId.category === 'Approval').map(a => [a.name, a.runOrder]))
      .toEqual([['Approve', 1], ['PromoteToProduction', 4]]);
  });

  // The self-check reads the template as it will be deployed: an escape-hatch override is checked like the rest.
  const productionIndex = (pipeline: DeliveryPipeline) => pipeline.stageNames.indexOf('Production');
  const cfnOf = (pipeline: DeliveryPipeline) => pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline;

  test('an override that removes a guard rail is caught; without it the same pipeline passes', () => {
    const sound = generatedApp(simpleConfig(1, guarded));
    expect(() => sound.app.synth()).not.toThrow();

    const { app, pipeline } = generatedApp(simpleConfig(1, guarded));
    cfnOf(pipeline).addDeletionOverride(`Properties.Stages.${productionIndex(pipeline)}.BeforeEntry`);
    expect(() => app.synth()).toThrow("DeliveryPipeline self-check: the stage 'Production' of Production must only be entered in its deployment window "
      + '(* * 9-16 ? * MON-FRI, Europe/Berlin), but its beforeEntry condition has no DeploymentWindow rule.');
  });

  test('a bake that should roll back but whose onSuccess condition only fails is caught (the documented rollback path)', () => {
    const { app, pipeline } = generatedApp(simpleConfig(1, guarded));
    cfnOf(pipeline).addPropertyOverride(`Stages.${productionIndex(pipeline)}.OnSuccess.Conditions.0.Result`, 'FAIL');
    expect(() => app.synth()).toThrow("the stage 'Production' must roll back when an alarm fires during the bake, but its onSuccess condition's result is FAIL.");
  });

  test('a value the self-check cannot read is reported with its path, not guessed', () => {
    const { app, pipeline } = generatedApp(simpleConfig(1));
    const index = productionIndex(pipeline);
    cfnOf(pipeline).addPropertyOverride(`Stages.${index}.Actions.0.RunOrder`, { 'Fn::If': ['Fast', 1, 2] });
    expect(() => app.synth()).toThrow(`DeliveryPipeline self-check: the pipeline's Stages[${index}].Actions[0].RunOrder is {"Fn::If":["Fast",1,2]}, not a number: `
      + 'CodePipeline needs a literal there, and the self-check cannot verify what it cannot read. If an override (addOverride, addPropertyOverride) wrote it, write the literal value instead.');
  });

  test('a sound pipeline passes, and the shape helper agrees with the construct', () => {
    const { stack, pipeline } = generatedApp(simpleConfig(30, guarded));
    expect(PipelineShape.fromStack(stack).stageNames).toEqual(pipeline.stageNames);
  });
});
