/**
 * The record of the progressive deployments a pipeline's stages run: written by the construct into the pipeline
 * resource's CloudFormation `Metadata`, read by `PipelineShape`, `PipelineDiagram` and `cdk-delivery diagram` from a
 * synthesized template. Dependency-free: the CLI imports it, and the CLI loads no aws-cdk-lib.
 *
 * Metadata, not a tag: tag values may not hold `%` or `,` (`canary 10 % for 5 min, then all`), and CloudFormation
 * passes `Metadata` to no service, so the record changes nothing deployed. It is written only when a stage runs a
 * progressive deployment: the templates of other pipelines do not change.
 */

/** The `Metadata` key of the record on the `AWS::CodePipeline::Pipeline` resource. */
export const PROGRESSIVE_METADATA_KEY = 'cdk-delivery-pipelines:progressive';

/** One progressive deployment (a helper inside a deployed `Stage`), as the record holds it. */
export interface RecordedDeployment {
  /** The helper's construct path. */
  readonly path: string;
  /** `LAMBDA` or `ECS`. */
  readonly target: string;
  /** The shift in words: `canary 10 % for 5 min, then all`. */
  readonly description: string;
  /** Minutes the shift (and ECS's bake time) adds to the deployment, at least. */
  readonly totalMinutes: number;
  /** Alarms that stop the shift. */
  readonly alarmNames: string[];
}

/** The record: pipeline stage name → the progressive deployments of the Stages it deploys, in deployment order. */
export interface ProgressiveRecord {
  readonly [stageName: string]: RecordedDeployment[];
}

/** The record of a pipeline resource (`{ Type, Properties, Metadata }`); empty when it has none or it is not one. */
export function readProgressiveRecord(resource: unknown): ProgressiveRecord {
  const metadata = objectOf(objectOf(resource).Metadata);
  const stages = objectOf(metadata[PROGRESSIVE_METADATA_KEY]);
  const record: { [stageName: string]: RecordedDeployment[] } = {};
  for (const [stageName, list] of Object.entries(stages)) {
    if (!Array.isArray(list)) {
      continue;
    }
    record[stageName] = list.map(objectOf).map(d => ({
      path: typeof d.path === 'string' ? d.path : '?',
      target: typeof d.target === 'string' ? d.target : '?',
      description: typeof d.description === 'string' ? d.description : '?',
      totalMinutes: typeof d.totalMinutes === 'number' ? d.totalMinutes : 0,
      alarmNames: Array.isArray(d.alarmNames) ? d.alarmNames.filter((n): n is string => typeof n === 'string') : [],
    }));
  }
  return record;
}

/**
 * The words for a stage's progressive deployments: `canary 10 % for 5 min, then all` when every deployment of the
 * stage shifts alike, else each with its path (`canary … (Prod/Api/Release); linear … (Prod/Web/Release)`).
 * `undefined` when the stage runs none.
 */
export function progressiveText(deployments: readonly RecordedDeployment[] | undefined): string | undefined {
  if (!deployments || deployments.length === 0) {
    return undefined;
  }
  const descriptions = [...new Set(deployments.map(d => d.description))];
  if (descriptions.length === 1) {
    return descriptions[0];
  }
  return deployments.map(d => `${d.description} (${d.path})`).join('; ');
}

function objectOf(value: unknown): { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as { readonly [key: string]: unknown } : {};
}
