import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PreviewEnvironments, PreviewOptions } from './preview-environments';
import { protectedAccounts } from './private/accounts';
import { synthJob, testJob } from './private/buildspecs';
import { acknowledgeProjectGrants, BuildPolicy, checkProject, DEFAULT_APPROVER_ROLES, exactBranch, grantConnection, validateApproverRoles } from './private/projects';
import { checkTrustBoundary, flatten, REACH_INVARIANT, UntrustedRunner } from './private/trust-check';
import { DeliveryPipeline } from '../codepipeline/delivery-pipeline';
import { ConnectionSourceDetails } from '../codepipeline/source';
import { ValidationError, scoped } from '../private/errors';
import { libraryLogGroup } from '../private/hygiene';
import { checkArguments } from '../private/props-check';

/**
 * When a pull request waits for a comment approval before CodeBuild builds it (CodeBuild's pull-request build
 * policy).
 */
export enum CommentApproval {
  /** Pull requests from forks wait for an approval comment, unless their author holds an approver role. */
  FORK_PULL_REQUESTS = 'FORK_PULL_REQUESTS',
  /** Every pull request waits for an approval comment, unless its author holds an approver role. */
  ALL_PULL_REQUESTS = 'ALL_PULL_REQUESTS',
  /** Every pull request is built at once. The checks hold no secrets and no deploy credentials. */
  DISABLED = 'DISABLED',
}

/**
 * Properties of `PullRequestChecks`.
 */
export interface PullRequestChecksProps {
  /**
   * The pipeline whose build and tests every pull request runs: its `synth` and `tests` (commands, environment
   * variables, images, compute sizes) are the single definition.
   */
  readonly pipeline: DeliveryPipeline;

  /**
   * Which pull requests wait for a comment approval before they are built.
   *
   * @default CommentApproval.FORK_PULL_REQUESTS
   */
  readonly commentApproval?: CommentApproval;

  /**
   * Repository roles whose pull requests build without approval and whose comments approve the others
   * (`GITHUB_READ`, `GITHUB_TRIAGE`, `GITHUB_WRITE`, `GITHUB_MAINTAIN`, `GITHUB_ADMIN`).
   *
   * @default ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN']
   */
  readonly approverRoles?: string[];

  /**
   * Prefix of the commit status each check reports on the pull request: `<prefix>/<step name>`.
   *
   * @default 'cdk-delivery'
   */
  readonly statusContextPrefix?: string;

  /**
   * How long the build logs are kept (the checks' log group, and the previews' own log group).
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Deploy a preview environment per pull request (opt-in).
   *
   * @default - no previews
   */
  readonly previews?: PreviewOptions;
}

const PULL_REQUEST_EVENTS = [
  codebuild.EventAction.PULL_REQUEST_CREATED, codebuild.EventAction.PULL_REQUEST_UPDATED, codebuild.EventAction.PULL_REQUEST_REOPENED,
];

/**
 * Runs the pipeline's build and tests on every pull request against the branch the pipeline releases from, and
 * reports each result on the pull request as a commit status.
 *
 * One CodeBuild project per pipeline step (`Synth` and each test step) with a GitHub webhook that reacts to pull
 * requests opened, updated or reopened against the tracked branch, authenticated through the pipeline's
 * CodeConnections connection. The commands, environment variables, images and compute sizes are read from the
 * `DeliveryPipeline`: a change there changes the checks.
 *
 * Pull requests run untrusted code: the checks' role can write its logs and test reports and use the connection,
 * nothing else. Test steps' `secretEnv` variables are left out of the checks (a warning names them), and pull
 * requests from forks wait for a maintainer's approval comment by default. At synth the construct checks its own
 * output: no role that runs pull-request code can assume a role in the pipeline, staging or production accounts,
 * and none of those projects holds a secret.
 */
export class PullRequestChecks extends Construct {
  /** The check projects, by pipeline step name (`Synth` and each test step). */
  public readonly projects: Record<string, codebuild.Project>;

  /** The role every check runs with (logs, reports, the connection; no secrets, no deployment). */
  public readonly role: iam.Role;

  /** The preview environments, when `previews` is set. */
  public readonly previews?: PreviewEnvironments;

  /** The pipeline whose build and tests the checks run. */
  public readonly pipeline: DeliveryPipeline;

  /** The GitHub repository, tracked branch and connection the checks subscribe to. */
  public readonly connection: ConnectionSourceDetails;

  /** Comment approval and approver roles of the checks. */
  public readonly commentApproval: CommentApproval;

