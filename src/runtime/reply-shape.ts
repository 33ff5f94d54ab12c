import { DeliveryError, DeliveryErrorCode, ErrorContext } from './errors';

/**
 * Shape checks for CodePipeline replies. The SDK passes a JSON reply through without checking the types of its
 * fields, so a proxy, a stand-in or a truncated body could otherwise surface as `x.map is not a function` or as
 * an empty pipeline. Only the fields the operations read are described; unknown fields are ignored.
 */
export type Shape =
  | { readonly kind: 'string' | 'number' | 'boolean' | 'date' }
  | { readonly kind: 'array'; readonly items: Shape }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Field>> };

/** A field of an object: its shape and whether the reply must contain it. */
export interface Field {
  readonly shape: Shape;
  readonly required: boolean;
}

export const str: Shape = { kind: 'string' };
export const num: Shape = { kind: 'number' };
export const bool: Shape = { kind: 'boolean' };
export const date: Shape = { kind: 'date' };
export const list = (items: Shape): Shape => ({ kind: 'array', items });
export const obj = (fields: Readonly<Record<string, Field>>): Shape => ({ kind: 'object', fields });
export const required = (shape: Shape): Field => ({ shape, required: true });
export const optional = (shape: Shape): Field => ({ shape, required: false });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : 'a date';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value)})`;
}

const EXPECTED: Record<Shape['kind'], string> = {
  string: 'a string', number: 'a number', boolean: 'true or false', date: 'a timestamp', array: 'a list', object: 'an object',
};

/** The first place where `value` does not match `shape`, as `path is X, expected Y`; undefined when it matches. */
export function findShapeProblem(value: unknown, shape: Shape, path: string): string | undefined {
  const wrong = () => `${path} is ${describe(value)}, expected ${EXPECTED[shape.kind]}`;
  switch (shape.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === shape.kind && !(shape.kind === 'number' && !Number.isFinite(value)) ? undefined : wrong();
    case 'date':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? undefined : wrong();
    case 'array': {
      if (!Array.isArray(value)) return wrong();
      for (let i = 0; i < value.length; i++) {
        const problem = findShapeProblem(value[i], shape.items, `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return wrong();
      const record = value as Record<string, unknown>;
      for (const [name, field] of Object.entries(shape.fields)) {
        const child = record[name];
        const childPath = path ? `${path}.${name}` : name;
        if (child === undefined || child === null) {
          if (field.required) return `${childPath} is missing`;
          continue;
        }
        const problem = findShapeProblem(child, field.shape, childPath);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}

/**
 * Return `reply` unchanged if it has the shape; otherwise throw a FAILED `DeliveryError` that names the operation,
 * the field and what was expected.
 */
export function checkReply<T>(context: ErrorContext, reply: T, shape: Shape): T {
  const problem = findShapeProblem(reply, shape, '');
  if (problem) {
    throw new DeliveryError(DeliveryErrorCode.FAILED,
      `The reply to ${context.operation} on pipeline '${context.pipelineName}' is not a valid CodePipeline reply: ${problem}. ` +
      'Nothing was decided from it. Check that the endpoint (AWS_ENDPOINT_URL_CODEPIPELINE, a proxy) is CodePipeline.');
  }
  return reply;
}

const executionStatus = obj({ status: optional(str), pipelineExecutionId: optional(str) });

/** GetPipelineState: a pipeline always has stages, so `stageStates` must be there. */
export const PIPELINE_STATE_REPLY = obj({
  pipelineVersion: optional(num),
  stageStates: required(list(obj({
    stageName: required(str),
    latestExecution: optional(executionStatus),
    inboundTransitionState: optional(obj({
      enabled: optional(bool), disabledReason: optional(str), lastChangedBy: optional(str), lastChangedAt: optional(date),
    })),
    actionStates: optional(list(obj({
      actionName: required(str),
      latestExecution: optional(obj({ status: optional(str), token: optional(str), summary: optional(str), lastStatusChange: optional(date) })),
    }))),
  }))),
});

/** GetPipeline: the declaration (stages, variables) and the metadata (ARN). */
export const PIPELINE_REPLY = obj({
  pipeline: required(obj({
    version: optional(num),
    stages: optional(list(obj({ name: required(str) }))),
    variables: optional(list(obj({ name: required(str), defaultValue: optional(str), description: optional(str) }))),
  })),
  metadata: optional(obj({ pipelineArn: optional(str) })),
});

/** GetPipelineExecution: the status is what `wait` polls for. */
export const PIPELINE_EXECUTION_REPLY = obj({
  pipelineExecution: required(obj({ status: required(str), statusSummary: optional(str) })),
});

/** ListPipelineExecutions (one page). */
export const EXECUTIONS_PAGE_REPLY = obj({
  pipelineExecutionSummaries: optional(list(obj({
    pipelineExecutionId: required(str),
    status: optional(str),
    startTime: optional(date),
    lastUpdateTime: optional(date),
    sourceRevisions: optional(list(obj({ actionName: optional(str), revisionId: optional(str) }))),
  }))),
  nextToken: optional(str),
});

/** ListActionExecutions (one page). */
export const ACTION_EXECUTIONS_PAGE_REPLY = obj({
  actionExecutionDetails: optional(list(obj({
    pipelineExecutionId: optional(str),
    stageName: optional(str),
    actionName: optional(str),
    status: optional(str),
    startTime: optional(date),
    lastUpdateTime: optional(date),
  }))),
  nextToken: optional(str),
});

/** ListTagsForResource (one page). */
export const TAGS_PAGE_REPLY = obj({ tags: optional(list(obj({ key: required(str), value: optional(str) }))), nextToken: optional(str) });
