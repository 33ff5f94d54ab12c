import { Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { Construct } from 'constructs';
import { ChangeReviewPolicy, DeliveryPipeline, ReviewOutcome } from '../../src';
import { ChangeClass } from '../../src/review/change-review-policy';
import { ChangeSetReview } from '../../src/review/private/change-set-review';
import { PipelineShape } from '../../src/testing/pipeline-shape';
import { AppStage, fixture, referencePipeline, referenceProps } from '../fixtures/app';

/*
 * The change-set review wired into DeliveryPipeline (issue 20): a `Review` approval between the change sets' prepare
 * and execute actions of every reviewed stage, its ChangeSetReview, the self-check's invariant, and the validation.
 */

interface RenderedAction {
  readonly Name: string;
  readonly RunOrder: number;
  readonly ActionTypeId: { Category: string; Provider: string };
  readonly Configuration?: Record<string, unknown>;
}
interface RenderedStage { readonly Name: string; readonly Actions: RenderedAction[] }

function stagesOf(stack: Stack): RenderedStage[] {
  const pipelines = Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline');
  return Object.values(pipelines)[0].Properties.Stages as RenderedStage[];
}

/** `name@runOrder` of every action of a stage, in run order (then name). */
function order(stack: Stack, stageName: string): string[] {
  const stage = stagesOf(stack).find(s => s.Name === stageName);
  if (!stage) {
    throw new Error(`no stage ${stageName} in [${stagesOf(stack).map(s => s.Name).join(', ')}]`);
  }
  return [...stage.Actions].sort((a, b) => a.RunOrder - b.RunOrder || a.Name.localeCompare(b.Name)).map(a => `${a.Name}@${a.RunOrder}`);
}

function reviewsOf(stack: Stack): ChangeSetReview[] {
  return stack.node.findAll().filter((c): c is ChangeSetReview => c instanceof ChangeSetReview);
}

/** A CDK Stage with two stacks, `Data` and `Api`, where `Api` depends on `Data`. */
class DependentStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const data = new Stack(this, 'Data');
    const queue = new sqs.Queue(data, 'Queue', { enforceSSL: true });
    const api = new Stack(this, 'Api');
    new sns.Topic(api, 'Topic', { displayName: queue.queueName, enforceSSL: true });
  }
}

describe('on by default wherever change sets are used', () => {
  test('production is reviewed with ChangeReviewPolicy.defaults() without being asked; staging deploys directly, unreviewed', () => {
    const { f } = referencePipeline();
    expect(order(f.stack, 'Production')).toEqual([
      'Prod-ap-southeast-2.Api.Prepare@1', 'Prod-eu-west-1.Api.Prepare@1', 'Prod-us-east-1.Api.Prepare@1',
      'Review@2',
      'Prod-ap-southeast-2.Api.Deploy@3', 'Prod-eu-west-1.Api.Deploy@3', 'Prod-us-east-1.Api.Deploy@3',
    ]);
    expect(reviewsOf(f.stack).map(r => [r.config.stageName, r.config.policy])).toEqual([
      ['Production', { STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'CONTINUE' }],
    ]);
    expect(order(f.stack, 'Staging').filter(a => a.startsWith('Review'))).toEqual([]);
  });

  test('staging that asks for change sets is reviewed too; the pipeline-level policy reaches it then', () => {
    const byDefault = fixture();
    new DeliveryPipeline(byDefault.stack, 'Delivery', referenceProps(byDefault, { staging: { stage: byDefault.staging, useChangeSets: true } }));
    expect(order(byDefault.stack, 'Staging').filter(a => a.startsWith('Review'))).toEqual(['Review@2']);
    const inherited = fixture();
    new DeliveryPipeline(inherited.stack, 'Delivery', referenceProps(inherited, {
      staging: { stage: inherited.staging, useChangeSets: true }, changeReview: ChangeReviewPolicy.of({ stackRemoval: ReviewOutcome.FAIL }),
    }));
    expect(reviewsOf(inherited.stack).map(r => [r.config.stageName, r.config.policy.STACK_REMOVAL])).toEqual([['Staging', 'FAIL'], ['Production', 'FAIL']]);
  });

  test('ChangeReviewPolicy.disabled() turns it off: no review approval, no review function, one hop less', () => {
    const { f } = referencePipeline({ changeReview: ChangeReviewPolicy.disabled() });
    expect(stagesOf(f.stack).flatMap(s => s.Actions.map(a => a.Name))).not.toContain('Review');
    expect(reviewsOf(f.stack)).toEqual([]);
    expect(order(f.stack, 'Production')).toEqual([
      'Prod-ap-southeast-2.Api.Prepare@1', 'Prod-eu-west-1.Api.Prepare@1', 'Prod-us-east-1.Api.Prepare@1',
      'Prod-ap-southeast-2.Api.Deploy@2', 'Prod-eu-west-1.Api.Deploy@2', 'Prod-us-east-1.Api.Deploy@2',
    ]);
  });

  test('disabled on a level that deploys directly is no error (nothing to turn off), and an environment can opt out alone', () => {
    expect(() => referencePipeline({ useChangeSets: false, changeReview: ChangeReviewPolicy.disabled() })).not.toThrow();
    const f = fixture();
    const [first, second] = ['One', 'Two'].map(n => new AppStage(f.app, n, { env: { account: '333333333333', region: 'us-east-1' } }));
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { waves: [{ name: 'one', stages: [first] }, { name: 'two', stages: [second], changeReview: ChangeReviewPolicy.disabled() }] },
    }));
    expect(reviewsOf(f.stack).map(r => r.config.stageName)).toEqual(['Production-one']);
  });

  test('without change sets there is no review and no error: nothing is prepared to be read', () => {
    const { f } = referencePipeline({ useChangeSets: false });
    expect(reviewsOf(f.stack)).toEqual([]);
  });
});

