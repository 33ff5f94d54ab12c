import { App, Stack } from 'aws-cdk-lib';
import { createApp as continuousDelivery } from '../examples/continuous-delivery/app';
import { createApp as continuousDeployment } from '../examples/continuous-deployment/app';
import { DeliveryPipeline, DeliverySnapshot, PipelineShape } from '../src';

/** Every example app, built the way its main.ts builds it (without the cdk-nag plugin, checked by `npm run examples`). */
const examples: Array<[string, (app: App) => DeliveryPipeline]> = [
  ['continuous-delivery', continuousDelivery],
  ['continuous-deployment', continuousDeployment],
];

describe.each(examples)('examples/%s', (_name, create) => {
  const app = new App();
  const pipeline = create(app);
  const stack = Stack.of(pipeline);

  test('pipeline template matches the snapshot (asset hashes normalized)', () => {
    expect(DeliverySnapshot.templateJson(stack)).toMatchSnapshot();
  });

  test('shape matches the mode', () => {
    const shape = PipelineShape.fromStack(stack);
    expect(shape.pipelineType).toBe('V2');
    expect(shape.releaseMode).toBe(pipeline.releaseMode);
    expect(shape.stageNames).toEqual(pipeline.stageNames);
    expect(shape.approvals).toBe(pipeline.releaseMode === 'continuous-delivery' ? 1 : 0);
  });
});

test('the delivery example keeps to 8 hops, the deployment example (no change sets) to 7', () => {
  const hops = examples.map(([, create]) => PipelineShape.fromStack(Stack.of(create(new App()))).criticalPathHops);
  expect(hops).toEqual([8, 7]);
});
