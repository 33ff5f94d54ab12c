import { Stack } from 'aws-cdk-lib';
import { DeliverySnapshot, PipelineShape } from '../src';
import { referencePipeline } from './fixtures/app';

describe('PipelineShape', () => {
  const { f } = referencePipeline();
  const shape = PipelineShape.fromStack(f.stack);

  test('counts slots, CodeBuild hops, projects and approvals', () => {
    expect(shape.stageNames).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production']);
    // Production: prepare, the change-set review (on by default), execute.
    expect(shape.stages.map(s => s.slots.length)).toEqual([1, 1, 1, 2, 3]);
    expect(shape.criticalPathHops).toBe(8);
    // Build, Test and the staging smoke-test slot start CodeBuild containers.
    expect(shape.codeBuildHops).toBe(3);
    expect(shape.codeBuildProjects).toBe(5);
    // PromoteToProduction (a person) and production's Review (a function, a person only for a risky change).
    expect(shape.approvals).toBe(2);
    expect(shape.releaseMode).toBe('continuous-delivery');
  });

  test('describes the pipeline one stage per line', () => {
    expect(shape.describe().split('\n')[3]).toBe('Staging: [Api.Deploy] -> [PromoteToProduction | Smoke]');
  });

  test('reads a hand-made template: a missing RunOrder is 1, rules of every condition block in order', () => {
    const template = {
      Resources: {
        P: {
          Type: 'AWS::CodePipeline::Pipeline',
          Properties: {
            Stages: [{
              Name: 'Build',
              Actions: [
                { Name: 'B', RunOrder: 2, ActionTypeId: { Category: 'Approval', Provider: 'Manual' } },
                { Name: 'A', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } },
              ],
              OnSuccess: { Conditions: [{ Rules: [{ Name: 'Bake', RuleTypeId: { Provider: 'CloudWatchAlarm' } }] }] },
              BeforeEntry: { Conditions: [{ Rules: [{ Name: 'Window', RuleTypeId: { Provider: 'DeploymentWindow' } }] }] },
            }],
          },
        },
        Project: { Type: 'AWS::CodeBuild::Project' },
      },
    };
    const read = PipelineShape.fromTemplateJson(template);
    expect(read.stages).toEqual([{
      name: 'Build',
      slots: [{ runOrder: 1, actions: ['A'], codeBuildActions: 1, approvals: 0 }, { runOrder: 2, actions: ['B'], codeBuildActions: 0, approvals: 1 }],
      conditionRules: ['DeploymentWindow', 'CloudWatchAlarm'],
    }]);
    expect([read.criticalPathHops, read.codeBuildHops, read.approvals, read.codeBuildProjects, read.pipelineType, read.releaseMode])
      .toEqual([2, 1, 1, 1, 'V1', undefined]);
  });

  test('refuses a template whose stages hold values it cannot read, naming them', () => {
    const template = {
      Resources: {
        P: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [{ Name: { Ref: 'StageName' }, Actions: [] }] } },
      },
    };
    expect(() => PipelineShape.fromTemplateJson(template)).toThrow('PipelineShape: the pipeline P has values the template computes where CodePipeline needs a literal '
      + '(Stages[0].Name is {"Ref":"StageName"}, not a string), so its shape cannot be read. Read the template of a synthesized app, or write those values as literals.');
  });

  test('rejects a template without exactly one pipeline', () => {
    expect(() => PipelineShape.fromStack(new Stack())).toThrow('PipelineShape: expected exactly one AWS::CodePipeline::Pipeline in the template, found 0.');
  });
});

describe('DeliverySnapshot', () => {
  test('replaces asset hashes and nothing else', () => {
    const hash = 'a'.repeat(64);
    expect(DeliverySnapshot.normalize(`cdk-assets publish "${hash}:current_account-current_region" x1f`))
      .toBe('cdk-assets publish "<asset-hash>:current_account-current_region" x1f');
  });

  test('a template snapshot does not change when the application code changes', () => {
    const { f } = referencePipeline();
    const json = DeliverySnapshot.templateJson(f.stack);
    expect(json).toContain('<asset-hash>');
    expect(json).not.toMatch(/[0-9a-f]{64}/);
  });
});
