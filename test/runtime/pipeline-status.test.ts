import { GetPipelineCommand, GetPipelineStateCommand, ListTagsForResourceCommand, PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import { approvalStage, ARN, finishedStage, mockedOperations, pipelineDefinition, PIPELINE, state } from './sdk-fixtures';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { releaseModeFromTags } from '../../src/runtime/pipeline-status';

describe('status', () => {
  test('GIVEN a pipeline waiting for approval with production frozen WHEN status is read THEN stages, approval, freeze and mode are reported', async () => {
    // GIVEN
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand, { name: PIPELINE }).resolves(pipelineDefinition(['Source', 'Build', 'Staging', 'Production']));
    mock.on(GetPipelineStateCommand, { name: PIPELINE }).resolves(state([
      finishedStage('Source', 'Succeeded', ['Source']),
      finishedStage('Build', 'Succeeded', ['Synth']),
      approvalStage('Staging', 'PromoteToProduction', 'token-1'),
      {
        stageName: 'Production',
        inboundTransitionState: {
          enabled: false, disabledReason: 'Quarterly close', lastChangedBy: 'arn:aws:iam::1:user/ops', lastChangedAt: new Date('2025-03-01T09:00:00Z'),
        },
        actionStates: [{ actionName: 'Deploy' }],
      },
    ]));
    mock.on(ListTagsForResourceCommand, { resourceArn: ARN }).resolves({ tags: [{ key: 'release-mode', value: 'continuous-delivery' }] });

    // WHEN
    const status = await ops.status();

    // THEN
    expect(status).toEqual({
      pipelineName: PIPELINE,
      pipelineArn: ARN,
      pipelineVersion: 7,
      releaseMode: 'continuous-delivery',
      releaseModeTag: undefined,
      stages: [
        {
          stageName: 'Source',
          status: 'Succeeded',
          pipelineExecutionId: 'exec-0',
          production: false,
          inboundTransitionEnabled: true,
          actions: [{ actionName: 'Source', status: 'Succeeded', summary: undefined, lastStatusChange: undefined }],
        },
        {
          stageName: 'Build',
          status: 'Succeeded',
          pipelineExecutionId: 'exec-0',
          production: false,
          inboundTransitionEnabled: true,
          actions: [{ actionName: 'Synth', status: 'Succeeded', summary: undefined, lastStatusChange: undefined }],
        },
        {
          stageName: 'Staging',
          status: 'InProgress',
          pipelineExecutionId: 'exec-1',
          production: false,
          inboundTransitionEnabled: true,
          actions: [{ actionName: 'PromoteToProduction', status: 'InProgress', summary: undefined, lastStatusChange: '2025-03-01T10:00:00.000Z' }],
        },
        {
          stageName: 'Production',
          status: 'NotStarted',
          pipelineExecutionId: undefined,
          production: true,
          inboundTransitionEnabled: false,
          actions: [{ actionName: 'Deploy', status: 'NotStarted', summary: undefined, lastStatusChange: undefined }],
        },
      ],
      pendingApprovals: [{
        stageName: 'Staging', actionName: 'PromoteToProduction', token: 'token-1', pipelineExecutionId: 'exec-1', waitingSince: '2025-03-01T10:00:00.000Z',
      }],
      disabledTransitions: [{
        stageName: 'Production', reason: 'Quarterly close', changedBy: 'arn:aws:iam::1:user/ops', changedAt: '2025-03-01T09:00:00.000Z',
      }],
      automaticRollback: [],
    });
    expect(mock.commandCalls(ListTagsForResourceCommand)).toHaveLength(1);
  });

  test('GIVEN a finished approval that still carries a token WHEN status is read THEN it is not pending', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(['Production']));
    mock.on(GetPipelineStateCommand).resolves(state([{
      stageName: 'Production',
      latestExecution: { pipelineExecutionId: 'e', status: 'InProgress' },
      actionStates: [{ actionName: 'Approve', latestExecution: { status: 'Succeeded', token: 'used' } }, { actionName: 'Deploy', latestExecution: { status: 'InProgress' } }],
    }]));
    mock.on(ListTagsForResourceCommand).resolves({ tags: [] });

    const status = await ops.status();

    expect(status.pendingApprovals).toEqual([]);
    expect(status.releaseMode).toBe('unknown');
  });

  test('GIVEN a missing pipeline WHEN status is read THEN a NOT_FOUND error names the pipeline', async () => {
    const { mock, ops } = mockedOperations();
    const notFound = new PipelineNotFoundException({ message: 'no pipeline my-app', $metadata: {} });
    mock.on(GetPipelineCommand).rejects(notFound);
    mock.on(GetPipelineStateCommand).rejects(notFound);

    await expect(ops.status()).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND,
      message: expect.stringContaining("PipelineNotFoundException during GetPipeline on pipeline 'my-app': no pipeline my-app"),
    });
  });

  test('GIVEN tags cannot be read WHEN status is read THEN the error names ListTagsForResource', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineCommand).resolves(pipelineDefinition(['Production']));
    mock.on(GetPipelineStateCommand).resolves(state([]));
    mock.on(ListTagsForResourceCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));

    await expect(ops.status()).rejects.toMatchObject({
      code: DeliveryErrorCode.ACCESS_DENIED,
      message: expect.stringContaining('codepipeline:ListTagsForResource'),
    });
  });
});

describe('releaseModeFromTags', () => {
  test.each([
    [[{ key: 'release-mode', value: 'continuous-deployment' }], { releaseMode: 'continuous-deployment' }],
    [[{ key: 'release-mode', value: 'continuous-delivery' }], { releaseMode: 'continuous-delivery' }],
    [[{ key: 'release-mode', value: 'yolo' }], { releaseMode: 'unknown', raw: 'yolo' }],
    [[{ key: 'team', value: 'a' }], { releaseMode: 'unknown', raw: undefined }],
  ])('GIVEN tags %j WHEN read THEN %j', (tags, expected) => {
    expect(releaseModeFromTags(tags)).toEqual(expected);
  });
});
