import { App, Duration, Environment, Stack, Stage, Tags, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  DEFAULT_PREVIEW_PREFIX, LONGEST_PULL_REQUEST_NUMBER, MAX_STACK_NAME_LENGTH, parsePullRequestNumber, PREVIEW_CONTEXT_KEY,
  PREVIEW_ENV_VARIABLE, PREVIEW_PREFIX_PATTERN, previewBuildRoleName, previewDeployRoleName, previewNamespace, previewStageId,
  PULL_REQUEST_TAG,
} from './naming';
import { normalizeAccount, protectedAccounts, requireAccount, requireQualifier, requireRegion } from './private/accounts';
import { previewDeployBuildSpec, previewDestroyBuildSpec, previewSweepBuildSpec, synthJob } from './private/buildspecs';
import { acknowledgeProjectGrants, checkProject, DEFAULT_APPROVER_ROLES, exactBranch, grantConnection, validateApproverRoles } from './private/projects';
import type { PullRequestChecks } from './pull-request-checks';
import { stacksOf } from '../blueprint/validate';
import { acknowledge } from '../private/acknowledgments';
import { ValidationError, scoped } from '../private/errors';
import { libraryLogGroup } from '../private/hygiene';
import { checkArguments } from '../private/props-check';

/**
 * Creates the preview copy of the staging `Stage` (the same class, configured for the preview environment).
 */
export interface IPreviewStageFactory {
  /**
   * Create the preview `Stage`.
   *
   * @param scope the app (create the Stage directly in it)
   * @param id the Stage id to use, `<prefix>-pr<number>`: every stack name of the Stage must start with `<id>-`
   * (CDK's default names do)
   * @param env the preview account and region
   */
  createStage(scope: Construct, id: string, env: Environment): Stage;
}

/**
 * Preview environments per pull request.
 */
export interface PreviewOptions {
  /**
   * The preview account (12 digits). A synth-time error when it is the pipeline's account or the account of any
   * staging or production stack (an env-agnostic one counts as the pipeline's account): previews run unreviewed
   * code, and the preview role can do in this account whatever the CDK bootstrap's execution role may.
   */
  readonly account: string;

  /** The preview region. */
  readonly region: string;

  /** Creates the preview copy of the staging Stage. */
  readonly stage: IPreviewStageFactory;

  /**
   * GitHub user ids (numbers, as `https://api.github.com/users/<login>` shows them) whose pull-request events may
   * start a preview build: a webhook `ACTOR_ACCOUNT_ID` filter. Despite the name, GitHub reports (and CodeBuild
   * filters on) the user who caused the event: who opened, pushed to or reopened the pull request, not necessarily
   * its author. CodeBuild has no filter on the author; the author is checked by the pull-request build policy
   * instead (`approverRoles`): a preview deploys only when the pull request's author holds an approver role, or
   * when an approver commented `/codebuild_run(<SHA of the latest commit>)`, which approves that commit only.
   */
  readonly trustedAuthors: string[];

  /**
   * Repository roles (`GITHUB_READ`, `GITHUB_TRIAGE`, `GITHUB_WRITE`, `GITHUB_MAINTAIN`, `GITHUB_ADMIN`) whose
   * pull requests deploy a preview without a comment approval, and whose `/codebuild_run(<commit SHA>)` comments
   * approve the preview of that commit of anybody else's pull request (CodeBuild's pull-request build policy,
   * `ALL_PULL_REQUESTS`).
   *
   * @default ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN']
   */
  readonly approverRoles?: string[];

  /**
   * Prefix of every preview stack name: the preview of pull request 42 is the Stage `<prefix>-pr42`, its stacks
   * `<prefix>-pr42-<stack>`. The preview role may only touch stacks named `<prefix>-pr*`.
   *
   * @default 'preview'
   */
  readonly stackPrefix?: string;

  /**
   * A preview not deployed for this long is removed by the sweep (when its close event was missed). Whole hours.
   *
   * @default Duration.days(3)
   */
  readonly timeToLive?: Duration;

  /**
   * How often the sweep runs. Whole hours.
   *
   * @default Duration.hours(6)
   */
  readonly sweepInterval?: Duration;
}

