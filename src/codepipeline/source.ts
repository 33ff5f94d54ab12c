import { Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { MAX_TRIGGER_FILTERS as MAX_FILTERS, MAX_TRIGGER_PATTERN_LENGTH as MAX_PATTERN_LENGTH, MAX_TRIGGER_PATTERNS as MAX_PATTERNS } from '../private/codepipeline-limits';
import type { ConnectionDetails, TriggerFilters } from './private/source-details';
import { ValidationError } from '../private/errors';
import { checkArguments } from '../private/props-check';

/**
 * Options for a source reached through an AWS CodeConnections (CodeStar) connection.
 */
export interface ConnectionSourceOptions {
  /**
   * ARN of the connection (created and authorized once in the console for GitHub, Bitbucket or GitLab).
   */
  readonly connectionArn: string;

  /**
   * Start the pipeline on every push to the branch.
   *
   * @default true
   */
  readonly triggerOnPush?: boolean;

  /**
   * What starts the pipeline, instead of every push to the branch (CodePipeline V2 git triggers): pushes to the
   * branch that change certain files, or pushed tags. With triggers, CodePipeline's default change detection is
   * off: only they start the pipeline (and manual starts, which release the branch). Pull requests never start
   * the release pipeline (`ReleaseTrigger.onPullRequest` is refused): check them with `PullRequestChecks`.
   *
   * @default - every push to the branch (unless `triggerOnPush` is false)
   */
  readonly triggers?: ReleaseTrigger[];

  /**
   * Pass a full git clone (with history) instead of a zip of the files, so build steps can run git commands.
   *
   * @default false
   */
  readonly codeBuildCloneOutput?: boolean;
}

/**
 * Options for an AWS CodeCommit source.
 */
export interface CodeCommitSourceOptions {
  /**
   * Pass a full git clone (with history) instead of a zip of the files.
   *
   * @default false
   */
  readonly codeBuildCloneOutput?: boolean;
}


/**
 * Filters on the files a push or pull request changes (globs relative to the repository root, e.g. `services/api/**`).
 */
export interface FilePathFilter {
  /**
   * Start only when a changed file matches one of these globs.
   *
   * @default - any file
   */
  readonly includes?: string[];

  /**
   * Do not start when every changed file matches one of these globs.
   *
   * @default - none excluded
   */
  readonly excludes?: string[];
}

/**
 * Options of `ReleaseTrigger.onTag`.
 */
export interface TagTriggerOptions {
  /**
   * Release when a tag matching one of these globs is pushed, e.g. `v*`.
   */
  readonly includes: string[];

  /**
   * Tags not to release, e.g. `v*-rc*`.
   *
   * @default - none excluded
   */
  readonly excludes?: string[];
}

/**
 * Pull-request events (of the refused `ReleaseTrigger.onPullRequest`).
 *
 * @deprecated The release pipeline refuses pull-request triggers; use `PullRequestChecks`.
 */
export enum PullRequestEvent {
  /** A pull request is opened. */
  OPEN = 'OPEN',
  /** New commits are pushed to an open pull request. */
  UPDATED = 'UPDATED',
  /** A pull request is closed (merged or not). */
  CLOSED = 'CLOSED',
}

/**
 * Options of `ReleaseTrigger.onPullRequest` (refused by `DeliveryPipeline`).
 *
 * @deprecated The release pipeline refuses pull-request triggers; use `PullRequestChecks`.
 */
export interface PullRequestTriggerOptions {
  /**
   * The events that start the pipeline.
   *
   * @default [PullRequestEvent.OPEN, PullRequestEvent.UPDATED]
   */
  readonly events?: PullRequestEvent[];

  /**
   * Start only for pull requests that change these files.
   *
   * @default - any file
   */
  readonly filePaths?: FilePathFilter;
}

/** The kinds of release trigger. */
export enum ReleaseTriggerKind {
  /** Pushes to the released branch. */
  PUSH = 'PUSH',
  /** Pushed git tags. */
  TAG = 'TAG',
  /**
   * Pull requests into the released branch: refused by `DeliveryPipeline` (the release pipeline never runs unmerged code).
   *
   * @deprecated use `PullRequestChecks` for pull requests
   */
  PULL_REQUEST = 'PULL_REQUEST',
}

/**
 * What starts a release from a connection source (a CodePipeline V2 git trigger). Create one with a static
 * factory; pass them in `PipelineSource.connection(..., { triggers })`.
 */
export abstract class ReleaseTrigger {
  /**
   * Pushes to the released branch, optionally only those that change certain files (monorepos).
   */
  public static onPush(filePaths: FilePathFilter = {}): ReleaseTrigger {
    checkArguments('ReleaseTrigger.onPush', [filePaths]);
    checkPatterns(filePaths?.includes, 'filePaths.includes', 'ReleaseTrigger.onPush', true);
    checkPatterns(filePaths?.excludes, 'filePaths.excludes', 'ReleaseTrigger.onPush', true);
    checkOverlap(filePaths, 'ReleaseTrigger.onPush: filePaths');
    return new ResolvedTrigger(ReleaseTriggerKind.PUSH, { filePaths });
  }

  /**
   * Pushed tags matching a glob: release on tag (`v*`). The pipeline releases the tagged commit, on whatever
   * branch it is.
   */
  public static onTag(options: TagTriggerOptions): ReleaseTrigger {
    checkArguments('ReleaseTrigger.onTag', [options]);
    if (!options || !Array.isArray(options.includes) || options.includes.length === 0) {
      throw new ValidationError("ReleaseTrigger.onTag: 'includes' is empty. Pass the tags to release, e.g. ReleaseTrigger.onTag({ includes: ['v*'] }).");
    }
    checkPatterns(options.includes, 'includes', 'ReleaseTrigger.onTag', false);
    checkPatterns(options.excludes, 'excludes', 'ReleaseTrigger.onTag', false);
    checkOverlap(options, 'ReleaseTrigger.onTag');
    return new ResolvedTrigger(ReleaseTriggerKind.TAG, { tags: options });
  }

  /**
   * Refused: the release pipeline never runs a pull request's code.
   *
   * A pull request's head commit is unmerged, unreviewed code. In the release pipeline it would run with the
   * release's credentials (self-mutation through the pipeline account's bootstrap deploy role, test steps with
   * their secrets, asset publishing into the target accounts, the staging deployment), and CodePipeline's
   * pull-request trigger has no fork policy. `DeliveryPipeline` therefore fails synthesis when a source carries
   * this trigger, in both release modes, and names the replacement: `PullRequestChecks`, which runs the same
   * build and tests on every pull request without deploy rights or secrets.
   *
   * @deprecated The release pipeline refuses pull-request triggers. Use `PullRequestChecks` to build and test pull
   * requests; this factory remains only so that existing code gets that explanation instead of a missing method.
   */
  public static onPullRequest(options: PullRequestTriggerOptions = {}): ReleaseTrigger {
    checkArguments('ReleaseTrigger.onPullRequest', [options]);
    // Not validated further: whatever the options, DeliveryPipeline refuses the trigger and says why.
    return new ResolvedTrigger(ReleaseTriggerKind.PULL_REQUEST, {});
  }

  /** What kind of event starts the pipeline. */
  public abstract readonly kind: ReleaseTriggerKind;

  /** @internal */
  public abstract readonly _filters: TriggerFilters;
}

class ResolvedTrigger extends ReleaseTrigger {
  constructor(public readonly kind: ReleaseTriggerKind, public readonly _filters: TriggerFilters) {
    super();
  }
}

function checkPatterns(patterns: string[] | undefined, field: string, where: string, paths: boolean): void {
  if (patterns === undefined) {
    return;
  }
  if (!Array.isArray(patterns) || patterns.length === 0) {
    throw new ValidationError(`${where}: ${field} is empty. Give at least one glob, or leave ${field} out.`);
  }
  if (patterns.length > MAX_PATTERNS) {
    throw new ValidationError(`${where}: ${field} has ${patterns.length} globs; CodePipeline accepts at most ${MAX_PATTERNS} per filter. Use broader globs (e.g. 'services/**').`);
  }
  patterns.forEach((pattern, i) => {
    const what = `${where}: ${field}[${i}]`;
    if (typeof pattern !== 'string' || pattern.trim() === '') {
      throw new ValidationError(`${what} is empty. Give a glob such as ${paths ? "'services/api/**'" : "'v*'"}.`);
    }
    if (pattern !== pattern.trim()) {
      throw new ValidationError(`${what} '${pattern}' starts or ends with whitespace, which no ${paths ? 'path' : 'tag'} has. Remove it.`);
    }
    if (pattern.length > MAX_PATTERN_LENGTH) {
      throw new ValidationError(`${what} has ${pattern.length} characters; CodePipeline accepts at most ${MAX_PATTERN_LENGTH}.`);
    }
    if (paths && (pattern.startsWith('/') || pattern.startsWith('./'))) {
      throw new ValidationError(`${what} '${pattern}' starts with '${pattern.startsWith('/') ? '/' : './'}', but file paths are matched relative to the repository root. Write '${pattern.replace(/^\.?\//, '')}'.`);
    }
    if (!balanced(pattern)) {
      throw new ValidationError(`${what} '${pattern}' has an unclosed '[' or '{'. Close it, or escape it with '\\'.`);
    }
  });
  const seen = new Set<string>();
  for (const pattern of patterns) {
    if (seen.has(pattern)) {
      throw new ValidationError(`${where}: ${field} lists '${pattern}' twice. List each glob once.`);
    }
    seen.add(pattern);
  }
}

function checkOverlap(filter: { readonly includes?: string[]; readonly excludes?: string[] }, where: string): void {
  const excluded = new Set(filter?.excludes ?? []);
  const both = (filter?.includes ?? []).filter(p => excluded.has(p));
  if (both.length > 0) {
    throw new ValidationError(`${where}: '${both[0]}' is both included and excluded, so it can never start the pipeline. Remove it from one list.`);
  }
}

/** Brackets and braces of a glob are closed (a backslash escapes the next character). */
function balanced(pattern: string): boolean {
  const open: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (c === '[' || c === '{') {
      open.push(c === '[' ? ']' : '}');
    } else if ((c === ']' || c === '}') && open[open.length - 1] === c) {
      open.pop();
    }
  }
  return open.length === 0;
}

