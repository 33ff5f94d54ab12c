/**
 * The Mermaid renderer behind `PipelineDiagram` and `cdk-delivery diagram`. Dependency-free: the CLI imports it, and
 * the CLI must not load aws-cdk-lib (a global install of the CLI has no peer dependencies).
 */

/** One pipeline of a template, drawn. */
export interface FlowchartOfPipeline {
  /** The pipeline's `Name`, or its logical ID when the name is not a literal. */
  readonly pipelineName: string;
  /** The flowchart, without a Markdown fence. */
  readonly mermaid: string;
}

/** Every `AWS::CodePipeline::Pipeline` of a synthesized template, drawn, in logical-ID order. */
export function flowchartsOfTemplate(template: { [key: string]: any }): FlowchartOfPipeline[] {
  const resources = (template.Resources ?? {}) as Record<string, ResourceJson>;
  return Object.keys(resources).sort()
    .filter(id => resources[id].Type === 'AWS::CodePipeline::Pipeline')
    .map(id => {
      const props = resources[id].Properties ?? {};
      return { pipelineName: typeof props.Name === 'string' ? props.Name : id, mermaid: renderFlowchart(props) };
    });
}

/** A Markdown section: a heading with the pipeline name and a fenced `mermaid` block. */
export function flowchartMarkdown(flowchart: FlowchartOfPipeline, headingLevel: number = 3): string {
  return `${'#'.repeat(headingLevel)} ${flowchart.pipelineName}\n\n\`\`\`mermaid\n${flowchart.mermaid}\`\`\`\n`;
}

const CLASS_DEFS = [
  'classDef approval fill:#fff4ce,stroke:#b58900,color:#222',
  'classDef gate fill:#e3f2fd,stroke:#1565c0,color:#222',
  'classDef rollback fill:#fdecea,stroke:#c62828,color:#222',
];

/** The Mermaid flowchart of one pipeline (its `AWS::CodePipeline::Pipeline` properties). */
export function renderFlowchart(props: PipelineJson): string {
  const stages = props.Stages ?? [];
  const lines = ['flowchart TB', ...CLASS_DEFS.map(l => `  ${l}`)];
  stages.forEach((stage, index) => lines.push(...renderStage(stage, `s${index + 1}`)));
  if (stages.length > 1) {
    lines.push(`  ${stages.map((_, index) => `s${index + 1}`).join(' --> ')}`);
  }
  return lines.map(l => `${l}\n`).join('');
}

function renderStage(stage: StageJson, id: string): string[] {
  const lines = [`  subgraph ${id}["${label(stage.Name)}"]`, '    direction TB'];
  const slots = new Map<number, ActionJson[]>();
  for (const action of stage.Actions ?? []) {
    const order = action.RunOrder ?? 1;
    slots.set(order, [...(slots.get(order) ?? []), action]);
  }
  const ordered = [...slots.entries()].sort(([a], [b]) => a - b).map(([, actions]) => actions);

  // Every node is declared once, then the edges between consecutive slots (`a & b --> c`).
  let counter = 0;
  const columns: string[][] = [];
  const before = conditionNode(stage.BeforeEntry, 'before entry');
  if (before) {
    const nodeId = `${id}_before`;
    lines.push(`    ${nodeId}[/"${before.text}"/]:::${before.rollback ? 'rollback' : 'gate'}`);
    columns.push([nodeId]);
  }
  for (const actions of ordered) {
    const column: string[] = [];
    for (const action of actions) {
      const nodeId = `${id}_a${++counter}`;
      column.push(nodeId);
      lines.push(`    ${actionNode(nodeId, action)}`);
    }
    columns.push(column);
  }
  const success = conditionNode(stage.OnSuccess, 'on success');
  if (success) {
    const nodeId = `${id}_success`;
    lines.push(`    ${nodeId}[/"${success.text}"/]:::${success.rollback ? 'rollback' : 'gate'}`);
    columns.push([nodeId]);
  }
  for (let i = 1; i < columns.length; i++) {
    lines.push(`    ${columns[i - 1].join(' & ')} --> ${columns[i].join(' & ')}`);
  }
  const failure = conditionNode(stage.OnFailure, 'on failure');
  if (failure) {
    lines.push(`    ${id}_failure[\\"${failure.text}"\\]:::${failure.rollback ? 'rollback' : 'gate'}`);
  }
  lines.push('  end');
  return lines;
}

function actionNode(nodeId: string, action: ActionJson): string {
  const provider = action.ActionTypeId?.Provider ?? '?';
  if (action.ActionTypeId?.Category === 'Approval') {
    return `${nodeId}{{"${label(action.Name)}<br/>manual approval"}}:::approval`;
  }
  return `${nodeId}["${label(action.Name)}<br/>${label(actionDetail(provider, action.Configuration ?? {}))}"]`;
}

