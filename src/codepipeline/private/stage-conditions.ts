import { createHash } from 'node:crypto';
import { Annotations, Arn, ArnFormat, Duration, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { BakeFailureAction } from '../../blueprint/bake';
import { DeploymentWindow } from '../../blueprint/deployment-window';
import { GateRule, GateRuleKind } from '../../blueprint/gate-rule';
import { ResolvedBake } from '../../blueprint/release-model';
import { acknowledgeFindings, flattenCfnReference } from '../../private/acknowledgments';
import { MAX_NAME_LENGTH, MAX_RULES_PER_CONDITION } from '../../private/codepipeline-limits';
import { InternalError, ValidationError } from '../../private/errors';
import { RuleProvider } from '../../private/providers';

/**
 * CodePipeline V2 stage conditions for an environment, as typed L2 `StageProps`: a deployment window
 * (`beforeEntry`, DeploymentWindow rule), an alarm-gated bake (`onSuccess`, CloudWatchAlarm rules) and what to
 * do on failure (`onFailure`: ROLLBACK or RETRY; FAIL is what a stage does without one). Conditions are not
 * actions: they add no hop.
 */


/** The guard rails of one environment. */
export interface EnvironmentGuards {
  /** Property path for messages, e.g. `production.waves[1]`. */
  readonly property: string;
  readonly deploymentWindow?: DeploymentWindow;
  readonly bake?: ResolvedBake;
  /** The rules that must pass before entry (the environment's `gates`). */
  readonly entryRules: GateRule[];
  /** The role of each `GateRule.commands` gate (by its index in `entryRules`), made by `prepareGuards`. */
  readonly commandRoles?: ReadonlyMap<number, iam.Role>;
}

/** What gate rules need from the pipeline. */
export interface GateContext {
  /** The pipeline's explicit name (Commands rules log to `/aws/codepipeline/<name>`). */
  readonly pipelineName?: string;
  /** The declared pipeline variables (`#{variables.NAME}` must name one). */
  readonly variables: string[];
  /** The name of the primary source's output artifact, once CDK Pipelines has built the Source stage. */
  readonly sourceArtifactName: () => string;
}

export type StageConditions = Pick<codepipeline.StageProps, 'beforeEntry' | 'onSuccess' | 'onFailure'>;

/**
 * Validates the guard rails once per environment (the same settings apply to each part of a split environment),
 * grants the pipeline's role what the rules it runs need, and gives each rule that runs commands a role of its own.
 * Returns the guards with those roles.
 */
export function prepareGuards(
  pipelineStack: Stack, pipeline: codepipeline.Pipeline, guards: EnvironmentGuards, context: GateContext,
): EnvironmentGuards {
  const role = pipeline.role;
  if (guards.deploymentWindow) {
    checkStageConditionsApi(`${guards.property}.deploymentWindow`, 'A deployment window');
  }
  const prepared: EnvironmentGuards = { ...guards, commandRoles: prepareGates(pipelineStack, pipeline, guards, context) };
  if (!guards.bake) {
    return prepared;
  }
  checkStageConditionsApi(`${guards.property}.bake`, 'A bake');
  const bake = guards.bake;
  bakeMinutes(bake, guards.property);
  if (bake.alarms.length === 0) {
    throw new ValidationError(`${guards.property}.bake.alarms: the list is empty. Pass the CloudWatch alarms that must stay out of ALARM during the bake, or remove 'bake'.`);
  }
  if (bake.alarms.length > MAX_RULES_PER_CONDITION) {
    throw new ValidationError(`${guards.property}.bake.alarms: ${bake.alarms.length} alarms, but a CodePipeline condition holds at most ${MAX_RULES_PER_CONDITION} rules (one CloudWatchAlarm rule per alarm) and a stage has exactly one onSuccess condition. Combine related alarms into a cloudwatch.CompositeAlarm (AlarmRule.anyOf(...)) and bake on at most ${MAX_RULES_PER_CONDITION}.`);
  }
  bake.alarms.forEach((alarm, i) => {
    const where = alarmEnvironment(alarm);
    checkAlarmAccount(pipelineStack, where.account, alarm.node.path, `${guards.property}.bake.alarms[${i}]`);
    dependOnAlarmStack(pipelineStack, alarm, `${guards.property}.bake.alarms[${i}]`);
    warnShortBake(pipeline, bake, alarm, guards.property);
  });
  // CloudWatchAlarm rules run with the pipeline's role.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:DescribeAlarms'],
    resources: bake.alarms.map(a => a.alarmArn),
  }));
  return prepared;
}

