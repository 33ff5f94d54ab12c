import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CheckJob, checkBuildSpec } from './buildspecs';
import { ConnectionSourceDetails } from '../../codepipeline/source';
import { acknowledge } from '../../private/acknowledgments';
import { ValidationError } from '../../private/errors';

/** How CodeBuild learns about pull requests and decides whether to build them. */
export interface BuildPolicy {
  readonly requiresCommentApproval: string;
  readonly approverRoles?: string[];
}

export interface CheckProjectOptions {
  readonly connection: ConnectionSourceDetails;
  readonly policy: BuildPolicy;
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly statusContext?: string;
  readonly filterGroups: codebuild.FilterGroup[];
  readonly buildSpec?: codebuild.BuildSpec;
  readonly environmentVariables?: Record<string, string>;
  readonly timeout?: Duration;
}

/** A CodeBuild project on the GitHub repository of the connection, started by the webhook filter groups given. */
export function checkProject(scope: Construct, job: CheckJob, options: CheckProjectOptions): codebuild.Project {
  const [owner, repo] = options.connection.repository.split('/');
  const project = new codebuild.Project(scope, `${job.name}Project`, {
    description: `Pull-request ${options.statusContext ?? job.name} for ${options.connection.repository}`,
    source: codebuild.Source.gitHub({
      owner,
      repo,
      webhook: true,
      webhookFilters: options.filterGroups,
      reportBuildStatus: options.statusContext !== undefined,
      buildStatusContext: options.statusContext,
    }),
    buildSpec: options.buildSpec ?? checkBuildSpec(job),
    role: options.role,
    timeout: options.timeout,
    environment: {
      buildImage: job.buildImage,
      computeType: job.computeType,
      environmentVariables: Object.fromEntries(Object.entries(options.environmentVariables ?? job.env)
        .map(([name, value]) => [name, { type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value }])),
    },
    logging: { cloudWatch: { logGroup: options.logGroup } },
  });
  const cfn = project.node.defaultChild as codebuild.CfnProject;
  // Neither is in the L2 (nor in aws-cdk-lib 2.186's L1): CodeBuild reaches GitHub through the pipeline's
  // CodeConnections connection, and decides with the pull-request build policy who may trigger a build.
  cfn.addPropertyOverride('Source.Auth', { Type: 'CODECONNECTIONS', Resource: options.connection.connectionArn });
  cfn.addPropertyOverride('Triggers.PullRequestBuildPolicy', {
    RequiresCommentApproval: options.policy.requiresCommentApproval,
    ...(options.policy.approverRoles ? { ApproverRoles: options.policy.approverRoles } : {}),
  });
  acknowledge(project, 'AwsSolutions-CB4',
    'The project produces no artifacts and holds no cache: there is nothing for a project key to encrypt. Its logs are encrypted in their log group (with the pipeline\'s key when it has one); giving the project the pipeline\'s key would let pull-request code use it.');
  return project;
}

/** GitHub repository roles CodeBuild's pull-request build policy knows. */
export const APPROVER_ROLES = ['GITHUB_READ', 'GITHUB_TRIAGE', 'GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN'];
export const DEFAULT_APPROVER_ROLES = ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN'];

/** Approver roles: a non-empty list of roles CodeBuild knows, or an error naming the property. */
export function validateApproverRoles(roles: unknown, property: string): void {
  if (!Array.isArray(roles)) {
    throw new ValidationError(`${property}: ${JSON.stringify(roles)} is not a list. Pass a list of roles, e.g. ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN'].`);
  }
  if (roles.length === 0) {
    throw new ValidationError(`${property}: no role was given, so no comment could approve a build. Pass e.g. ['GITHUB_WRITE', 'GITHUB_MAINTAIN', 'GITHUB_ADMIN'].`);
  }
  for (const role of roles) {
    if (!APPROVER_ROLES.includes(role)) {
      throw new ValidationError(`${property}: '${role}' is not a GitHub repository role CodeBuild knows. Use ${APPROVER_ROLES.join(', ')}.`);
    }
  }
}

/** A BASE_REF pattern that matches exactly the branch (webhook filter patterns are regular expressions). */
export function exactBranch(branch: string): string {
  return `^refs/heads/${branch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** CodeBuild fetches the source through the connection with the project's role. */
export function grantConnection(role: iam.Role, connection: ConnectionSourceDetails): void {
  const arn = connection.connectionArn;
  const service = !Token.isUnresolved(arn) && arn.includes(':codestar-connections:') ? 'codestar-connections' : 'codeconnections';
  role.addToPolicy(new iam.PolicyStatement({
    sid: 'UseTheSourceConnection',
    actions: [`${service}:GetConnectionToken`, `${service}:GetConnection`, `${service}:UseConnection`],
    resources: [arn],
  }));
}

/** How cdk-nag writes a pseudo parameter or a literal in a finding id. */
function nagValue(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<${pseudo}>` : value;
}

/**
 * The log-group and report-group grants aws-cdk-lib's `Project` gives its role (`<log group>:*` for the log
 * streams, `<project>-*` for its report groups), acknowledged one finding per project on the role's policy.
 */
export function acknowledgeProjectGrants(role: iam.Role, projects: codebuild.Project[]): void {
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (!policy) {
    return;
  }
  for (const project of projects) {
    const stack = Stack.of(project);
    const partition = nagValue(stack.partition, 'AWS::Partition');
    const where = `${nagValue(stack.region, 'AWS::Region')}:${nagValue(stack.account, 'AWS::AccountId')}`;
    const id = stack.getLogicalId(project.node.defaultChild as codebuild.CfnProject);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${where}:log-group:/aws/codebuild/<${id}>:*]`,
      `aws-cdk-lib's grant to the CodeBuild project ${project.node.path}: the log streams of its own log group (CodeBuild names each stream after the build).`);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::arn:${partition}:codebuild:${where}:report-group/<${id}>-*]`,
      `aws-cdk-lib's grant to the CodeBuild project ${project.node.path}: the test report groups named after the project (CodeBuild creates them from the buildspec's reports).`);
  }
}
