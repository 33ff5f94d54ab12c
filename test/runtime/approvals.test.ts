import {
  ApprovalAlreadyCompletedException,
  GetPipelineStateCommand,
  InvalidApprovalTokenException,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import { approvalStage, finishedStage, mockedOperations, PIPELINE, state } from './sdk-fixtures';
import { DeliveryErrorCode } from '../../src/runtime/errors';

describe('approve / reject', () => {
  test('GIVEN one pending approval WHEN approved THEN PutApprovalResult carries its stage, action, token and the summary', async () => {
    // GIVEN
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves(state([finishedStage('Build'), approvalStage('Staging', 'PromoteToProduction', 'tok-1')]));
    mock.on(PutApprovalResultCommand).resolves({ approvedAt: new Date('2025-03-01T11:00:00Z') });

    // WHEN
    const outcome = await ops.approve({ summary: 'Looks good' });

    // THEN
    expect(mock.commandCalls(PutApprovalResultCommand).map((c) => c.args[0].input)).toEqual([{
      pipelineName: PIPELINE,
      stageName: 'Staging',
      actionName: 'PromoteToProduction',
      token: 'tok-1',
      result: { status: 'Approved', summary: 'Looks good' },
    }]);
    expect(outcome).toEqual({
      pipelineName: PIPELINE,
      stageName: 'Staging',
      actionName: 'PromoteToProduction',
      pipelineExecutionId: 'exec-1',
      decision: 'Approved',
      summary: 'Looks good',
      decidedAt: '2025-03-01T11:00:00.000Z',
      // The mock answers nothing to the reads that describe the release (approval-release.test.ts covers them).
      release: expect.objectContaining({ pipelineExecutionId: 'exec-1', revisions: [] }),
    });
  });

  test('GIVEN one pending approval WHEN rejected THEN the result status is Rejected', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production', 'Approve', 'tok-2')]));
    mock.on(PutApprovalResultCommand).resolves({});

    const outcome = await ops.reject({ summary: 'Breaks the API' });

    expect(mock.commandCalls(PutApprovalResultCommand)[0].args[0].input.result).toEqual({ status: 'Rejected', summary: 'Breaks the API' });
    expect(outcome.decision).toBe('Rejected');
  });

  test('GIVEN nothing pending WHEN approving THEN it refuses clearly and sends nothing', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves(state([finishedStage('Staging'), finishedStage('Production')]));

    await expect(ops.approve({ summary: 'ok' })).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND,
      message: "No approval is pending in pipeline 'my-app'.",
    });
    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  test('GIVEN an approval in a stage that is not InProgress WHEN approving THEN it is not pending', async () => {
    const { mock, ops } = mockedOperations();
    const stale = approvalStage('Production', 'Approve', 'old');
    mock.on(GetPipelineStateCommand).resolves(state([{ ...stale, latestExecution: { pipelineExecutionId: 'e', status: 'Failed' } }]));

    await expect(ops.approve({ summary: 'ok' })).rejects.toMatchObject({ code: DeliveryErrorCode.NOT_FOUND });
  });

  test('GIVEN several pending approvals WHEN approving without a stage THEN the error lists them and asks for --stage', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production-eu', 'Approve', 'a'), approvalStage('Production-us', 'Approve', 'b')]));

    await expect(ops.approve({ summary: 'ok' })).rejects.toMatchObject({
      code: DeliveryErrorCode.INVALID_INPUT,
      message: "2 approvals are pending in pipeline 'my-app': Production-eu/Approve, Production-us/Approve. Name the one to decide with --stage (and --action).",
    });
    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  test('GIVEN several pending approvals WHEN the stage is named THEN that one is approved', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production-eu', 'Approve', 'a'), approvalStage('Production-us', 'Approve', 'b')]));
    mock.on(PutApprovalResultCommand).resolves({});

    await ops.approve({ stageName: 'Production-us', actionName: 'Approve', summary: 'ok' });

    expect(mock.commandCalls(PutApprovalResultCommand)[0].args[0].input).toMatchObject({ stageName: 'Production-us', token: 'b' });
  });

  test('GIVEN a named stage with no pending approval WHEN approving THEN the error lists what is pending', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production-eu', 'Approve', 'a')]));

    await expect(ops.approve({ stageName: 'Production-us', summary: 'ok' })).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND,
      message: "No approval is pending at Production-us/* in pipeline 'my-app'. Pending: Production-eu/Approve.",
    });
  });

  test.each([
    [new InvalidApprovalTokenException({ message: 'The token is invalid or has expired', $metadata: {} })],
    [new ApprovalAlreadyCompletedException({ message: 'The approval was already approved', $metadata: {} })],
  ])('GIVEN the token was already used (%s) WHEN approving THEN CONFLICT says nothing was approved twice', async (error) => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves(state([approvalStage('Production', 'Approve', 'tok')]));
    mock.on(PutApprovalResultCommand).rejects(error);

    await expect(ops.approve({ summary: 'ok' })).rejects.toMatchObject({
      code: DeliveryErrorCode.CONFLICT,
      message: expect.stringContaining(`already approved or rejected, or its token is no longer valid (${error.name})`),
    });
    expect(mock.commandCalls(PutApprovalResultCommand)).toHaveLength(1);
  });

  test.each([
    ['', 'The approval summary must not be empty.'],
    ['x'.repeat(513), 'The approval summary has 513 characters; CodePipeline accepts at most 512.'],
  ])('GIVEN summary %j WHEN approving THEN it is refused before any call', async (summary, message) => {
    const { mock, ops } = mockedOperations();

    await expect(ops.approve({ summary })).rejects.toMatchObject({ code: DeliveryErrorCode.INVALID_INPUT, message });
    expect(mock.calls()).toHaveLength(0);
  });
});