function prepareGates(pipelineStack: Stack, pipeline: codepipeline.Pipeline, guards: EnvironmentGuards, context: GateContext): Map<number, iam.Role> {
  const role = pipeline.role;
  const commandRoles = new Map<number, iam.Role>();
  const gates = guards.entryRules;
  if (gates.length === 0) {
    return commandRoles;
  }
  const property = `${guards.property}.gates`;
  checkStageConditionsApi(property, 'A gate rule');
  const entryRules = gates.length + (guards.deploymentWindow ? 1 : 0);
  if (entryRules > MAX_RULES_PER_CONDITION) {
    throw new ValidationError(`${property}: ${gates.length} gate rule(s)${guards.deploymentWindow ? ' and the deployment window' : ''} make ${entryRules} beforeEntry rules, but a CodePipeline stage has one beforeEntry condition of at most ${MAX_RULES_PER_CONDITION} rules. Combine alarms into a cloudwatch.CompositeAlarm, or checks into one GateRule.lambda.`);
  }
  gates.forEach((gate, i) => {
    const where = `${property}[${i}]`;
    if (!(gate instanceof GateRule)) {
      throw new ValidationError(`${where}: ${String(gate)} is not a GateRule. Create gate rules with GateRule.noAlarm(), GateRule.lambda(), GateRule.variableCheck() or GateRule.commands().`);
    }
    const settings = gate._settings;
    switch (gate.kind) {
      case GateRuleKind.NO_ALARM: {
        const alarm = settings.alarm!;
        checkAlarmAccount(pipelineStack, alarmEnvironment(alarm).account, alarm.node.path, where);
        dependOnAlarmStack(pipelineStack, alarm, where);
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [alarm.alarmArn] }));
        break;
      }
      case GateRuleKind.LAMBDA:
        checkFunctionAccount(pipelineStack, settings.fn!, where);
        role.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [settings.fn!.functionArn],
        }));
        break;
      case GateRuleKind.VARIABLE_CHECK: {
        const declared = /^#\{variables\.(.+)\}$/.exec(settings.variable!);
        if (declared && !context.variables.includes(declared[1])) {
          throw new ValidationError(`${where}: the variable check reads ${settings.variable}, but the pipeline declares no variable '${declared[1]}'${context.variables.length > 0 ? ` (it declares ${context.variables.join(', ')})` : ''}. Declare it in the pipeline's 'variables'.`);
        }
        break;
      }
      case GateRuleKind.COMMANDS: {
        const name = context.pipelineName;
        if (name === undefined || Token.isUnresolved(name)) {
          throw new ValidationError(`${where}: a Commands rule logs to the log group /aws/codepipeline/<pipelineName>, and its role may write only there: set the pipeline's 'pipelineName' to use GateRule.commands().`);
        }
        commandRoles.set(i, commandsRuleRole(pipelineStack, pipeline, name, where));
        break;
      }
    }
  });
  return commandRoles;
}

/**
 * The role a Commands rule runs with: never the pipeline's service role, which can assume the deploy, publishing
 * and lookup roles of every target account. CodePipeline assumes it through the pipeline's role (the rule's
 * `RoleArn`), so it trusts exactly that role. It may write the rule's logs (`/aws/codepipeline/<pipelineName>`,
 * where CodePipeline's managed compute writes them) and read the source artifact (objects of the artifact bucket,
 * decrypted with the artifact key); nothing else, and no `sts:AssumeRole` at all (the self-check verifies it).
 */
