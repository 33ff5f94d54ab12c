import { uncertainty } from '../../src/runtime/approvals';
import { CommandAborted, raceSignal } from '../../src/runtime/command-signal';
import { DeliveryErrorCode } from '../../src/runtime/errors';
import { checkReply, findShapeProblem, PIPELINE_EXECUTION_REPLY, PIPELINE_REPLY, PIPELINE_STATE_REPLY } from '../../src/runtime/reply-shape';

const context = { operation: 'GetPipelineState', pipelineName: 'my-app' };

describe('findShapeProblem', () => {
  test.each([
    ['a full state reply', { pipelineVersion: 3, stageStates: [{ stageName: 'Build', latestExecution: { status: 'Succeeded' }, actionStates: [{ actionName: 'a', latestExecution: { lastStatusChange: new Date(0) } }] }] }],
    ['an empty stage list', { stageStates: [] }],
    ['null optional fields', { stageStates: [{ stageName: 'Build', latestExecution: null, actionStates: null }] }],
    ['unknown extra fields', { stageStates: [{ stageName: 'Build', extra: { any: 'thing' } }], $metadata: { httpStatusCode: 200 } }],
  ])('GIVEN %s THEN the state shape matches', (_name, reply) => {
    expect(findShapeProblem(reply, PIPELINE_STATE_REPLY, '')).toBeUndefined();
  });

  test.each([
    ['no stageStates', {}, 'stageStates is missing'],
    ['a string list', { stageStates: 'x' }, 'stageStates is a string ("x"), expected a list'],
    ['a number name', { stageStates: [{ stageName: 1 }] }, 'stageStates[0].stageName is a number (1), expected a string'],
    ['an invalid date', { stageStates: [{ stageName: 'B', actionStates: [{ actionName: 'a', latestExecution: { lastStatusChange: new Date(Number.NaN) } }] }] },
      'stageStates[0].actionStates[0].latestExecution.lastStatusChange is an invalid date, expected a timestamp'],
    ['a date as a string', { stageStates: [{ stageName: 'B', inboundTransitionState: { lastChangedAt: '2025-01-01' } }] },
      'stageStates[0].inboundTransitionState.lastChangedAt is a string ("2025-01-01"), expected a timestamp'],
    ['null body', null, ' is null, expected an object'],
  ])('GIVEN %s THEN the problem names the field', (_name, reply, problem) => {
    expect(findShapeProblem(reply, PIPELINE_STATE_REPLY, '')).toBe(problem);
  });

  test('GIVEN GetPipeline and GetPipelineExecution replies THEN required parts are required and NaN is no number', () => {
    expect(findShapeProblem({ pipeline: { stages: [], variables: [{ name: 'A' }] } }, PIPELINE_REPLY, '')).toBeUndefined();
    expect(findShapeProblem({ pipeline: { variables: [{ defaultValue: 'x' }] } }, PIPELINE_REPLY, '')).toBe('pipeline.variables[0].name is missing');
    expect(findShapeProblem({ pipeline: { version: Number.NaN } }, PIPELINE_REPLY, '')).toBe('pipeline.version is a number (NaN), expected a number');
    expect(findShapeProblem({ pipelineExecution: {} }, PIPELINE_EXECUTION_REPLY, '')).toBe('pipelineExecution.status is missing');
  });
});

describe('checkReply', () => {
  test('GIVEN a valid reply THEN it is returned unchanged; GIVEN an invalid one THEN a FAILED error names operation and field', () => {
    const good = { stageStates: [] };

    expect(checkReply(context, good, PIPELINE_STATE_REPLY)).toBe(good);
    expect(() => checkReply(context, { stageStates: {} }, PIPELINE_STATE_REPLY)).toThrow(expect.objectContaining({
      code: DeliveryErrorCode.FAILED,
      message: "The reply to GetPipelineState on pipeline 'my-app' is not a valid CodePipeline reply: stageStates is an object, expected a list. " +
        'Nothing was decided from it. Check that the endpoint (AWS_ENDPOINT_URL_CODEPIPELINE, a proxy) is CodePipeline.',
    }));
  });
});

describe('raceSignal', () => {
  test('GIVEN no abort THEN the promise value; GIVEN an abort THEN the reason, at once; GIVEN an aborted signal THEN the reason without waiting', async () => {
    const controller = new AbortController();
    await expect(raceSignal(Promise.resolve(7), controller.signal)).resolves.toBe(7);

    const never = new Promise<number>(() => undefined);
    const raced = raceSignal(never, controller.signal);
    controller.abort(CommandAborted.deadline(2));
    await expect(raced).rejects.toMatchObject({ name: 'CommandAborted', kind: 'deadline', message: 'The command deadline of 2 s passed' });

    await expect(raceSignal(Promise.reject(new Error('late')), controller.signal)).rejects.toMatchObject({ kind: 'deadline' });
    await expect(raceSignal(Promise.resolve(1), undefined)).resolves.toBe(1);
  });
});

describe('uncertainty of a failed PutApprovalResult', () => {
  const sdkError = (name: string, metadata: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, $metadata: metadata, ...extra });

  test.each([
    [sdkError('ApprovalAlreadyCompletedException', { httpStatusCode: 400, attempts: 2 }),
      'the reply to an earlier attempt was lost and the retry (attempt 2) found the token used (ApprovalAlreadyCompletedException)'],
    [sdkError('InternalFailure', { httpStatusCode: 500, attempts: 3 }), 'CodePipeline answered HTTP 500 (InternalFailure)'],
    [sdkError('TimeoutError', {}, { code: 'ETIMEDOUT' }), 'no reply came (TimeoutError, ETIMEDOUT)'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'no reply came (Error, ECONNRESET)'],
    [CommandAborted.interrupted('SIGTERM'), 'the command was interrupted (SIGTERM) before the reply came'],
    [CommandAborted.deadline(30), 'the command deadline passed before the reply came'],
  ])('GIVEN %s THEN uncertain: %s', (error, why) => {
    expect(uncertainty(error)).toBe(why);
  });

  test.each([
    sdkError('InvalidApprovalTokenException', { httpStatusCode: 400, attempts: 1 }),
    sdkError('AccessDeniedException', { httpStatusCode: 400, attempts: 1 }),
    sdkError('ValidationException', { httpStatusCode: 400, attempts: 1 }),
    sdkError('CredentialsProviderError', {}),
  ])('GIVEN %s THEN certainly not recorded (no re-read)', (error) => {
    expect(uncertainty(error)).toBeUndefined();
  });
});
