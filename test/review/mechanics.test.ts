import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { readStage, RenderedStage } from '../../src/private/rendered-pipeline';
import { ChangeSetReview } from '../../src/review/private/change-set-review';
import { reviewOrderProblems } from '../../src/review/review-invariant';

/*
 * The behaviours of other systems the change-set review relies on that can be checked offline (docs/change-review.md,
 * "What it relies on"). A failure here means the review's wiring or its permissions must change.
 */

const TARGET = { account: '222222222222', region: 'eu-west-1' };

describe('CDK Pipelines with change sets', () => {
  function productionStage(): RenderedStage {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'us-east-1' } });
    const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
      synth: new pipelines.ShellStep('Synth', { input: pipelines.CodePipelineSource.gitHub('acme/app', 'main'), commands: ['npx cdk synth'] }),
      useChangeSets: true,
      crossAccountKeys: true,
    });
    const prod = new Stage(app, 'Prod', { env: TARGET });
    new sqs.Queue(new Stack(prod, 'App'), 'Queue');
    pipeline.addStage(prod);
    pipeline.buildPipeline();
    const rendered = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0];
    return (rendered.Properties.Stages as unknown[]).map(s => readStage(s)).find(s => s.name === 'Prod')!;
  }

  test('prepare (CHANGE_SET_REPLACE) and execute (CHANGE_SET_EXECUTE) of change set PipelineChange, one run order apart, stack Prod-App', () => {
    const stage = productionStage();
    const rows = stage.actions.map(a => {
      const c = a.configuration;
      return [a.name, a.runOrder, c.ActionMode, c.ChangeSetName, c.StackName];
    });
    expect(rows).toEqual([
      // A wave of one single-stack Stage names the pair without the stack prefix.
      ['Prepare', 1, 'CHANGE_SET_REPLACE', 'PipelineChange', 'Prod-App'],
      ['Deploy', 2, 'CHANGE_SET_EXECUTE', 'PipelineChange', 'Prod-App'],
    ]);
    // As CDK Pipelines renders it, nothing sits between them: the layout must add the review's slot (one hop).
    expect(reviewOrderProblems(stage, 'Review')).toEqual(["stage 'Prod' has no manual approval 'Review': its change sets execute unreviewed"]);
  });
});

describe('CDK bootstrap\'s lookup role (the role the review assumes in a target account)', () => {
  const template = fs.readFileSync(path.join(require.resolve('aws-cdk/package.json'), '..', 'lib', 'api', 'bootstrap', 'bootstrap-template.yaml'), 'utf-8');
  const lookupRole = template.slice(template.indexOf('\n  LookupRole:'), template.indexOf('\n  FilePublishingRoleDefaultPolicy:'));

  test('is named cdk-<qualifier>-lookup-role-<account>-<region>, read-only, and may not decrypt', () => {
    expect(lookupRole).toContain('Fn::Sub: cdk-${Qualifier}-lookup-role-${AWS::AccountId}-${AWS::Region}');
    expect(lookupRole).toContain('arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess');
    expect(lookupRole).toMatch(/Effect: Deny\s+Action:\s+- kms:Decrypt/);
  });

  test('trusts the accounts given with --trust (the pipeline account), not only --trust-for-lookup', () => {
    expect(lookupRole).toMatch(/Principal:\s+AWS:\s+Ref: TrustedAccounts\n/);
    expect(lookupRole).toMatch(/Principal:\s+AWS:\s+Ref: TrustedAccountsForLookup\n/);
  });

  test('aws-cdk-lib\'s default synthesizer names the same role as the review\'s default', () => {
    const app = new App();
    const stack = new Stack(app, 'Prod-App', { env: TARGET });
    const artifact = app.synth().getStackByName(stack.stackName) as cxapi.CloudFormationStackArtifact;
    expect(artifact.lookupRole?.arn).toBe('arn:${AWS::Partition}:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1');

    const pipelineStack = new Stack(new App(), 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const review = new ChangeSetReview(pipelineStack, 'Review', {
      pipeline: codepipeline.Pipeline.fromPipelineArn(pipelineStack, 'Imported', 'arn:aws:codepipeline:eu-west-1:111111111111:my-app'),
      stageName: 'Prod',
      approvalActionName: 'Review',
      environmentName: 'Production',
      targets: [{ stackName: 'Prod-App', changeSetName: 'PipelineChange', ...TARGET }],
    });
    expect(pipelineStack.resolve(review.config.targets[0].roleArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1']],
    });
  });
});
