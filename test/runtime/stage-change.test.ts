import { PassThrough } from 'node:stream';
import { GetPipelineStateCommand, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { mockedOperations } from './sdk-fixtures';
import { terminalConfirm } from '../../src/cli/io';
import { DeliveryError, DeliveryErrorCode, STATE_CONFLICT_ERRORS, toDeliveryError } from '../../src/runtime/errors';
import { OverrideOptions } from '../../src/runtime/override-condition';
import { RollbackOptions } from '../../src/runtime/rollback';
import {
  changeUncertainty, MAX_CHANGE_REASON_LENGTH, validateChangeReason, validateExecutionId, validateStageName,
} from '../../src/runtime/stage-change';
import { StopOptions } from '../../src/runtime/stop-execution';

const ID = '3f658bd1-69e6-4448-ba3e-790071f5a2c4';

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).code).toBe(DeliveryErrorCode.INVALID_INPUT);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('input checks of the on-call commands (typed and untyped callers)', () => {
  test('GIVEN a CodePipeline execution id WHEN checked THEN it passes', () => {
    expect(() => validateExecutionId(ID, '--to')).not.toThrow();
  });

  test.each([
    ['exec-1', '"exec-1"'],
    [ID.toUpperCase(), JSON.stringify(ID.toUpperCase())],
    [42, '42'],
    [undefined, 'undefined'],
    [null, 'null'],
  ])('GIVEN %p WHEN checked as an execution id THEN the message names the option, the value and the expected form', (value, shown) => {
    expect(messageOf(() => validateExecutionId(value, '--to'))).toBe(`--to ${shown} is not a CodePipeline execution id: expected 8-4-4-4-12 ` +
      'lower-case hex digits such as 3f658bd1-69e6-4448-ba3e-790071f5a2c4 (see `cdk-delivery status` or the console).');
  });

  test.each(['Production', 'Production-eu-2', 'a.b@c_d'])('GIVEN the stage name %p WHEN checked THEN it passes', (name) => {
    expect(() => validateStageName(name)).not.toThrow();
  });

  test.each([[''], ['Prod uction'], ['x'.repeat(101)], [7], [{ name: 'Production' }]])('GIVEN %p WHEN checked as a stage name THEN a usage error naming --stage', (value) => {
    expect(messageOf(() => validateStageName(value))).toMatch(/^--stage .* is not a stage name: use the name `cdk-delivery status` shows/);
  });

  test('GIVEN a reason of exactly the limit WHEN checked THEN it passes; one more character fails naming both lengths', () => {
    expect(() => validateChangeReason('x'.repeat(MAX_CHANGE_REASON_LENGTH))).not.toThrow();
    expect(messageOf(() => validateChangeReason('x'.repeat(MAX_CHANGE_REASON_LENGTH + 1))))
      .toBe('--reason has 201 characters; CodePipeline keeps at most 200. Shorten it.');
  });

  test.each([[''], ['  '], [undefined], [12]])('GIVEN the reason %p WHEN checked THEN it is required and not blank', (value) => {
    expect(messageOf(() => validateChangeReason(value))).toMatch(/^--reason is required and must not be blank: say why/);
  });

  test('GIVEN an untyped caller of the operations client WHEN it passes wrong types THEN INVALID_INPUT before any AWS call', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves({ stageStates: [] });

    await expect(ops.planRollback({ stageName: 42 } as unknown as RollbackOptions)).rejects.toThrow('--stage 42 is not a stage name');
    await expect(ops.planRollback({ stageName: 'Production', targetPipelineExecutionId: 7 } as unknown as RollbackOptions))
      .rejects.toThrow('--to 7 is not a CodePipeline execution id');
    await expect(ops.planStop({ reason: ['no'] } as unknown as StopOptions)).rejects.toThrow('--reason is required');
    await expect(ops.planOverride({ stageName: 'Production', reason: 'ok', conditionType: 'on_failure' } as OverrideOptions))
      .rejects.toThrow('--condition "on_failure" is not a condition CodePipeline overrides');
    expect(mock.calls()).toHaveLength(0);
  });

  test('GIVEN a stage the pipeline does not have WHEN a rollback is planned THEN NOT_FOUND listing its stages; no rollback sent', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(GetPipelineStateCommand).resolves({ pipelineVersion: 2, stageStates: [{ stageName: 'Source' }, { stageName: 'Production' }] });

    await expect(ops.planRollback({ stageName: 'Prod' })).rejects.toMatchObject({
      code: DeliveryErrorCode.NOT_FOUND, message: "Pipeline 'my-app' has no stage 'Prod'. Its stages: Source, Production.",
    });
    expect(mock.commandCalls(RollbackStageCommand)).toHaveLength(0);
  });
});

