import { CodePipelineClient, GetPipelineCommand, SourceRevisionType, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { callCodePipeline, DeliveryError, DeliveryErrorCode } from './errors';
import { checkReply, PIPELINE_REPLY } from './reply-shape';

export interface PipelineVariableValue {
  readonly name: string;
  readonly value: string;
}

export interface SourceRevisionValue {
  /** The source action whose revision is pinned. */
  readonly actionName: string;
  /** `COMMIT_ID`, `IMAGE_DIGEST`, `S3_OBJECT_VERSION_ID` or `S3_OBJECT_KEY`. */
  readonly revisionType: string;
  readonly revisionValue: string;
}

export interface ReleaseOptions {
  /** Pipeline-level variables for this execution. */
  readonly variables?: readonly PipelineVariableValue[];
  /** Revisions to run instead of the latest ones. */
  readonly sourceRevisions?: readonly SourceRevisionValue[];
  /** Idempotency token: retrying with the same token starts no second execution. */
  readonly clientRequestToken?: string;
}

export interface ReleaseOutcome {
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
}

export const SOURCE_REVISION_TYPES: readonly string[] = Object.values(SourceRevisionType);
const VARIABLE_NAME = /^[A-Za-z0-9@\-_]{1,128}$/;
const REQUEST_TOKEN = /^[a-zA-Z0-9-]{1,128}$/;

function invalid(message: string): DeliveryError {
  return new DeliveryError(DeliveryErrorCode.INVALID_INPUT, message);
}

/** Throw on input CodePipeline would reject, with a message naming the bad value. */
export function validateReleaseOptions(options: ReleaseOptions): void {
  const seen = new Set<string>();
  for (const variable of options.variables ?? []) {
    if (!VARIABLE_NAME.test(variable.name)) {
      throw invalid(`Pipeline variable name '${variable.name}' is invalid: use 1-128 letters, digits, '@', '-' or '_'.`);
    }
    if (seen.has(variable.name)) {
      throw invalid(`Pipeline variable '${variable.name}' is given twice.`);
    }
    seen.add(variable.name);
    if (variable.value.length === 0 || variable.value.length > 1000) {
      throw invalid(`Pipeline variable '${variable.name}' needs a value of 1-1000 characters, got ${variable.value.length}.`);
    }
  }
  const actions = new Set<string>();
  for (const revision of options.sourceRevisions ?? []) {
    if (!SOURCE_REVISION_TYPES.includes(revision.revisionType)) {
      throw invalid(`Source revision type '${revision.revisionType}' for action '${revision.actionName}' is invalid: use one of ${SOURCE_REVISION_TYPES.join(', ')}.`);
    }
    if (revision.actionName.length === 0 || revision.revisionValue.length === 0) {
      throw invalid('A source revision needs an action name and a revision value.');
    }
    if (actions.has(revision.actionName)) {
      throw invalid(`Source action '${revision.actionName}' has two revisions.`);
    }
    actions.add(revision.actionName);
  }
  if (options.clientRequestToken !== undefined && !REQUEST_TOKEN.test(options.clientRequestToken)) {
    throw invalid(`Client request token '${options.clientRequestToken}' is invalid: use 1-128 letters, digits or '-'.`);
  }
}

/**
 * Throw unless every variable is one the pipeline declares (CodePipeline rejects undeclared ones, and a pipeline
 * that declares none rejects any). `declared` are the names in the pipeline declaration (GetPipeline).
 */
export function validateDeclaredVariables(pipelineName: string, variables: readonly PipelineVariableValue[], declared: readonly string[]): void {
  const undeclared = variables.map((v) => v.name).filter((name) => !declared.includes(name));
  if (undeclared.length === 0) {
    return;
  }
  const names = undeclared.map((n) => `'${n}'`).join(', ');
  if (declared.length === 0) {
    throw invalid(`Pipeline '${pipelineName}' declares no variables, so CodePipeline would reject --variable ${names}. ` +
      'Declare the variable on the pipeline (DeliveryPipeline variables) and deploy it, or drop --variable.');
  }
  throw invalid(`Pipeline '${pipelineName}' declares no variable ${names}; it declares ${declared.map((n) => `'${n}'`).join(', ')}. ` +
    'Use a declared name, or declare the variable on the pipeline and deploy it.');
}

/**
 * Start an execution of the pipeline; returns its id. With variables, the pipeline declaration is read first
 * (GetPipeline) and undeclared names are refused before anything starts.
 */
export async function startRelease(client: CodePipelineClient, pipelineName: string, options: ReleaseOptions = {}): Promise<ReleaseOutcome> {
  validateReleaseOptions(options);
  if (options.variables && options.variables.length > 0) {
    const context = { operation: 'GetPipeline', pipelineName };
    const declaration = checkReply(context,
      await callCodePipeline(context, () => client.send(new GetPipelineCommand({ name: pipelineName }))), PIPELINE_REPLY);
    validateDeclaredVariables(pipelineName, options.variables, (declaration.pipeline?.variables ?? []).map((v) => v.name ?? ''));
  }
  const output = await callCodePipeline({ operation: 'StartPipelineExecution', pipelineName }, () => client.send(new StartPipelineExecutionCommand({
    name: pipelineName,
    variables: options.variables?.map((v) => ({ name: v.name, value: v.value })),
    sourceRevisions: options.sourceRevisions?.map((r) => ({
      actionName: r.actionName,
      revisionType: r.revisionType as SourceRevisionType,
      revisionValue: r.revisionValue,
    })),
    clientRequestToken: options.clientRequestToken,
  })));
  if (typeof output.pipelineExecutionId !== 'string' || output.pipelineExecutionId.length === 0) {
    throw new DeliveryError(DeliveryErrorCode.FAILED, `StartPipelineExecution on pipeline '${pipelineName}' returned no execution id.`);
  }
  return { pipelineName, pipelineExecutionId: output.pipelineExecutionId };
}