  /** The log group of the checks (previews log to their own, `previews.logGroup`). */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PullRequestChecksProps) {
    super(scope, id);
    try {
      checkArguments('PullRequestChecks.constructor', [props]);
      if (!props || !props.pipeline) {
        throw new ValidationError('PullRequestChecks: pipeline: the property is required but was not given. Pass the DeliveryPipeline whose build and tests pull requests run.');
      }
      const delivery = props.pipeline;
      this.pipeline = delivery;
      const connection = githubConnection(delivery);
      this.connection = connection;
      const policy = buildPolicy(props);
      this.commentApproval = policy.requiresCommentApproval as CommentApproval;
      const prefix = props.statusContextPrefix ?? 'cdk-delivery';
      if (!Token.isUnresolved(prefix) && !/^[A-Za-z0-9._/-]{1,60}$/.test(prefix)) {
        throw new ValidationError(`statusContextPrefix: '${prefix}' is not a valid status context prefix. Use 1 to 60 letters, digits, '.', '_', '/' or '-', e.g. 'cdk-delivery'.`);
      }
      const logGroup = libraryLogGroup(this, 'Logs', props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        delivery.pipeline.artifactBucket.encryptionKey);
      this.logGroup = logGroup;

      this.role = new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
        description: 'Pull-request checks: logs, test reports and the source connection only (runs untrusted code).',
      });
      refusePipelineVariables(delivery);
      const jobs = [synthJob(delivery.synth, delivery.codeBuildDefaults), ...delivery.tests.map(t => testJob(t, delivery.codeBuildDefaults))];
      this.projects = {};
      for (const job of jobs) {
        this.projects[job.name] = checkProject(this, job, {
          connection,
          policy,
          role: this.role,
          logGroup,
          statusContext: `${prefix}/${job.name}`,
          filterGroups: [codebuild.FilterGroup.inEventOf(...PULL_REQUEST_EVENTS).andBaseRefIs(exactBranch(connection.branch))],
        });
        if (job.omittedSecrets.length > 0) {
          Annotations.of(this).addWarningV2('cdk-delivery:pull-request-secrets',
            `The test step '${job.name}' reads the secret variable(s) ${job.omittedSecrets.join(', ')}; its pull-request check runs without them (pull requests run untrusted code).`);
        }
      }
      grantConnection(this.role, connection);
      acknowledgeProjectGrants(this.role, Object.values(this.projects));
      if (props.previews) {
        this.previews = new PreviewEnvironments(this, 'Previews', { ...props.previews, checks: this, logRetention: props.logRetention });
      }
      this.node.addValidation({ validate: () => this.checkTrustBoundary() });
    } catch (error) {
      // Validation errors name the property; the construct path tells which pipeline (or checks) they belong to.
      throw scoped(this, error);
    }
  }

  /**
   * The trust boundary, on the rendered projects and roles: every project that runs pull-request code (each check,
   * the preview deploy build) runs with its own role, which may assume no role (checks) or only the preview
   * account's deploy role (previews), and neither holds a secret.
   */
  private checkTrustBoundary(): string[] {
    const stack = Stack.of(this);
    const runners: UntrustedRunner[] = Object.values(this.projects).map(project => ({ project, role: this.role, mayAssume: [] }));
    const errors: string[] = [];
    if (this.previews) {
      const deployRole = flatten(stack.resolve(this.previews.deployRoleArn));
      runners.push({ project: this.previews.deployProject, role: this.previews.role, mayAssume: [deployRole] });
      const account = /^arn:.+:iam::(\d{12}):role\/[^*?]+$/.exec(deployRole)?.[1];
      const forbidden = protectedAccounts(Stack.of(this.pipeline), this.pipeline.stagingStage, this.pipeline.productionStages)
        .find(p => p.account === account);
      if (account === undefined || forbidden) {
        errors.push(`PullRequestChecks self-check: '${REACH_INVARIANT}' is broken: the preview deploy role ${deployRole} is ${forbidden ? forbidden.what : 'not a role of one literal account'}.`);
      }
    }
    return [...errors, ...checkTrustBoundary('PullRequestChecks', runners)];
  }
}

/**
 * A step's `#{variables.NAME}` is resolved by CodePipeline when the pipeline runs the step. A pull-request check is
 * a CodeBuild project GitHub starts, outside the pipeline: the variable would reach the commands as the literal
 * text `#{variables.NAME}`. Refused, with the step and variable named.
 */
function refusePipelineVariables(delivery: DeliveryPipeline): void {
  const steps: Array<[string, { [name: string]: string } | undefined]> = [
    ['synth.env', delivery.synth.env],
    ...delivery.tests.map((t, i): [string, { [name: string]: string } | undefined] => [`tests[${i}].env`, t.env]),
  ];
  for (const [property, env] of steps) {
    for (const [name, value] of Object.entries(env ?? {})) {
      const reference = typeof value === 'string' ? /#\{variables\.[^}]*\}/.exec(value) : null;
      if (reference) {
        throw new ValidationError(`PullRequestChecks: the pipeline's ${property}.${name} reads the pipeline variable ${reference[0]}, which only CodePipeline resolves; the pull-request check runs the step outside the pipeline and would get the text '${reference[0]}' literally. Give ${name} a literal value in ${property} (a pipeline variable's default is one), or read the variable in a verification step instead.`);
      }
    }
  }
}

/** The connection source of the pipeline, which must be GitHub through CodeConnections. */
function githubConnection(delivery: DeliveryPipeline): ConnectionSourceDetails {
  const connection = delivery.source.connectionDetails;
  if (!connection) {
    throw new ValidationError(`PullRequestChecks: the pipeline's source (${delivery.source.description}) is not a CodeConnections source. Pull-request checks subscribe to a GitHub repository through the pipeline's connection: use PipelineSource.connection('owner/repo', 'main', { connectionArn }).`);
  }
  if (Token.isUnresolved(connection.repository)) {
    throw new ValidationError('PullRequestChecks: the pipeline\'s repository is a token. Pull-request checks need the literal \'owner/repo\' to subscribe to its pull requests.');
  }
  return connection;
}

function buildPolicy(props: PullRequestChecksProps): BuildPolicy {
  const approval = props.commentApproval ?? CommentApproval.FORK_PULL_REQUESTS;
  if (approval === CommentApproval.DISABLED) {
    if (props.approverRoles !== undefined) {
      throw new ValidationError('approverRoles: approver roles are set but commentApproval is DISABLED, so nobody approves anything. Leave approverRoles out, or require comment approval.');
    }
    return { requiresCommentApproval: approval };
  }
  const roles = props.approverRoles ?? DEFAULT_APPROVER_ROLES;
  validateApproverRoles(roles, 'approverRoles');
  return { requiresCommentApproval: approval, approverRoles: roles };
}
