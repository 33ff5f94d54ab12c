import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { referencePipeline } from '../fixtures/app';

describe('cdk-nag AwsSolutions', () => {
  test('the reference pipeline has no finding; every acknowledgment carries a reason', () => {
    const { f } = referencePipeline();
    f.app.synth(); // acknowledgments are made by an aspect, during synthesis
    const report = new AwsSolutionsChecks().validateScope(f.stack);
    expect(report.violations.map(v => v.ruleName)).toEqual([]);

    const acknowledgments = f.stack.node.findAll().flatMap(c => c.node.metadata
      .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap(m => Object.entries(m.data as Record<string, string>)));
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgments) {
      expect(id).toMatch(/AwsSolutions-(IAM5\[.+\]|S1)$/);
      expect(reason.length).toBeGreaterThan(30);
    }
  });

  test('a wildcard the library does not create is still reported', () => {
    const { f, pipeline } = referencePipeline();
    pipeline.cdkPipeline.synthProject.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    f.app.synth();
    const report = new AwsSolutionsChecks().validateScope(f.stack);
    expect(report.violations.map(v => v.ruleName)).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Action::s3:*]',
      'AwsSolutions-IAM5[Resource::*]',
    ]));
  });
});
