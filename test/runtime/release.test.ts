import { GetPipelineCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { mockedOperations, PIPELINE } from './sdk-fixtures';
import { DeliveryErrorCode } from '../../src/runtime/errors';

describe('release', () => {
  test('GIVEN variables, a source revision and a token WHEN released THEN StartPipelineExecution gets them and the id is returned', async () => {
    // GIVEN
    const { mock, ops } = mockedOperations();
    mock.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-42' });
    mock.on(GetPipelineCommand).resolves({ pipeline: { name: PIPELINE, roleArn: 'r', stages: [], variables: [{ name: 'RELEASE_NOTE' }] } });

    // WHEN
    const outcome = await ops.release({
      variables: [{ name: 'RELEASE_NOTE', value: 'hotfix=1' }],
      sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: '4f2a9c1' }],
      clientRequestToken: 'release-2025-03-01',
    });

    // THEN
    expect(mock.commandCalls(StartPipelineExecutionCommand)[0].args[0].input).toEqual({
      name: PIPELINE,
      variables: [{ name: 'RELEASE_NOTE', value: 'hotfix=1' }],
      sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: '4f2a9c1' }],
      clientRequestToken: 'release-2025-03-01',
    });
    expect(outcome).toEqual({ pipelineName: PIPELINE, pipelineExecutionId: 'exec-42' });
  });

  test('GIVEN no options WHEN released THEN only the name is sent', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });

    await ops.release();

    expect(mock.commandCalls(StartPipelineExecutionCommand)[0].args[0].input).toEqual({ name: PIPELINE });
  });

  test('GIVEN a response without id WHEN released THEN it fails clearly', async () => {
    const { mock, ops } = mockedOperations();
    mock.on(StartPipelineExecutionCommand).resolves({});

    await expect(ops.release()).rejects.toMatchObject({
      code: DeliveryErrorCode.FAILED, message: "StartPipelineExecution on pipeline 'my-app' returned no execution id.",
    });
  });

  test.each([
    [{ variables: [{ name: 'bad name', value: 'v' }] }, "Pipeline variable name 'bad name' is invalid: use 1-128 letters, digits, '@', '-' or '_'."],
    [{ variables: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }, "Pipeline variable 'A' is given twice."],
    [{ variables: [{ name: 'A', value: '' }] }, "Pipeline variable 'A' needs a value of 1-1000 characters, got 0."],
    [{ sourceRevisions: [{ actionName: 'Source', revisionType: 'BRANCH', revisionValue: 'main' }] },
      "Source revision type 'BRANCH' for action 'Source' is invalid: use one of COMMIT_ID, IMAGE_DIGEST, S3_OBJECT_KEY, S3_OBJECT_VERSION_ID."],
    [{ sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: '' }] }, 'A source revision needs an action name and a revision value.'],
    [{ sourceRevisions: [{ actionName: 'S', revisionType: 'COMMIT_ID', revisionValue: 'a' }, { actionName: 'S', revisionType: 'COMMIT_ID', revisionValue: 'b' }] },
      "Source action 'S' has two revisions."],
    [{ clientRequestToken: 'not valid!' }, "Client request token 'not valid!' is invalid: use 1-128 letters, digits or '-'."],
  ])('GIVEN invalid options %j WHEN released THEN it is refused before any call', async (options, message) => {
    const { mock, ops } = mockedOperations();

    await expect(ops.release(options)).rejects.toMatchObject({ code: DeliveryErrorCode.INVALID_INPUT, message });
    expect(mock.calls()).toHaveLength(0);
  });
});