/**
 * The repository behind a connection source (pull-request checks subscribe to it).
 */
export interface ConnectionSourceDetails {
  /** `owner/repo`. */
  readonly repository: string;
  /** The branch the pipeline releases from. */
  readonly branch: string;
  /** ARN of the CodeConnections connection. */
  readonly connectionArn: string;
}

/**
 * Where the pipeline gets its source. Create one with a static factory.
 */
export abstract class PipelineSource {
  /**
   * A GitHub, Bitbucket or GitLab repository reached through an AWS CodeConnections connection.
   *
   * @param repository `owner/repo`
   * @param branch the branch to release from
   */
  public static connection(repository: string, branch: string, options: ConnectionSourceOptions): PipelineSource {
    if ((options === undefined || options === null || options.connectionArn === undefined || options.connectionArn === null)
      && typeof repository === 'string' && typeof branch === 'string') {
      // Before the type check: this message shows the whole call to write.
      throw new ValidationError(`source: no connectionArn was given for ${repository}. Pass the options with the connection's ARN: PipelineSource.connection('${repository}', '${branch}', { connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abcd-1234' }).`);
    }
    checkArguments('PipelineSource.connection', [repository, branch, options]);
    if (!Token.isUnresolved(repository) && !/^[^/\s]+\/[^/\s]+$/.test(repository)) {
      throw new ValidationError(`source: the repository '${repository}' is not in the form 'owner/repo'. Pass it as PipelineSource.connection('owner/repo', 'main', { connectionArn }).`);
    }
    if (options === undefined || options === null || typeof options.connectionArn !== 'string') {
      throw new ValidationError(`source: no connectionArn was given for ${repository}. Pass the options with the connection's ARN: PipelineSource.connection('${repository}', '${branch}', { connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abcd-1234' }).`);
    }
    if (!Token.isUnresolved(options.connectionArn) && !/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/.+$/.test(options.connectionArn)) {
      throw new ValidationError(`source: connectionArn '${options.connectionArn}' is not a CodeConnections connection ARN. Use the ARN shown in the console, e.g. 'arn:aws:codeconnections:us-east-1:123456789012:connection/abcd-1234'.`);
    }
    checkBranch(branch);
    const triggers = options.triggers;
    if (triggers !== undefined) {
      checkTriggers(triggers, options.triggerOnPush);
    }
    const actionName = repository.replace(/[^A-Za-z0-9.@_-]/g, '_');
    return new WrappedSource(`${repository}@${branch}`, 'CommitId', options.codeBuildCloneOutput === true, () => pipelines.CodePipelineSource.connection(repository, branch, {
      connectionArn: options.connectionArn,
      actionName,
      // With triggers, CodePipeline's default change detection is off: only the triggers start the pipeline.
      triggerOnPush: triggers === undefined ? options.triggerOnPush ?? true : false,
      codeBuildCloneOutput: options.codeBuildCloneOutput ?? false,
    }), { actionName, branch, triggers: triggers ?? [] }, { repository, branch, connectionArn: options.connectionArn });
  }

