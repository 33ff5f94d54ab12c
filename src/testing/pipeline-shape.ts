import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RELEASE_MODE_TAG } from '../contract';
import { ValidationError } from '../private/errors';
import { checkArguments } from '../private/props-check';

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
   * @param template the CloudFormation template as parsed JSON
   */
  public static fromTemplateJson(template: { [key: string]: any }): PipelineShape {
    checkArguments('PipelineShape.fromTemplateJson', [template]);
    const resources = Object.values((template.Resources ?? {}) as Record<string, CfnResourceJson>);
    const pipelines = resources.filter(r => r.Type === 'AWS::CodePipeline::Pipeline');
    if (pipelines.length !== 1) {
      throw new ValidationError(`PipelineShape: expected exactly one AWS::CodePipeline::Pipeline in the template, found ${pipelines.length}.`);
    }
    const props = pipelines[0].Properties ?? {};
    const codeBuildProjects = resources.filter(r => r.Type === 'AWS::CodeBuild::Project').length;
    return new PipelineShape(props, codeBuildProjects);
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

  private constructor(props: PipelineJson, codeBuildProjects: number) {
    this.stages = (props.Stages ?? []).map(stage => {
      const slots = new Map<number, ActionJson[]>();
      for (const action of stage.Actions ?? []) {
        const order = action.RunOrder ?? 1;
        slots.set(order, [...(slots.get(order) ?? []), action]);
      }
      return {
        name: stage.Name,
        slots: [...slots.entries()].sort(([a], [b]) => a - b).map(([runOrder, actions]) => ({
          runOrder,
          actions: actions.map(a => a.Name),
          codeBuildActions: actions.filter(a => a.ActionTypeId?.Provider === 'CodeBuild').length,
          approvals: actions.filter(a => a.ActionTypeId?.Category === 'Approval').length,
        })),
        conditionRules: ['BeforeEntry', 'OnSuccess', 'OnFailure'].flatMap(key =>
          (stage[key as 'BeforeEntry']?.Conditions ?? []).flatMap(c => (c.Rules ?? []).map(r => r.RuleTypeId?.Provider ?? '?'))),
      };
    });
    const slots = this.stages.flatMap(s => s.slots);
    this.criticalPathHops = slots.length;
    this.codeBuildHops = slots.filter(s => s.codeBuildActions > 0).length;
    this.approvals = slots.reduce((n, s) => n + s.approvals, 0);
    this.codeBuildProjects = codeBuildProjects;
    this.pipelineType = props.PipelineType ?? 'V1';
    this.releaseMode = (props.Tags ?? []).find(t => t.Key === RELEASE_MODE_TAG)?.Value;
  }

  /** The stage names, in order. */
  public get stageNames(): string[] {
    return this.stages.map(s => s.name);
  }

  /**
   * A one-line-per-stage text rendering: `Staging: [Deploy] -> [Smoke | Approve]`.
   */
  public describe(): string {
    return this.stages.map(stage => {
      const slots = stage.slots.map(slot => `[${slot.actions.join(' | ')}]`).join(' -> ');
      const conditions = stage.conditionRules.length > 0 ? `  (conditions: ${stage.conditionRules.join(', ')})` : '';
      return `${stage.name}: ${slots}${conditions}`;
    }).join('\n');
  }
}

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: PipelineJson;
}

interface ActionJson {
  readonly Name: string;
  readonly RunOrder?: number;
  readonly ActionTypeId?: { readonly Category?: string; readonly Provider?: string };
}

interface ConditionsJson {
  readonly Conditions?: Array<{ readonly Rules?: Array<{ readonly RuleTypeId?: { readonly Provider?: string } }> }>;
}

interface StageJson {
  readonly Name: string;
  readonly Actions?: ActionJson[];
  readonly BeforeEntry?: ConditionsJson;
  readonly OnSuccess?: ConditionsJson;
  readonly OnFailure?: ConditionsJson;
}

interface PipelineJson {
  readonly Stages?: StageJson[];
  readonly PipelineType?: string;
  readonly Tags?: Array<{ readonly Key: string; readonly Value: string }>;
}