function commandsRuleRole(pipelineStack: Stack, pipeline: codepipeline.Pipeline, pipelineName: string, property: string): iam.Role {
  const id = `CommandsRuleRole-${property.replace(/[^A-Za-z0-9]/g, '')}`;
  const role = new iam.Role(pipeline, id, {
    assumedBy: new iam.ArnPrincipal(pipeline.role.roleArn),
    description: `Runs the commands of the ${property} gate (a CodePipeline Commands rule); cannot assume any role.`,
  });
  role.grantAssumeRole(pipeline.role);
  const logGroup = pipelineStack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/codepipeline/${pipelineName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const logStreams = pipelineStack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/codepipeline/${pipelineName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup, logStreams],
  }));
  const artifacts = pipeline.artifactBucket.arnForObjects('*');
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [artifacts] }));
  const key = pipeline.artifactBucket.encryptionKey;
  if (key) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
  }
  // cdk-nag AwsSolutions-IAM5: the two wildcards of this policy, each named exactly (anything else added to the
  // role that produces another wildcard finding stays reported).
  const flat = (value: string) => flattenCfnReference(pipelineStack.resolve(value));
  acknowledgeFindings(role.node.findChild('DefaultPolicy').node.defaultChild as IConstruct, new Map([
    [`AwsSolutions-IAM5[Resource::${flat(logStreams)}]`, `${flat(logStreams)} are the log streams of the Commands rule's own log group `
      + '(/aws/codepipeline/<pipelineName>, created and named by CodePipeline): its managed compute names a stream per run.'],
    [`AwsSolutions-IAM5[Resource::${flat(artifacts)}]`, `${flat(artifacts)} are the objects of the pipeline's own artifact bucket, `
      + 'read-only (s3:GetObject, s3:GetObjectVersion): the Commands rule reads the source artifact, whose key CodePipeline generates per execution.'],
  ]));
  return role;
}

/**
 * L2 stage conditions (`StageProps` `beforeEntry`/`onSuccess`/`onFailure`, `codepipeline.Rule`, `Result`,
 * `RetryMode`) arrived in aws-cdk-lib 2.186.0, the bottom of the peer range. Package managers that only warn about
 * peer ranges (pnpm, yarn) still install the library beside an older aws-cdk-lib, whose `StageProps` would drop the
 * condition without a word: name the guard rail that cannot be rendered and the version that can.
 */
function checkStageConditionsApi(property: string, feature: string): void {
  const l2 = codepipeline as unknown as { readonly Rule?: unknown; readonly Result?: unknown; readonly RetryMode?: unknown };
  if (l2.Rule === undefined || l2.Result === undefined || l2.RetryMode === undefined) {
    throw new ValidationError(`${property}: ${feature} is a CodePipeline V2 stage condition, which aws-cdk-lib ${installedCdkVersion()} cannot render: `
      + 'codepipeline.Rule and the stage conditions of StageProps arrived in aws-cdk-lib 2.186.0. cdk-delivery-pipelines needs '
      + "aws-cdk-lib 2.186.0 or later (its peer dependency): upgrade aws-cdk-lib in your app's package.json.");
  }
}

function installedCdkVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('aws-cdk-lib/package.json') as { readonly version: string }).version;
  } catch {
    return '(version unknown)';
  }
}

