import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChangeReviewPolicy } from '../../src';
import { ChangeSetReview } from '../../src/review/private/change-set-review';
import { decisionFilterPattern, logGroupOfDecisionLink, consoleFragmentDecode } from '../../src/review/private/review-contract';
import { referencePipeline } from '../fixtures/app';

/*
 * The Review approval shows where the review's summary is (issue 20, item 4): CodePipeline cannot change a pending
 * approval's text, so its review link (ExternalEntityLink) opens the review function's log group in the CloudWatch
 * console, filtered to the decision line of the execution the approval waits for.
 */

interface RenderedAction {
  readonly Name: string;
  readonly ActionTypeId: { Category: string; Provider: string };
  readonly Configuration?: Record<string, unknown>;
}

function actionsOf(stack: Stack): RenderedAction[] {
  const pipelines = Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline');
  const stages = Object.values(pipelines)[0].Properties.Stages as Array<{ Name: string; Actions: RenderedAction[] }>;
  return stages.flatMap(s => s.Actions);
}

/** A template value with `Ref`s, `Fn::Join`s and the region pseudo-parameter replaced as CloudFormation would. */
function deployed(value: unknown, refs: Record<string, string>): string {
  if (typeof value === 'string') {
    return value;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') {
    return v.Ref === 'AWS::Region' ? 'us-east-1' : refs[v.Ref] ?? `<${v.Ref}>`;
  }
  const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
  return parts.map(p => deployed(p, refs)).join(separator);
}

describe('a reviewed production environment', () => {
  const { f } = referencePipeline({ changeReview: ChangeReviewPolicy.defaults() });
  const review = f.stack.node.findAll().find((c): c is ChangeSetReview => c instanceof ChangeSetReview)!;
  const logGroupId = f.stack.getLogicalId(review.logGroup.node.defaultChild as never);
  const approval = actionsOf(f.stack).find(a => a.Name === 'Review')!;

  test('the Review approval\'s review link is the review function\'s log group in the console, filtered to this execution', () => {
    // A name as CloudFormation generates it: the stack, the logical id, a random suffix.
    const generated = `PipelineStack-${logGroupId}-AbCdEf012345`;
    const link = deployed(approval.Configuration?.ExternalEntityLink, { [logGroupId]: generated });
    expect(logGroupOfDecisionLink(link)).toEqual({ region: 'us-east-1', logGroupName: generated });
    expect(link).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:log-groups\/log-group\//);
    // CodePipeline fills in the execution id when the approval starts (a variable every action configuration may use).
    const filter = consoleFragmentDecode(link.slice(link.indexOf('filterPattern$3D') + 'filterPattern$3D'.length).replace('#{codepipeline.PipelineExecutionId}', 'EXECUTION'));
    expect(filter).toBe(decisionFilterPattern('EXECUTION'));
    expect(link).toContain('#{codepipeline.PipelineExecutionId}');
  });

  test('the link refers to the log group the function writes (the same resource), not to a name of its own', () => {
    expect(JSON.stringify(approval.Configuration?.ExternalEntityLink)).toContain(`{"Ref":"${logGroupId}"}`);
    Template.fromStack(f.stack).hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logGroupId } },
    });
  });

  test('the comment says where the summary is', () => {
    expect(approval.Configuration?.CustomData).toMatch(/The review's summary: see the review link \(the function's log, filtered to this execution\), or run cdk-delivery status\. It releases commit #\{Source@acme_app\.CommitId\}: #\{Source@acme_app\.CommitMessage\}$/);
    expect(String(approval.Configuration?.CustomData).length).toBeLessThanOrEqual(1000);
  });

  test('the other approvals keep their links: the production approval has none', () => {
    const promote = actionsOf(f.stack).filter(a => a.ActionTypeId.Category === 'Approval' && a.Name !== 'Review');
    expect(promote.length).toBeGreaterThan(0);
    expect(promote.map(a => a.Configuration?.ExternalEntityLink)).toEqual(promote.map(() => undefined));
  });
});
