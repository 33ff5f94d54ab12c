import type { CfnPipeline, CfnPipelineProps } from 'aws-cdk-lib/aws-codepipeline';
import { ActionCategory, ActionProvider } from './providers';

/**
 * The one typed reading of a rendered CodePipeline: an `AWS::CodePipeline::Pipeline` as the template holds it
 * (resolved, overrides included), read into the shapes of aws-cdk-lib's `CfnPipeline` declaration types. The
 * self-check, `PipelineShape`, the diagram (and the CLI's `diagram`) and the tests read pipelines through it.
 *
 * Honest about what it cannot read: a value the template holds as an intrinsic function or a parameter where a
 * literal belongs (a stage name from `Ref`, a `RunOrder` from `Fn::If`) is not guessed. It is listed in
 * `unreadable` with its path, and the model keeps a readable placeholder (`{Ref Param}`) so the value still shows
 * where it is; an `Fn::Join` or `Fn::Sub` whose parts are all literals is read exactly. CodePipeline's defaults
 * are applied where CodePipeline defines one (`RunOrder` 1, pipeline type V1); absent lists read as empty, an
 * absent required string (which CloudFormation would reject) as ''.
 *
 * Dependency-free at run time (types only from aws-cdk-lib): the CLI loads it without aws-cdk-lib installed.
 */

/** A value of the template the model could not read as the literal CodePipeline needs there. */
export interface UnreadableValue {
  /** Where it is, in the pipeline's properties: `Stages[3].Actions[0].RunOrder`. */
  readonly path: string;
  /** The value as the template holds it. */
  readonly value: unknown;
  /** What CodePipeline needs there: `a string`, `a number`, `a list`, `an object`. */
  readonly expected: string;
}

/** An input or output artifact. */
export type RenderedArtifact = Pick<CfnPipeline.InputArtifactProperty, 'name'>;

/** An action of a stage. */
export interface RenderedAction {
  readonly name: string;
  /** Category, owner, provider and version (`ActionTypeId`). */
  readonly actionTypeId: CfnPipeline.ActionTypeIdProperty;
  /** The action's `RunOrder`: 1 (CodePipeline's default) when the template has none. */
  readonly runOrder: number;
  /** The configuration as the template holds it (values may be intrinsics); empty when it has none. */
  readonly configuration: { readonly [key: string]: unknown };
  readonly inputArtifacts: RenderedArtifact[];
  readonly outputArtifacts: RenderedArtifact[];
  /** The variables namespace, when the action declares one. */
  readonly namespace?: string;
  readonly region?: string;
  /** The role the action runs with, as the template holds it (usually an intrinsic); absent for the pipeline's role. */
  readonly roleArn?: unknown;
  /** How long the action may run (a manual approval's timeout), when the template sets it. */
  readonly timeoutInMinutes?: number;
}

/** A rule of a stage condition. */
export interface RenderedRule {
  readonly name: string;
  /** Category, owner, provider and version (`RuleTypeId`). */
  readonly ruleTypeId: Required<CfnPipeline.RuleTypeIdProperty>;
  /** The configuration as the template holds it (values may be intrinsics); empty when it has none. */
  readonly configuration: { readonly [key: string]: unknown };
  readonly inputArtifacts: RenderedArtifact[];
  /** The commands of a `Commands` rule. */
  readonly commands?: string[];
  readonly region?: string;
  /** The role the rule runs with, as the template holds it; absent when it runs with the pipeline's role. */
  readonly roleArn?: unknown;
}

/** A condition: its rules and what happens when they fail. */
export interface RenderedCondition {
  readonly result?: string;
  readonly rules: RenderedRule[];
}

/** A `beforeEntry` or `onSuccess` block. */
export interface RenderedConditions {
  readonly conditions: RenderedCondition[];
}

/** An `onFailure` block: the stage's result on failure, and its conditions. */
export interface RenderedFailureConditions extends RenderedConditions {
  readonly result?: string;
  readonly retryConfiguration?: CfnPipeline.RetryConfigurationProperty;
}