/** The conditions of one stage of the environment (every part of a split environment carries them all). */
export function stageConditions(pipelineStack: Stack, stageName: string, guards: EnvironmentGuards, context: GateContext): StageConditions {
  const conditions: { -readonly [K in keyof StageConditions]: StageConditions[K] } = {};
  const entryRules: codepipeline.Rule[] = [];
  if (guards.deploymentWindow) {
    entryRules.push(new codepipeline.Rule({
      name: ruleName(stageName, 'DeploymentWindow'),
      provider: RuleProvider.DEPLOYMENT_WINDOW,
      version: '1',
      configuration: { Cron: guards.deploymentWindow.expression, TimeZone: guards.deploymentWindow.timeZone },
    }));
  }
  guards.entryRules.forEach((gate, i) => entryRules.push(gateRule(pipelineStack, stageName, gate, i + 1, guards, context)));
  if (entryRules.length > 0) {
    conditions.beforeEntry = { conditions: [{ result: codepipeline.Result.FAIL, rules: entryRules }] };
  }
  if (guards.bake) {
    const minutes = bakeMinutes(guards.bake, guards.property);
    // AWS documents ROLLBACK and FAIL as the results of an onSuccess condition: a bake that rolls back says so on the
    // condition itself, not through a failed onSuccess condition engaging onFailure (docs/architecture.md).
    conditions.onSuccess = {
      conditions: [{
        result: bakeResult(guards.bake.onFailure),
        rules: guards.bake.alarms.map((alarm, i) => {
          const where = alarmEnvironment(alarm);
          const otherRegion = !Token.isUnresolved(where.region) && where.region !== pipelineStack.region;
          return new codepipeline.Rule({
            name: ruleName(stageName, `Alarm${i + 1}`),
            provider: RuleProvider.CLOUDWATCH_ALARM,
            version: '1',
            configuration: { AlarmName: alarm.alarmName, AlarmStates: 'ALARM', WaitTime: String(minutes) },
            region: otherRegion ? where.region : undefined,
          });
        }),
      }],
    };
    // onFailure accepts only ROLLBACK and RETRY; failing is what a stage does without one.
    const onFailure = guards.bake.onFailure;
    if (onFailure === BakeFailureAction.ROLLBACK) {
      conditions.onFailure = { result: codepipeline.Result.ROLLBACK };
    } else if (onFailure === BakeFailureAction.RETRY) {
      conditions.onFailure = { result: codepipeline.Result.RETRY, retryMode: codepipeline.RetryMode.FAILED_ACTIONS };
    }
  }
  return conditions;
}

/**
 * What a failed bake does, on the onSuccess condition: ROLLBACK rolls the stage back there; FAIL and RETRY fail the
 * stage (RETRY then relies on onFailure's RETRY, the only way CodePipeline retries a stage).
 */
export function bakeResult(onFailure: BakeFailureAction): codepipeline.Result {
  return onFailure === BakeFailureAction.ROLLBACK ? codepipeline.Result.ROLLBACK : codepipeline.Result.FAIL;
}

/** The L2 rule of a gate: `<stage>-<kind><n>`. */
function gateRule(
  pipelineStack: Stack, stageName: string, gate: GateRule, n: number, guards: EnvironmentGuards, context: GateContext,
): codepipeline.Rule {
  const settings = gate._settings;
  const name = ruleName(stageName, `${gate.nameSuffix}${n}`);
  switch (gate.kind) {
    case GateRuleKind.NO_ALARM: {
      const where = alarmEnvironment(settings.alarm!);
      return new codepipeline.Rule({
        name,
        provider: RuleProvider.CLOUDWATCH_ALARM,
        version: '1',
        configuration: { AlarmName: settings.alarm!.alarmName, AlarmStates: 'ALARM' },
        region: !Token.isUnresolved(where.region) && where.region !== pipelineStack.region ? where.region : undefined,
      });
    }
    case GateRuleKind.LAMBDA: {
      // The rule names the function by name in the region it runs in: a function in another region is invoked
      // there (the rule's region), never a same-named function of the pipeline's region.
      const region = functionEnvironment(settings.fn!).region;
      return new codepipeline.Rule({
        name,
        provider: RuleProvider.LAMBDA_INVOKE,
        version: '1',
        configuration: {
          FunctionName: settings.fn!.functionName,
          ...(settings.userParameters !== undefined ? { UserParameters: settings.userParameters } : {}),
        },
        region: !Token.isUnresolved(region) && region !== '' && region !== pipelineStack.region ? region : undefined,
      });
    }
    case GateRuleKind.VARIABLE_CHECK:
      return new codepipeline.Rule({
        name,
        provider: RuleProvider.VARIABLE_CHECK,
        version: '1',
        configuration: { Variable: settings.variable, Operator: settings.operator, Value: settings.value },
      });
    case GateRuleKind.COMMANDS: {
      const role = guards.commandRoles?.get(n - 1);
      if (!role) {
        throw new InternalError(`${guards.property}.gates[${n - 1}]: the Commands rule has no role of its own (prepareGuards was not called). Please report it.`);
      }
      return new codepipeline.Rule({
        name,
        provider: RuleProvider.COMMANDS,
        version: '1',
        commands: settings.commands,
        inputArtifacts: [Lazy.string({ produce: () => context.sourceArtifactName() })],
        role,
      });
    }
  }
}