/**
 * Properties of `PreviewEnvironments`.
 */
export interface PreviewEnvironmentsProps extends PreviewOptions {
  /** The pull-request checks of the pipeline whose staging Stage is previewed. */
  readonly checks: PullRequestChecks;

  /**
   * How long the preview builds' logs are kept (their own log group, apart from the checks').
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

const DEFAULT_TTL = Duration.days(3);
const DEFAULT_SWEEP = Duration.hours(6);
const DEFAULT_QUALIFIER = 'hnb659fds';

/**
 * A preview environment per pull request: deployed when the pull request is opened or updated, destroyed when
 * it is closed or merged, and removed by a scheduled sweep when it has not been deployed for `timeToLive`.
 *
 * The builds run in the pipeline account with a role that can only assume the preview account's
 * `PreviewAccess` role, which can only change stacks named `<prefix>-pr*`. A deploy build starts on an event
 * caused by one of `trustedAuthors` and, by CodeBuild's pull-request build policy, only for a pull request whose
 * author holds one of `approverRoles` or whose latest commit an approver approved with `/codebuild_run(<sha>)`.
 */
export class PreviewEnvironments extends Construct {
  /** Deploys the preview of an opened, updated or reopened pull request. */
  public readonly deployProject: codebuild.Project;

  /** Destroys the preview of a closed or merged pull request. */
  public readonly destroyProject: codebuild.Project;

  /** Removes previews not deployed for `timeToLive`. */
  public readonly sweepProject: codebuild.Project;

  /** The schedule of the sweep. */
  public readonly sweepRule: events.Rule;

  /** The role the preview builds run with (pipeline account). */
  public readonly role: iam.Role;

  /** Every preview stack name starts with this (`<prefix>-pr`). */
  public readonly stackNamePrefix: string;

  /** ARN of the preview account's deploy role (`PreviewAccess`). */
  public readonly deployRoleArn: string;

  /**
   * The log group of the deploy, destroy and sweep builds: apart from the checks' log group, so that the logs of
   * builds holding deploy credentials for the preview account are kept (and granted) apart from those of
   * pull-request checks.
   */
  public readonly logGroup: logs.ILogGroup;

  /** The preview Stage of this synthesis, when the app was asked for one (in a preview build). */
  public readonly stage?: Stage;

  constructor(scope: Construct, id: string, props: PreviewEnvironmentsProps) {
    super(scope, id);
    try {
      checkArguments('PreviewEnvironments.constructor', [props]);
      const checks = props.checks;
      const delivery = checks.pipeline;
      const { prefix, account } = validatePreviewOptions(props, Stack.of(delivery), delivery.stagingStage, delivery.productionStages);
      const env = { account, region: props.region };
      this.stackNamePrefix = previewNamespace(prefix);
      const ttlHours = wholeHours(props.timeToLive ?? DEFAULT_TTL, 'previews.timeToLive');
      const sweepHours = wholeHours(props.sweepInterval ?? DEFAULT_SWEEP, 'previews.sweepInterval');
      validatePreviewStage(trialStage(this, props.stage, prefix, env), env, 'previews.stage');

      const requested = this.node.tryGetContext(PREVIEW_CONTEXT_KEY) ?? process.env[PREVIEW_ENV_VARIABLE];
      if (requested !== undefined && requested !== '') {
        const pullRequest = parsePullRequestNumber(String(requested), `${PREVIEW_CONTEXT_KEY} (or ${PREVIEW_ENV_VARIABLE})`);
        const app = Stage.of(Stack.of(this)) ?? (this.node.root as Stage);
        this.stage = props.stage.createStage(app, previewStageId(prefix, pullRequest), env);
        validatePreviewStage(this.stage, env, 'previews.stage');
        Tags.of(this.stage).add(PULL_REQUEST_TAG, String(pullRequest));
      }

      this.logGroup = libraryLogGroup(this, 'Logs', props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        delivery.pipeline.artifactBucket.encryptionKey);
      const pipelineStack = Stack.of(this);
      this.deployRoleArn = `arn:${pipelineStack.partition}:iam::${account}:role/${previewDeployRoleName(prefix, props.region)}`;
      this.role = new iam.Role(this, 'Role', {
        roleName: previewBuildRoleName(prefix, pipelineStack.region),
        assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
        description: `Preview builds: assume the preview account's role for stacks ${this.stackNamePrefix}* (nothing else).`,
      });
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'AssumeThePreviewDeployRole',
        actions: ['sts:AssumeRole'],
        resources: [this.deployRoleArn],
      }));
      grantConnection(this.role, checks.connection);