/** A stage. */
export interface RenderedStage {
  readonly name: string;
  readonly actions: RenderedAction[];
  readonly beforeEntry?: RenderedConditions;
  readonly onSuccess?: RenderedConditions;
  readonly onFailure?: RenderedFailureConditions;
  /** Values of this stage the model could not read (see the module's comment); empty when all were read. */
  readonly unreadable: UnreadableValue[];
}

/** A git trigger (V2 pipelines). */
export interface RenderedTrigger {
  readonly providerType: string;
  /** The source action the trigger starts the pipeline for. */
  readonly sourceActionName: string;
  /** The push filters, as the template holds them. */
  readonly push: unknown[];
  /** The pull-request filters, as the template holds them. */
  readonly pullRequest: unknown[];
}

/** A pipeline. */
export interface RenderedPipeline {
  /** The resource's logical ID. */
  readonly logicalId: string;
  /** The pipeline's `Name` when the template holds a literal; absent when CloudFormation generates it. */
  readonly name?: string;
  /** `V1` (CodePipeline's default) or `V2`. */
  readonly pipelineType: string;
  /** The pipeline's service role, as the template holds it (usually an intrinsic). */
  readonly roleArn?: unknown;
  readonly stages: RenderedStage[];
  readonly triggers: RenderedTrigger[];
  readonly tags: Array<{ readonly key: string; readonly value: string }>;
  /** Values of the pipeline the model could not read, its stages' included; empty when all were read. */
  readonly unreadable: UnreadableValue[];
}

/** The CloudFormation type of a pipeline. */
export const PIPELINE_RESOURCE_TYPE = 'AWS::CodePipeline::Pipeline';

/** Every pipeline of a template (its parsed JSON), in logical-ID order. */
export function readPipelines(template: unknown): RenderedPipeline[] {
  const resources = record(record(template).Resources);
  return Object.keys(resources).sort()
    .filter(id => record(resources[id]).Type === PIPELINE_RESOURCE_TYPE)
    .map(id => readPipeline(id, resources[id]));
}

/** One pipeline resource (`{ Type, Properties }`) of a template. */
export function readPipeline(logicalId: string, resource: unknown): RenderedPipeline {
  const reader = new Reader();
  const props = reader.object(record(resource).Properties ?? {}, 'Properties');
  const stages = reader.list(props.Stages, 'Stages').map((stage, i) => readStage(stage, `Stages[${i}]`));
  // A generated or computed name is fine for CodePipeline: it is only left out, not reported.
  const name = literalString(props.Name);
  const pipelineType = props.PipelineType === undefined ? 'V1' : reader.string(props.PipelineType, 'PipelineType');
  const triggers = reader.list(props.Triggers, 'Triggers').map((value, i): RenderedTrigger => {
    const at = `Triggers[${i}]`;
    const trigger = reader.object(value, at);
    const git = reader.object(trigger.GitConfiguration ?? {}, `${at}.GitConfiguration`);
    return {
      providerType: reader.string(trigger.ProviderType, `${at}.ProviderType`),
      sourceActionName: reader.string(git.SourceActionName, `${at}.GitConfiguration.SourceActionName`),
      push: reader.list(git.Push, `${at}.GitConfiguration.Push`),
      pullRequest: reader.list(git.PullRequest, `${at}.GitConfiguration.PullRequest`),
    };
  });
  const tags = reader.list(props.Tags, 'Tags').map((value, i) => {
    const tag = reader.object(value, `Tags[${i}]`);
    return { key: reader.string(tag.Key, `Tags[${i}].Key`), value: reader.string(tag.Value, `Tags[${i}].Value`) };
  });
  return {
    logicalId,
    ...optional('name', name),
    pipelineType,
    ...optional('roleArn', props.RoleArn),
    stages,
    triggers,
    tags,
    unreadable: [...reader.unreadable, ...stages.flatMap(s => s.unreadable)],
  };
}

