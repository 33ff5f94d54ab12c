import { DisableStageTransitionCommand, EnableStageTransitionCommand, GetPipelineCommand, StageNotFoundException } from '@aws-sdk/client-codepipeline';
import { mockedOperations, pipelineDefinition, PIPELINE } from './sdk-fixtures';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { validateFreezeReason } from '../../src/runtime/transitions';

const STAGES = ['Source', 'Build', 'Staging', 'Production-eu', 'Production-us'];

describe('freeze / unfreeze', () => {
  test('GIVEN production waves WHEN frozen THEN the inbound transition of every Production* stage is disabled with the reason', async () => {
    // GIVEN
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(STAGES));
    mock.on(DisableStageTransitionCommand).resolves({});

    // WHEN
    const outcome = await ops.freeze({ reason: 'Quarter end freeze (finance)' });

    // THEN
    expect(mock.commandCalls(DisableStageTransitionCommand).map((c) => c.args[0].input)).toEqual([
      { pipelineName: PIPELINE, stageName: 'Production-eu', transitionType: 'Inbound', reason: 'Quarter end freeze (finance)' },
      { pipelineName: PIPELINE, stageName: 'Production-us', transitionType: 'Inbound', reason: 'Quarter end freeze (finance)' },
    ]);
    expect(outcome).toEqual({ pipelineName: PIPELINE, state: 'frozen', stageNames: ['Production-eu', 'Production-us'], reason: 'Quarter end freeze (finance)' });
  });

  test('GIVEN a frozen pipeline WHEN unfrozen THEN the inbound transitions are enabled', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(['Source', 'Production']));
    mock.on(EnableStageTransitionCommand).resolves({});

    const outcome = await ops.unfreeze();

    expect(mock.commandCalls(EnableStageTransitionCommand).map((c) => c.args[0].input)).toEqual([
      { pipelineName: PIPELINE, stageName: 'Production', transitionType: 'Inbound' },
    ]);
    expect(outcome).toEqual({ pipelineName: PIPELINE, state: 'unfrozen', stageNames: ['Production'] });
  });

  test('GIVEN an explicit stage list WHEN frozen THEN only those stages are frozen', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(STAGES));
    mock.on(DisableStageTransitionCommand).resolves({});

    await ops.freeze({ reason: 'Staging migration', stageNames: ['Staging'] });

    expect(mock.commandCalls(DisableStageTransitionCommand).map((c) => c.args[0].input.stageName)).toEqual(['Staging']);
  });

  test('GIVEN an unknown stage WHEN frozen THEN NOT_FOUND lists the real stages and nothing is frozen', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(STAGES));

    await expect(ops.freeze({ reason: 'x', stageNames: ['Prod'] })).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND,
      message: "Pipeline 'my-app' has no stage 'Prod'. Its stages: Source, Build, Staging, Production-eu, Production-us.",
    });
    expect(mock.commandCalls(DisableStageTransitionCommand)).toHaveLength(0);
  });

  test('GIVEN no Production* stage WHEN unfrozen THEN NOT_FOUND asks for --stage', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(['Source', 'Deploy']));

    await expect(ops.unfreeze()).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND,
      message: "Pipeline 'my-app' has no stage whose name starts with 'Production' (its stages: Source, Deploy). Name the stages with --stage.",
    });
  });

  test('GIVEN the second stage fails WHEN frozen THEN the error says which stages are frozen and which are not', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(STAGES));
    mock.on(DisableStageTransitionCommand, { stageName: 'Production-eu' }).resolves({});
    mock.on(DisableStageTransitionCommand, { stageName: 'Production-us' }).rejects(new StageNotFoundException({ message: 'gone', $metadata: {} }));

    await expect(ops.freeze({ reason: 'x' })).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND,
      message: expect.stringMatching(/StageNotFoundException during DisableStageTransition .* Already frozen: Production-eu\. Not frozen: Production-us\.$/),
    });
  });
});

describe('validateFreezeReason', () => {
  test.each([
    ['', 'A freeze needs a reason (--reason), e.g. "Quarterly close - no releases until Monday".'],
    ['x'.repeat(301), 'The freeze reason has 301 characters; CodePipeline accepts at most 300.'],
    ["Release freeze: don't deploy, please", 'The freeze reason contains characters CodePipeline rejects: ":", "\'", ",". Use letters, digits, spaces and ! @ ( ) . * ? -'],
  ])('GIVEN reason %j WHEN validated THEN it is refused with the fix', (reason, message) => {
    expect(() => validateFreezeReason(reason)).toThrow(message);
  });

  test('GIVEN a reason with every accepted character WHEN validated THEN it passes', () => {
    expect(() => validateFreezeReason('Freeze (INC-42) @ops! why? 1.2 *')).not.toThrow();
  });
});