describe('a reviewed production environment (the reference app)', () => {
  const { f } = referencePipeline({ changeReview: ChangeReviewPolicy.defaults() });
  const template = Template.fromStack(f.stack);

  test('Review is a manual approval after every prepare and before every execute', () => {
    expect(order(f.stack, 'Production')).toEqual([
      'Prod-ap-southeast-2.Api.Prepare@1', 'Prod-eu-west-1.Api.Prepare@1', 'Prod-us-east-1.Api.Prepare@1',
      'Review@2',
      'Prod-ap-southeast-2.Api.Deploy@3', 'Prod-eu-west-1.Api.Deploy@3', 'Prod-us-east-1.Api.Deploy@3',
    ]);
    const review = stagesOf(f.stack).find(s => s.Name === 'Production')!.Actions.find(a => a.Name === 'Review')!;
    expect(review.ActionTypeId).toEqual(expect.objectContaining({ Category: 'Approval', Provider: 'Manual' }));
    expect(review.Configuration?.CustomData).toMatch(/^Change-set review of Production: a function reads the change sets prepared above/);
  });

  test('staging is not reviewed by the pipeline-level policy (it deploys directly)', () => {
    expect(order(f.stack, 'Staging').filter(a => a.startsWith('Review'))).toEqual([]);
  });

  test('one ChangeSetReview for the stage, reading every stack of it with CDK Pipelines\' change set', () => {
    const reviews = reviewsOf(f.stack);
    expect(reviews.map(r => [r.config.stageName, r.config.approvalActionName, r.config.environmentName])).toEqual([['Production', 'Review', 'Production']]);
    expect(reviews[0].config.targets.map(t => [t.stackName, t.changeSetName, t.account, t.region])).toEqual([
      ['Prod-us-east-1-Api', 'PipelineChange', '333333333333', 'us-east-1'],
      ['Prod-eu-west-1-Api', 'PipelineChange', '333333333333', 'eu-west-1'],
      ['Prod-ap-southeast-2-Api', 'PipelineChange', '333333333333', 'ap-southeast-2'],
    ]);
    expect(reviews[0].config.stackNamePrefixes).toEqual(['Prod-us-east-1-', 'Prod-eu-west-1-', 'Prod-ap-southeast-2-']);
    expect(reviews[0].config.policy).toEqual({ STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'CONTINUE' });
  });

  test('its rule fires when the Review approval of this pipeline\'s Production stage starts', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.codepipeline'],
        'detail-type': ['CodePipeline Action Execution State Change'],
        'detail': { pipeline: [{ Ref: Match.stringLikeRegexp('^DeliveryCodePipeline') }], stage: ['Production'], action: ['Review'], state: ['STARTED'] },
      },
    });
  });

  test('its role decides only that approval and assumes only the targets\' lookup roles', () => {
    const role = reviewsOf(f.stack)[0].role;
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes(f.stack.getLogicalId(role.node.defaultChild as never)));
    const statements = policies.flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const put = statements.find(s => s.Action === 'codepipeline:PutApprovalResult')!;
    expect(JSON.stringify(f.stack.resolve(put.Resource))).toMatch(/\/Production\/Review"\]\]\}$/);
    const assume = statements.find(s => s.Action === 'sts:AssumeRole')!;
    expect(JSON.stringify(assume.Resource)).toContain('role/cdk-hnb659fds-lookup-role-333333333333-us-east-1');
    expect(JSON.stringify(assume.Resource)).not.toContain('222222222222');
    expect(statements.map(s => s.Action).flat()).not.toContain('codepipeline:*');
  });

  test('cdk-nag AwsSolutions has no finding', () => {
    f.app.synth();
    expect(new AwsSolutionsChecks().validateScope(f.stack).violations.map(v => v.ruleName)).toEqual([]);
  });
});