/** One stage (an entry of `Stages`); `path` says where it is, for the values it cannot read. */
export function readStage(value: unknown, path: string = 'Stage'): RenderedStage {
  const reader = new Reader();
  const stage = reader.object(value, path);
  const actions = reader.list(stage.Actions, `${path}.Actions`).map((action, i) => readAction(reader, action, `${path}.Actions[${i}]`));
  const beforeEntry = stage.BeforeEntry === undefined ? undefined : readConditions(reader, stage.BeforeEntry, `${path}.BeforeEntry`);
  const onSuccess = stage.OnSuccess === undefined ? undefined : readConditions(reader, stage.OnSuccess, `${path}.OnSuccess`);
  let onFailure: RenderedFailureConditions | undefined;
  if (stage.OnFailure !== undefined) {
    const block = reader.object(stage.OnFailure, `${path}.OnFailure`);
    const retry = block.RetryConfiguration === undefined ? undefined : reader.object(block.RetryConfiguration, `${path}.OnFailure.RetryConfiguration`);
    onFailure = {
      ...readConditions(reader, stage.OnFailure, `${path}.OnFailure`),
      ...optional('result', block.Result === undefined ? undefined : reader.string(block.Result, `${path}.OnFailure.Result`)),
      ...optional('retryConfiguration', retry && {
        ...optional('retryMode', retry.RetryMode === undefined ? undefined : reader.string(retry.RetryMode, `${path}.OnFailure.RetryConfiguration.RetryMode`)),
      }),
    };
  }
  return {
    name: reader.string(stage.Name, `${path}.Name`),
    actions,
    ...optional('beforeEntry', beforeEntry),
    ...optional('onSuccess', onSuccess),
    ...optional('onFailure', onFailure),
    unreadable: reader.unreadable,
  };
}

function readAction(reader: Reader, value: unknown, path: string): RenderedAction {
  const action = reader.object(value, path);
  const type = reader.object(action.ActionTypeId, `${path}.ActionTypeId`);
  return {
    name: reader.string(action.Name, `${path}.Name`),
    actionTypeId: {
      category: reader.string(type.Category, `${path}.ActionTypeId.Category`),
      owner: reader.string(type.Owner, `${path}.ActionTypeId.Owner`),
      provider: reader.string(type.Provider, `${path}.ActionTypeId.Provider`),
      version: reader.string(type.Version, `${path}.ActionTypeId.Version`),
    },
    runOrder: action.RunOrder === undefined ? 1 : reader.number(action.RunOrder, `${path}.RunOrder`),
    configuration: action.Configuration === undefined ? {} : reader.object(action.Configuration, `${path}.Configuration`),
    inputArtifacts: readArtifacts(reader, action.InputArtifacts, `${path}.InputArtifacts`),
    outputArtifacts: readArtifacts(reader, action.OutputArtifacts, `${path}.OutputArtifacts`),
    ...optional('namespace', action.Namespace === undefined ? undefined : reader.string(action.Namespace, `${path}.Namespace`)),
    ...optional('region', action.Region === undefined ? undefined : reader.string(action.Region, `${path}.Region`)),
    ...optional('roleArn', action.RoleArn),
    ...optional('timeoutInMinutes', action.TimeoutInMinutes === undefined ? undefined : reader.number(action.TimeoutInMinutes, `${path}.TimeoutInMinutes`)),
  };
}

function readConditions(reader: Reader, value: unknown, path: string): RenderedConditions {
  const block = reader.object(value, path);
  const conditions = reader.list(block.Conditions, `${path}.Conditions`).map((entry, i): RenderedCondition => {
    const at = `${path}.Conditions[${i}]`;
    const condition = reader.object(entry, at);
    return {
      ...optional('result', condition.Result === undefined ? undefined : reader.string(condition.Result, `${at}.Result`)),
      rules: reader.list(condition.Rules, `${at}.Rules`).map((rule, j) => readRule(reader, rule, `${at}.Rules[${j}]`)),
    };
  });
  return { conditions };
}

