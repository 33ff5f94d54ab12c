import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { BakeFailureAction } from '../../blueprint/bake';
import { StepTypes } from '../../blueprint/release-input';
import { ResolvedEnvironment } from '../../blueprint/release-model';
import {
  MAX_VARIABLE_DEFAULT, MAX_VARIABLE_DESCRIPTION, MAX_VARIABLES, VARIABLE_NAME_PATTERN as VARIABLE_NAME,
} from '../../private/codepipeline-limits';
import { InternalError, ValidationError } from '../../private/errors';
import { validateRelativeDirectory } from '../../private/shell';
import { AdditionalSource, PipelineVariable } from '../pipeline-options';
import { PipelineSource, ReleaseTrigger, ReleaseTriggerKind } from '../source';
import { BuildCacheOptions } from '../step-options';

/**
 * CodePipeline V2 pipeline-level features: variables, execution mode, additional sources, git triggers, and
 * build caching of steps. Validation happens before anything is built; rendering uses the L2 pipeline's API.
 */

/** `#{variables.NAME}` references in a string. */
const VARIABLE_REFERENCES = /#\{variables\.([^}]*)\}/g;

/** A step's environment, for the variable-reference check. */
export interface StepEnvironment {
  readonly property: string;
  readonly env?: Record<string, string>;
}

export function validateVariables(variables: PipelineVariable[], environments: StepEnvironment[]): string[] {
  if (!Array.isArray(variables)) {
    throw new ValidationError(`variables: ${String(variables)} is not a list. Pass [{ name: 'NAME', defaultValue: '...' }].`);
  }
  if (variables.length > MAX_VARIABLES) {
    throw new ValidationError(`variables: ${variables.length} variables; a CodePipeline pipeline declares at most ${MAX_VARIABLES}.`);
  }
  const names = new Map<string, number>();
  variables.forEach((variable, i) => {
    const name = variable?.name;
    if (typeof name !== 'string' || !VARIABLE_NAME.test(name)) {
      throw new ValidationError(`variables[${i}].name: '${String(name)}' is not a valid variable name. Use 1 to 128 letters, digits, '@', '-' or '_', e.g. 'RELEASE_NOTE'.`);
    }
    const previous = names.get(name);
    if (previous !== undefined) {
      throw new ValidationError(`variables[${i}].name: the variable '${name}' is already declared by variables[${previous}]. Declare each variable once.`);
    }
    names.set(name, i);
    const value = variable.defaultValue;
    if (value !== undefined && !Token.isUnresolved(value) && (value.length === 0 || value.length > MAX_VARIABLE_DEFAULT)) {
      throw new ValidationError(`variables[${i}].defaultValue: ${value.length} characters for '${name}'; CodePipeline accepts 1 to ${MAX_VARIABLE_DEFAULT}. Leave it out for no default.`);
    }
    const description = variable.description;
    if (description !== undefined && !Token.isUnresolved(description) && description.length > MAX_VARIABLE_DESCRIPTION) {
      throw new ValidationError(`variables[${i}].description: ${description.length} characters for '${name}'; CodePipeline accepts at most ${MAX_VARIABLE_DESCRIPTION}. Shorten it.`);
    }
  });
  for (const step of environments) {
    for (const [key, value] of Object.entries(step.env ?? {})) {
      for (const match of String(value).matchAll(VARIABLE_REFERENCES)) {
        if (!names.has(match[1])) {
          const declared = [...names.keys()];
          throw new ValidationError(`${step.property}.env.${key}: reads #{variables.${match[1]}}, but the pipeline declares no variable '${match[1]}'${declared.length > 0 ? ` (it declares ${declared.join(', ')})` : ''}. Declare it in the pipeline's 'variables': CodePipeline rejects an execution that sets an undeclared variable, and never resolves one.`);
        }
      }
    }
  }
  return [...names.keys()];
}

export function renderVariables(pipeline: codepipeline.Pipeline, variables: PipelineVariable[]): void {
  for (const variable of variables) {
    pipeline.addVariable(new codepipeline.Variable({
      variableName: variable.name,
      defaultValue: variable.defaultValue,
      description: variable.description,
    }));
  }
}

/**
 * PARALLEL executions cannot roll a stage back (CodePipeline rejects a ROLLBACK result), and every bake rolls back
 * unless told otherwise.
 */