test('cdk-nag AwsSolutions has no finding with an encrypted approval topic (the review and the approvals publish to it)', () => {
  const f = fixture();
  const key = new kms.Key(f.stack, 'TopicKey', { enableKeyRotation: true });
  const topic = new sns.Topic(f.stack, 'Approvals', { masterKey: key, enforceSSL: true });
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { changeReview: ChangeReviewPolicy.defaults(), approval: { notificationTopic: topic } }));
  f.app.synth();
  const violations = new AwsSolutionsChecks().validateScope(f.stack).violations;
  expect(violations.map(v => [v.ruleName, v.violatingResources.map(r => r.constructPath)])).toEqual([]);
  // The acknowledgments carry weight: without them cdk-nag reports the key's data-key wildcard on both roles.
  const findings = (path: string) => {
    const policy = f.stack.node.findAll().find(c => c.node.path === path) as iam.CfnPolicy;
    const result = rules.iam.IAMNoWildcardPermissions(policy);
    return Array.isArray(result) ? result : [];
  };
  expect(findings('PipelineStack/Delivery/ChangeReview-Production/Role/DefaultPolicy/Resource')).toContain('Action::kms:GenerateDataKey*');
  const promote = 'PipelineStack/Delivery/CodePipeline/Staging/PromoteToProduction/CodePipelineActionRole/DefaultPolicy/Resource';
  expect(findings(promote)).toContain('Action::kms:GenerateDataKey*');
});

test('the approval topic hears from a Review only when a person is needed: the approval itself does not notify, its function publishes a held summary', () => {
  const f = fixture();
  const topic = new sns.Topic(f.stack, 'Approvals');
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { approval: { notificationTopic: topic } }));
  const notifies = stagesOf(f.stack).flatMap(s => s.Actions.filter(a => a.Configuration?.NotificationArn !== undefined).map(a => `${s.Name}/${a.Name}`));
  expect(notifies).toEqual(['Staging/PromoteToProduction']);
  expect(reviewsOf(f.stack).map(r => r.config.topicArn !== undefined)).toEqual([true]);
});

describe('cost: at most one hop more per reviewed environment (PipelineShape of the reference app)', () => {
  test.each([true, false])('requireManualApproval: %s', (requireManualApproval) => {
    const without = referencePipeline({ requireManualApproval, changeReview: ChangeReviewPolicy.disabled() });
    const withReview = referencePipeline({ requireManualApproval });
    const before = PipelineShape.fromStack(without.f.stack).criticalPathHops;
    const after = PipelineShape.fromStack(withReview.f.stack).criticalPathHops;
    expect([before, after]).toEqual([7, 8]);
  });
});

