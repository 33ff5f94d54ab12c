import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { flowchartMarkdown, flowchartsOfTemplate } from '../private/flowchart';
import { checkArguments } from '../private/props-check';

/**
 * A Mermaid flowchart of one synthesized CodePipeline: stages top to bottom in order, the actions of a stage in
 * `runOrder` slots (actions that share a slot run in parallel and sit side by side), manual approvals as
 * hexagons, and the stage conditions (deployment window, alarm gates and bake, rollback) as marked nodes.
 *
 * `cdk-delivery diagram --app cdk.out` prints one per pipeline; in a test:
 * `PipelineDiagram.fromStack(stack)[0].mermaid`.
 */
export class PipelineDiagram {
  /**
   * Diagrams of every `AWS::CodePipeline::Pipeline` in a stack, in logical-ID order.
   */
  public static fromStack(stack: Stack): PipelineDiagram[] {
    checkArguments('PipelineDiagram.fromStack', [stack]);
    return PipelineDiagram.fromTemplateJson(Template.fromStack(stack).toJSON());
  }

  /**
   * Diagrams of every `AWS::CodePipeline::Pipeline` in a synthesized template, in logical-ID order.
   *
   * @param template the CloudFormation template as parsed JSON
   */
  public static fromTemplateJson(template: { [key: string]: any }): PipelineDiagram[] {
    checkArguments('PipelineDiagram.fromTemplateJson', [template]);
    return flowchartsOfTemplate(template).map(f => new PipelineDiagram(f.pipelineName, f.mermaid));
  }

  /** The pipeline's name (its `Name` property), or its logical ID when the name is not a literal. */
  public readonly pipelineName: string;
  /** The Mermaid flowchart (without a Markdown fence). */
  public readonly mermaid: string;

  private constructor(pipelineName: string, mermaid: string) {
    this.pipelineName = pipelineName;
    this.mermaid = mermaid;
  }

  /**
   * The diagram as a Markdown section: a heading with the pipeline name and a fenced `mermaid` block (GitHub
   * renders it).
   *
   * @param headingLevel number of `#` of the heading
   */
  public toMarkdown(headingLevel: number = 3): string {
    checkArguments('PipelineDiagram.toMarkdown', [headingLevel]);
    return flowchartMarkdown(this, headingLevel);
  }
}
