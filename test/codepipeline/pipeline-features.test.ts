import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  BakeFailureAction, DeliveryPipeline, DeliveryPipelineProps, DeploymentWindow, GateRule, PipelineSource, ReleaseTrigger,
  VariableCheckOperator,
} from '../../src';
import { DirectDeployStage } from '../../src/codepipeline/private/cdk-pipelines/direct-deploy-stage';
import { checkPipeline, PipelineExpectations } from '../../src/codepipeline/private/self-check';
import { readStage } from '../../src/private/rendered-pipeline';
import { AppStage, CONNECTION_ARN, errorOf, fixture, Fixture, referenceProps } from '../fixtures/app';

/** CodePipeline V2 features: triggers, execution mode, variables, additional sources, gate rules, caching. */

interface Built { f: Fixture; template: Template; pipeline: any; delivery: DeliveryPipeline }

function build(overrides: (f: Fixture) => Partial<DeliveryPipelineProps>): Built {
  const f = fixture();
  const delivery = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, overrides(f)));
  const template = Template.fromStack(f.stack);
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return { f, template, pipeline: pipeline.Properties, delivery };
}

const synthError = (overrides: (f: Fixture) => Partial<DeliveryPipelineProps>) => errorOf(() => build(overrides));

function connection(triggers?: ReleaseTrigger[], extra: { triggerOnPush?: boolean } = {}): PipelineSource {
  return PipelineSource.connection('acme/app', 'main', { connectionArn: CONNECTION_ARN, triggers, ...extra });
}

const stage = (p: any, name: string) => p.Stages.find((s: any) => s.Name === name);
const action = (p: any, stageName: string, actionName: string) => stage(p, stageName).Actions.find((a: any) => a.Name === actionName);