function readRule(reader: Reader, value: unknown, path: string): RenderedRule {
  const rule = reader.object(value, path);
  const type = reader.object(rule.RuleTypeId, `${path}.RuleTypeId`);
  return {
    name: reader.string(rule.Name, `${path}.Name`),
    ruleTypeId: {
      category: reader.string(type.Category, `${path}.RuleTypeId.Category`),
      owner: reader.string(type.Owner, `${path}.RuleTypeId.Owner`),
      provider: reader.string(type.Provider, `${path}.RuleTypeId.Provider`),
      version: reader.string(type.Version, `${path}.RuleTypeId.Version`),
    },
    configuration: rule.Configuration === undefined ? {} : reader.object(rule.Configuration, `${path}.Configuration`),
    inputArtifacts: readArtifacts(reader, rule.InputArtifacts, `${path}.InputArtifacts`),
    ...optional('commands', rule.Commands === undefined ? undefined
      : reader.list(rule.Commands, `${path}.Commands`).map((c, i) => reader.string(c, `${path}.Commands[${i}]`))),
    ...optional('region', rule.Region === undefined ? undefined : reader.string(rule.Region, `${path}.Region`)),
    ...optional('roleArn', rule.RoleArn),
  };
}

function readArtifacts(reader: Reader, value: unknown, path: string): RenderedArtifact[] {
  return reader.list(value, path).map((artifact, i) => ({ name: reader.string(reader.object(artifact, `${path}[${i}]`).Name, `${path}[${i}].Name`) }));
}

/** Reads literals out of template values, and records each value it cannot read. */
class Reader {
  public readonly unreadable: UnreadableValue[] = [];

  /** A literal string; an absent value reads as '' (CloudFormation rejects a template without a required one). */
  public string(value: unknown, path: string): string {
    if (value === undefined || value === null) {
      return '';
    }
    const literal = literalString(value);
    if (literal !== undefined) {
      return literal;
    }
    this.unreadable.push({ path, value, expected: 'a string' });
    return templateText(value);
  }

  public number(value: unknown, path: string): number {
    if (typeof value === 'number' && Number.isFinite(value)) {
      return value;
    }
    // CloudFormation accepts an integer written as a string ("2").
    const literal = literalString(value);
    if (literal !== undefined && /^\d+$/.test(literal)) {
      return Number(literal);
    }
    this.unreadable.push({ path, value, expected: 'a number' });
    return 1;
  }

  public list(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) {
      return [];
    }
    if (Array.isArray(value)) {
      return value;
    }
    this.unreadable.push({ path, value, expected: 'a list' });
    return [];
  }

  public object(value: unknown, path: string): { readonly [key: string]: unknown } {
    if (isRecord(value) && !isIntrinsic(value)) {
      return value;
    }
    this.unreadable.push({ path, value, expected: 'an object' });
    return {};
  }
}

/** The literal a value stands for: a string, a number, or an `Fn::Join` / `Fn::Sub` of literals; else undefined. */
function literalString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (!isIntrinsic(value)) {
    return undefined;
  }
  const [fn, arg] = Object.entries(value)[0];
  if (fn === 'Fn::Join' && Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    const parts = arg[1].map(literalString);
    return parts.every((p): p is string => p !== undefined) ? parts.join(arg[0]) : undefined;
  }
  // A substitution without `${...}` (or with only `${!Literal}` escapes) is its text.
  if (fn === 'Fn::Sub' && typeof arg === 'string' && !/\$\{(?!!)/.test(arg)) {
    return arg.replace(/\$\{!/g, '${');
  }
  return undefined;
}

/**
 * A template value as short readable text: literals as they are, intrinsic functions in a readable form
 * (`{Ref Param}`, `{Role.Arn}`, `{Stack export}`, the joined parts of an `Fn::Join`), anything else `{...}`.
 */
export function templateText(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return value.map(templateText).join(',');
  }
  if (isIntrinsic(value)) {
    const [fn, arg] = Object.entries(value)[0];
    if (fn === 'Ref') {
      return `{${templateText(arg)}}`;
    }
    if (fn === 'Fn::GetAtt') {
      return `{${Array.isArray(arg) ? arg.map(templateText).join('.') : templateText(arg)}}`;
    }
    if (fn === 'Fn::Join' && Array.isArray(arg) && arg.length === 2 && Array.isArray(arg[1])) {
      return arg[1].map(templateText).join(templateText(arg[0]));
    }
    if (fn === 'Fn::ImportValue') {
      // CDK names its exports `<stack>:<output>`: the stack says where the value comes from.
      return `{${templateText(arg).split(':')[0]} export}`;
    }
    if (fn === 'Fn::Sub') {
      return templateText(Array.isArray(arg) ? arg[0] : arg);
    }
  }
  return '{...}';
}

