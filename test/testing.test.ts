import { Stack } from 'aws-cdk-lib';
import { DeliverySnapshot, PipelineShape } from '../src';
import { referencePipeline } from './fixtures/app';

describe('PipelineShape', () => {
  const { f } = referencePipeline();
  const shape = PipelineShape.fromStack(f.stack);

  test('counts slots, CodeBuild hops, projects and approvals', () => {
    expect(shape.stageNames).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production']);
    expect(shape.stages.map(s => s.slots.length)).toEqual([1, 1, 1, 2, 2]);
    expect(shape.criticalPathHops).toBe(7);
    // Build, Test and the staging smoke-test slot start CodeBuild containers.
    expect(shape.codeBuildHops).toBe(3);
    expect(shape.codeBuildProjects).toBe(5);
    expect(shape.approvals).toBe(1);
    expect(shape.releaseMode).toBe('continuous-delivery');
  });

  test('describes the pipeline one stage per line', () => {
    expect(shape.describe().split('\n')[3]).toBe('Staging: [Api.Deploy] -> [PromoteToProduction | Smoke]');
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
