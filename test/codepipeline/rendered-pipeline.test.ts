import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { DeliveryPipeline, DeploymentWindow } from '../../src';
import { ActionCategory, RuleProvider } from '../../src/private/providers';
import {
  isApprovalAction, isDeployAction, readPipeline, readPipelines, readStage, rulesOf, slotsOf, templateText, Within,
} from '../../src/private/rendered-pipeline';
import { fixture, referencePipeline, referenceProps } from '../fixtures/app';

const cfnOf = (pipeline: codepipeline.Pipeline) => pipeline.node.defaultChild as codepipeline.CfnPipeline;

/** A pipeline resource as a template holds it, around hand-made stages. */
const resource = (stages: unknown, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: stages, ...extra } });
const buildAction = (name: unknown, extra: Record<string, unknown> = {}) => ({
  Name: name,
  ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
  ...extra,
});

describe('the reading model over a real synthesized DeliveryPipeline', () => {
  const { f, pipeline } = referencePipeline();
  const template = Template.fromStack(f.stack).toJSON();
  const raw = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>)
    .find(r => r.Type === 'AWS::CodePipeline::Pipeline')!.Properties;
  const [read] = readPipelines(template);

  test('reads every stage and action the L2 pipeline declares, in order, with nothing unreadable', () => {
    expect(read.unreadable).toEqual([]);
    expect(read.stages.map(s => s.name)).toEqual(pipeline.pipeline.stages.map(s => s.stageName));
    expect(read.stages.map(s => s.actions.length)).toEqual(pipeline.pipeline.stages.map(s => s.actions.length));
    expect(read.stages.map(s => s.name)).toEqual(pipeline.stageNames);
  });

  test('reads names, type ids, run orders, artifacts and configuration as the template holds them', () => {
    read.stages.forEach((stage, i) => stage.actions.forEach((action, j) => {
      const json = raw.Stages[i].Actions[j];
      expect(action.name).toBe(json.Name);
      const type = json.ActionTypeId;
      expect(action.actionTypeId).toEqual({ category: type.Category, owner: type.Owner, provider: type.Provider, version: type.Version });
      expect(action.runOrder).toBe(json.RunOrder ?? 1);
      expect(action.inputArtifacts.map(a => a.name)).toEqual((json.InputArtifacts ?? []).map((a: { Name: string }) => a.Name));
      expect(action.outputArtifacts.map(a => a.name)).toEqual((json.OutputArtifacts ?? []).map((a: { Name: string }) => a.Name));
      expect(action.configuration).toEqual(json.Configuration ?? {});
    }));
    expect(read.pipelineType).toBe('V2');
    expect(read.tags).toEqual(expect.arrayContaining([{ key: 'release-mode', value: 'continuous-delivery' }]));
    expect(read.roleArn).toEqual(raw.RoleArn);
  });

  test('the categories the self-check relies on: the approvals, deployments only in Staging and Production', () => {
    const approvals = read.stages.flatMap(s => s.actions.filter(isApprovalAction).map(a => `${s.name}/${a.name}`));
    // The release approval, and production's change-set review (on by default).
    expect(approvals).toEqual(['Staging/PromoteToProduction', 'Production/Review']);
    expect(read.stages.filter(s => s.actions.some(isDeployAction)).map(s => s.name)).toEqual(['Staging', 'Production']);
    expect(read.stages.find(s => s.name === 'Source')!.actions.map(a => a.actionTypeId.category)).toEqual([ActionCategory.SOURCE]);
  });

  test('an escape-hatch override is part of what the model reads', () => {
    const { f: g, pipeline: p } = referencePipeline();
    const staging = p.stageNames.indexOf('Staging');
    cfnOf(p.pipeline).addPropertyOverride(`Stages.${staging}.Actions.0.Configuration.Note`, 'from an override');
    const [overridden] = readPipelines(Template.fromStack(g.stack).toJSON());
    expect(overridden.stages[staging].actions[0].configuration.Note).toBe('from an override');
    expect(read.stages[staging].actions[0].configuration.Note).toBeUndefined();
  });
});