export function validateExecutionMode(mode: codepipeline.ExecutionMode, environments: Array<ResolvedEnvironment<StepTypes>>): void {
  if (!Object.values(codepipeline.ExecutionMode).includes(mode)) {
    throw new ValidationError(`executionMode: '${String(mode)}' is not an execution mode. Use codepipeline.ExecutionMode.SUPERSEDED, QUEUED or PARALLEL.`);
  }
  if (mode !== codepipeline.ExecutionMode.PARALLEL) {
    return;
  }
  for (const env of environments) {
    const bake = env.bake;
    if (bake?.onFailure === BakeFailureAction.ROLLBACK) {
      throw new ValidationError(`executionMode: PARALLEL executions cannot roll a stage back, but ${env.property}.bake rolls ${env.name} back on failure${bake.onFailureDefaulted ? ' (the default)' : ''}. Use ExecutionMode.QUEUED or SUPERSEDED, or set ${env.property}.bake.onFailure to BakeFailureAction.FAIL or RETRY.`);
    }
  }
}

export function validateAdditionalSources(additional: AdditionalSource[], primary: PipelineSource): void {
  if (!Array.isArray(additional)) {
    throw new ValidationError(`additionalSources: ${String(additional)} is not a list. Pass [{ directory: 'infra', source: PipelineSource.connection(...) }].`);
  }
  const directories = new Map<string, number>();
  const sources = new Map<PipelineSource, number>();
  additional.forEach((entry, i) => {
    const where = `additionalSources[${i}]`;
    if (!(entry?.source instanceof PipelineSource)) {
      throw new ValidationError(`${where}.source: no PipelineSource was given. Pass one, e.g. PipelineSource.connection('owner/infra', 'main', { connectionArn }).`);
    }
    if (entry.source === primary) {
      throw new ValidationError(`${where}.source: the primary source is also listed as an additional source. Every step already has it in its working directory: remove it.`);
    }
    if (entry.source.description === primary.description) {
      throw new ValidationError(`${where}.source: ${entry.source.description} is the primary source. Every step already has it: remove it.`);
    }
    const previousSource = [...sources.keys()].findIndex(s => s === entry.source || s.description === entry.source.description);
    if (previousSource >= 0) {
      throw new ValidationError(`${where}.source: ${entry.source.description} is already additionalSources[${previousSource}]. List each source once.`);
    }
    sources.set(entry.source, i);
    const dir = entry.directory;
    if (typeof dir === 'string' && ['.', './'].includes(dir.trim())) {
      throw new ValidationError(`${where}.directory: '${dir}' names no directory. Give a directory relative to the primary source's root, e.g. 'infra'.`);
    }
    // CDK Pipelines links the source with `ln -s -- "$CODEBUILD_SRC_DIR_<artifact>" "<directory>"` (its double
    // quotes, not ours): the strict character set is what keeps the value inert there.
    const normalized = validateRelativeDirectory(dir, `${where}.directory`, "'infra'");
    for (const [other, j] of directories) {
      if (other === normalized || other.startsWith(`${normalized}/`) || normalized.startsWith(`${other}/`)) {
        throw new ValidationError(`${where}.directory: '${dir}' overlaps additionalSources[${j}].directory '${other}'. Give every source its own directory.`);
      }
    }
    directories.set(normalized, i);
  });
}

/** The additional inputs of every CodeBuild step: directory → CDK Pipelines source. */
export function additionalInputs(additional: AdditionalSource[]): Record<string, pipelines.IFileSetProducer> | undefined {
  if (additional.length === 0) {
    return undefined;
  }
  return Object.fromEntries(additional.map(a => [validateRelativeDirectory(a.directory, 'additionalSources[].directory', "'infra'"), a.source.toCodePipelineSource()]));
}

/**
 * The release pipeline never runs unmerged code: a pull-request trigger is refused in both release modes, before
 * anything is built. (The self-check verifies the rendered `Triggers` too.)
 */