/**
 * A rule name unique in the pipeline: `<stage>-<suffix>`. Rule names allow 100 characters; a longer name keeps
 * its first 91 characters and ends in `-` and the first 8 hex digits of the SHA-256 of the full name, so it is
 * stable across syntheses and still unique.
 */
export function ruleName(stageName: string, suffix: string): string {
  const full = `${stageName}-${suffix}`;
  if (full.length <= MAX_NAME_LENGTH) {
    return full;
  }
  const digest = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_NAME_LENGTH - digest.length - 1)}-${digest}`;
}

function bakeMinutes(bake: ResolvedBake, property: string): number {
  const seconds = bake.duration.toSeconds();
  if (seconds < 60 || seconds % 60 !== 0) {
    throw new ValidationError(`${property}.bake.duration: ${bake.duration.toHumanString()} is not a whole number of minutes of at least 1. CodePipeline's CloudWatchAlarm rule waits in minutes: use e.g. Duration.minutes(30).`);
  }
  return seconds / 60;
}

/** Id of the warning a user can acknowledge (`Annotations.of(scope).acknowledgeWarning(id)`). */
export const SHORT_BAKE_WARNING = 'cdk-delivery-pipelines:bakeShorterThanAlarm';

/**
 * A bake shorter than an alarm's evaluation time (evaluation periods × period) can end before the alarm is able to
 * go into ALARM: a bad release passes the bake. A warning, not an error: the alarm may watch a metric that a
 * release moves within one period. Only alarms defined in the app can be read; imported ones are not.
 */
function warnShortBake(pipeline: codepipeline.Pipeline, bake: ResolvedBake, alarm: cloudwatch.IAlarm, property: string): void {
  if (!(alarm instanceof cloudwatch.Alarm)) {
    return;
  }
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  const config = alarm.metric.toMetricConfig();
  const periodSeconds = typeof cfn.period === 'number' ? cfn.period
    : config.metricStat?.period.toSeconds() ?? config.mathExpression?.period;
  const periods = cfn.evaluationPeriods;
  const unknown = [periods, periodSeconds, bake.duration.toSeconds()].some(v => v === undefined || Token.isUnresolved(v));
  if (unknown || periods === undefined || periodSeconds === undefined) {
    return;
  }
  const needed = Duration.seconds(periods * periodSeconds);
  if (bake.duration.toSeconds() < needed.toSeconds()) {
    Annotations.of(pipeline.node.scope ?? pipeline).addWarningV2(SHORT_BAKE_WARNING, `${property}.bake.duration: ${bake.duration.toHumanString()} is shorter than `
      + `the ${needed.toHumanString()} the alarm '${alarm.node.path}' needs to go into ALARM (${periods} evaluation period(s) of ${Duration.seconds(periodSeconds).toHumanString()}): `
      + `a bad release can pass the bake before the alarm can fire. Bake for at least ${needed.toHumanString()}, or shorten the alarm's evaluation.`);
  }
}