test('conditions of a real pipeline with a window and a bake, read with aws-cdk-lib names', () => {
  const f = fixture();
  const alarm = new cloudwatch.Alarm(f.stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Service', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
    production: {
      stages: f.production,
      deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Berlin'),
      bake: { alarms: [alarm], duration: Duration.minutes(30) },
    },
  }));
  const [read] = readPipelines(Template.fromStack(f.stack).toJSON());
  const production = read.stages.find(s => s.name === 'Production')!;
  expect(production.beforeEntry).toEqual({
    conditions: [{
      result: 'FAIL',
      rules: [{
        name: 'Production-DeploymentWindow',
        ruleTypeId: { category: 'Rule', owner: 'AWS', provider: RuleProvider.DEPLOYMENT_WINDOW, version: '1' },
        configuration: { Cron: '* * 9-16 ? * MON-THU', TimeZone: 'Europe/Berlin' },
        inputArtifacts: [],
      }],
    }],
  });
  expect(production.onSuccess?.conditions[0].rules.map(r => [r.ruleTypeId.provider, r.configuration.WaitTime])).toEqual([[RuleProvider.CLOUDWATCH_ALARM, '30']]);
  expect(production.onFailure).toEqual({ result: 'ROLLBACK', conditions: [] });
  expect(rulesOf(production).map(r => `${r.when}:${r.rule.ruleTypeId.provider}`)).toEqual(['beforeEntry:DeploymentWindow', 'onSuccess:CloudWatchAlarm']);
  const staging = read.stages.find(s => s.name === 'Staging')!;
  expect([staging.beforeEntry, staging.onSuccess, staging.onFailure]).toEqual([undefined, undefined, undefined]);
  expect(rulesOf(staging)).toEqual([]);
});

