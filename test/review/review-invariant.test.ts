import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readStage, RenderedStage } from '../../src/private/rendered-pipeline';
import { reviewOrderProblems } from '../../src/review/review-invariant';

/** The rendered Production stage of a real L2 pipeline whose actions sit at the given run orders. */
function productionStage(orders: { prepare: number; review?: number; deploy: number; direct?: boolean }): RenderedStage {
  const app = new App();
  const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'us-east-1' } });
  const source = new codepipeline.Artifact('Source');
  const stackName = 'Prod-App';
  const stageActions: codepipeline.IAction[] = [
    new actions.CloudFormationCreateReplaceChangeSetAction({
      actionName: 'App.Prepare', stackName, changeSetName: 'PipelineChange', adminPermissions: false, templatePath: source.atPath('App.template.json'), runOrder: orders.prepare,
    }),
    new actions.CloudFormationExecuteChangeSetAction({ actionName: 'App.Deploy', stackName, changeSetName: 'PipelineChange', runOrder: orders.deploy }),
  ];
  if (orders.review !== undefined) {
    stageActions.push(new actions.ManualApprovalAction({ actionName: 'Review', runOrder: orders.review }));
  }
  if (orders.direct) {
    stageActions.push(new actions.CloudFormationCreateUpdateStackAction({
      actionName: 'Other.Deploy', stackName: 'Prod-Other', adminPermissions: false, templatePath: source.atPath('Other.template.json'), runOrder: orders.deploy,
    }));
  }
  new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    stages: [
      { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: s3.Bucket.fromBucketName(stack, 'B', 'src'), bucketKey: 'src.zip', output: source })] },
      { stageName: 'Production', actions: stageActions },
    ],
  });
  const pipeline = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0];
  return (pipeline.Properties.Stages as unknown[]).map(s => readStage(s)).find(s => s.name === 'Production')!;
}

describe('no change set executes without its review', () => {
  test('holds when every change set is prepared before the review and executed after it', () => {
    expect(reviewOrderProblems(productionStage({ prepare: 1, review: 2, deploy: 3 }), 'Review')).toEqual([]);
  });

  test('fails when the review is missing', () => {
    expect(reviewOrderProblems(productionStage({ prepare: 1, deploy: 2 }), 'Review')).toEqual([
      "stage 'Production' has no manual approval 'Review': its change sets execute unreviewed",
    ]);
  });

  test('fails when a change set executes beside the review, or is prepared after it', () => {
    expect(reviewOrderProblems(productionStage({ prepare: 1, review: 2, deploy: 2 }), 'Review')).toEqual([
      "stage 'Production': 'App.Deploy' executes its change set at run order 2, not after the review 'Review' (2)",
    ]);
    expect(reviewOrderProblems(productionStage({ prepare: 2, review: 1, deploy: 3 }), 'Review')).toEqual([
      "stage 'Production': 'App.Prepare' prepares its change set at run order 2, not before the review 'Review' (1)",
    ]);
  });

  test('fails when a stack of the stage deploys directly (nothing for the review to read)', () => {
    expect(reviewOrderProblems(productionStage({ prepare: 1, review: 2, deploy: 3, direct: true }), 'Review')).toEqual([
      "stage 'Production': 'Other.Deploy' deploys directly (CREATE_UPDATE), without a change set the review could read",
    ]);
  });
});