describe('dependent stacks', () => {
  test('every prepare before the one review, the executes in dependency order after it: no hop more than without review', () => {
    // CDK Pipelines prepares a dependent stack after its dependency executes; one review must see both change sets.
    const build = (review: ChangeReviewPolicy) => {
      const f = fixture();
      const prod = new DependentStage(f.app, 'Prod', { env: { account: '333333333333', region: 'us-east-1' } });
      new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages: [prod], changeReview: review } }));
      return f.stack;
    };
    expect(order(build(ChangeReviewPolicy.disabled()), 'Production')).toEqual(['Data.Prepare@1', 'Data.Deploy@2', 'Api.Prepare@3', 'Api.Deploy@4']);
    const reviewed = build(ChangeReviewPolicy.defaults());
    expect(order(reviewed, 'Production')).toEqual(['Api.Prepare@1', 'Data.Prepare@1', 'Review@2', 'Data.Deploy@3', 'Api.Deploy@4']);
    expect(reviewsOf(reviewed)[0].config.targets.map(t => t.stackName)).toEqual(['Prod-Data', 'Prod-Api']);

  });
});

describe('a split environment', () => {
  test('every part of it has its own Review (counted by the layout) and its own ChangeSetReview', () => {
    const f = fixture();
    const stages = Array.from({ length: 25 }, (_, i) => new AppStage(f.app, `P${i}`, { env: { account: '333333333333', region: 'us-east-1' } }));
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages }, changeReview: ChangeReviewPolicy.defaults() }));
    const parts = stagesOf(f.stack).filter(s => s.Name.startsWith('Production'));
    // 24 Stages (48 actions) and the review fill a part of 49; the 25th Stage and its review make the second.
    expect(parts.map(p => [p.Name, p.Actions.length])).toEqual([['Production-1', 49], ['Production-2', 3]]);
    expect(order(f.stack, 'Production-2')).toEqual(['Prepare@1', 'Review@2', 'Deploy@3']);
    expect(parts[0].Actions.filter(a => a.Name === 'Review').map(a => a.RunOrder)).toEqual([2]);
    expect(reviewsOf(f.stack).map(r => [r.config.stageName, r.config.targets.length])).toEqual([['Production-1', 24], ['Production-2', 1]]);
    // The second part's stacks (P24-) are not reported as removed by the first part's review, nor the reverse.
    expect(reviewsOf(f.stack)[1].config.stackNamePrefixes).toEqual(['P24-']);
    expect(reviewsOf(f.stack)[0].config.stackNamePrefixes).toHaveLength(24);
    expect(reviewsOf(f.stack)[0].config.stackNamePrefixes).not.toContain('P24-');
  });
});

describe('per environment', () => {
  test('waves inherit production.changeReview; a wave\'s own policy wins; staging asks for its own', () => {
    const f = fixture();
    const strict = ChangeReviewPolicy.of({ stackRemoval: ReviewOutcome.FAIL });
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      staging: { stage: f.staging, useChangeSets: true, changeReview: ChangeReviewPolicy.defaults() },
      production: {
        changeReview: ChangeReviewPolicy.defaults(),
        waves: [
          { name: 'First', stages: [f.production[0]] },
          { name: 'Rest', stages: f.production.slice(1), changeReview: strict },
        ],
      },
    }));
    const reviews = reviewsOf(f.stack);
    expect(reviews.map(r => [r.config.stageName, r.config.policy.STACK_REMOVAL])).toEqual([
      ['Staging', 'CONTINUE'], ['Production-First', 'CONTINUE'], ['Production-Rest', 'FAIL'],
    ]);
    expect(strict.outcomeFor(ChangeClass.STACK_REMOVAL)).toBe(ReviewOutcome.FAIL);
    // The next environment's approval still follows staging's deployment.
    expect(order(f.stack, 'Staging')).toEqual(['Api.Prepare@1', 'Review@2', 'Api.Deploy@3', 'PromoteToProduction@4']);
  });

  test('a stack name prefix another reviewed Stage\'s stacks start with is not looked for (no false "removed stack")', () => {
    const f = fixture();
    const env = { account: '333333333333', region: 'us-east-1' };
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: {
        changeReview: ChangeReviewPolicy.defaults(),
        waves: [{ name: 'First', stages: [new AppStage(f.app, 'Prod', { env })] }, { name: 'Rest', stages: [new AppStage(f.app, 'Prod-EU', { env })] }],
      },
    }));
    expect(reviewsOf(f.stack).map(r => [r.config.stageName, r.config.stackNamePrefixes])).toEqual([
      ['Production-First', []], ['Production-Rest', ['Prod-EU-']],
    ]);
  });

  test('only the reviewed wave gets a review', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { waves: [{ name: 'First', stages: [f.production[0]], changeReview: ChangeReviewPolicy.disabled() }, { name: 'Rest', stages: f.production.slice(1) }] },
    }));
    expect(reviewsOf(f.stack).map(r => r.config.stageName)).toEqual(['Production-Rest']);
    expect(order(f.stack, 'Production-First').filter(a => a.startsWith('Review'))).toEqual([]);
  });
});

