import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RELEASE_MODE_TAG } from '../contract';
import { ValidationError } from '../private/errors';
import { progressiveText, readProgressiveRecord } from '../private/progressive-record';
import { checkArguments } from '../private/props-check';
import {
  isApprovalAction, isCodeBuildAction, PIPELINE_RESOURCE_TYPE, readPipelines, RenderedPipeline, rulesOf, slotsOf,
} from '../private/rendered-pipeline';

/**
 * One action slot of a stage: the actions that share a `runOrder` and so run in parallel.
 */
export interface ActionSlot {
  /** The slot's `runOrder`. */
  readonly runOrder: number;
  /** Names of the actions in the slot. */
  readonly actions: string[];
  /** How many of them are CodeBuild actions. */
  readonly codeBuildActions: number;
  /** How many of them are manual approvals. */
  readonly approvals: number;
}

/**
 * A stage of the synthesized pipeline.
 */
export interface StageShape {
  /** The CodePipeline stage name. */
  readonly name: string;
  /** The stage's action slots, in `runOrder` order. */
  readonly slots: ActionSlot[];
  /** Rule provider names of the stage's V2 conditions (`beforeEntry`, `onSuccess`, `onFailure`). */
  readonly conditionRules: string[];
  /**
   * The progressive deployment the stage's CDK Stages run inside (`canary 10 % for 5 min, then all`), from the
   * record the pipeline writes into its template's `Metadata`.
   *
   * @default - the stage runs no progressive deployment
   */
  readonly progressiveDeployment?: string;
}

/**
 * The shape of a synthesized CodePipeline: stages, action slots and the critical path.
 *
 * For tests and benchmarks: `PipelineShape.fromStack(stack).criticalPathHops`.
 */
export class PipelineShape {
  /**
   * Reads the (single) `AWS::CodePipeline::Pipeline` of a stack.
   */
  public static fromStack(stack: Stack): PipelineShape {
    checkArguments('PipelineShape.fromStack', [stack]);
    return PipelineShape.fromTemplateJson(Template.fromStack(stack).toJSON());
  }

  /**
   * Reads the (single) `AWS::CodePipeline::Pipeline` of a synthesized template.
   *
   * A missing `RunOrder` is 1 (CodePipeline's default). A stage name, run order or type id that the template
   * computes (an intrinsic function or parameter) is an error that names it: the shape is not guessed.
   *
   * @param template the CloudFormation template as parsed JSON
   */
  public static fromTemplateJson(template: { [key: string]: any }): PipelineShape {
    checkArguments('PipelineShape.fromTemplateJson', [template]);
    const pipelines = readPipelines(template);
    if (pipelines.length !== 1) {
      throw new ValidationError(`PipelineShape: expected exactly one ${PIPELINE_RESOURCE_TYPE} in the template, found ${pipelines.length}.`);
    }
    const [pipeline] = pipelines;
    if (pipeline.unreadable.length > 0) {
      const values = pipeline.unreadable.map(u => `${u.path} is ${JSON.stringify(u.value)}, not ${u.expected}`).join('; ');
      throw new ValidationError(`PipelineShape: the pipeline ${pipeline.logicalId} has values the template computes where CodePipeline needs a literal (${values}), so its shape cannot be read. Read the template of a synthesized app, or write those values as literals.`);
    }
    const resources = Object.values((template.Resources ?? {}) as Record<string, { readonly Type?: unknown }>);
    const codeBuildProjects = resources.filter(r => r?.Type === 'AWS::CodeBuild::Project').length;
    const record = readProgressiveRecord((template.Resources ?? {})[pipeline.logicalId]);
    return new PipelineShape(pipeline, codeBuildProjects, (stageName: string) => progressiveText(record[stageName]));
  }

  /** The stages, in order. */
  public readonly stages: StageShape[];
  /** Sum over stages of the number of distinct `runOrder` values: the sequential action slots of one release. */
  public readonly criticalPathHops: number;
  /** Action slots on the critical path that contain at least one CodeBuild action (each costs a container start). */
  public readonly codeBuildHops: number;
  /** CodeBuild projects in the template. */
  public readonly codeBuildProjects: number;
  /** Manual approval actions in the pipeline. */
  public readonly approvals: number;
  /** `PipelineType` of the pipeline (`V1` or `V2`). */
  public readonly pipelineType: string;
  /** Value of the `release-mode` tag, or `undefined` when the pipeline has none. */
  public readonly releaseMode?: string;

  private constructor(pipeline: RenderedPipeline, codeBuildProjects: number, progressive: (stageName: string) => string | undefined) {
    this.stages = pipeline.stages.map(stage => ({
      progressiveDeployment: progressive(stage.name),
      name: stage.name,
      slots: slotsOf(stage).map(({ runOrder, actions }) => ({
        runOrder,
        actions: actions.map(a => a.name),
        codeBuildActions: actions.filter(isCodeBuildAction).length,
        approvals: actions.filter(isApprovalAction).length,
      })),
      conditionRules: rulesOf(stage).map(({ rule }) => rule.ruleTypeId.provider || '?'),
    }));
    const slots = this.stages.flatMap(s => s.slots);
    this.criticalPathHops = slots.length;
    this.codeBuildHops = slots.filter(s => s.codeBuildActions > 0).length;
    this.approvals = slots.reduce((n, s) => n + s.approvals, 0);
    this.codeBuildProjects = codeBuildProjects;
    this.pipelineType = pipeline.pipelineType;
    this.releaseMode = pipeline.tags.find(t => t.key === RELEASE_MODE_TAG)?.value;
  }

  /** The stage names, in order. */
  public get stageNames(): string[] {
    return this.stages.map(s => s.name);
  }

  /**
   * What each stage that runs a progressive deployment shifts, one line per stage, in order:
   * `Production: canary 10 % for 5 min, then all`.
   */
  public get progressiveDeployments(): string[] {
    return this.stages.flatMap(stage => stage.progressiveDeployment === undefined ? [] : [`${stage.name}: ${stage.progressiveDeployment}`]);
  }

  /**
   * A one-line-per-stage text rendering: `Staging: [Deploy] -> [Smoke | Approve]`, with the stage's conditions and
   * its progressive deployment in parentheses.
   */
  public describe(): string {
    return this.stages.map(stage => {
      const slots = stage.slots.map(slot => `[${slot.actions.join(' | ')}]`).join(' -> ');
      const conditions = stage.conditionRules.length > 0 ? `  (conditions: ${stage.conditionRules.join(', ')})` : '';
      const progressive = stage.progressiveDeployment === undefined ? '' : `  (progressive: ${stage.progressiveDeployment})`;
      return `${stage.name}: ${slots}${conditions}${progressive}`;
    }).join('\n');
  }
}