  /**
   * An AWS CodeCommit repository.
   */
  public static codeCommit(repository: codecommit.IRepository, branch: string, options: CodeCommitSourceOptions = {}): PipelineSource {
    checkArguments('PipelineSource.codeCommit', [repository, branch, options]);
    checkBranch(branch);
    return new WrappedSource(`codecommit@${branch}`, 'CommitId', options.codeBuildCloneOutput === true, () => pipelines.CodePipelineSource.codeCommit(repository, branch, {
      codeBuildCloneOutput: options.codeBuildCloneOutput ?? false,
    }));
  }

  /**
   * A zip file in an S3 bucket (the bucket must be versioned).
   */
  public static s3(bucket: s3.IBucket, objectKey: string): PipelineSource {
    checkArguments('PipelineSource.s3', [bucket, objectKey]);
    if (!Token.isUnresolved(objectKey) && objectKey.trim() === '') {
      throw new ValidationError("source: the S3 object key is empty. Pass the key of the zip file, e.g. PipelineSource.s3(bucket, 'app/source.zip').");
    }
    return new WrappedSource(`s3:${objectKey}`, 'VersionId', false, () => pipelines.CodePipelineSource.s3(bucket, objectKey));
  }

  /** Short human-readable description of the source. */
  public abstract readonly description: string;