      const scripts = { roleArn: this.deployRoleArn, region: props.region, namespace: this.stackNamePrefix };
      const synth = synthJob(delivery.synth, delivery.codeBuildDefaults);
      const outDir = delivery.synth.primaryOutputDirectory ?? 'cdk.out';
      const branch = exactBranch(checks.connection.branch);
      const authors = `^(${props.trustedAuthors.join('|')})$`;
      const approverRoles = props.approverRoles ?? DEFAULT_APPROVER_ROLES;
      validateApproverRoles(approverRoles, 'previews.approverRoles');
      this.deployProject = checkProject(this, { ...synth, name: 'Deploy' }, {
        connection: checks.connection,
        // The actor filter admits only events caused by trustedAuthors; on top of it, CodeBuild asks for an approver's
        // comment naming the latest commit unless the pull request's author holds an approver role.
        policy: { requiresCommentApproval: 'ALL_PULL_REQUESTS', approverRoles },
        role: this.role,
        logGroup: this.logGroup,
        statusContext: 'cdk-delivery/preview',
        filterGroups: [codebuild.FilterGroup.inEventOf(
          codebuild.EventAction.PULL_REQUEST_CREATED, codebuild.EventAction.PULL_REQUEST_UPDATED, codebuild.EventAction.PULL_REQUEST_REOPENED,
        ).andBaseRefIs(branch).andActorAccountIs(authors)],
        buildSpec: previewDeployBuildSpec(synth, outDir, delivery.cdkCliVersion, scripts),
        timeout: Duration.hours(1),
      });
      const tools = { ...synth, env: {}, buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL };
      this.destroyProject = checkProject(this, { ...tools, name: 'Destroy' }, {
        connection: checks.connection,
        // Runs no code of the pull request (the buildspec is the project's): every closed pull request may trigger it.
        policy: { requiresCommentApproval: 'DISABLED' },
        role: this.role,
        logGroup: this.logGroup,
        filterGroups: [codebuild.FilterGroup.inEventOf(codebuild.EventAction.PULL_REQUEST_CLOSED, codebuild.EventAction.PULL_REQUEST_MERGED)
          .andBaseRefIs(branch)],
        buildSpec: previewDestroyBuildSpec(scripts),
        environmentVariables: {},
        timeout: Duration.hours(1),
      });
      this.sweepProject = new codebuild.Project(this, 'SweepProject', {
        description: `Removes previews (${this.stackNamePrefix}*) not deployed for ${ttlHours} hours`,
        buildSpec: previewSweepBuildSpec(scripts, ttlHours),
        role: this.role,
        timeout: Duration.hours(2),
        environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
        logging: { cloudWatch: { logGroup: this.logGroup } },
      });
      acknowledge(this.sweepProject, 'AwsSolutions-CB4',
        'The project produces no artifacts and holds no cache: there is nothing for a project key to encrypt. Its logs are encrypted in their log group (with the pipeline\'s key when it has one).');
      this.sweepRule = new events.Rule(this, 'SweepSchedule', {
        description: `Sweeps expired previews (${this.stackNamePrefix}*) every ${sweepHours} hours`,
        schedule: events.Schedule.rate(Duration.hours(sweepHours)),
        targets: [new targets.CodeBuildProject(this.sweepProject)],
      });
      acknowledgeProjectGrants(this.role, [this.deployProject, this.destroyProject, this.sweepProject]);
    } catch (error) {
      // Validation errors name the property; the construct path tells which pipeline (or checks) they belong to.
      throw scoped(this, error);
    }
  }
}

/**
 * Properties of `PreviewAccess`.
 */