describe('validation', () => {
  const build = (overrides: Record<string, unknown>) => () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', { ...referenceProps(f), ...overrides } as never);
  };
  const f0 = fixture();

  test.each([
    ['changeReview', { changeReview: true }, 'PipelineStack/Delivery: changeReview: true is not a ChangeReviewPolicy. Use ChangeReviewPolicy.defaults(), or ChangeReviewPolicy.of({ statefulReplacement: ReviewOutcome.HOLD, ... }).'],
    ['production.changeReview', { production: { stages: f0.production, changeReview: 'HOLD' } }, "PipelineStack/Delivery: production.changeReview: 'HOLD' is not a ChangeReviewPolicy."],
    ['staging.changeReview', { staging: { stage: f0.staging, changeReview: {} } }, 'PipelineStack/Delivery: staging.changeReview: '],
  ])('%s: an untyped caller\'s value is not a policy', (_name, overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });

  test('a wave\'s changeReview that is not a policy', () => {
    const f = fixture();
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { waves: [{ name: 'First', stages: f.production, changeReview: 1 as never }] },
    }))).toThrow('PipelineStack/Delivery: production.waves[0].changeReview: 1 is not a ChangeReviewPolicy.');
  });

  test.each([
    ['the pipeline\'s review and the pipeline\'s useChangeSets: false', { changeReview: ChangeReviewPolicy.defaults(), useChangeSets: false },
      'PipelineStack/Delivery: changeReview: production is reviewed, but useChangeSets is false, so it deploys without change sets and there is nothing to review. Set useChangeSets: true on production, or remove changeReview.'],
    ['the pipeline\'s review and production.useChangeSets: false', { changeReview: ChangeReviewPolicy.defaults(), production: { stages: f0.production, useChangeSets: false } },
      'PipelineStack/Delivery: changeReview: production is reviewed, but production.useChangeSets is false, so it deploys without change sets and there is nothing to review. Set useChangeSets: true on production, or remove changeReview.'],
    ['staging\'s review without change sets', { staging: { stage: f0.staging, changeReview: ChangeReviewPolicy.defaults() } },
      'PipelineStack/Delivery: staging.changeReview: staging is reviewed, but staging.useChangeSets (staging deploys directly by default) is false, so it deploys without change sets and there is nothing to review. Set useChangeSets: true on staging, or remove staging.changeReview.'],
  ])('%s', (_name, overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });

  test('production.changeReview and a wave without change sets name the production level', () => {
    const f = fixture();
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { changeReview: ChangeReviewPolicy.defaults(), waves: [{ name: 'First', stages: f.production, useChangeSets: false }] },
    }))).toThrow('PipelineStack/Delivery: production.changeReview: production.waves[0] is reviewed, but production.waves[0].useChangeSets is false, so it deploys without change sets and there is nothing to review. Set useChangeSets: true on production.waves[0], or remove production.changeReview.');
  });

  test('a Stage whose 25 stacks fill a stage (50 actions) leaves no room for its review', () => {
    const f = fixture();
    const big = new Stage(f.app, 'Big', { env: { account: '333333333333', region: 'us-east-1' } });
    Array.from({ length: 25 }, (_, i) => new sqs.Queue(new Stack(big, `S${i}`), 'Queue', { enforceSSL: true }));
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages: [big] } })))
      .toThrow("PipelineStack/Delivery: production: the Stage 'Big' deploys with 50 actions, which with the change-set review's approval (51) is more than the 50 a CodePipeline stage holds. Split its stacks over several Stages (each part of the environment gets its own review), or leave its change sets unreviewed (changeReview: ChangeReviewPolicy.disabled() on production).");
    // Without the review it fits.
    const g = fixture();
    const fits = new Stage(g.app, 'Big', { env: { account: '333333333333', region: 'us-east-1' } });
    Array.from({ length: 25 }, (_, i) => new sqs.Queue(new Stack(fits, `S${i}`), 'Queue', { enforceSSL: true }));
    expect(() => new DeliveryPipeline(g.stack, 'Delivery', referenceProps(g, { production: { stages: [fits] }, changeReview: ChangeReviewPolicy.disabled() }))).not.toThrow();
  });

  test('a part whose stacks are too spread out for one review function says how to split the environment', () => {
    const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
      'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ca-central-1', 'sa-east-1', 'eu-south-1',
      'af-south-1', 'me-south-1', 'ap-east-1', 'ap-northeast-3', 'eu-central-2', 'ap-south-2', 'il-central-1'];
    const spread = (count: number) => () => {
      const f = fixture();
      const stages = regions.slice(0, count).map((region, i) => new AppStage(f.app, `Prod${i}`, { env: { account: '333333333333', region } }));
      new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages }, changeReview: ChangeReviewPolicy.defaults() }));
    };
    expect(spread(24)).toThrow(/^PipelineStack\/Delivery: production: its change-set review of stage 'Production' cannot be built \(ChangeSetReview: 'targets' lists 24 stacks, whose configuration \(about \d+ characters\) does not fit in a Lambda environment \(4096 bytes in all\)\. .*\) Split production into production waves of fewer Stages, or of fewer accounts and regions: the stage of every wave has its own review\.$/);
    expect(spread(16)).not.toThrow();
  });

  test('a step named Review in a reviewed environment', () => {
    const f = fixture();
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      changeReview: ChangeReviewPolicy.defaults(),
      production: { stages: f.production, verify: [{ name: 'Review', commands: ['true'] }] },
    }))).toThrow("PipelineStack/Delivery: production.verify[0].name: the step name 'Review' is the change-set review's approval in production, which is reviewed. Choose another name.");
    // The same name is fine where nothing is reviewed.
    const g = fixture();
    expect(() => new DeliveryPipeline(g.stack, 'Delivery', referenceProps(g, {
      production: { stages: g.production, verify: [{ name: 'Review', commands: ['true'] }], changeReview: ChangeReviewPolicy.disabled() },
    }))).not.toThrow();
  });
});

