import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { DeliveryPipeline } from '../../src';
import { errorOf, fixture, referencePipeline, referenceProps } from '../fixtures/app';

/**
 * The escape hatches: CDK Pipelines `Step`s as test and verification steps (counted by the layout, checked by the
 * self-check like built-in steps), and what can be added after construction.
 */

interface ActionJson {
  readonly Name: string;
  readonly RunOrder: number;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
}
interface StageJson { readonly Name: string; readonly Actions: ActionJson[] }

function stagesOf(template: Template): StageJson[] {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages as StageJson[];
}

function stage(stages: StageJson[], name: string): StageJson {
  const found = stages.find(s => s.Name === name);
  if (!found) {
    throw new Error(`no stage ${name} in ${stages.map(s => s.Name).join(', ')}`);
  }
  return found;
}

/** A custom step that renders `actions` Manual approval actions (an ICodePipelineActionFactory of its own). */
class ApprovalsFactory extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  constructor(id: string, private readonly actions: number) {
    super(id);
  }

  public produceAction(target: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    for (let i = 0; i < this.actions; i++) {
      target.addAction(new cpactions.ManualApprovalAction({
        actionName: i === 0 ? options.actionName : `${options.actionName}.${i + 1}`,
        runOrder: options.runOrder,
      }));
    }
    return { runOrdersConsumed: 1 };
  }
}

/** A ShellStep (CDK Pipelines renders it as one CodeBuild action). */
function shell(id: string): pipelines.ShellStep {
  return new pipelines.ShellStep(id, { commands: ['npm run lint'] });
}

describe('CDK Pipelines steps as test steps (testSteps)', () => {
  test('a ShellStep, a CodeBuildStep and a custom action factory run in the Test stage beside the test steps', () => {
    const { f } = referencePipeline({
      testSteps: [shell('Lint'), new pipelines.CodeBuildStep('Audit', { commands: ['npm audit'] }), new ApprovalsFactory('SignOff', 1)],
    });
    const stages = stagesOf(Template.fromStack(f.stack));
    const test = stage(stages, 'Test');
    expect(test.Actions.map(a => a.Name)).toEqual(expect.arrayContaining(['UnitTests', 'Lint', 'Audit', 'SignOff']));
    expect(test.Actions.find(a => a.Name === 'Lint')!.ActionTypeId.Provider).toBe('CodeBuild');
    expect(test.Actions.find(a => a.Name === 'SignOff')!.ActionTypeId.Category).toBe('Approval');
    // The release's own approval is unchanged: one, in Staging (the user's approval step is not the production gate).
    const approvals = stages.flatMap(s => s.Actions.filter(a => a.ActionTypeId.Category === 'Approval').map(a => `${s.Name}/${a.Name}`));
    expect(approvals).toEqual(['Test/SignOff', 'Staging/PromoteToProduction', 'Production/Review']);
  });

  test('counted by the layout: 47 tests and 3 steps of your own make a second test stage', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      tests: Array.from({ length: 47 }, (_, i) => ({ name: `T${i}`, commands: ['npm test'] })),
      testSteps: [shell('Lint1'), shell('Lint2'), shell('Lint3')],
    }));
    const stages = stagesOf(Template.fromStack(f.stack));
    expect(stages.map(s => s.Name)).toEqual(['Source', 'Build', 'Test-1', 'Test-2', 'Staging', 'Production']);
    expect(stage(stages, 'Test-2').Actions.map(a => a.Name)).toEqual(['Lint1', 'Lint2', 'Lint3']);
  });

  test('a step that produces more actions than it counts for fails the self-check, naming the step and the fix', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { testSteps: [new ApprovalsFactory('SignOff', 2)] }));
    expect(() => f.app.synth()).toThrow(
      "DeliveryPipeline self-check: the stage 'Test' has 3 action(s) besides self-mutation and asset publishing, but the release model planned 2. "
      + 'Each of your own steps (SignOff) counts as one action: split a step that adds several actions (an ICodePipelineActionFactory) into steps of one action each.');
  });

  test('a step that produces no action fails the self-check: the step is missing where the model placed it', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { testSteps: [new ApprovalsFactory('Nothing', 0)] }));
    expect(() => f.app.synth()).toThrow("DeliveryPipeline self-check: your step 'Nothing' is missing from stage 'Test', where the release model placed it.");
  });

  test.each([
    ['not a Step', { testSteps: ['lint' as unknown as pipelines.Step] },
      "testSteps[0]: 'lint' is not a CDK Pipelines Step. Pass a pipelines.ShellStep, CodeBuildStep, ManualApprovalStep or a Step that implements ICodePipelineActionFactory."],
    ['an invalid name', { testSteps: [shell('Lint it')] },
      "testSteps[0].name: 'Lint it' is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name)."],
    ['a name a test step has', { testSteps: [shell('UnitTests')] },
      "testSteps[0].name: the step name 'UnitTests' is already used by tests[0].name. Give every test and verification step a unique name."],
    ['a name of the pipeline\'s own actions', { testSteps: [shell('SelfMutate')] },
      "testSteps[0].name: the step name 'SelfMutate' is used by the pipeline's own actions. Choose another name."],
  ])('%s is refused', (_, overrides, message) => {
    const f = fixture();
    expect(errorOf(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides)))).toBe(message);
  });
});