describe('triggers', () => {
  test('release on tag: one V2 git trigger on the source action, default change detection off', () => {
    const { pipeline } = build(() => ({ source: connection([ReleaseTrigger.onTag({ includes: ['v*'], excludes: ['v*-rc*'] })]) }));
    expect(pipeline.PipelineType).toBe('V2');
    expect(pipeline.Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: {
        SourceActionName: 'acme_app',
        Push: [{ Tags: { Includes: ['v*'], Excludes: ['v*-rc*'] } }],
      },
    }]);
    expect(action(pipeline, 'Source', 'acme_app').Configuration.DetectChanges).toBe(false);
  });

  test('monorepo: pushes to the released branch that change the service; tags and file-path pushes combine', () => {
    const { pipeline } = build(() => ({
      source: connection([
        ReleaseTrigger.onPush({ includes: ['services/api/**', 'shared/**'], excludes: ['**/*.md'] }),
        ReleaseTrigger.onTag({ includes: ['api-v*'] }),
      ]),
    }));
    expect(pipeline.Triggers[0].GitConfiguration.Push).toEqual([
      { Branches: { Includes: ['main'] }, FilePaths: { Includes: ['services/api/**', 'shared/**'], Excludes: ['**/*.md'] } },
      { Tags: { Includes: ['api-v*'] } },
    ]);
  });

  test('a push trigger releases only the source branch', () => {
    const { pipeline } = build(() => ({ source: connection([ReleaseTrigger.onPush()]) }));
    expect(pipeline.Triggers[0].GitConfiguration.Push).toEqual([{ Branches: { Includes: ['main'] } }]);
  });

  test('an additional connection source gets its own trigger', () => {
    const infra = PipelineSource.connection('acme/infra', 'main', { connectionArn: CONNECTION_ARN, triggers: [ReleaseTrigger.onTag({ includes: ['infra-*'] })] });
    const { pipeline } = build(() => ({ source: connection([ReleaseTrigger.onPush()]), additionalSources: [{ directory: 'infra', source: infra }] }));
    expect(pipeline.Triggers.map((t: any) => t.GitConfiguration.SourceActionName)).toEqual(['acme_app', 'acme_infra']);
  });

  test.each([
    ['no triggers', () => connection([]),
      "source: triggers is empty, so nothing would start the pipeline but a manual start. Pass at least one ReleaseTrigger, or leave 'triggers' out to release every push to the branch."],
    ['triggerOnPush beside triggers', () => connection([ReleaseTrigger.onPush()], { triggerOnPush: true }),
      'source: both triggerOnPush (true) and triggers are set. With triggers, only the triggers start the pipeline: remove triggerOnPush (use ReleaseTrigger.onPush() to release every push to the branch).'],
    ['a duplicate trigger', () => connection([ReleaseTrigger.onTag({ includes: ['v*'] }), ReleaseTrigger.onTag({ includes: ['v*'] })]),
      'source: triggers[1] is the same tag trigger as triggers[0]. Remove the duplicate.'],
    ['four push filters', () => connection(['a*', 'b*', 'c*', 'd*'].map(t => ReleaseTrigger.onTag({ includes: [t] }))),
      'source: 4 push and tag triggers; CodePipeline accepts at most 3 push filters per source. Merge triggers of the same kind (their globs combine).'],
    ['not a trigger', () => connection([{ kind: 'PUSH' } as unknown as ReleaseTrigger]),
      'PipelineSource.connection(options).triggers[0]: an object with keys kind is not a ReleaseTrigger (made with ReleaseTrigger.onPullRequest(...), onPush(...) or onTag(...)).'],
  ])('source validation: %s', (_name, source, message) => {
    expect(() => source()).toThrow(message);
  });

  test.each([
    ['tag without includes', () => ReleaseTrigger.onTag({ includes: [] }),
      "ReleaseTrigger.onTag: 'includes' is empty. Pass the tags to release, e.g. ReleaseTrigger.onTag({ includes: ['v*'] })."],
    ['absolute path', () => ReleaseTrigger.onPush({ includes: ['/services/**'] }),
      "ReleaseTrigger.onPush: filePaths.includes[0] '/services/**' starts with '/', but file paths are matched relative to the repository root. Write 'services/**'."],
    ['./ path', () => ReleaseTrigger.onPush({ excludes: ['./docs/**'] }),
      "ReleaseTrigger.onPush: filePaths.excludes[0] './docs/**' starts with './', but file paths are matched relative to the repository root. Write 'docs/**'."],
    ['unclosed bracket', () => ReleaseTrigger.onTag({ includes: ['v[0-9*'] }),
      "ReleaseTrigger.onTag: includes[0] 'v[0-9*' has an unclosed '[' or '{'. Close it, or escape it with '\\'."],
    ['unclosed brace', () => ReleaseTrigger.onPush({ includes: ['src/{a,b/**'] }),
      "ReleaseTrigger.onPush: filePaths.includes[0] 'src/{a,b/**' has an unclosed '[' or '{'. Close it, or escape it with '\\'."],
    ['empty glob', () => ReleaseTrigger.onPush({ includes: [' '] }),
      "ReleaseTrigger.onPush: filePaths.includes[0] is empty. Give a glob such as 'services/api/**'."],
    ['whitespace', () => ReleaseTrigger.onTag({ includes: ['v* '] }),
      "ReleaseTrigger.onTag: includes[0] 'v* ' starts or ends with whitespace, which no tag has. Remove it."],
    ['empty list', () => ReleaseTrigger.onPush({ excludes: [] }),
      'ReleaseTrigger.onPush: filePaths.excludes is empty. Give at least one glob, or leave filePaths.excludes out.'],
    ['nine globs', () => ReleaseTrigger.onPush({ includes: Array.from({ length: 9 }, (_, i) => `s${i}/**`) }),
      "ReleaseTrigger.onPush: filePaths.includes has 9 globs; CodePipeline accepts at most 8 per filter. Use broader globs (e.g. 'services/**')."],
    ['too long', () => ReleaseTrigger.onTag({ includes: ['v'.repeat(256)] }),
      'ReleaseTrigger.onTag: includes[0] has 256 characters; CodePipeline accepts at most 255.'],
    ['same glob twice', () => ReleaseTrigger.onTag({ includes: ['v*', 'v*'] }),
      "ReleaseTrigger.onTag: includes lists 'v*' twice. List each glob once."],
    ['included and excluded', () => ReleaseTrigger.onPush({ includes: ['src/**'], excludes: ['src/**'] }),
      "ReleaseTrigger.onPush: filePaths: 'src/**' is both included and excluded, so it can never start the pipeline. Remove it from one list."],
  ])('trigger validation: %s', (_name, trigger, message) => {
    expect(() => trigger()).toThrow(message);
  });

  test('an escaped bracket is a valid glob', () => {
    expect(() => ReleaseTrigger.onTag({ includes: ['v\\[legacy*'] })).not.toThrow();
  });
});