/** Account and region of an alarm: from its ARN when known (imported alarms), else from its stack. */
function alarmEnvironment(alarm: cloudwatch.IAlarm): { account: string; region: string } {
  if (!Token.isUnresolved(alarm.alarmArn)) {
    const arn = Arn.split(alarm.alarmArn, ArnFormat.COLON_RESOURCE_NAME);
    return { account: arn.account ?? '', region: arn.region ?? '' };
  }
  const stack = Stack.of(alarm);
  return { account: stack.account, region: stack.region };
}

/** The account and region of a gate's function: from its ARN when known (an imported function), else its stack's. */
function functionEnvironment(fn: lambda.IFunction): { account: string; region: string } {
  return { account: fn.env.account, region: fn.env.region };
}

/**
 * A LambdaInvoke rule invokes a function by name with the pipeline's role in the pipeline's account: a function of
 * another account would be looked up in the pipeline's account (a same-named function there would decide), so it
 * is refused.
 */
function checkFunctionAccount(pipelineStack: Stack, fn: lambda.IFunction, property: string): void {
  const account = functionEnvironment(fn).account;
  if (!Token.isUnresolved(account) && account !== '' && !Token.isUnresolved(pipelineStack.account) && account !== pipelineStack.account) {
    throw new ValidationError(`${property}: the function '${fn.node.path}' is in account ${account}, but the LambdaInvoke rule invokes a function by name with the pipeline's role in account ${pipelineStack.account}: the pipeline would invoke a function of that name in ${pipelineStack.account}, not this one. Deploy the gate function in ${pipelineStack.account} (it may assume a role in ${account} to check what it needs).`);
  }
}

function checkAlarmAccount(pipelineStack: Stack, account: string, path: string, property: string): void {
  if (!Token.isUnresolved(account) && !Token.isUnresolved(pipelineStack.account) && account !== pipelineStack.account) {
    throw new ValidationError(`${property}: the alarm '${path}' is in account ${account}, but the CloudWatchAlarm rule runs with the pipeline's role in account ${pipelineStack.account} and cannot read alarms in other accounts. Create the alarm in ${pipelineStack.account} (CloudWatch cross-account observability lets it watch the application account's metrics).`);
  }
}

/**
 * An alarm defined in another stack of the pipeline's app must exist before the pipeline's rules name it: the
 * pipeline stack depends on that stack, so `cdk deploy <pipeline stack>` deploys the alarms first.
 */
function dependOnAlarmStack(pipelineStack: Stack, alarm: cloudwatch.IAlarm, property: string): void {
  const alarmStack = Stack.of(alarm);
  if (alarmStack === pipelineStack || !Token.isUnresolved(alarm.alarmArn)) {
    return; // same stack, or an imported alarm (it exists already)
  }
  if (Stage.of(alarmStack) !== Stage.of(pipelineStack)) {
    throw new ValidationError(`${property}: the alarm '${alarm.node.path}' is defined in the stack '${alarmStack.stackName}', which belongs to the Stage '${Stage.of(alarmStack)?.node.path ?? '(app)'}', not to the pipeline's app. The pipeline's rules need the alarm before any deployment: define it in a stack beside the pipeline stack (see examples/guarded-production), or import it with cloudwatch.Alarm.fromAlarmArn().`);
  }
  addStackDependency(pipelineStack, alarmStack, `the pipeline's bake rules read the alarm ${alarm.node.path}`);
}

/**
 * `Stack.addStackDependency` (aws-cdk-lib 2.262 and later) where it exists, else `addDependency`, which it
 * renamed and deprecated: the same stack dependency on every version of the peer range.
 */
function addStackDependency(stack: Stack, target: Stack, reason: string): void {
  const renamed = (stack as unknown as { addStackDependency?: (target: Stack, reason?: string) => void }).addStackDependency;
  if (renamed) {
    renamed.call(stack, target, reason);
  } else {
    stack.addDependency(target, reason);
  }
}