function actionDetail(provider: string, config: Record<string, unknown>): string {
  switch (provider) {
    case 'CodeStarSourceConnection':
      return `${text(config.FullRepositoryId)} @ ${text(config.BranchName)}`;
    case 'CloudFormation': {
      const mode = text(config.ActionMode);
      const verb = mode === 'CHANGE_SET_REPLACE' ? 'prepare change set'
        : mode === 'CHANGE_SET_EXECUTE' ? 'execute change set'
          : mode === 'CREATE_UPDATE' ? 'deploy' : mode.toLowerCase();
      return `CloudFormation ${verb}: ${text(config.StackName)}`;
    }
    default:
      return provider;
  }
}

interface ConditionNode {
  readonly text: string;
  readonly rollback: boolean;
}

function conditionNode(conditions: ConditionsJson | undefined, when: string): ConditionNode | undefined {
  const list = conditions?.Conditions ?? [];
  const results = (conditions?.Result ? [conditions.Result] : []).concat(list.map(c => c.Result ?? '').filter(r => r));
  const rules = list.flatMap(c => c.Rules ?? []).map(ruleText);
  if (rules.length === 0 && results.length === 0) {
    return undefined;
  }
  const outcome = [...new Set(results)].join(', ');
  const parts = [`${when}${rules.length === 0 && outcome ? `: ${outcome}` : ''}`, ...rules];
  if (rules.length > 0 && outcome) {
    parts.push(`otherwise ${outcome}`);
  }
  return { text: parts.map(label).join('<br/>'), rollback: results.includes('ROLLBACK') };
}

function ruleText(rule: RuleJson): string {
  const provider = rule.RuleTypeId?.Provider ?? '?';
  const config = rule.Configuration ?? {};
  switch (provider) {
    case 'DeploymentWindow':
      return `window ${text(config.Cron)} ${text(config.TimeZone ?? 'UTC')}`;
    case 'CloudWatchAlarm': {
      // WaitTime is in minutes: the rule watches the alarms that long (the bake) and fails on AlarmStates.
      const wait = text(config.WaitTime);
      const states = text(config.AlarmStates ?? 'ALARM');
      return `${wait ? `bake ${wait} min: ` : ''}${text(config.AlarmName)} not in ${states}`;
    }
    default:
      return `${provider} rule`;
  }
}

/** A value from the template as text: literals as they are, intrinsic functions in a short readable form. */
function text(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return value.map(text).join(',');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref') {
      return `{${text(arg)}}`;
    }
    if (fn === 'Fn::GetAtt') {
      return `{${Array.isArray(arg) ? arg.map(text).join('.') : text(arg)}}`;
    }
    if (fn === 'Fn::Join' && Array.isArray(arg) && arg.length === 2 && Array.isArray(arg[1])) {
      return arg[1].map(text).join(text(arg[0]));
    }
    if (fn === 'Fn::ImportValue') {
      // CDK names its exports `<stack>:<output>`: the stack says where the value comes from.
      return `{${text(arg).split(':')[0]} export}`;
    }
    if (fn === 'Fn::Sub') {
      return text(Array.isArray(arg) ? arg[0] : arg);
    }
  }
  return '{...}';
}

/**
 * Text for a quoted Mermaid label: characters that would end the label or read as markup become entity codes
 * (`#quot;`, `#35;` ...), which Mermaid decodes.
 */
function label(value: string): string {
  return value
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;')
    .replace(/\r?\n/g, ' ');
}

interface ResourceJson {
  readonly Type: string;
  readonly Properties?: PipelineJson;
}

interface RuleJson {
  readonly RuleTypeId?: { readonly Provider?: string };
  readonly Configuration?: Record<string, unknown>;
}

interface ConditionsJson {
  readonly Result?: string;
  readonly Conditions?: Array<{ readonly Result?: string; readonly Rules?: RuleJson[] }>;
}

interface ActionJson {
  readonly Name: string;
  readonly RunOrder?: number;
  readonly ActionTypeId?: { readonly Category?: string; readonly Provider?: string };
  readonly Configuration?: Record<string, unknown>;
}

interface StageJson {
  readonly Name: string;
  readonly Actions?: ActionJson[];
  readonly BeforeEntry?: ConditionsJson;
  readonly OnSuccess?: ConditionsJson;
  readonly OnFailure?: ConditionsJson;
}

export interface PipelineJson {
  readonly Name?: unknown;
  readonly Stages?: StageJson[];
}