describe('execution mode', () => {
  test('SUPERSEDED by default; QUEUED and PARALLEL as asked', () => {
    expect(build(() => ({})).pipeline.ExecutionMode).toBe('SUPERSEDED');
    expect(build(() => ({ executionMode: codepipeline.ExecutionMode.QUEUED })).pipeline.ExecutionMode).toBe('QUEUED');
    expect(build(() => ({ executionMode: codepipeline.ExecutionMode.PARALLEL })).pipeline.ExecutionMode).toBe('PARALLEL');
  });

  function bake(f: Fixture, onFailure?: BakeFailureAction) {
    const alarm = new cloudwatch.Alarm(f.stack, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    return { alarms: [alarm], duration: Duration.minutes(10), onFailure };
  }

  test('PARALLEL with a bake that rolls back (the default) is refused', () => {
    expect(synthError(f => ({ executionMode: codepipeline.ExecutionMode.PARALLEL, production: { stages: f.production, bake: bake(f) } }))).toBe(
      'executionMode: PARALLEL executions cannot roll a stage back, but production.bake rolls Production back on failure (the default). Use ExecutionMode.QUEUED or SUPERSEDED, or set production.bake.onFailure to BakeFailureAction.FAIL or RETRY.');
    const parallel = codepipeline.ExecutionMode.PARALLEL;
    expect(synthError(f => ({ executionMode: parallel, staging: { stage: f.staging, bake: bake(f, BakeFailureAction.ROLLBACK) } }))).toBe(
      'executionMode: PARALLEL executions cannot roll a stage back, but staging.bake rolls Staging back on failure. Use ExecutionMode.QUEUED or SUPERSEDED, or set staging.bake.onFailure to BakeFailureAction.FAIL or RETRY.');
  });

  test('PARALLEL with a bake that fails instead: no ROLLBACK anywhere', () => {
    const parallel = codepipeline.ExecutionMode.PARALLEL;
    const { pipeline } = build(f => ({ executionMode: parallel, production: { stages: f.production, bake: bake(f, BakeFailureAction.FAIL) } }));
    expect(JSON.stringify(pipeline.Stages)).not.toContain('ROLLBACK');
  });

  test('an unknown mode is refused', () => {
    expect(synthError(() => ({ executionMode: 'FIFO' as codepipeline.ExecutionMode }))).toBe(
      "executionMode: 'FIFO' is not a codepipeline.ExecutionMode value (codepipeline.ExecutionMode.QUEUED, SUPERSEDED or PARALLEL).");
  });
});

describe('variables', () => {
  test('declared variables are rendered and resolved in step environments at run time', () => {
    const { pipeline } = build(() => ({
      variables: [{ name: 'RELEASE_NOTE', defaultValue: 'none', description: 'Why this release' }, { name: 'FEATURE_FLAGS' }],
      tests: [{ name: 'UnitTests', commands: ['npm test'], env: { NOTE: '#{variables.RELEASE_NOTE}', PLAIN: 'x' } }],
    }));
    expect(pipeline.Variables).toEqual([
      { Name: 'RELEASE_NOTE', DefaultValue: 'none', Description: 'Why this release' },
      { Name: 'FEATURE_FLAGS' },
    ]);
    const test = action(pipeline, 'Test', 'UnitTests');
    // CDK Pipelines moves values with #{...} from the project to the action, where CodePipeline resolves them.
    expect(JSON.parse(test.Configuration.EnvironmentVariables)).toEqual(expect.arrayContaining([
      { name: 'NOTE', type: 'PLAINTEXT', value: '#{variables.RELEASE_NOTE}' },
    ]));
  });

  test.each<[string, (f: Fixture) => Partial<DeliveryPipelineProps>, string]>([
    ['an undeclared variable read by a step', () => ({ variables: [{ name: 'A' }], synth: { commands: ['npx cdk synth'], env: { X: 'v-#{variables.B}' } } }),
      "synth.env.X: reads #{variables.B}, but the pipeline declares no variable 'B' (it declares A). Declare it in the pipeline's 'variables': CodePipeline rejects an execution that sets an undeclared variable, and never resolves one."],
    ['a verification step reading an undeclared variable', f => ({ staging: { stage: f.staging, verify: [{ name: 'Smoke', commands: ['true'], env: { X: '#{variables.NOPE}' } }] } }),
      "staging.verify[0].env.X: reads #{variables.NOPE}, but the pipeline declares no variable 'NOPE'. Declare it in the pipeline's 'variables': CodePipeline rejects an execution that sets an undeclared variable, and never resolves one."],
    ['an invalid name', () => ({ variables: [{ name: 'release note' }] }),
      "variables[0].name: 'release note' is not a valid variable name. Use 1 to 128 letters, digits, '@', '-' or '_', e.g. 'RELEASE_NOTE'."],
    ['a duplicate', () => ({ variables: [{ name: 'A' }, { name: 'A' }] }),
      "variables[1].name: the variable 'A' is already declared by variables[0]. Declare each variable once."],
    ['an empty default', () => ({ variables: [{ name: 'A', defaultValue: '' }] }),
      "variables[0].defaultValue: 0 characters for 'A'; CodePipeline accepts 1 to 1000. Leave it out for no default."],
    ['a long description', () => ({ variables: [{ name: 'A', description: 'd'.repeat(201) }] }),
      "variables[0].description: 201 characters for 'A'; CodePipeline accepts at most 200. Shorten it."],
    ['51 variables', () => ({ variables: Array.from({ length: 51 }, (_, i) => ({ name: `V${i}` })) }),
      'variables: 51 variables; a CodePipeline pipeline declares at most 50.'],
  ])('validation: %s', (_name, overrides, message) => {
    expect(synthError(overrides)).toBe(message);
  });
});

describe('additional sources', () => {
  const infra = () => PipelineSource.connection('acme/infra', 'main', { connectionArn: CONNECTION_ARN });

  test('every build, test and verification step receives the source in its directory', () => {
    const { pipeline, template } = build(() => ({ additionalSources: [{ directory: 'infra', source: infra() }] }));
    expect(stage(pipeline, 'Source').Actions.map((a: any) => a.Name)).toEqual(['acme_app', 'acme_infra']);
    const infraArtifact = action(pipeline, 'Source', 'acme_infra').OutputArtifacts[0].Name;
    for (const [stageName, actionName] of [['Build', 'Synth'], ['Test', 'UnitTests'], ['Staging', 'Smoke']]) {
      const a = action(pipeline, stageName, actionName);
      expect(a.InputArtifacts.map((i: any) => i.Name)).toContain(infraArtifact);
    }
    // The step's buildspec links the secondary source into the directory.
    const installs = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .filter((p: any) => p.Properties.Source.BuildSpec.startsWith('{'))
      .map((p: any) => JSON.parse(p.Properties.Source.BuildSpec).phases?.install?.commands ?? []);
    const linked = installs.filter(commands => commands.some((c: string) => c.endsWith('ln -s -- "$CODEBUILD_SRC_DIR_acme_infra_Source" "infra"')));
    expect(linked).toHaveLength(3); // synth, the test step, the verification step
  });

  test.each<[string, () => Partial<DeliveryPipelineProps>, string]>([
    ['an empty directory', () => ({ additionalSources: [{ directory: '', source: infra() }] }),
      "additionalSources[0].directory: '' names no directory. Pass a relative path inside the source of letters, digits, '.', '_', '-' and '/', e.g. 'infra'."],
    ['the root directory', () => ({ additionalSources: [{ directory: './', source: infra() }] }),
      "additionalSources[0].directory: './' names no directory. Give a directory relative to the primary source's root, e.g. 'infra'."],
    ['an absolute directory', () => ({ additionalSources: [{ directory: '/infra', source: infra() }] }),
      "additionalSources[0].directory: '/infra' is an absolute path; the step can only use directories inside its source. Pass a relative path inside the source of letters, digits, '.', '_', '-' and '/', e.g. 'infra'."],
    ['a directory outside', () => ({ additionalSources: [{ directory: '../infra', source: infra() }] }),
      "additionalSources[0].directory: '../infra' leaves the source with '..'. Pass a relative path inside the source of letters, digits, '.', '_', '-' and '/', e.g. 'infra'."],
    ['nested directories', () => ({ additionalSources: [{ directory: 'vendor', source: infra() }, { directory: 'vendor/lib', source: PipelineSource.connection('acme/lib', 'main', { connectionArn: CONNECTION_ARN }) }] }),
      "additionalSources[1].directory: 'vendor/lib' overlaps additionalSources[0].directory 'vendor'. Give every source its own directory."],
    ['the same source twice', () => ({ additionalSources: [{ directory: 'a', source: infra() }, { directory: 'b', source: infra() }] }),
      'additionalSources[1].source: acme/infra@main is already additionalSources[0]. List each source once.'],
    ['the primary source', () => ({ additionalSources: [{ directory: 'a', source: PipelineSource.connection('acme/app', 'main', { connectionArn: CONNECTION_ARN }) }] }),
      'additionalSources[0].source: acme/app@main is the primary source. Every step already has it: remove it.'],
    ['no source', () => ({ additionalSources: [{ directory: 'a', source: undefined as unknown as PipelineSource }] }),
      'additionalSources[0].source: the property is required but was not given. Pass a PipelineSource (made with PipelineSource.codeCommit(...), connection(...) or s3(...)).'],
  ])('validation: %s', (_name, overrides, message) => {
    expect(synthError(overrides)).toBe(message);
  });
});

describe('gate rules', () => {
  function alarm(stack: Stack, id = 'ProdErrors') {
    return new cloudwatch.Alarm(stack, id, {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: id }), threshold: 1, evaluationPeriods: 1,
    });
  }

  test('do not enter production while production is alarming: a beforeEntry CloudWatchAlarm rule beside the window', () => {
    const { pipeline, template } = build(f => ({
      production: { stages: f.production, deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'Europe/Berlin'), gates: [GateRule.noAlarm(alarm(f.stack))] },
    }));
    const entry = stage(pipeline, 'Production').BeforeEntry.Conditions;
    expect(entry).toHaveLength(1);
    expect(entry[0].Result).toBe('FAIL');
    expect(entry[0].Rules.map((r: any) => [r.Name, r.RuleTypeId.Provider])).toEqual([
      ['Production-DeploymentWindow', 'DeploymentWindow'],
      ['Production-NoAlarm1', 'CloudWatchAlarm'],
    ]);
    expect(entry[0].Rules[1].Configuration).toEqual({ AlarmName: { Ref: expect.stringMatching(/^ProdErrors/) }, AlarmStates: 'ALARM' });
    expect(stage(pipeline, 'Staging').BeforeEntry).toBeUndefined();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    // The pipeline's role may describe exactly this alarm.
    expect(statements.filter((st: any) => st.Action === 'cloudwatch:DescribeAlarms')).toEqual([
      { Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ProdErrors/), 'Arn'] } },
    ]);
  });

  test('lambda, variable check and commands rules, each with least privilege', () => {
    const { pipeline, template } = build(f => {
      const fn = lambda.Function.fromFunctionArn(f.stack, 'Check', 'arn:aws:lambda:us-east-1:111111111111:function:release-check');
      return {
        pipelineName: 'acme-app',
        variables: [{ name: 'RELEASE_KIND', defaultValue: 'normal' }],
        staging: {
          stage: f.staging,
          gates: [
            GateRule.lambda(fn, { userParameters: '{"service":"app"}' }),
            GateRule.variableCheck('#{variables.RELEASE_KIND}', VariableCheckOperator.NOT_EQUALS, 'frozen'),
            GateRule.commands(['test -f CHANGELOG.md']),
          ],
        },
      };
    });
    const rules = stage(pipeline, 'Staging').BeforeEntry.Conditions[0].Rules;
    expect(rules.map((r: any) => r.Name)).toEqual(['Staging-Lambda1', 'Staging-VariableCheck2', 'Staging-Commands3']);
    expect(rules[0].Configuration).toEqual({ FunctionName: 'release-check', UserParameters: '{"service":"app"}' });
    expect(rules[1].Configuration).toEqual({ Variable: '#{variables.RELEASE_KIND}', Operator: 'NE', Value: 'frozen' });
    expect(rules[2].Commands).toEqual(['test -f CHANGELOG.md']);
    // The Commands rule reads the release's source revision.
    expect(rules[2].InputArtifacts).toEqual([{ Name: action(pipeline, 'Source', 'acme_app').OutputArtifacts[0].Name }]);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:release-check' });
    const logs = statements.find((s: any) => JSON.stringify(s.Action).includes('logs:PutLogEvents') && JSON.stringify(s.Resource).includes('/aws/codepipeline/'));
    expect(JSON.stringify(logs.Resource)).toContain(':log-group:/aws/codepipeline/acme-app');
    expect(JSON.stringify(logs.Resource)).not.toContain('/aws/codepipeline/*');
  });

  test('production-level gates apply to every wave, and to every part of a split environment', () => {
    const { pipeline } = build(f => {
      const gate = GateRule.noAlarm(alarm(f.stack));
      const many = Array.from({ length: 30 }, (_, i) => new AppStage(f.app, `Cell${i}`, { env: { account: '333333333333', region: 'us-east-1' } }));
      return { production: { gates: [gate], waves: [{ name: 'canary', stages: [f.production[0]] }, { name: 'cells', stages: many }] } };
    });
    const gated = pipeline.Stages.filter((s: any) => s.BeforeEntry).map((s: any) => s.Name);
    expect(gated).toEqual(['Production-canary', 'Production-cells-1', 'Production-cells-2']);
  });

  test.each<[string, (f: Fixture) => Partial<DeliveryPipelineProps>, string]>([
    ['six entry rules', f => ({ production: { stages: f.production, deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'Europe/Berlin'), gates: [1, 2, 3, 4, 5].map(i => GateRule.noAlarm(alarm(f.stack, `A${i}`))) } }),
      'production.gates: 5 gate rule(s) and the deployment window make 6 beforeEntry rules, but a CodePipeline stage has one beforeEntry condition of at most 5 rules. Combine alarms into a cloudwatch.CompositeAlarm, or checks into one GateRule.lambda.'],
    ['commands without a pipeline name', f => ({ staging: { stage: f.staging, gates: [GateRule.commands(['true'])] } }),
      "staging.gates[0]: a Commands rule logs to the log group /aws/codepipeline/<pipelineName>, and its role may write only there: set the pipeline's 'pipelineName' to use GateRule.commands()."],
    ['an undeclared variable', f => ({ staging: { stage: f.staging, gates: [GateRule.variableCheck('#{variables.KIND}', VariableCheckOperator.EQUALS, 'x')] } }),
      "staging.gates[0]: the variable check reads #{variables.KIND}, but the pipeline declares no variable 'KIND'. Declare it in the pipeline's 'variables'."],
    ['an alarm in another account', f => ({ staging: { stage: f.staging, gates: [GateRule.noAlarm(cloudwatch.Alarm.fromAlarmArn(f.stack, 'Far', 'arn:aws:cloudwatch:us-east-1:999999999999:alarm:far'))] } }),
      "staging.gates[0]: the alarm 'PipelineStack/Far' is in account 999999999999, but the CloudWatchAlarm rule runs with the pipeline's role in account 111111111111 and cannot read alarms in other accounts. Create the alarm in 111111111111 (CloudWatch cross-account observability lets it watch the application account's metrics)."],
    ['not a gate rule', f => ({ staging: { stage: f.staging, gates: [{} as GateRule] } }),
      'staging.gates[0]: an object with no keys is not a GateRule (made with GateRule.commands(...), lambda(...), noAlarm(...) or variableCheck(...)).'],
  ])('validation: %s', (_name, overrides, message) => {
    expect(synthError(overrides)).toBe(message);
  });

  test.each([
    ['variable check: not a reference', () => GateRule.variableCheck('variables.KIND', VariableCheckOperator.EQUALS, 'x'),
      "GateRule.variableCheck: the variable 'variables.KIND' is not a variable reference. Pass it as '#{namespace.name}', e.g. '#{variables.RELEASE_KIND}' for a pipeline variable."],
    ['variable check: unknown operator', () => GateRule.variableCheck('#{variables.KIND}', 'GT' as VariableCheckOperator, 'x'),
      "GateRule.variableCheck(operator): 'GT' is not a VariableCheckOperator value (VariableCheckOperator.EQUALS, NOT_EQUALS, CONTAINS or MATCHES)."],
    ['variable check: empty value', () => GateRule.variableCheck('#{variables.KIND}', VariableCheckOperator.EQUALS, ''),
      'GateRule.variableCheck: the value for #{variables.KIND} is empty. Pass the value to compare with.'],
    ['commands: none', () => GateRule.commands([]),
      'GateRule.commands: the list of commands is empty. Pass the commands that must succeed before the stage is entered.'],
    ['commands: multi-line', () => GateRule.commands(['echo a\necho b']),
      'GateRule.commands: commands[0] spans several lines; a Commands rule runs single-line commands only. Split it into one command per line of the list, or move it into a script.'],
    ['commands: blank', () => GateRule.commands(['  ']),
      'GateRule.commands: commands[0] is empty. Remove it or give the command.'],
    ['commands: too many', () => GateRule.commands(Array.from({ length: 51 }, () => 'true')),
      'GateRule.commands: 51 commands; a Commands rule runs at most 50. Move them into a script in the repository and run that.'],
    ['commands: too long', () => GateRule.commands(['x'.repeat(1001)]),
      'GateRule.commands: commands[0] has 1001 characters; a Commands rule accepts at most 1000 per command. Move it into a script in the repository.'],
    ['lambda: missing function', () => GateRule.lambda(undefined as unknown as lambda.IFunction),
      "GateRule.lambda(fn): the argument is required but was not given. Pass a lambda.IFunction (e.g. lambda.Function.fromFunctionArn(this, 'Gate', arn))."],
    ['noAlarm: missing alarm', () => GateRule.noAlarm(null as unknown as cloudwatch.IAlarm),
      "GateRule.noAlarm(alarm): the argument is required but was null. Pass a cloudwatch.IAlarm (e.g. cloudwatch.Alarm.fromAlarmArn(this, 'Errors', arn))."],
  ])('factory validation: %s', (_name, make, message) => {
    expect(() => make()).toThrow(message);
  });

  test('lambda: userParameters longer than CodePipeline accepts', () => {
    const f = fixture();
    const fn = lambda.Function.fromFunctionArn(f.stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:x');
    expect(() => GateRule.lambda(fn, { userParameters: 'p'.repeat(1001) })).toThrow(
      'GateRule.lambda: userParameters has 1001 characters; CodePipeline accepts 1 to 1000. Shorten it, or leave it out.');
  });

  test('the self-check fails a stage whose gate rule is missing, and one whose gate result is not FAIL', () => {
    const expected: PipelineExpectations = {
      mode: 'continuous-delivery' as never,
      stages: [{ name: 'Production', kind: 'production' as never, environment: 'Production', entryRules: ['CloudWatchAlarm'] }],
      approvals: [],
    };
    const deploy = { Name: 'Svc.Deploy', ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'CloudFormation', Version: '1' } };
    const missing = readStage({ Name: 'Production', Actions: [deploy] });
    expect(checkPipeline([missing], expected).join('\n')).toContain(
      "the stage 'Production' must be gated by the rule(s) CloudWatchAlarm before entry, but its beforeEntry condition has none.");
    const skipping = readStage({
      Name: 'Production',
      Actions: [deploy],
      BeforeEntry: {
        Conditions: [{ Result: 'SKIP', Rules: [{ Name: 'Production-NoAlarm1', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' } }] }],
      },
    });
    const errors = checkPipeline([skipping], expected).join('\n');
    expect(errors).toContain("the stage 'Production' has a beforeEntry condition whose result is SKIP, not FAIL: a failed gate would let the release through.");
    expect(errors).not.toContain('must be gated by');
  });
});

describe('caching', () => {
  test('S3 cache for synth and a local custom cache for a test step, with their paths in the buildspec', () => {
    const { template } = build(f => {
      const bucket = new s3.Bucket(f.stack, 'Cache', { enforceSSL: true });
      return {
        synth: { commands: ['npm ci', 'npx cdk synth'], cache: { cache: codebuild.Cache.bucket(bucket, { prefix: 'synth' }), paths: ['/root/.npm/**/*'] } },
        tests: [{ name: 'UnitTests', commands: ['npm ci', 'npm test'], cache: { cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM), paths: ['node_modules/**/*'] } }],
      };
    });
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p: any) => p.Properties);
    const synth = projects.find(p => JSON.stringify(p.Source.BuildSpec).includes('npx cdk synth'));
    expect(synth.Cache).toEqual({ Type: 'S3', Location: expect.anything() });
    expect(JSON.parse(synth.Source.BuildSpec).cache).toEqual({ paths: ['/root/.npm/**/*'] });
    const unit = projects.find(p => JSON.stringify(p.Source.BuildSpec).includes('npm test'));
    expect(unit.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_CUSTOM_CACHE'] });
    expect(JSON.parse(unit.Source.BuildSpec).cache).toEqual({ paths: ['node_modules/**/*'] });
    // Without caching, no project caches.
    const plain = build(() => ({})).template;
    for (const p of Object.values(plain.findResources('AWS::CodeBuild::Project')) as any[]) {
      expect(p.Properties.Cache ?? { Type: 'NO_CACHE' }).toEqual({ Type: 'NO_CACHE' });
    }
  });

  test.each<[string, (f: Fixture) => Partial<DeliveryPipelineProps>, string]>([
    ['S3 without paths', f => ({ synth: { commands: ['x'], cache: { cache: codebuild.Cache.bucket(new s3.Bucket(f.stack, 'B')) } } }),
      "synth.cache.paths: an S3 cache stores only the listed paths, and none are listed. Give them, e.g. ['/root/.npm/**/*']."],
    ['custom local without paths', () => ({ tests: [{ name: 'T', commands: ['x'], cache: { cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM) } }] }),
      "tests[0].cache.paths: a LocalCacheMode.CUSTOM cache stores only the listed paths, and none are listed. Give them, e.g. ['/root/.npm/**/*']."],
    ['paths on a Docker-layer cache', () => ({ synth: { commands: ['x'], cache: { cache: codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER), paths: ['a'] } } }),
      "synth.cache.paths: paths are cached only by an S3 cache or a local cache with LocalCacheMode.CUSTOM, but this cache is LOCAL_DOCKER_LAYER_CACHE. Add LocalCacheMode.CUSTOM, or remove 'paths'."],
    ['Cache.none()', () => ({ synth: { commands: ['x'], cache: { cache: codebuild.Cache.none() } } }),
      "synth.cache.cache: codebuild.Cache.none() caches nothing. Remove 'synth.cache' for no cache."],
    ['an empty path', () => ({ synth: { commands: ['x'], cache: { cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM), paths: [''] } } }),
      "synth.cache.paths[0]: the path is empty. Give a path or glob to cache, e.g. 'node_modules/**/*'."],
    ['no cache object', () => ({ synth: { commands: ['x'], cache: {} as never } }),
      'synth.cache.cache: the property is required but was not given. Pass a codebuild.Cache (e.g. codebuild.Cache.bucket(cacheBucket)).'],
  ])('validation: %s', (_name, overrides, message) => {
    expect(synthError(overrides)).toBe(message);
  });
});