describe('hand-made edge cases', () => {
  test('a missing RunOrder is 1, CodePipeline\'s default; a RunOrder written as a string is read as its number', () => {
    const stage = readStage({ Name: 'Build', Actions: [buildAction('A'), buildAction('B', { RunOrder: 2 }), buildAction('C', { RunOrder: '3' })] });
    expect(stage.actions.map(a => [a.name, a.runOrder])).toEqual([['A', 1], ['B', 2], ['C', 3]]);
    expect(slotsOf(stage).map(s => [s.runOrder, s.actions.map(a => a.name)])).toEqual([[1, ['A']], [2, ['B']], [3, ['C']]]);
    expect(stage.unreadable).toEqual([]);
  });

  test('actions that share a RunOrder share a slot, in the template\'s order', () => {
    const stage = readStage({ Name: 'Test', Actions: [buildAction('B', { RunOrder: 2 }), buildAction('A'), buildAction('C', { RunOrder: 2 })] });
    expect(slotsOf(stage).map(s => [s.runOrder, s.actions.map(a => a.name)])).toEqual([[1, ['A']], [2, ['B', 'C']]]);
  });

  test('absent conditions, artifacts and configuration read as absent or empty, not invented', () => {
    const stage = readStage({ Name: 'Build', Actions: [buildAction('Synth')] });
    expect(stage).toEqual({
      name: 'Build',
      actions: [{
        name: 'Synth',
        actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
        runOrder: 1,
        configuration: {},
        inputArtifacts: [],
        outputArtifacts: [],
      }],
      unreadable: [],
    });
    expect(rulesOf(stage)).toEqual([]);
  });

  test('an Fn::Join of literals is read exactly; one with a Ref is reported, with a readable placeholder', () => {
    const joined = readStage({ Name: { 'Fn::Join': ['-', ['Production', 'eu']] }, Actions: [buildAction({ 'Fn::Join': ['', ['Deploy', { 'Fn::Join': ['.', ['a', 'b']] }]] })] });
    expect(joined.name).toBe('Production-eu');
    expect(joined.actions[0].name).toBe('Deploya.b');
    expect(joined.unreadable).toEqual([]);

    const name = { 'Fn::Join': ['-', ['Production', { Ref: 'AWS::Region' }]] };
    const unread = readStage({ Name: name, Actions: [buildAction('A')] }, 'Stages[4]');
    expect(unread.name).toBe('Production-{AWS::Region}');
    expect(unread.unreadable).toEqual([{ path: 'Stages[4].Name', value: name, expected: 'a string' }]);
  });

  test('an absent required string reads as empty, not as unreadable; a value of the wrong type is reported', () => {
    const stage = readStage({ Name: 'Source', Actions: [{ Name: 'Src', ActionTypeId: { Category: 'Source', Provider: 'S3' } }] });
    expect(stage.actions[0].actionTypeId).toEqual({ category: 'Source', owner: '', provider: 'S3', version: '' });
    expect(stage.unreadable).toEqual([]);
    const wrong = readStage({ Name: ['Source'], Actions: {} });
    expect(wrong.unreadable).toEqual([
      { path: 'Stage.Actions', value: {}, expected: 'a list' },
      { path: 'Stage.Name', value: ['Source'], expected: 'a string' },
    ]);
  });

  test('an Fn::Sub without variables is its text; with a variable it is reported', () => {
    expect(readStage({ Name: { 'Fn::Sub': 'Staging' }, Actions: [] }).name).toBe('Staging');
    const sub = readStage({ Name: { 'Fn::Sub': 'Staging-${AWS::Region}' }, Actions: [] });
    expect(sub.unreadable.map(u => u.path)).toEqual(['Stage.Name']);
  });

  test('a RunOrder or a category the template computes is reported, not guessed', () => {
    const runOrder = { 'Fn::If': ['Fast', 1, 2] };
    const stage = readStage({
      Name: 'Build',
      Actions: [buildAction('A', { RunOrder: runOrder, ActionTypeId: { Category: { Ref: 'Category' }, Owner: 'AWS', Provider: 'CodeBuild', Version: '1' } })],
    }, 'Stages[1]');
    expect(stage.unreadable).toEqual([
      { path: 'Stages[1].Actions[0].ActionTypeId.Category', value: { Ref: 'Category' }, expected: 'a string' },
      { path: 'Stages[1].Actions[0].RunOrder', value: runOrder, expected: 'a number' },
    ]);
    expect(stage.actions[0].actionTypeId.category).toBe('{Category}');
  });

  test('a Stages property that is not a list, and a stage that is an intrinsic, are reported', () => {
    const conditional = { 'Fn::If': ['Big', [], []] };
    const pipeline = readPipeline('Pipeline', resource(conditional));
    expect(pipeline.stages).toEqual([]);
    expect(pipeline.unreadable).toEqual([{ path: 'Stages', value: conditional, expected: 'a list' }]);

    const stage = { 'Fn::If': ['Big', {}, {}] };
    const withStage = readPipeline('Pipeline', resource([stage]));
    expect(withStage.unreadable.map(u => [u.path, u.expected])).toEqual([['Stages[0]', 'an object']]);
  });

  test('conditions: results, rules, retry configuration and Commands rules', () => {
    const stage = readStage({
      Name: 'Production',
      Actions: [buildAction('A')],
      BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: [{ Name: 'Gate', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'Commands', Version: '1' }, Commands: ['make check'], RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, InputArtifacts: [{ Name: 'Source' }] }] }] },
      OnFailure: { Result: 'RETRY', RetryConfiguration: { RetryMode: 'FAILED_ACTIONS' } },
    });
    expect(stage.beforeEntry).toEqual({
      conditions: [{
        result: 'FAIL',
        rules: [{
          name: 'Gate',
          ruleTypeId: { category: 'Rule', owner: 'AWS', provider: RuleProvider.COMMANDS, version: '1' },
          configuration: {},
          inputArtifacts: [{ name: 'Source' }],
          commands: ['make check'],
          roleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
        }],
      }],
    });
    expect(stage.onFailure).toEqual({ result: 'RETRY', retryConfiguration: { retryMode: 'FAILED_ACTIONS' }, conditions: [] });
    expect(stage.onSuccess).toBeUndefined();
  });

  test('pipeline defaults: V1 without a PipelineType, no name when CloudFormation generates it', () => {
    const plain = readPipeline('P', resource([]));
    expect([plain.pipelineType, plain.name, plain.triggers, plain.tags]).toEqual(['V1', undefined, [], []]);
    const named = readPipeline('P', resource([], { Name: 'shop', PipelineType: 'V2' }));
    expect([named.pipelineType, named.name]).toEqual(['V2', 'shop']);
    expect(readPipeline('P', resource([], { Name: { Ref: 'Name' } })).name).toBeUndefined();
  });

  test('triggers: the source action and its push and pull-request filters', () => {
    const read = readPipeline('P', resource([], {
      Triggers: [{ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { SourceActionName: 'acme_app', Push: [{ Branches: { Includes: ['main'] } }] } }],
    }));
    expect(read.triggers).toEqual([{ providerType: 'CodeStarSourceConnection', sourceActionName: 'acme_app', push: [{ Branches: { Includes: ['main'] } }], pullRequest: [] }]);
  });

  test('readPipelines: every pipeline of a template, in logical-ID order; other resources ignored', () => {
    const template = { Resources: { B: resource([]), A: resource([], { Name: 'first' }), Bucket: { Type: 'AWS::S3::Bucket' } } };
    expect(readPipelines(template).map(p => [p.logicalId, p.name])).toEqual([['A', 'first'], ['B', undefined]]);
    expect(readPipelines({})).toEqual([]);
    expect(readPipelines(undefined)).toEqual([]);
  });

  test('templateText: literals as they are, intrinsics in a short readable form', () => {
    expect(templateText({ Ref: 'Param' })).toBe('{Param}');
    expect(templateText({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('{Role.Arn}');
    expect(templateText({ 'Fn::ImportValue': 'Alarms:ExportsOutputRef' })).toBe('{Alarms export}');
    expect(templateText({ 'Fn::If': ['C', 'a', 'b'] })).toBe('{...}');
    expect(templateText(3)).toBe('3');
  });
});

describe('the model keeps aws-cdk-lib\'s declaration names', () => {
  test('a key of the declaration type passes; a misspelt key is a compile error', () => {
    const ok: Within<{ name: string; actions: unknown[] }, codepipeline.CfnPipeline.StageDeclarationProperty> = true;
    // @ts-expect-error 'nmae' is not a key of codepipeline.CfnPipeline.StageDeclarationProperty
    const misspelt: Within<{ nmae: string }, codepipeline.CfnPipeline.StageDeclarationProperty> = true;
    expect([ok, misspelt]).toEqual([true, true]);
  });
});
