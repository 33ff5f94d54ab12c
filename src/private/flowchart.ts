import { progressiveText, ProgressiveRecord, readProgressiveRecord } from './progressive-record';
import { ActionProvider, CloudFormationActionMode, ConditionResult, RuleProvider } from './providers';
import {
  isApprovalAction, readPipelines, RenderedAction, RenderedConditions, RenderedFailureConditions, RenderedPipeline, RenderedRule,
  RenderedStage, slotsOf, templateText as text,
} from './rendered-pipeline';

/**
 * The Mermaid renderer behind `PipelineDiagram` and `cdk-delivery diagram`. Dependency-free: the CLI imports it, and
 * the CLI must not load aws-cdk-lib (a global install of the CLI has no peer dependencies). It draws the pipeline
 * as the one reading model reads it.
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
  const resources = (typeof template?.Resources === 'object' && template.Resources !== null ? template.Resources : {}) as { [id: string]: unknown };
  return readPipelines(template).map(pipeline => ({
    pipelineName: pipeline.name ?? pipeline.logicalId,
    mermaid: renderFlowchart(pipeline, readProgressiveRecord(resources[pipeline.logicalId])),
  }));
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

/**
 * The Mermaid flowchart of one pipeline. A value the model could not read is drawn as its readable placeholder and
 * named in a comment (`%%`) at the top, so a reader of the source sees what the picture could not show. A stage whose
 * CDK Stages run a progressive deployment (the pipeline's record, `progressive`) says so under its name.
 */
export function renderFlowchart(pipeline: RenderedPipeline, progressive: ProgressiveRecord = {}): string {
  const stages = pipeline.stages;
  const lines = ['flowchart TB',
    ...pipeline.unreadable.map(u => `  %% not read: ${u.path} is ${JSON.stringify(u.value).replace(/\r?\n/g, ' ')}, not ${u.expected}`),
    ...CLASS_DEFS.map(l => `  ${l}`)];
  stages.forEach((stage, index) => lines.push(...renderStage(stage, `s${index + 1}`, progressiveText(progressive[stage.name]))));
  if (stages.length > 1) {
    lines.push(`  ${stages.map((_, index) => `s${index + 1}`).join(' --> ')}`);
  }
  return lines.map(l => `${l}\n`).join('');
}

function renderStage(stage: RenderedStage, id: string, progressive: string | undefined): string[] {
  const title = progressive === undefined ? label(stage.name) : `${label(stage.name)}<br/>${label(`progressive: ${progressive}`)}`;
  const lines = [`  subgraph ${id}["${title}"]`, '    direction TB'];
  const ordered = slotsOf(stage).map(slot => slot.actions);

  // Every node is declared once, then the edges between consecutive slots (`a & b --> c`).
  let counter = 0;
  const columns: string[][] = [];
  const before = conditionNode(stage.beforeEntry, 'before entry');
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
  const success = conditionNode(stage.onSuccess, 'on success');
  if (success) {
    const nodeId = `${id}_success`;
    lines.push(`    ${nodeId}[/"${success.text}"/]:::${success.rollback ? 'rollback' : 'gate'}`);
    columns.push([nodeId]);
  }
  for (let i = 1; i < columns.length; i++) {
    lines.push(`    ${columns[i - 1].join(' & ')} --> ${columns[i].join(' & ')}`);
  }
  const failure = conditionNode(stage.onFailure, 'on failure');
  if (failure) {
    lines.push(`    ${id}_failure[\\"${failure.text}"\\]:::${failure.rollback ? 'rollback' : 'gate'}`);
  }
  lines.push('  end');
  return lines;
}

function actionNode(nodeId: string, action: RenderedAction): string {
  const provider = action.actionTypeId.provider || '?';
  if (isApprovalAction(action)) {
    return `${nodeId}{{"${label(action.name)}<br/>manual approval"}}:::approval`;
  }
  return `${nodeId}["${label(action.name)}<br/>${label(actionDetail(provider, action.configuration))}"]`;
}

function actionDetail(provider: string, config: { readonly [key: string]: unknown }): string {
  switch (provider) {
    case ActionProvider.CODESTAR_SOURCE_CONNECTION:
      return `${text(config.FullRepositoryId)} @ ${text(config.BranchName)}`;
    case ActionProvider.CLOUDFORMATION: {
      const mode = text(config.ActionMode);
      const verb = mode === CloudFormationActionMode.CHANGE_SET_REPLACE ? 'prepare change set'
        : mode === CloudFormationActionMode.CHANGE_SET_EXECUTE ? 'execute change set'
          : mode === CloudFormationActionMode.CREATE_UPDATE ? 'deploy' : mode.toLowerCase();
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

function conditionNode(conditions: RenderedConditions | RenderedFailureConditions | undefined, when: string): ConditionNode | undefined {
  const list = conditions?.conditions ?? [];
  const result = conditions && 'result' in conditions ? conditions.result : undefined;
  const results = (result ? [result] : []).concat(list.map(c => c.result ?? '').filter(r => r));
  const rules = list.flatMap(c => c.rules).map(ruleText);
  if (rules.length === 0 && results.length === 0) {
    return undefined;
  }
  const outcome = [...new Set(results)].join(', ');
  const parts = [`${when}${rules.length === 0 && outcome ? `: ${outcome}` : ''}`, ...rules];
  if (rules.length > 0 && outcome) {
    parts.push(`otherwise ${outcome}`);
  }
  return { text: parts.map(label).join('<br/>'), rollback: results.includes(ConditionResult.ROLLBACK) };
}

function ruleText(rule: RenderedRule): string {
  const provider = rule.ruleTypeId.provider || '?';
  const config = rule.configuration;
  switch (provider) {
    case RuleProvider.DEPLOYMENT_WINDOW:
      return `window ${text(config.Cron)} ${text(config.TimeZone ?? 'UTC')}`;
    case RuleProvider.CLOUDWATCH_ALARM: {
      // WaitTime is in minutes: the rule watches the alarms that long (the bake) and fails on AlarmStates.
      const wait = text(config.WaitTime);
      const states = text(config.AlarmStates ?? 'ALARM');
      return `${wait ? `bake ${wait} min: ` : ''}${text(config.AlarmName)} not in ${states}`;
    }
    default:
      return `${provider} rule`;
  }
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