export function validateTriggerSafety(sources: Array<[string, PipelineSource]>): void {
  for (const [property, source] of sources) {
    const triggers = source._connection?.triggers ?? [];
    const i = triggers.findIndex(t => t.kind === ReleaseTriggerKind.PULL_REQUEST);
    if (i >= 0) {
      throw new ValidationError(`${property}.triggers[${i}]: ReleaseTrigger.onPullRequest() would start the release pipeline on a pull request's unmerged head commit, `
        + "which would then run with the release's credentials (self-mutation with the pipeline account's deploy role, test steps with their secrets, "
        + 'asset publishing into the target accounts, the staging deployment); CodePipeline\'s pull-request trigger has no fork policy. '
        + 'The release pipeline runs only merged code, in either release mode: remove the trigger, and build and test pull requests with '
        + "PullRequestChecks (new PullRequestChecks(stack, 'PullRequests', { pipeline })), which runs the same steps without deploy rights or secrets.");
    }
  }
}

/** Renders each source's triggers as one V2 git trigger on its source action. */
export function renderTriggers(pipeline: codepipeline.Pipeline, sourceStage: codepipeline.IStage, sources: Array<[string, PipelineSource]>): void {
  for (const [property, source] of sources) {
    const connection = source._connection;
    if (!connection || connection.triggers.length === 0) {
      continue;
    }
    const action = sourceStage.actions.find(a => a.actionProperties.actionName === connection.actionName);
    if (!action) {
      throw new InternalError(`${property}: CDK Pipelines did not create the source action '${connection.actionName}' the triggers belong to. Please report it with your aws-cdk-lib version.`);
    }
    // validateTriggerSafety refused pull-request triggers before the build; none can reach this point.
    const push = connection.triggers.map(t => pushFilter(t, connection.branch));
    pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: { sourceAction: action, pushFilter: push },
    });
  }
}

function pushFilter(trigger: ReleaseTrigger, branch: string): codepipeline.GitPushFilter {
  const filters = trigger._filters;
  if (trigger.kind === ReleaseTriggerKind.TAG) {
    return { tagsIncludes: filters.tags!.includes, tagsExcludes: filters.tags!.excludes };
  }
  // Only the released branch: a push to another branch must never be released.
  return { branchesIncludes: [branch], filePathsIncludes: filters.filePaths?.includes, filePathsExcludes: filters.filePaths?.excludes };
}

/** Type and modes of a CodeBuild cache (what `codebuild.Cache` renders). */
function cacheKind(cache: codebuild.Cache): { type: string; modes: string[] } {
  const rendered = cache._toCloudFormation() as { type?: string; modes?: string[] } | undefined;
  return { type: rendered?.type ?? 'NO_CACHE', modes: rendered?.modes ?? [] };
}

export function validateCache(options: BuildCacheOptions, property: string): void {
  if (typeof (options?.cache as { _toCloudFormation?: unknown } | undefined)?._toCloudFormation !== 'function') {
    throw new ValidationError(`${property}.cache: no codebuild.Cache was given. Pass codebuild.Cache.bucket(bucket) or codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM).`);
  }
  const { type, modes } = cacheKind(options.cache);
  const paths = options.paths;
  if (paths !== undefined) {
    if (!Array.isArray(paths) || paths.length === 0) {
      throw new ValidationError(`${property}.paths: the list is empty. Give the paths to cache, e.g. ['/root/.npm/**/*'], or leave 'paths' out.`);
    }
    paths.forEach((p, i) => {
      if (typeof p !== 'string' || p.trim() === '') {
        throw new ValidationError(`${property}.paths[${i}]: the path is empty. Give a path or glob to cache, e.g. 'node_modules/**/*'.`);
      }
    });
  }
  if (type === 'NO_CACHE') {
    throw new ValidationError(`${property}.cache: codebuild.Cache.none() caches nothing. Remove '${property}' for no cache.`);
  }
  const storesPaths = type === 'S3' || modes.includes(codebuild.LocalCacheMode.CUSTOM);
  if (storesPaths && !paths) {
    throw new ValidationError(`${property}.paths: ${type === 'S3' ? 'an S3 cache' : 'a LocalCacheMode.CUSTOM cache'} stores only the listed paths, and none are listed. Give them, e.g. ['/root/.npm/**/*'].`);
  }
  if (!storesPaths && paths) {
    throw new ValidationError(`${property}.paths: paths are cached only by an S3 cache or a local cache with LocalCacheMode.CUSTOM, but this cache is ${modes.join(', ') || type}. Add LocalCacheMode.CUSTOM, or remove 'paths'.`);
  }
}

/** The buildspec fragment that lists the cached paths. */
export function cacheBuildSpec(options: BuildCacheOptions | undefined): Record<string, unknown> {
  return options?.paths ? { cache: { paths: options.paths } } : {};
}
