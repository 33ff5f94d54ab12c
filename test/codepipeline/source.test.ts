import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeliveryPipeline, PipelineSource } from '../../src';
import { AppStage, CONNECTION_ARN, PIPELINE_ENV } from '../fixtures/app';

function sourceAction(source: (stack: Stack) => PipelineSource) {
  const app = new App();
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  new DeliveryPipeline(stack, 'Delivery', {
    source: source(stack),
    synth: { commands: ['npx cdk synth'] },
    staging: { stage: new AppStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } }) },
    production: { stages: [new AppStage(app, 'Prod', { env: { account: '333333333333', region: 'us-east-1' } })] },
  });
  const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages[0].Actions[0];
}

describe('PipelineSource', () => {
  test('connection: CodeStarSourceConnection with the repository, branch and connection ARN', () => {
    const action = sourceAction(() => PipelineSource.connection('acme/app', 'release', { connectionArn: CONNECTION_ARN }));
    expect(action.ActionTypeId).toEqual({ Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' });
    expect(action.Configuration).toEqual(expect.objectContaining({
      FullRepositoryId: 'acme/app', BranchName: 'release', ConnectionArn: CONNECTION_ARN, DetectChanges: true,
    }));
  });

  test('connection: options missing (a null from another jsii language) is a clear error, not a TypeError', () => {
    const message = "source: no connectionArn was given for acme/app. Pass the options with the connection's ARN: PipelineSource.connection('acme/app', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abcd-1234' }).";
    expect(() => PipelineSource.connection('acme/app', 'main', null as never)).toThrow(message);
    expect(() => PipelineSource.connection('acme/app', 'main', {} as never)).toThrow(message);
  });

  test('connection: push trigger and full clone are configurable', () => {
    const action = sourceAction(() => PipelineSource.connection('acme/app', 'main', {
      connectionArn: CONNECTION_ARN, triggerOnPush: false, codeBuildCloneOutput: true,
    }));
    expect(action.Configuration).toEqual(expect.objectContaining({ DetectChanges: false, OutputArtifactFormat: 'CODEBUILD_CLONE_REF' }));
  });

  test('CodeCommit', () => {
    const action = sourceAction(stack => PipelineSource.codeCommit(
      codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app'), 'main'));
    expect(action.ActionTypeId.Provider).toBe('CodeCommit');
    expect(action.Configuration).toEqual(expect.objectContaining({ RepositoryName: 'app', BranchName: 'main' }));
  });

  test('S3', () => {
    const action = sourceAction(stack => PipelineSource.s3(s3.Bucket.fromBucketName(stack, 'Bucket', 'sources'), 'app/source.zip'));
    expect(action.ActionTypeId.Provider).toBe('S3');
    expect(action.Configuration).toEqual(expect.objectContaining({ S3Bucket: 'sources', S3ObjectKey: 'app/source.zip' }));
  });

  test('describes itself', () => {
    expect(PipelineSource.connection('acme/app', 'main', { connectionArn: CONNECTION_ARN }).description).toBe('acme/app@main');
  });

  test.each([
    [() => PipelineSource.connection('acme', 'main', { connectionArn: CONNECTION_ARN }),
      "source: the repository 'acme' is not in the form 'owner/repo'. Pass it as PipelineSource.connection('owner/repo', 'main', { connectionArn })."],
    [() => PipelineSource.connection('acme/app', 'main', { connectionArn: 'arn:aws:iam::111111111111:role/x' }),
      "source: connectionArn 'arn:aws:iam::111111111111:role/x' is not a CodeConnections connection ARN. Use the ARN shown in the console, e.g. 'arn:aws:codeconnections:us-east-1:123456789012:connection/abcd-1234'."],
    [() => PipelineSource.connection('acme/app', ' ', { connectionArn: CONNECTION_ARN }),
      "source: the branch is empty. Pass the branch to release from, e.g. 'main'."],
    [() => PipelineSource.s3(s3.Bucket.fromBucketName(new Stack(), 'B', 'sources'), ''),
      "source: the S3 object key is empty. Pass the key of the zip file, e.g. PipelineSource.s3(bucket, 'app/source.zip')."],
  ])('rejects bad input with a clear message (%#)', (make, message) => {
    expect(make).toThrow(message);
  });

  test('accepts the older codestar-connections ARN form', () => {
    expect(() => PipelineSource.connection('acme/app', 'main', {
      connectionArn: 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/abc',
    })).not.toThrow();
  });
});
