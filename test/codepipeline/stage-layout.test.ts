import { applyStageLayout, RenderedStage } from '../../src/codepipeline/private/stage-layout';

const action = (name: string, runOrder = 1) => ({ name, runOrder, actionTypeId: { category: 'Build' } });

function cdkPipelinesStages(testActions: number): RenderedStage[] {
  return [
    { name: 'Source', actions: [action('Repo')] },
    { name: 'Build', actions: [action('Synth')] },
    { name: 'UpdatePipeline', actions: [action('SelfMutate')] },
    { name: 'Assets', actions: [action('FileAssets')] },
    ...(testActions > 0 ? [{ name: 'Tests', actions: Array.from({ length: testActions }, (_, i) => action(`T${i}`)) }] : []),
    { name: 'Beta', actions: [action('Deploy')], extra: 'kept' },
  ];
}

describe('applyStageLayout', () => {
  test('folds self-mutation and assets into the test stage, renames, and keeps other properties', () => {
    const result = applyStageLayout(cdkPipelinesStages(2), {
      renames: new Map([['Tests', 'Test'], ['Beta', 'Staging']]),
      testStage: 'Tests',
    });
    expect(result.map(s => s.name)).toEqual(['Source', 'Build', 'Test', 'Staging']);
    expect(result[2].actions.map(a => [a.name, a.runOrder])).toEqual([['SelfMutate', 1], ['FileAssets', 1], ['T0', 1], ['T1', 1]]);
    expect(result[3].extra).toBe('kept');
  });

  test('without a test stage, appends them as the next Build slot', () => {
    const result = applyStageLayout(cdkPipelinesStages(0), { renames: new Map() });
    expect(result.map(s => s.name)).toEqual(['Source', 'Build', 'Beta']);
    expect(result[1].actions.map(a => [a.name, a.runOrder])).toEqual([['Synth', 1], ['SelfMutate', 2], ['FileAssets', 2]]);
  });

  test('keeps CDK Pipelines\' layout when folding would exceed 50 actions in a stage', () => {
    const stages = cdkPipelinesStages(49);
    const result = applyStageLayout(stages, { renames: new Map([['Tests', 'Test']]), testStage: 'Tests' });
    expect(result.map(s => s.name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Test', 'Beta']);
  });

  test('chunked asset stages (Assets.1, Assets.2) are folded too', () => {
    const stages: RenderedStage[] = [
      { name: 'Build', actions: [action('Synth')] },
      { name: 'Assets.1', actions: [action('A1')] },
      { name: 'Assets.2', actions: [action('A2')] },
      { name: 'Beta', actions: [action('Deploy')] },
    ];
    expect(applyStageLayout(stages, { renames: new Map() }).map(s => s.name)).toEqual(['Build', 'Beta']);
  });

  test('adds stage-level properties by public name', () => {
    const result = applyStageLayout(cdkPipelinesStages(0), {
      renames: new Map([['Beta', 'Staging']]),
      stageProperties: new Map([['Staging', { beforeEntry: { conditions: [] } }]]),
    });
    expect(result[2]).toEqual(expect.objectContaining({ name: 'Staging', beforeEntry: { conditions: [] } }));
  });
});
