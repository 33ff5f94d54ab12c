import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeliveryPipeline, DeliveryPipelineProps, PipelineSource } from '../../src';
import { GatePlacement, GateReason } from '../../src/blueprint/release-plan';
import { approvalComment, reviewComment } from '../../src/codepipeline/private/approval-comment';
import { fixture, Fixture, referenceProps } from '../fixtures/app';

/**
 * The approvals the pipeline creates name the release they approve: the default comment (CustomData) references
 * the source action's CommitId and CommitMessage (VersionId for S3), which CodePipeline fills in at run time.
 */

interface ActionJson {
  Name: string;
  ActionTypeId: { Category: string; Provider: string };
  Configuration?: Record<string, string>;
  Namespace?: string;
}

/** The default comment of production's change-set review (on by default), naming the same revision. */
const REVIEW = 'Change-set review of Production: a function reads the change sets prepared above, approves a safe release by itself, '
  + 'and leaves a risky one here for a person. The review\'s summary: see the review link (the function\'s log, filtered to this '
  + 'execution), or run cdk-delivery status.';

function build(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>) {
  const f = fixture();
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
  const [resource] = Object.values(Template.fromStack(f.stack).findResources('AWS::CodePipeline::Pipeline'));
  const stages = resource.Properties.Stages as Array<{ Name: string; Actions: ActionJson[] }>;
  const actions = stages.flatMap(s => s.Actions);
  return {
    source: actions.find(a => a.ActionTypeId.Category === 'Source')!,
    comments: actions.filter(a => a.ActionTypeId.Category === 'Approval').map(a => a.Configuration!.CustomData),
  };
}

test('GIVEN continuous delivery WHEN synthesized THEN the production approval names the commit and its message through the source variables', () => {
  const { source, comments } = build(() => ({}));

  expect(source.Namespace).toBe('Source@acme_app');
  expect(comments).toEqual(['Approve the release to Production. Staging is deployed; its verification runs in parallel with this approval. ' +
    'It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}',
  `${REVIEW} It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}`]);
});

test('GIVEN a migration gate under continuous deployment WHEN synthesized THEN it names the commit too', () => {
  const { comments } = build(f => ({
    requireManualApproval: false,
    production: { stages: f.production, migrations: [{ name: 'Migrate', commands: ['npm run migrate'] }] },
  }));

  expect(comments).toEqual(['Approve the migration(s) Migrate before they run in Production. It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}',
    `${REVIEW} It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}`]);
});

test('GIVEN an S3 source WHEN synthesized THEN the approval names the object version (S3 reports no message)', () => {
  const { source, comments } = build(f => ({ source: PipelineSource.s3(s3.Bucket.fromBucketName(f.stack, 'SourceBucket', 'sources'), 'app/source.zip') }));

  expect(source.Namespace).toMatch(/^Source@/);
  expect(comments).toEqual([`Approve the release to Production. Staging is deployed; its verification runs in parallel with this approval. It releases source version #{${source.Namespace}.VersionId}.`,
    `${REVIEW} It releases source version #{${source.Namespace}.VersionId}.`]);
});

test('GIVEN the user\'s own comment WHEN synthesized THEN it is used as given', () => {
  const { comments } = build(() => ({ approval: { comment: 'Check the staging dashboard.' } }));

  // The user's comment is the production approval's; the review's approval keeps its own, which names the commit.
  expect(comments).toEqual(['Check the staging dashboard.', `${REVIEW} It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}`]);
});

test('GIVEN migrations whose names and the commit reference would pass 1000 characters WHEN the comment is made THEN the migrations are counted', () => {
  const gate = { gatedEnvironment: 'Production', placement: GatePlacement.BEFORE_DEPLOYMENT, reason: GateReason.MIGRATION, migrations: Array.from({ length: 8 }, (_, i) => `Migrate${i}-${'m'.repeat(90)}`) };
  const revision = { noun: 'commit', id: '#{Source@acme_app.CommitId}', message: '#{Source@acme_app.CommitMessage}' };

  // Without the reference the names fit (8 × ~100 characters); with it, counted at its longest rendering, they do not.
  expect(approvalComment(gate)).toContain('Migrate7-');
  expect(approvalComment(gate, revision)).toBe('Approve the migration(s) 8 listed in the stage before they run in Production. ' +
    'It releases commit #{Source@acme_app.CommitId}: #{Source@acme_app.CommitMessage}');
  expect(approvalComment({ ...gate, migrations: gate.migrations.slice(0, 2) }, revision)).toContain('Migrate1-');
});

test('GIVEN the longest environment name and references WHEN the Review approval\'s comment is made THEN it fits 1000 characters; a longer one is an internal error, not a silent cut', () => {
  const longest = { noun: 'commit', id: `#{Source@${'a'.repeat(100)}.CommitId}`, message: `#{Source@${'a'.repeat(100)}.CommitMessage}`, author: `#{Build@${'s'.repeat(100)}.CDK_DELIVERY_COMMIT_AUTHOR}` };
  const comment = reviewComment('P'.repeat(100), longest);
  expect(comment.length).toBeLessThanOrEqual(1000);
  expect(comment).toContain(`by ${longest.author}: ${longest.message}`);
  expect(() => reviewComment('P'.repeat(700), longest)).toThrow(/the Review approval's comment of P+ could pass CodePipeline's 1000 characters/);
});