  /**
   * The source action's output variable that identifies the revision (`CommitId`, or `VersionId` for S3).
   */
  public abstract readonly revisionVariable: string;

  /** @internal */
  public abstract readonly _connection?: ConnectionDetails;

  /**
   * Whether build steps get a full git clone (`codeBuildCloneOutput: true`): then git can tell what CodePipeline's
   * source variables do not, such as the commit's author.
   *
   * @internal
   */
  public abstract readonly _fullClone: boolean;

  /**
   * The repository, branch and connection, for a connection source.
   *
   * @default - undefined for CodeCommit and S3 sources
   */
  public get connectionDetails(): ConnectionSourceDetails | undefined {
    return undefined;
  }

  /**
   * The CDK Pipelines source this source renders to (created once, on first use).
   */
  public abstract toCodePipelineSource(): pipelines.CodePipelineSource;

}

function checkTriggers(triggers: ReleaseTrigger[], triggerOnPush: boolean | undefined): void {
  if (!Array.isArray(triggers) || triggers.length === 0) {
    throw new ValidationError("source: triggers is empty, so nothing would start the pipeline but a manual start. Pass at least one ReleaseTrigger, or leave 'triggers' out to release every push to the branch.");
  }
  if (triggerOnPush !== undefined) {
    throw new ValidationError(`source: both triggerOnPush (${triggerOnPush}) and triggers are set. With triggers, only the triggers start the pipeline: remove triggerOnPush (use ReleaseTrigger.onPush() to release every push to the branch).`);
  }
  triggers.forEach((trigger, i) => {
    if (!(trigger instanceof ReleaseTrigger)) {
      throw new ValidationError(`source: triggers[${i}] is not a ReleaseTrigger. Create triggers with ReleaseTrigger.onPush() or ReleaseTrigger.onTag().`);
    }
  });
  // Pull-request triggers are refused by DeliveryPipeline (with the property path); only push filters count here.
  const pushes = triggers.filter(t => t.kind !== ReleaseTriggerKind.PULL_REQUEST);
  const seen = new Map<string, number>();
  triggers.forEach((trigger, i) => {
    if (trigger.kind === ReleaseTriggerKind.PULL_REQUEST) {
      return;
    }
    const key = JSON.stringify([trigger.kind, trigger._filters]);
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new ValidationError(`source: triggers[${i}] is the same ${trigger.kind.toLowerCase()} trigger as triggers[${previous}]. Remove the duplicate.`);
    }
    seen.set(key, i);
  });
  if (pushes.length > MAX_FILTERS) {
    throw new ValidationError(`source: ${pushes.length} push and tag triggers; CodePipeline accepts at most ${MAX_FILTERS} push filters per source. Merge triggers of the same kind (their globs combine).`);
  }
}

class WrappedSource extends PipelineSource {
  private rendered?: pipelines.CodePipelineSource;

  constructor(
    public readonly description: string,
    public readonly revisionVariable: string,
    public readonly _fullClone: boolean,
    private readonly render: () => pipelines.CodePipelineSource,
    public readonly _connection?: ConnectionDetails,
    private readonly connection?: ConnectionSourceDetails,
  ) {
    super();
  }

  public get connectionDetails(): ConnectionSourceDetails | undefined {
    return this.connection;
  }

  public toCodePipelineSource(): pipelines.CodePipelineSource {
    this.rendered ??= this.render();
    return this.rendered;
  }
}

function checkBranch(branch: string) {
  if (!Token.isUnresolved(branch) && branch.trim() === '') {
    throw new ValidationError("source: the branch is empty. Pass the branch to release from, e.g. 'main'.");
  }
}