export interface PreviewAccessProps {
  /** The account of the pipeline (where the preview builds run): 12 digits, not the preview account. */
  readonly pipelineAccount: string;

  /** The region of the pipeline, e.g. `us-east-1` (a literal region name: no wildcard). */
  readonly pipelineRegion: string;

  /**
   * Prefix of the preview stack names, as given to the pipeline's `previews`.
   *
   * @default 'preview'
   */
  readonly stackPrefix?: string;

  /**
   * Qualifier of the CDK bootstrap stack of this account and region (1 to 10 letters, digits, `_` or `-`, as
   * `cdk bootstrap --qualifier` accepts).
   *
   * @default 'hnb659fds'
   */
  readonly bootstrapQualifier?: string;
}

/**
 * The role in the preview account (deploy it there, in the preview region, in a stack of its own) that deploys
 * and deletes previews: it can change only stacks named `<prefix>-pr*`, pass only the CDK bootstrap's
 * CloudFormation execution role to CloudFormation, and publish assets only to the bootstrap's bucket and
 * repository. Only the pipeline's preview build role may assume it.
 *
 * Through CloudFormation, a preview can do in this account whatever the bootstrap's execution role may (its
 * `--cloudformation-execution-policies`, or `AdministratorAccess` for an account bootstrapped without `--trust`):
 * use an account that nothing else trusts. The stack's account must not be `pipelineAccount`.
 */
