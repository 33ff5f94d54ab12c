import { CodePipelineClient, GetPipelineCommandOutput, GetPipelineStateCommandOutput, StageState } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { PipelineOperations } from '../../src/runtime/operations-client';

export const PIPELINE = 'my-app';
export const ARN = 'arn:aws:codepipeline:eu-west-1:111111111111:my-app';

/** A client whose `send` is mocked, and the operations client over it. */
export function mockedOperations() {
  const client = new CodePipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  return { client, mock, ops: new PipelineOperations({ client, pipelineName: PIPELINE }) };
}

export function pipelineDefinition(stageNames: string[]): GetPipelineCommandOutput {
  return {
    $metadata: {},
    pipeline: { name: PIPELINE, roleArn: 'arn:aws:iam::111111111111:role/p', version: 7, stages: stageNames.map((name) => ({ name, actions: [] })) },
    metadata: { pipelineArn: ARN },
  };
}

/** A stage waiting at an approval action (stage and action InProgress, with a token). */
export function approvalStage(stageName: string, actionName: string, token: string, executionId = 'exec-1'): StageState {
  return {
    stageName,
    inboundTransitionState: { enabled: true },
    latestExecution: { pipelineExecutionId: executionId, status: 'InProgress' },
    actionStates: [{
      actionName,
      latestExecution: { status: 'InProgress', token, lastStatusChange: new Date('2025-03-01T10:00:00Z') },
    }],
  };
}

export function finishedStage(stageName: string, status: 'Succeeded' | 'Failed' = 'Succeeded', actions: string[] = ['Deploy']): StageState {
  return {
    stageName,
    inboundTransitionState: { enabled: true },
    latestExecution: { pipelineExecutionId: 'exec-0', status },
    actionStates: actions.map((actionName) => ({ actionName, latestExecution: { status } })),
  };
}

export function state(stageStates: StageState[]): GetPipelineStateCommandOutput {
  return { $metadata: {}, pipelineName: PIPELINE, pipelineVersion: 7, stageStates };
}