describe('change sets per environment', () => {
  const deployActions = (p: any, stageName: string) => stage(p, stageName).Actions
    .filter((a: any) => a.ActionTypeId.Category === 'Deploy').map((a: any) => `${a.Name}@${a.RunOrder}:${a.Configuration.ActionMode}`);

  test('by default staging deploys directly and production through reviewed change sets: 8 hops instead of 9', () => {
    const { pipeline } = build(() => ({}));
    expect(deployActions(pipeline, 'Staging')).toEqual(['Api.Deploy@1:CREATE_UPDATE']);
    // Run order 2 is production's change-set review.
    expect(deployActions(pipeline, 'Production')).toEqual([
      'Prod-us-east-1.Api.Prepare@1:CHANGE_SET_REPLACE', 'Prod-eu-west-1.Api.Prepare@1:CHANGE_SET_REPLACE', 'Prod-ap-southeast-2.Api.Prepare@1:CHANGE_SET_REPLACE',
      'Prod-us-east-1.Api.Deploy@3:CHANGE_SET_EXECUTE', 'Prod-eu-west-1.Api.Deploy@3:CHANGE_SET_EXECUTE', 'Prod-ap-southeast-2.Api.Deploy@3:CHANGE_SET_EXECUTE',
    ]);
    // The verification (and the production approval beside it) moved up into the freed slot.
    expect(stage(pipeline, 'Staging').Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual(['Api.Deploy@1', 'PromoteToProduction@2', 'Smoke@2']);
  });

  test("a direct deployment is exactly the action CDK Pipelines renders with useChangeSets: false, outputs' namespace included", () => {
    const staging = (overrides: (f: Fixture) => Partial<DeliveryPipelineProps>) => action(build(overrides).pipeline, 'Staging', 'Api.Deploy');
    const ours = staging(() => ({}));
    const cdkPipelines = staging(() => ({ useChangeSets: false }));
    expect(ours).toEqual(cdkPipelines);
    // The smoke test reads the staging URL from this namespace.
    expect(ours.Namespace).toBeDefined();
    const smoke = action(build(() => ({})).pipeline, 'Staging', 'Smoke');
    expect(smoke.Configuration.EnvironmentVariables).toContain(`#{${ours.Namespace}.Url}`);
  });

  test('each environment chooses: staging through change sets, one wave directly, the pipeline default elsewhere', () => {
    const { pipeline } = build(f => ({
      staging: { stage: f.staging, useChangeSets: true },
      production: { waves: [{ name: 'canary', stages: [f.production[0]], useChangeSets: false }, { name: 'rest', stages: f.production.slice(1) }] },
    }));
    // Staging's change set is reviewed too (run order 2): every change set is, by default.
    expect(deployActions(pipeline, 'Staging')).toEqual(['Api.Prepare@1:CHANGE_SET_REPLACE', 'Api.Deploy@3:CHANGE_SET_EXECUTE']);
    // A wave of one Stage with one stack: CDK Pipelines names the actions 'Prepare' and 'Deploy'.
    expect(deployActions(pipeline, 'Production-canary')).toEqual(['Deploy@1:CREATE_UPDATE']);
    expect(deployActions(pipeline, 'Production-rest')).toEqual([
      'Prod-eu-west-1.Api.Prepare@1:CHANGE_SET_REPLACE', 'Prod-ap-southeast-2.Api.Prepare@1:CHANGE_SET_REPLACE',
      'Prod-eu-west-1.Api.Deploy@3:CHANGE_SET_EXECUTE', 'Prod-ap-southeast-2.Api.Deploy@3:CHANGE_SET_EXECUTE',
    ]);
  });

  test('production-level useChangeSets applies to every wave; the pipeline-level false deploys everything directly', () => {
    const waves = build(f => ({ production: { useChangeSets: false, waves: [{ name: 'a', stages: [f.production[0]] }, { name: 'b', stages: [f.production[1]] }] } })).pipeline;
    expect(JSON.stringify(waves.Stages)).not.toContain('CHANGE_SET');
    const none = build(() => ({ useChangeSets: false })).pipeline;
    expect(JSON.stringify(none.Stages)).not.toContain('CHANGE_SET');
  });
});

describe('DirectDeployStage refuses what it cannot pair (CDK Pipelines changed)', () => {
  /** An L2 pipeline with a source and a `Staging` stage behind a DirectDeployStage. */
  function directStage() {
    const f = fixture();
    const pipeline = new codepipeline.Pipeline(f.stack, 'P');
    const artifact = new codepipeline.Artifact('Asm');
    const bucket = s3.Bucket.fromBucketName(f.stack, 'B', 'source-bucket');
    pipeline.addStage({ stageName: 'Source', actions: [new cpactions.S3SourceAction({ actionName: 'Src', bucket, bucketKey: 'k', output: artifact })] });
    const l2 = pipeline.addStage({ stageName: 'Staging' });
    return { f, l2, artifact, direct: new DirectDeployStage(l2) };
  }
  const prepare = (artifact: codepipeline.Artifact, name: string) => new cpactions.CloudFormationCreateReplaceChangeSetAction({
    actionName: name, stackName: 'S', changeSetName: 'C', templatePath: artifact.atPath('t.json'), adminPermissions: true,
  });
  const execute = (name: string, runOrder?: number) => new cpactions.CloudFormationExecuteChangeSetAction({ actionName: name, stackName: 'S', changeSetName: 'C', runOrder });

  test('a prepare action without its deploy action', () => {
    const { direct, artifact } = directStage();
    direct.addAction(prepare(artifact, 'Svc.Prepare'));
    expect(() => direct.flush()).toThrow(
      "DeliveryPipeline: the change set action 'Svc.Prepare' in stage 'Staging' has no '<stack>.Deploy' (or 'Deploy') action to pair with, so the stage cannot deploy directly. Please report it with your aws-cdk-lib version, or set useChangeSets: true on this environment.");
  });

  test('a deploy action that executes a change set nobody prepares', () => {
    const { direct } = directStage();
    direct.addAction(execute('Svc.Deploy'));
    expect(() => direct.flush()).toThrow(
      "DeliveryPipeline: the change set action 'Svc.Deploy' in stage 'Staging' executes a change set no action prepares. Please report it with your aws-cdk-lib version.");
  });

  test('a pair becomes one CREATE_UPDATE action, later actions move up', () => {
    const { f, l2, direct, artifact } = directStage();
    direct.addAction(prepare(artifact, 'Svc.Prepare'));
    direct.addAction(execute('Svc.Deploy', 2));
    direct.addAction(new cpactions.ManualApprovalAction({ actionName: 'Approve', runOrder: 3 }));
    expect(l2.actions).toHaveLength(0); // held until the build is done
    direct.flush();
    expect(l2.actions.map(a => `${a.actionProperties.actionName}@${a.actionProperties.runOrder}`)).toEqual(['Svc.Deploy@1', 'Approve@2']);
    const [cfn] = Object.values(Template.fromStack(f.stack).findResources('AWS::CodePipeline::Pipeline'));
    const deploy = cfn.Properties.Stages[1].Actions[0];
    expect(deploy.Configuration.ActionMode).toBe('CREATE_UPDATE');
    expect(deploy.Configuration.ChangeSetName).toBeUndefined();
    expect(() => direct.addAction(new cpactions.ManualApprovalAction({ actionName: 'Late' }))).toThrow(
      "DeliveryPipeline: an action ('Late') was added to stage 'Staging' after the pipeline was built. Please report it with your aws-cdk-lib version.");
  });
});