export class PreviewAccess extends Construct {
  /** The deploy role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PreviewAccessProps) {
    super(scope, id);
    try {
      checkArguments('PreviewAccess.constructor', [props]);
      const stack = Stack.of(this);
      if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
        throw new ValidationError(`PreviewAccess: the stack '${stack.stackName}' has no explicit account and region. Deploy PreviewAccess in a stack with the preview env, e.g. new Stack(app, 'PreviewAccess', { env: { account: '444444444444', region: 'us-east-1' } }).`);
      }
      if (!props) {
        throw new ValidationError('PreviewAccess: pipelineAccount and pipelineRegion are required but no properties were given. Pass e.g. { pipelineAccount: \'111111111111\', pipelineRegion: \'us-east-1\' }.');
      }
      const pipelineAccount = requireAccount(props.pipelineAccount, 'pipelineAccount', '111111111111');
      const pipelineRegion = requireRegion(props.pipelineRegion, 'pipelineRegion');
      const prefix = validatePrefix(props.stackPrefix, 'stackPrefix');
      const qualifier = requireQualifier(props.bootstrapQualifier, 'bootstrapQualifier', DEFAULT_QUALIFIER);
      const { account, region, partition } = stack;
      if (normalizeAccount(account) === pipelineAccount) {
        throw new ValidationError(`pipelineAccount: '${pipelineAccount}' is the account of the stack '${stack.stackName}' that holds PreviewAccess. Previews run unreviewed code and must not deploy into the pipeline's account: deploy PreviewAccess (and the previews) in a separate preview account.`);
      }
      const builder = `arn:${partition}:iam::${pipelineAccount}:role/${previewBuildRoleName(prefix, pipelineRegion)}`;
      this.role = new iam.Role(this, 'Role', {
        roleName: previewDeployRoleName(prefix, region),
        description: `Deploys and deletes the preview stacks ${previewNamespace(prefix)}* (only those).`,
        assumedBy: new iam.AccountPrincipal(pipelineAccount).withConditions({ ArnEquals: { 'aws:PrincipalArn': builder } }),
      });
      const previewStacks = `arn:${partition}:cloudformation:${region}:${account}:stack/${previewNamespace(prefix)}*/*`;
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'ChangeOnlyPreviewStacks',
        actions: [
          'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack',
          'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteChangeSet',
          'cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents',
          'cloudformation:GetTemplate', 'cloudformation:ListStackResources', 'cloudformation:TagResource',
          'cloudformation:RollbackStack', 'cloudformation:ContinueUpdateRollback',
        ],
        resources: [previewStacks],
      }));
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'PassTheBootstrapExecutionRoleToCloudFormation',
        actions: ['iam:PassRole'],
        resources: [`arn:${partition}:iam::${account}:role/cdk-${qualifier}-cfn-exec-role-${account}-${region}`],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }));
      const bucket = `arn:${partition}:s3:::cdk-${qualifier}-assets-${account}-${region}`;
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'PublishFileAssets',
        actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:GetEncryptionConfiguration'],
        resources: [bucket, `${bucket}/*`],
      }));
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'PublishImageAssets',
        actions: [
          'ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload',
          'ecr:PutImage', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:DescribeRepositories',
        ],
        resources: [`arn:${partition}:ecr:${region}:${account}:repository/cdk-${qualifier}-container-assets-${account}-${region}`],
      }));
      // The actions that support no resource-level permission, in a policy of their own: its one acknowledgment of
      // `Resource::*` cannot hide a wildcard that someone later adds to the role's default policy.
      const unscoped = new iam.Policy(this, 'ActionsWithoutResourceScope', {
        roles: [this.role],
        statements: [
          new iam.PolicyStatement({
            sid: 'ListStacks',
            actions: ['cloudformation:ListStacks', 'cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({ sid: 'LogInToEcr', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
        ],
      });
      acknowledge(unscoped.node.defaultChild!, 'AwsSolutions-IAM5[Resource::*]',
        'cloudformation:ListStacks, GetTemplateSummary, ValidateTemplate and ecr:GetAuthorizationToken support no resource-level permissions; none of them changes anything. This policy holds only them.');
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'ReadTheBootstrapVersion',
        actions: ['ssm:GetParameter'],
        resources: [`arn:${partition}:ssm:${region}:${account}:parameter/cdk-bootstrap/${qualifier}/version`],
      }));
      const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild!;
      const nagPartition = Token.isUnresolved(partition) ? '<AWS::Partition>' : partition;
      acknowledge(policy, `AwsSolutions-IAM5[Resource::arn:${nagPartition}:cloudformation:${region}:${account}:stack/${previewNamespace(prefix)}*/*]`,
        'The preview stacks: every pull request gets its own stacks named <prefix>-pr<number>-…, so the role is limited to that name pattern (and nothing else in CloudFormation can be changed).');
      acknowledge(policy, `AwsSolutions-IAM5[Resource::arn:${nagPartition}:s3:::cdk-${qualifier}-assets-${account}-${region}/*]`,
        'The objects of the CDK bootstrap asset bucket of this account and region, where the preview\'s file assets are published (names are content hashes).');
    } catch (error) {
      // Validation errors name the property; the construct path tells which pipeline (or checks) they belong to.
      throw scoped(this, error);
    }
  }
}

function validatePrefix(prefix: string | undefined, property: string): string {
  const value = prefix ?? DEFAULT_PREVIEW_PREFIX;
  if (!PREVIEW_PREFIX_PATTERN.test(value)) {
    throw new ValidationError(`${property}: '${value}' is not a valid preview prefix. Use a letter then up to 19 letters, digits or hyphens, e.g. 'preview' (it starts every preview stack name and the preview roles' names).`);
  }
  return value;
}

/** Validates the options against the pipeline's environments; returns the prefix and the normalized account. */
function validatePreviewOptions(
  props: PreviewOptions, pipelineStack: Stack, staging: Stage, production: Stage[],
): { prefix: string; account: string } {
  const account = requireAccount(props.account, 'previews.account', '444444444444');
  requireRegion(props.region, 'previews.region');
  if (!props.stage) {
    throw new ValidationError('previews.stage: the property is required but was not given. Pass a factory that creates the staging Stage\'s class for the preview: { createStage: (scope, id, env) => new MyStage(scope, id, { env }) }.');
  }
  for (const forbidden of protectedAccounts(pipelineStack, staging, production)) {
    if (forbidden.account === account) {
      throw new ValidationError(`previews.account: '${account}' is ${forbidden.what}. Previews run unreviewed code: deploy them into a separate account that is neither the pipeline's nor a staging or production account.`);
    }
  }
  if (props.trustedAuthors !== undefined && !Array.isArray(props.trustedAuthors)) {
    throw new ValidationError(`previews.trustedAuthors: ${JSON.stringify(props.trustedAuthors)} is not a list. Pass a list of GitHub user ids, e.g. ['1234567'].`);
  }
  if (!Array.isArray(props.trustedAuthors) || props.trustedAuthors.length === 0) {
    throw new ValidationError("previews.trustedAuthors: no author was given, so no pull request would get a preview. Pass the GitHub user ids (numbers) of the people whose pull requests get previews, e.g. ['1234567'].");
  }
  for (const author of props.trustedAuthors) {
    if (!/^\d{1,12}$/.test(author)) {
      throw new ValidationError(`previews.trustedAuthors: '${author}' is not a GitHub user id. Pass the numeric id (https://api.github.com/users/<login> shows it as "id"), not the login.`);
    }
  }
  const prefix = validatePrefix(props.stackPrefix, 'previews.stackPrefix');
  const namespace = previewNamespace(prefix);
  for (const [stage, role] of [[staging, 'staging'], ...production.map(p => [p, 'production'] as const)] as const) {
    const clash = stacksOf(stage).find(s => !Token.isUnresolved(s.stackName) && s.stackName.startsWith(namespace));
    if (clash) {
      throw new ValidationError(`previews.stackPrefix: the ${role} stack '${clash.stackName}' starts with '${namespace}', so the preview role could change it. Choose another prefix.`);
    }
  }
  return { prefix, account };
}

/** Every stack of the preview Stage is in the preview environment and named `<stage id>-…` within the limit. */
function validatePreviewStage(stage: Stage, env: { account: string; region: string }, property: string): void {
  if (!Stage.isStage(stage)) {
    throw new ValidationError(`${property}: createStage() did not return a Stage. Return the Stage it creates, e.g. new MyStage(scope, id, { env }).`);
  }
  const id = stage.node.id;
  const stacks = stacksOf(stage);
  if (stacks.length === 0) {
    throw new ValidationError(`${property}: the preview Stage '${id}' has no stacks. Create the same stacks as staging.`);
  }
  for (const stack of stacks) {
    if (stack.account !== env.account || stack.region !== env.region) {
      throw new ValidationError(`${property}: the stack '${stack.node.path}' of the preview deploys to ${stack.account}/${stack.region}, not the preview environment ${env.account}/${env.region}. Pass the env that createStage() receives to the Stage.`);
    }
    if (!stack.stackName.startsWith(`${id}-`)) {
      throw new ValidationError(`${property}: the preview stack '${stack.node.path}' is named '${stack.stackName}', which does not start with '${id}-': the preview role could not deploy it and previews of two pull requests would collide. Leave stackName unset in the Stage (CDK then names it '${id}-<id>').`);
    }
  }
}

/**
 * The preview of the longest pull-request number, in an app of its own: CDK rejects a stack name over
 * CloudFormation's limit when the stack is created, so names that fit here fit for every pull request.
 */
function trialStage(scope: Construct, factory: IPreviewStageFactory, prefix: string, env: Environment): Stage {
  const id = previewStageId(prefix, LONGEST_PULL_REQUEST_NUMBER);
  // The app's context (feature flags name stacks too); never synthesized (under the CDK CLI an App would otherwise
  // write its empty assembly over the real one when the process exits).
  const node = scope.node as { getAllContext?: () => Record<string, unknown> };
  const context = typeof node.getAllContext === 'function' ? node.getAllContext() : {};
  try {
    return factory.createStage(new App({ autoSynth: false, context }), id, env);
  } catch (e) {
    throw new ValidationError(`previews.stage: creating the preview Stage '${id}' (the longest pull-request number) failed: ${(e as Error).message}. Stack names must stay within CloudFormation's ${MAX_STACK_NAME_LENGTH} characters for every pull request: use a shorter stackPrefix or shorter stack ids.`);
  }
}

function wholeHours(duration: Duration, property: string): number {
  const hours = duration.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < 1) {
    throw new ValidationError(`${property}: ${duration.toHumanString()} is not a whole number of hours of at least 1. Use e.g. Duration.hours(6) or Duration.days(3).`);
  }
  return hours;
}
