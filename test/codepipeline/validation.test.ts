import { App, Stack, Stage } from 'aws-cdk-lib';
import { DeliveryPipeline, DeliveryPipelineProps } from '../../src';
import { AppStage, fixture, Fixture, PIPELINE_ENV, referenceProps } from '../fixtures/app';

function attempt(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>, f: Fixture = fixture()): () => DeliveryPipeline {
  return () => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
}

describe('synth-time validation: each message names the property, the bad value and the fix', () => {
  test('no production stage', () => {
    expect(attempt(() => ({ production: { stages: [] } })))
      .toThrow("production: no production Stage was given. Pass at least one CDK Stage in 'production.stages' (or in 'production.waves[].stages').");
    expect(attempt(() => ({ production: {} }))).toThrow(/production: no production Stage was given/);
  });

  test('production waves: empty list, both stages and waves, duplicate or invalid wave names', () => {
    expect(attempt(() => ({ production: { waves: [] } })))
      .toThrow("production.waves: the list is empty. Pass at least one wave with at least one Stage, or use 'production.stages'.");
    expect(attempt(f => ({ production: { stages: f.production, waves: [{ name: 'a', stages: f.production }] } })))
      .toThrow("production: both 'stages' and 'waves' are set. Use 'stages' for one parallel wave, or 'waves' for ordered waves, not both.");
    expect(attempt(f => ({ production: { waves: [{ name: 'eu', stages: [f.production[0]] }, { name: 'eu', stages: [f.production[1]] }] } })))
      .toThrow("production.waves[1].name: the wave name 'eu' is already used by production.waves[0]. Give every production wave a unique name.");
    expect(attempt(f => ({ production: { waves: [{ name: 'has space', stages: [f.production[0]] }] } })))
      .toThrow("production.waves[0].name: 'has space' is not a valid wave name. Use 1 to 89 letters, digits, '.', '@', '-' or '_' (it becomes the CodePipeline stage name 'Production-has space').");
  });

  test('a Stage with no stacks', () => {
    const f = fixture();
    const empty = new Stage(f.app, 'Empty', { env: { account: '444444444444', region: 'us-east-1' } });
    expect(attempt(() => ({ production: { stages: [...f.production, empty] } }), f))
      .toThrow("production.stages[3]: the Stage 'Empty' has no stacks, so it would deploy nothing. Add the application's stacks to the Stage (new MyStack(stage, 'Id')) before handing it to the pipeline.");
  });

  test('the same Stage used twice', () => {
    expect(attempt(f => ({ production: { stages: [f.production[0], f.production[0]] } })))
      .toThrow("production.stages[1]: the Stage 'Prod-us-east-1' is already used as production.stages[0]. A Stage deploys to one environment: create one Stage instance per environment.");
    expect(attempt(f => ({ production: { stages: [f.staging] } })))
      .toThrow("production.stages[0]: the Stage 'Staging' is already used as staging.stage. A Stage deploys to one environment: create one Stage instance per environment.");
  });

  test('staging and a production stage targeting the same account and region', () => {
    const f = fixture();
    const clash = new AppStage(f.app, 'Clash', { env: { account: '222222222222', region: 'us-east-1' } });
    expect(attempt(() => ({ production: { stages: [clash] } }), f))
      .toThrow("production.stages[0]: the Stage 'Clash' targets account 222222222222 region us-east-1, the same as staging ('Staging'). Staging must be a separate environment: deploy it to another account or region.");
  });

  test('a Stage named like one of the pipeline\'s own stages', () => {
    const f = fixture();
    const build = new AppStage(f.app, 'Build', { env: { account: '444444444444', region: 'us-east-1' } });
    expect(attempt(() => ({ production: { stages: [build] } }), f))
      .toThrow("production.stages[0]: the Stage name 'Build' is reserved for the pipeline's own 'Build' stage. Give the Stage another construct id.");
  });

  test('duplicate step names', () => {
    expect(attempt(() => ({ tests: [{ name: 'Check', commands: ['a'] }, { name: 'Check', commands: ['b'] }] })))
      .toThrow("tests[1].name: the step name 'Check' is already used by tests[0].name. Give every test and verification step a unique name.");
    expect(attempt(f => ({
      tests: [{ name: 'Smoke', commands: ['a'] }],
      staging: { stage: f.staging, verify: [{ name: 'Smoke', commands: ['b'] }] },
    }))).toThrow("staging.verify[0].name: the step name 'Smoke' is already used by tests[0].name. Give every test and verification step a unique name.");
  });

  test('step names the pipeline uses itself, or that CodePipeline rejects', () => {
    expect(attempt(() => ({ tests: [{ name: 'SelfMutate', commands: ['a'] }] })))
      .toThrow("tests[0].name: the step name 'SelfMutate' is used by the pipeline's own actions. Choose another name.");
    expect(attempt(() => ({ tests: [{ name: 'unit tests!', commands: ['a'] }] })))
      .toThrow("tests[0].name: 'unit tests!' is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name).");
    expect(attempt(f => ({ staging: { stage: f.staging, verify: [{ name: '', commands: ['a'] }] } })))
      .toThrow(/^staging\.verify\[0\]\.name: '' is not a valid step name/);
  });

  test('empty build commands', () => {
    expect(attempt(() => ({ synth: { commands: [] } })))
      .toThrow("synth.commands: [] has no command to run. Pass the commands that build the app and run 'cdk synth', e.g. ['npm ci', 'npm run build', 'npx cdk synth'].");
    expect(attempt(() => ({ synth: { commands: ['  '] } }))).toThrow(/synth\.commands: \["  "\] has no command to run/);
  });

  test('a test step with no commands', () => {
    expect(attempt(() => ({ tests: [{ name: 'UnitTests', commands: [] }] })))
      .toThrow("tests[0].commands (step 'UnitTests'): [] has no command to run. Give the test step the commands that run the tests, e.g. ['npm ci', 'npm test'].");
  });

  test('a verification step with no commands', () => {
    expect(attempt(f => ({ staging: { stage: f.staging, verify: [{ name: 'Smoke', commands: [] }] } })))
      .toThrow("staging.verify[0].commands (step 'Smoke'): [] has no command to run. Give the verification step the commands that check the deployed environment.");
  });

  test('a pipeline stack without a region deploying to a pinned region', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const staging = new AppStage(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } });
    const prod = new AppStage(app, 'Prod', { env: { account: '333333333333', region: 'us-east-1' } });
    expect(() => new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production: [prod] })))
      .toThrow("DeliveryPipeline: the pipeline stack 'Agnostic' has no explicit region, but the Stage 'Staging' deploys to us-east-1. Give the pipeline stack an explicit env: new Stack(app, 'Agnostic', { env: { account: '111111111111', region: 'us-east-1' } }).");
  });

  test('environment-agnostic stages are not compared', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const staging = new AppStage(app, 'Staging');
    const prod = new AppStage(app, 'Prod');
    const pipeline = new DeliveryPipeline(stack, 'Delivery', referenceProps({ app, stack, staging, production: [prod] }));
    expect(pipeline.crossAccountKeys).toBe(false);
  });
});
