import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { referencePipeline } from '../fixtures/app';

/** The cdk-nag AwsSolutions acknowledgments recorded on one construct (rule id → reason); other plugins' are not this file's. */
function acknowledgmentsOn(c: IConstruct): Array<[string, string]> {
  return c.node.metadata
    .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap(m => Object.entries(m.data as Record<string, string>))
    .filter(([id]) => id.startsWith('AwsSolutions-'));
}

/** cdk-nag's IAM5 finding ids of one policy, computed by cdk-nag's own rule, ignoring acknowledgments. */
function iam5FindingsOf(policy: iam.CfnPolicy): string[] {
  const result = rules.iam.IAMNoWildcardPermissions(policy);
  return Array.isArray(result) ? result.map(finding => `AwsSolutions-IAM5[${finding}]`) : [];
}

function violationsOf(stack: Stack): Array<[string, string[]]> {
  return new AwsSolutionsChecks().validateScope(stack).violations
    .map((v): [string, string[]] => [v.ruleName, v.violatingResources.map(r => r.constructPath ?? '')]);
}

describe('cdk-nag AwsSolutions on the reference pipeline', () => {
  const { f, pipeline } = referencePipeline();
  f.app.synth(); // acknowledgments are made by an aspect, during synthesis
  const policies = f.stack.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy);
  const acknowledgments = f.stack.node.findAll().flatMap(acknowledgmentsOn);

  test('has no finding', () => {
    expect(violationsOf(f.stack)).toEqual([]);
  });

  test('every acknowledgment is one exact finding id (never a bare AwsSolutions-IAM5) with a reason naming it', () => {
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgments) {
      expect(id).toMatch(/^AwsSolutions-(IAM5\[(Action|Resource)::[^\]]+\]|S1)$/);
      expect(reason.length).toBeGreaterThan(60);
      const wildcard = /^AwsSolutions-IAM5\[(?:Action|Resource)::(.+)\]$/.exec(id)?.[1];
      if (wildcard) {
        // The reason is about this finding, not a reason shared by the whole policy.
        expect(reason).toContain(wildcard === '*' ? 'Resource \'*\'' : wildcard);
      }
    }
  });

  test('acknowledges on each policy exactly the IAM5 findings cdk-nag computes for it, nothing more', () => {
    expect(policies.length).toBeGreaterThan(5);
    for (const policy of policies) {
      const acknowledged = acknowledgmentsOn(policy).map(([id]) => id).sort();
      expect({ policy: policy.node.path, acknowledged }).toEqual({ policy: policy.node.path, acknowledged: iam5FindingsOf(policy).sort() });
    }
  });

  test('IAM5 is acknowledged on policies only, S1 on the artifact bucket only', () => {
    for (const c of f.stack.node.findAll()) {
      for (const [id] of acknowledgmentsOn(c)) {
        const expected = id === 'AwsSolutions-S1' ? c === pipeline.pipeline.artifactBucket : c instanceof iam.CfnPolicy;
        expect([c.node.path, id, expected]).toEqual([c.node.path, id, true]);
      }
    }
  });

  test('the S1 reason claims no CloudTrail record of object access; it names data events and a log bucket', () => {
    const s1 = acknowledgments.filter(([id]) => id === 'AwsSolutions-S1').map(([, reason]) => reason);
    expect(s1).toHaveLength(1);
    expect(s1[0]).toMatch(/only pipeline artifacts/);
    expect(s1[0]).toMatch(/separate log bucket/);
    expect(s1[0]).toMatch(/CloudTrail S3 data events/);
    expect(s1[0]).not.toMatch(/CloudTrail records/);
  });

  test('the cross-region replication buckets (support stacks) carry the S1 acknowledgment and have no finding', () => {
    // After synthesis, crossRegionSupport also lists the pipeline's own region, with the artifact bucket.
    const support = Object.values(pipeline.pipeline.crossRegionSupport).filter(s => s.replicationBucket !== pipeline.pipeline.artifactBucket);
    expect(support.length).toBe(2);
    for (const s of support) {
      expect(acknowledgmentsOn(s.replicationBucket).map(([id, reason]) => [id, /CloudTrail S3 data events/.test(reason)]))
        .toEqual([['AwsSolutions-S1', true]]);
      expect(violationsOf(s.stack)).toEqual([]);
    }
  });
});
