import { Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';

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
    if (!Token.isUnresolved(repository) && !/^[^/\s]+\/[^/\s]+$/.test(repository)) {
      throw new Error(`source: the repository '${repository}' is not in the form 'owner/repo'. Pass it as PipelineSource.connection('owner/repo', 'main', { connectionArn }).`);
    }
    if (!Token.isUnresolved(options.connectionArn) && !/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/.+$/.test(options.connectionArn)) {
      throw new Error(`source: connectionArn '${options.connectionArn}' is not a CodeConnections connection ARN. Use the ARN shown in the console, e.g. 'arn:aws:codeconnections:us-east-1:123456789012:connection/abcd-1234'.`);
    }
    checkBranch(branch);
    return new WrappedSource(`${repository}@${branch}`, 'CommitId', () => pipelines.CodePipelineSource.connection(repository, branch, {
      connectionArn: options.connectionArn,
      triggerOnPush: options.triggerOnPush ?? true,
      codeBuildCloneOutput: options.codeBuildCloneOutput ?? false,
    }), { repository, branch, connectionArn: options.connectionArn });
  }

  /**
   * An AWS CodeCommit repository.
   */
  public static codeCommit(repository: codecommit.IRepository, branch: string, options: CodeCommitSourceOptions = {}): PipelineSource {
    checkBranch(branch);
    return new WrappedSource(`codecommit@${branch}`, 'CommitId', () => pipelines.CodePipelineSource.codeCommit(repository, branch, {
      codeBuildCloneOutput: options.codeBuildCloneOutput ?? false,
    }));
  }

  /**
   * A zip file in an S3 bucket (the bucket must be versioned).
   */
  public static s3(bucket: s3.IBucket, objectKey: string): PipelineSource {
    if (!Token.isUnresolved(objectKey) && objectKey.trim() === '') {
      throw new Error("source: the S3 object key is empty. Pass the key of the zip file, e.g. PipelineSource.s3(bucket, 'app/source.zip').");
    }
    return new WrappedSource(`s3:${objectKey}`, 'VersionId', () => pipelines.CodePipelineSource.s3(bucket, objectKey));
  }

  /** Short human-readable description of the source. */
  public abstract readonly description: string;

  /**
   * The source action's output variable that identifies the revision (`CommitId`, or `VersionId` for S3).
   */
  public abstract readonly revisionVariable: string;

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

class WrappedSource extends PipelineSource {
  private rendered?: pipelines.CodePipelineSource;

  constructor(
    public readonly description: string,
    public readonly revisionVariable: string,
    private readonly render: () => pipelines.CodePipelineSource,
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
    throw new Error("source: the branch is empty. Pass the branch to release from, e.g. 'main'.");
  }
}