/** Whether an action is a manual approval. */
export function isApprovalAction(action: RenderedAction): boolean {
  return action.actionTypeId.category === ActionCategory.APPROVAL;
}

/** Whether an action deploys (CloudFormation and every other `Deploy` provider). */
export function isDeployAction(action: RenderedAction): boolean {
  return action.actionTypeId.category === ActionCategory.DEPLOY;
}

/** Whether an action runs on CodeBuild. */
export function isCodeBuildAction(action: RenderedAction): boolean {
  return action.actionTypeId.provider === ActionProvider.CODEBUILD;
}

/** The rules of a stage's conditions, `beforeEntry`, `onSuccess` then `onFailure`, each with its block's name. */
export function rulesOf(stage: RenderedStage): Array<{ readonly when: 'beforeEntry' | 'onSuccess' | 'onFailure'; readonly rule: RenderedRule }> {
  return (['beforeEntry', 'onSuccess', 'onFailure'] as const).flatMap(when =>
    (stage[when]?.conditions ?? []).flatMap(c => c.rules.map(rule => ({ when, rule }))));
}

/**
 * The action slots of a stage: the actions that share a `runOrder` (and so run in parallel), in `runOrder`
 * order, each slot in the template's order.
 */
export function slotsOf(stage: RenderedStage): Array<{ readonly runOrder: number; readonly actions: RenderedAction[] }> {
  const slots = new Map<number, RenderedAction[]>();
  for (const action of stage.actions) {
    slots.set(action.runOrder, [...(slots.get(action.runOrder) ?? []), action]);
  }
  return [...slots.entries()].sort(([a], [b]) => a - b).map(([runOrder, actions]) => ({ runOrder, actions }));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function isRecord(value: unknown): value is { readonly [key: string]: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An intrinsic function or a `Ref`: an object of one key that CloudFormation evaluates. */
function isIntrinsic(value: unknown): value is { readonly [key: string]: unknown } {
  if (!isRecord(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

function record(value: unknown): { readonly [key: string]: unknown } {
  return isRecord(value) ? value : {};
}

// Every field of the model is a field of aws-cdk-lib's declaration type (a misspelt key is a compile error).
// The model's own additions: a stage's and the pipeline's `unreadable`, the pipeline's `logicalId`, a trigger's
// flattened git configuration.
export type Within<Model, Declaration, Own extends keyof Model = never> = Exclude<keyof Model, Own | keyof Declaration> extends never ? true : false;
/** Compile-time proof that the model keeps aws-cdk-lib's names; see `Within`. */
export const MODEL_KEYS_ARE_DECLARATION_KEYS: [
  Within<RenderedStage, CfnPipeline.StageDeclarationProperty, 'unreadable'>,
  Within<RenderedAction, CfnPipeline.ActionDeclarationProperty>,
  Within<RenderedConditions, CfnPipeline.BeforeEntryConditionsProperty>,
  Within<RenderedConditions, CfnPipeline.SuccessConditionsProperty>,
  Within<RenderedFailureConditions, CfnPipeline.FailureConditionsProperty>,
  Within<RenderedCondition, CfnPipeline.ConditionProperty>,
  Within<RenderedRule, CfnPipeline.RuleDeclarationProperty>,
  Within<RenderedPipeline, CfnPipelineProps, 'unreadable' | 'logicalId'>,
] = [true, true, true, true, true, true, true, true];