describe('when is the outcome of a change uncertain', () => {
  const REFUSALS = new Set(['UnableToRollbackStageException']);
  const sdkError = (name: string, attempts: number, httpStatusCode?: number) =>
    Object.assign(new Error(name), { name, $metadata: { attempts, httpStatusCode } });

  test.each([
    ['a validation error on the only attempt', sdkError('ValidationException', 1, 400), undefined],
    ['a refusal on the only attempt (nothing was made by us)', sdkError('UnableToRollbackStageException', 1, 400), undefined],
    ['missing credentials', Object.assign(new Error('no creds'), { name: 'CredentialsProviderError' }), undefined],
  ])('GIVEN %s THEN it is certain: nothing was made', (_name, error, expected) => {
    expect(changeUncertainty(error, REFUSALS)).toBe(expected);
  });

  test.each([
    ['a refusal of the resend', sdkError('UnableToRollbackStageException', 2, 400),
      'the reply to an earlier attempt was lost and the retry (attempt 2) was refused (UnableToRollbackStageException)'],
    ['a 500', sdkError('InternalFailure', 3, 500), 'CodePipeline answered HTTP 500 (InternalFailure)'],
    ['throttling after a resend', sdkError('ThrottlingException', 3, 400),
      'the request was sent 3 times and the last attempt failed (ThrottlingException), so an earlier one may have been applied'],
    ['no reply', Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' }), 'no reply came (Error, ECONNRESET)'],
  ])('GIVEN %s THEN it is uncertain, and says why', (_name, error, expected) => {
    expect(changeUncertainty(error, REFUSALS)).toBe(expected);
  });
});

describe('the confirmation on a terminal', () => {
  function tty(): PassThrough & { isTTY: boolean } {
    return Object.assign(new PassThrough(), { isTTY: true });
  }

  test('GIVEN stdin is not a terminal THEN nobody can be asked (undefined: the CLI then needs --yes)', () => {
    expect(terminalConfirm(Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream, new PassThrough())).toBeUndefined();
  });

  test.each([['y\n', true], ['yes\n', true], ['YES\n', true], ['n\n', false], ['\n', false], ['sure\n', false]])(
    'GIVEN the answer %j THEN the confirmation is %p', async (typed, expected) => {
      const input = tty();
      const output = new PassThrough();
      const confirm = terminalConfirm(input as unknown as NodeJS.ReadStream, output);
      const answer = confirm?.('Proceed? [y/N] ');
      input.write(typed);

      await expect(answer).resolves.toBe(expected);
      expect(String(output.read())).toContain('Proceed? [y/N] ');
    });

  test('GIVEN stdin ends without an answer THEN it is declined', async () => {
    const input = tty();
    const answer = terminalConfirm(input as unknown as NodeJS.ReadStream, new PassThrough())?.('Proceed? ');
    input.end();

    await expect(answer).resolves.toBe(false);
  });
});

describe('CodePipeline refusing an on-call change because of the pipeline\'s state', () => {
  test.each([...STATE_CONFLICT_ERRORS])('GIVEN %s WHEN translated THEN CONFLICT (exit 6), saying nothing was changed and how to look', (name) => {
    const error = Object.assign(new Error('Busy'), { name, $metadata: { attempts: 1, httpStatusCode: 400 } });

    const translated = toDeliveryError(error, { operation: 'RollbackStage', pipelineName: 'my-app' });

    expect(translated.code).toBe(DeliveryErrorCode.CONFLICT);
    expect(translated.message).toBe(`CodePipeline refused RollbackStage on pipeline 'my-app': the pipeline's state does not allow it now (${name}): Busy. ` +
      'Nothing was changed by this request; run `cdk-delivery status --pipeline my-app` to see the state.');
  });

  test('GIVEN an error outside the set WHEN translated THEN it is no conflict', () => {
    const error = Object.assign(new Error('bad'), { name: 'InvalidStructureException', $metadata: { attempts: 1, httpStatusCode: 400 } });

    expect(toDeliveryError(error, { operation: 'RollbackStage', pipelineName: 'my-app' }).code).toBe(DeliveryErrorCode.FAILED);
  });
});