describe('CDK Pipelines steps as verification steps (verifySteps)', () => {
  test('in staging they run after the deployments, beside the verification and the production approval', () => {
    const g = fixture();
    new DeliveryPipeline(g.stack, 'Delivery', referenceProps(g, {
      staging: { stage: g.staging, verify: [{ name: 'Smoke', commands: ['true'] }], verifySteps: [shell('E2E'), new ApprovalsFactory('QA', 1)] },
    }));
    const staging = stage(stagesOf(Template.fromStack(g.stack)), 'Staging');
    const deploys = staging.Actions.filter(a => a.ActionTypeId.Category === 'Deploy').map(a => a.RunOrder);
    const runOrder = (name: string) => staging.Actions.find(a => a.Name === name)!.RunOrder;
    expect(runOrder('E2E')).toBeGreaterThan(Math.max(...deploys));
    expect(runOrder('QA')).toBe(runOrder('Smoke'));
    expect(runOrder('PromoteToProduction')).toBe(runOrder('Smoke'));
  });

  test('a ManualApprovalStep is your approval, not the release\'s: the production approval is still exactly one', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      staging: { stage: f.staging, verifySteps: [new pipelines.ManualApprovalStep('UxReview', { comment: 'Check the new page' })] },
    }));
    const stages = stagesOf(Template.fromStack(f.stack));
    const approvals = stages.flatMap(s => s.Actions.filter(a => a.ActionTypeId.Category === 'Approval').map(a => `${s.Name}/${a.Name}`));
    // Production/Review is the change-set review's (on by default), decided by its function.
    expect(approvals.sort()).toEqual(['Production/Review', 'Staging/PromoteToProduction', 'Staging/UxReview']);
  });

  test('in a production wave, in the wave\'s last stage', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { waves: [{ name: 'canary', stages: [f.production[0]], verifySteps: [shell('CanaryCheck')] }, { name: 'rest', stages: f.production.slice(1) }] },
    }));
    const stages = stagesOf(Template.fromStack(f.stack));
    expect(stage(stages, 'Production-canary').Actions.map(a => a.Name)).toContain('CanaryCheck');
  });

  test('a verification step that produces more actions than it counts for fails the self-check', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { production: { stages: f.production, verifySteps: [new ApprovalsFactory('Check', 3)] } }));
    expect(() => f.app.synth()).toThrow(/the stage 'Production' has \d+ action\(s\) besides self-mutation and asset publishing, but the release model planned \d+\. Each of your own steps \(Check\) counts as one action/);
  });

  test('production-level verifySteps with waves are refused: they belong to a wave', () => {
    const f = fixture();
    expect(errorOf(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: { waves: [{ name: 'all', stages: f.production }], verifySteps: [shell('Check')] },
    })))).toBe("production.verifySteps: set it on each wave in 'production.waves' (at the production level only 'deploymentWindow', 'gates', 'useChangeSets', 'changeReview' and 'bake' apply to every wave).");
  });

  test('a verification step of another type is refused with its property path', () => {
    const f = fixture();
    expect(errorOf(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      staging: { stage: f.staging, verifySteps: [{ name: 'Smoke' } as unknown as pipelines.Step] },
    })))).toBe('staging.verifySteps[0]: an object with keys name is not a CDK Pipelines Step. Pass a pipelines.ShellStep, CodeBuildStep, ManualApprovalStep or a Step that implements ICodePipelineActionFactory.');
  });
});

describe('after construction', () => {
  test('pipeline.addStage adds a stage after the planned ones, and the self-check knows it', () => {
    const { f, pipeline } = referencePipeline();
    pipeline.pipeline.addStage({
      stageName: 'Announce',
      actions: [new cpactions.ManualApprovalAction({ actionName: 'Announced' })],
    });
    const stages = stagesOf(Template.fromStack(f.stack));
    expect(stages.map(s => s.Name)).toEqual(['Source', 'Build', 'Test', 'Staging', 'Production', 'Announce']);
  });

  test('a stage added after construction may not deploy: no guard rail covers it', () => {
    const { f, pipeline } = referencePipeline();
    pipeline.pipeline.addStage({
      stageName: 'Sneaky',
      actions: [new cpactions.CloudFormationCreateUpdateStackAction({
        actionName: 'Deploy', stackName: 'Sneaky', adminPermissions: false, templatePath: new codepipeline.Artifact('Synth_Output').atPath('x.json'),
      })],
    });
    expect(() => f.app.synth()).toThrow(/the stage 'Sneaky', added with pipeline.addStage after construction, deploys stacks: no guard rail \(approval, deployment window, bake, rollback\) covers it/);
  });

  test('pipeline.addStage between the planned stages is refused with what to do instead', () => {
    const { pipeline } = referencePipeline();
    const production = pipeline.pipeline.stages.find(s => s.stageName === 'Production')!;
    expect(errorOf(() => pipeline.pipeline.addStage({ stageName: 'Between', placement: { justAfter: production } }))).toMatch(
      /^pipeline.addStage\(\{ stageName: 'Between' \}\): 'placement' puts the stage between the planned stages/);
  });

  test('cdkPipeline.addWave and cdkPipeline.addStage say what to do instead', () => {
    const { f, pipeline } = referencePipeline();
    expect(errorOf(() => pipeline.cdkPipeline.addWave('Later'))).toMatch(
      /^cdkPipeline.addWave\('Later'\): DeliveryPipeline builds CDK Pipelines in its constructor.*a production wave in 'production.waves', your own steps in 'testSteps' or an environment's 'verifySteps'/);
    expect(errorOf(() => pipeline.cdkPipeline.addStage(f.production[0]))).toMatch(
      /^cdkPipeline.addStage\('Prod-us-east-1'\): DeliveryPipeline builds CDK Pipelines in its constructor.*in 'production.stages' or a production wave/);
  });
});
