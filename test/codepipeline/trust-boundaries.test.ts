import { Template } from 'aws-cdk-lib/assertions';
import { DeliveryPipeline, DeliveryPipelineProps, PipelineSource, PullRequestEvent, ReleaseTrigger } from '../../src';
import { CONNECTION_ARN, fixture, Fixture, referenceProps } from '../fixtures/app';

/**
 * Trust boundaries: the release pipeline never runs unmerged code, and a rule that runs user commands has its own
 * role that cannot reach deploy, publishing or lookup roles. Each boundary is shown to hold as built, and the
 * synth-time self-check is shown to fail, naming the invariant, when an escape hatch breaks it afterwards.
 */

function build(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>): { f: Fixture; delivery: DeliveryPipeline } {
  const f = fixture();
  const delivery = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
  return { f, delivery };
}

function synthError(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>): string {
  try {
    build(overrides);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

function connection(repository: string, triggers: ReleaseTrigger[]): PipelineSource {
  return PipelineSource.connection(repository, 'main', { connectionArn: CONNECTION_ARN, triggers });
}

const refusal = (property: string) => `${property}: ReleaseTrigger.onPullRequest() would start the release pipeline on a pull request's unmerged head commit, `
  + "which would then run with the release's credentials (self-mutation with the pipeline account's deploy role, test steps with their secrets, "
  + "asset publishing into the target accounts, the staging deployment); CodePipeline's pull-request trigger has no fork policy. "
  + 'The release pipeline runs only merged code, in either release mode: remove the trigger, and build and test pull requests with '
  + "PullRequestChecks (new PullRequestChecks(stack, 'PullRequests', { pipeline })), which runs the same steps without deploy rights or secrets.";

describe('the release pipeline never runs unmerged code', () => {
  test.each([
    ['continuous delivery (production gated by an approval)', true],
    ['continuous deployment', false],
  ])('a pull-request trigger is refused in %s, naming PullRequestChecks', (_mode, requireManualApproval) => {
    expect(synthError(() => ({
      requireManualApproval,
      source: connection('acme/app', [ReleaseTrigger.onPush(), ReleaseTrigger.onPullRequest({ events: [PullRequestEvent.OPEN] })]),
    }))).toBe(refusal('source.triggers[1]'));
  });

  test('on an additional source too, with its property path', () => {
    expect(synthError(() => ({
      additionalSources: [{ directory: 'infra', source: connection('acme/infra', [ReleaseTrigger.onPullRequest()]) }],
    }))).toBe(refusal('additionalSources[0].source.triggers[0]'));
  });

  test('untyped callers get the same refusal, never a TypeError; several pull-request triggers are not miscounted as filters', () => {
    const untyped = ReleaseTrigger.onPullRequest({ events: 'OPEN' } as unknown as { events: PullRequestEvent[] });
    const many = [1, 2, 3, 4].map(() => ReleaseTrigger.onPullRequest());
    expect(synthError(() => ({ source: connection('acme/app', [untyped]) }))).toBe(refusal('source.triggers[0]'));
    expect(synthError(() => ({ source: connection('acme/app', many) }))).toBe(refusal('source.triggers[0]'));
  });

  test('push and tag triggers still render; the rendered pipeline has no pull-request trigger', () => {
    const { f } = build(() => ({ source: connection('acme/app', [ReleaseTrigger.onPush(), ReleaseTrigger.onTag({ includes: ['v*'] })]) }));
    const [pipeline] = Object.values(Template.fromStack(f.stack).findResources('AWS::CodePipeline::Pipeline'));
    const triggers = pipeline.Properties.Triggers;
    expect(triggers).toHaveLength(1);
    expect(triggers[0].GitConfiguration.Push).toEqual([{ Branches: { Includes: ['main'] } }, { Tags: { Includes: ['v*'] } }]);
    expect(triggers[0].GitConfiguration.PullRequest).toBeUndefined();
  });
});