describe('self-check: no change set executes without its review where the model asks for one', () => {
  const reviewed = () => {
    const { f, pipeline } = referencePipeline({ changeReview: ChangeReviewPolicy.defaults() });
    const cfn = pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    // Read without synthesizing (an app synthesizes once: the override must come before).
    const stages = f.stack.resolve(cfn.stages) as Array<{ name: string; actions: Array<{ name: string }> }>;
    const index = stages.findIndex(s => s.name === 'Production');
    return { f, cfn, index, actions: stages[index].actions };
  };

  test('holds for the pipeline as rendered', () => {
    const { f } = reviewed();
    expect(() => f.app.synth()).not.toThrow();
  });

  test('fails when an override removes the Review', () => {
    const { f, cfn, index, actions } = reviewed();
    cfn.addPropertyOverride(`Stages.${index}.Actions`, actions.filter(a => a.name !== 'Review'));
    expect(() => f.app.synth()).toThrow("DeliveryPipeline self-check: stage 'Production' has no manual approval 'Review': its change sets execute unreviewed. The release model reviews this environment's change sets before they execute; if an override moved or removed the review, restore it.");
  });

  test('fails when an override executes a change set beside the Review', () => {
    const { f, cfn, index, actions } = reviewed();
    const at = actions.findIndex(a => a.name === 'Prod-us-east-1.Api.Deploy');
    cfn.addPropertyOverride(`Stages.${index}.Actions.${at}.RunOrder`, 2);
    expect(() => f.app.synth()).toThrow("DeliveryPipeline self-check: stage 'Production': 'Prod-us-east-1.Api.Deploy' executes its change set at run order 2, not after the review 'Review' (2)");
  });

  test('fails when an override executes another change set than the one reviewed', () => {
    const { f, cfn, index, actions } = reviewed();
    const at = actions.findIndex(a => a.name === 'Prod-us-east-1.Api.Deploy');
    cfn.addPropertyOverride(`Stages.${index}.Actions.${at}.Configuration.ChangeSetName`, 'Other');
    expect(() => f.app.synth()).toThrow("DeliveryPipeline self-check: stage 'Production': 'Prod-us-east-1.Api.Deploy' uses the change set 'Other', but the review reads 'PipelineChange': it would execute unreviewed.");
  });
});
