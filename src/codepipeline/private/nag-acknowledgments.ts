import { ArnFormat, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledgeFindings, flattenCfnReference } from '../../private/acknowledgments';

/**
 * Acknowledges, one exact finding at a time and with a written reason, the cdk-nag AwsSolutions findings that
 * aws-cdk-lib's own grants produce on the resources of a pipeline, so that users' cdk-nag runs report only what
 * they can act on.
 *
 * cdk-nag names an IAM5 finding after the wildcard alone (`AwsSolutions-IAM5[Action::s3:GetObject*]`,
 * `AwsSolutions-IAM5[Resource::*]`), and an acknowledgment on a policy covers every statement of that policy that
 * produces the same id. So a finding is acknowledged only when EVERY statement of the policy that produces it is
 * one aws-cdk-lib writes for the pipeline, recognized by its actions, its resources and its conditions (and, for
 * a few statements, by the role that holds it). A statement the user adds that produces the same finding id (an
 * `iam:PassRole` on `*` next to the library's `Resource: *` statements) makes the finding reappear.
 *
 * Statements added after this aspect visits a policy (by an aspect that runs later) are not seen.
 */

// The action sets of the statements aws-cdk-lib writes. A statement is recognized when, on each of its resources,
// its actions are exactly one of these sets, or a union of them (aws-cdk-lib merges statements under the
// `@aws-cdk/aws-iam:minimizePolicies` flag, before this aspect runs): a user's action in the statement, merged or
// not, makes it unrecognized.

/** `Bucket.grantRead`, `grantWrite`, `grantReadWrite`, `grantPutAcl`. */
const BUCKET_READ = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
const BUCKET_WRITE = [
  's3:DeleteObject*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging',
  's3:PutObjectVersionTagging', 's3:Abort*',
];
const BUCKET_GRANTS = [BUCKET_READ, BUCKET_WRITE, [...BUCKET_READ, ...BUCKET_WRITE], ['s3:PutObjectAcl', 's3:PutObjectVersionAcl']];

/**
 * `Key.grantDecrypt`, `grantEncrypt`, `grantEncryptDecrypt`, and the key part of a bucket's `grantRead`
 * (`kms:Decrypt`, `kms:DescribeKey`) and `grantReadWrite` (all five); CodeBuild grants its encryption key without
 * `kms:DescribeKey`.
 */
const KEY_GRANTS = [
  ['kms:Decrypt'],
  ['kms:Decrypt', 'kms:DescribeKey'],
  ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
  ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
  ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
];

/** What a CodeBuild project (and CDK Pipelines' asset role) is granted for log groups, report groups and builds. */
const LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];
const REPORT_ACTIONS = [
  'codebuild:CreateReportGroup', 'codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases',
  'codebuild:BatchPutCodeCoverages',
];
const BUILD_ACTIONS = ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'];

/** The values of the `aws-cdk:bootstrap-role` tag that CDK bootstrap roles carry. */
const BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];

/** Wildcard ARNs and names of the pipeline, in cdk-nag's flattened notation, computed once per policy. */
interface PipelineFacts {
  /** The artifact buckets and cross-region replication buckets, and their objects (`<bucket>/*`). */
  readonly bucketResources: Set<string>;
  /** The replication buckets among them (for the reason). */
  readonly replicationResources: Set<string>;
  /** The artifact buckets' KMS keys. */
  readonly keys: Set<string>;
  /** `<LogicalId>` of the CodeBuild projects under the pipeline. */
  readonly projects: Set<string>;
  /** Roles (`<LogicalId>`) of pipelines that use KMS keys of cross-region replication buckets. */
  readonly crossRegionPipelineRoles: Set<string>;
  /** `arn:<AWS::Partition>:logs:<region>:<account>:log-group:/aws/codebuild/*` of the pipeline's stack. */
  readonly allCodeBuildLogGroups: string;
  /** `arn:<AWS::Partition>:codebuild:<region>:<account>:report-group/*` of the pipeline's stack. */
  readonly allReportGroups: string;
  /** `arn:*:iam::<account>:role/*` of the pipeline's stack (self-mutation's bootstrap-role assumption). */
  readonly accountRoles: string;
}

/** What is known about the policy being checked. */
interface PolicyFacts {
  readonly pipeline: PipelineFacts;
  /** `<LogicalId>` of the roles the policy is attached to. */
  readonly roles: string[];
  /** The known statements this policy holds, wherever they may appear (a role's fingerprint). */
  readonly present: Set<KnownStatement>;
}

/** One kind of statement aws-cdk-lib writes for the pipeline. */
interface KnownStatement {
  /** The statement's possible action sets (order does not matter). */
  readonly actionSets: string[][];
  /** Whether `resource` (flattened) is one this statement may name. */
  readonly resource: (resource: string, pipeline: PipelineFacts) => boolean;
  /** The statement's `Condition`, when it has one. */
  readonly condition?: (condition: unknown) => boolean;
  /** Which policies hold the statement (by role, or by the role's other statements); any policy when absent. */
  readonly where?: (policy: PolicyFacts) => boolean;
  /** Why a wildcard action of this statement is acceptable (cdk-nag `Action::<action>`); only for wildcard actions. */
  readonly actionReason?: (action: string) => string;
  /** Why a wildcard resource of this statement is acceptable (cdk-nag `Resource::<resource>`). */
  readonly resourceReason: (resource: string, pipeline: PipelineFacts) => string;
}

const GRANT_ACTION_GROUPS = 'the action wildcards are aws-cdk-lib\'s standard grant action groups';

const ARTIFACT_BUCKET_GRANT: KnownStatement = {
  actionSets: BUCKET_GRANTS,
  resource: (r, p) => p.bucketResources.has(r),
  actionReason: a => `${a} comes from aws-cdk-lib's Bucket.grantRead/grantReadWrite on the pipeline's artifact bucket `
    + `(or a cross-region replication bucket): ${GRANT_ACTION_GROUPS}, and the statement names only that bucket and its objects.`,
  resourceReason: (r, p) => `${r} are the objects of the pipeline's own ${p.replicationResources.has(r) ? 'cross-region replication' : 'artifact'} `
    + 'bucket: CodePipeline writes artifacts under keys generated per execution, which cannot be listed in advance.',
};

const ARTIFACT_KEY_GRANT: KnownStatement = {
  actionSets: KEY_GRANTS,
  resource: (r, p) => p.keys.has(r),
  actionReason: a => `${a} comes from aws-cdk-lib's Key.grantDecrypt/grantEncryptDecrypt on the pipeline's artifact key: `
    + `${GRANT_ACTION_GROUPS}, and the statement names only that key.`,
  resourceReason: r => `${r} is the pipeline's artifact key.`,
};

const REPLICATION_KEY_GRANT: KnownStatement = {
  // The key part of the pipeline role's grantReadWrite on each replication bucket.
  actionSets: [KEY_GRANTS[4]],
  resource: r => r === '*',
  where: f => f.roles.length > 0 && f.roles.every(role => f.pipeline.crossRegionPipelineRoles.has(role)),
  actionReason: a => `${a} comes from aws-cdk-lib's Key.grantEncryptDecrypt for the KMS keys of the pipeline's cross-region `
    + `replication buckets: ${GRANT_ACTION_GROUPS}.`,
  resourceReason: () => 'Resource \'*\' for kms:Decrypt/DescribeKey/Encrypt/ReEncrypt*/GenerateDataKey* on the pipeline role: '
    + 'aws-cdk-lib\'s grant for the KMS keys of the cross-region replication buckets, which live in support stacks in other '
    + 'regions. A cross-environment key grant cannot name the key in the role policy, so it grants \'*\' there and names the '
    + 'role in each key\'s key policy. Note that \'*\' also lets the role use other keys of this account whose key policies '
    + 'delegate to IAM.',
};

/** `arn:<AWS::Partition>:logs:<region>:<account>:log-group:/aws/codebuild/<Project>[:*]` */
const PROJECT_LOG_GROUP = /^arn:<AWS::Partition>:logs:[^:]+:[^:]+:log-group:\/aws\/codebuild\/(<[^>]+>)(:\*)?$/;
/** `arn:<AWS::Partition>:codebuild:<region>:<account>:report-group/<Project>-*` */
const PROJECT_REPORT_GROUP = /^arn:<AWS::Partition>:codebuild:[^:]+:[^:]+:report-group\/(<[^>]+>)-\*$/;

const PROJECT_LOGS: KnownStatement = {
  actionSets: [LOG_ACTIONS],
  resource: (r, p) => p.projects.has(PROJECT_LOG_GROUP.exec(r)?.[1] ?? ''),
  resourceReason: r => `${r} are the log streams of the CodeBuild project's own log group (codebuild.Project's default `
    + 'grant to its role): CodeBuild names a stream per build.',
};

const PROJECT_REPORTS: KnownStatement = {
  actionSets: [REPORT_ACTIONS],
  resource: (r, p) => p.projects.has(PROJECT_REPORT_GROUP.exec(r)?.[1] ?? ''),
  resourceReason: r => `${r} are the report groups named after the CodeBuild project (codebuild.Project's default grant to `
    + 'its role): the buildspec names them.',
};

const ASSET_ROLE = 'CDK Pipelines\' shared asset-publishing role (pipelines AssetSingletonRole, one per asset type)';

const ASSET_LOGS: KnownStatement = {
  actionSets: [LOG_ACTIONS],
  resource: (r, p) => r === p.allCodeBuildLogGroups,
  where: isAssetRole,
  resourceReason: r => `${r}: ${ASSET_ROLE} is created before the CodeBuild projects that use it, so aws-cdk-lib grants it `
    + 'the log groups of every CodeBuild project in the pipeline\'s account and region.',
};

const ASSET_REPORTS: KnownStatement = {
  actionSets: [REPORT_ACTIONS],
  resource: (r, p) => r === p.allReportGroups,
  where: isAssetRole,
  resourceReason: r => `${r}: ${ASSET_ROLE} is created before the CodeBuild projects that use it, so aws-cdk-lib grants it `
    + 'the report groups of the pipeline\'s account and region.',
};

const ASSET_BUILDS: KnownStatement = {
  actionSets: [BUILD_ACTIONS],
  resource: r => r === '*',
  where: isAssetRole,
  resourceReason: () => `Resource '*' for codebuild:BatchGetBuilds/StartBuild/StopBuild: ${ASSET_ROLE} is created by `
    + 'aws-cdk-lib with these actions on \'*\'; the library cannot narrow it without replacing aws-cdk-lib\'s role.',
};

const SELF_MUTATION_ASSUME: KnownStatement = {
  actionSets: [['sts:AssumeRole']],
  resource: (r, p) => r === p.accountRoles,
  condition: isBootstrapRoleCondition,
  resourceReason: r => `${r}: self-mutation (cdk deploy of the pipeline stack) assumes the CDK bootstrap roles of the `
    + 'pipeline\'s account, whose names depend on the bootstrap qualifier; the statement is conditioned on the '
    + 'aws-cdk:bootstrap-role tag (deploy, file-publishing, image-publishing), so only bootstrap roles can be assumed.',
};

const SELF_MUTATION_DESCRIBE_STACKS: KnownStatement = {
  actionSets: [['cloudformation:DescribeStacks']],
  resource: r => r === '*',
  where: isSelfMutationRole,
  resourceReason: () => 'Resource \'*\' for cloudformation:DescribeStacks: self-mutation (cdk deploy) reads the status of '
    + 'the pipeline stack and of the bootstrap stack, whose names it only learns at run time; the action is read-only.',
};

const SELF_MUTATION_LIST_BUCKET: KnownStatement = {
  actionSets: [['s3:ListBucket']],
  resource: r => r === '*',
  where: isSelfMutationRole,
  resourceReason: () => 'Resource \'*\' for s3:ListBucket: self-mutation (cdk deploy) checks the CDK bootstrap staging '
    + 'bucket, whose name the pipeline stack does not know; listing reads no object content.',
};

const ECR_AUTHORIZATION_TOKEN: KnownStatement = {
  // The second half of Repository.grantPull, for the ECR repositories of a `RegistryCredential.ecr(...)`.
  actionSets: [['ecr:GetAuthorizationToken']],
  resource: r => r === '*',
  resourceReason: () => 'Resource \'*\' for ecr:GetAuthorizationToken: aws-cdk-lib\'s Repository.grantPull for a registry credential; '
    + 'the action has no resource-level permissions (the token is per registry), and what can be pulled with it is limited '
    + 'to the repositories the other statements of the grant name.',
};

const KNOWN_STATEMENTS: KnownStatement[] = [
  ARTIFACT_BUCKET_GRANT, ARTIFACT_KEY_GRANT, REPLICATION_KEY_GRANT, PROJECT_LOGS, PROJECT_REPORTS,
  ASSET_LOGS, ASSET_REPORTS, ASSET_BUILDS,
  SELF_MUTATION_ASSUME, SELF_MUTATION_DESCRIBE_STACKS, SELF_MUTATION_LIST_BUCKET, ECR_AUTHORIZATION_TOKEN,
];

/** The asset-publishing role: its policy holds the three statements aws-cdk-lib's AssetSingletonRole starts with. */
function isAssetRole(policy: PolicyFacts): boolean {
  return [ASSET_LOGS, ASSET_REPORTS, ASSET_BUILDS].every(s => policy.present.has(s));
}

/** The self-mutation role: its policy holds the bootstrap-role assumption only CDK Pipelines' self-mutation writes. */
function isSelfMutationRole(policy: PolicyFacts): boolean {
  return policy.present.has(SELF_MUTATION_ASSUME);
}

/** `{ "ForAnyValue:StringEquals": { "iam:ResourceTag/aws-cdk:bootstrap-role": [<bootstrap role kinds>] } }` */
function isBootstrapRoleCondition(condition: unknown): boolean {
  const operators = Object.entries(asRecord(condition));
  if (operators.length !== 1 || operators[0][0] !== 'ForAnyValue:StringEquals') {
    return false;
  }
  const keys = Object.entries(asRecord(operators[0][1]));
  if (keys.length !== 1 || !['iam:ResourceTag/aws-cdk:bootstrap-role', 'aws:ResourceTag/aws-cdk:bootstrap-role'].includes(keys[0][0])) {
    return false;
  }
  const values = toArray(keys[0][1]);
  return values.length > 0 && values.every(v => typeof v === 'string' && BOOTSTRAP_ROLE_KINDS.includes(v));
}

/** A statement of a policy document, resolved. */
interface Statement {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: unknown;
}

/** A statement in cdk-nag's terms: its actions and flattened resources, and the IAM5 findings they produce. */
interface AnalyzedStatement {
  readonly statement: Statement;
  readonly actions: string[];
  readonly resources: string[];
  readonly findings: string[];
}

export class PipelineNagAcknowledgments implements IAspect {
  /**
   * The pipeline's resources, read at the first policy with a finding. Policies are visited once the pipeline is
   * built; a CodeBuild project added later is not known, so its findings stay reported (never the other way round).
   */
  private facts?: PipelineFacts;

  /**
   * @param replicationBuckets names of the pipeline's cross-region replication buckets
   */
  constructor(private readonly replicationBuckets: () => string[]) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) {
      return;
    }
    const scope = this.scopeOf(node);
    if (!scope) {
      return;
    }
    const stack = Stack.of(node);
    // The L2 document is rendered, then resolved: resolving the document itself would freeze its statements while
    // CDK Pipelines may still add resources to them (the asset role's sts:AssumeRole statement).
    const document = node.policyDocument instanceof iam.PolicyDocument ? node.policyDocument.toJSON() : node.policyDocument;
    const resolved = asRecord(stack.resolve(document));
    const statements = toArray(resolved.Statement).map(s => analyze(asRecord(s) as Statement));
    if (!statements.some(s => s.findings.length > 0)) {
      return;
    }
    const pipeline = this.facts ??= this.pipelineFacts(scope, Stack.of(scope));
    const roles = toArray(stack.resolve(node.roles)).map(flattenCfnReference);
    const present = new Set(KNOWN_STATEMENTS.filter(known => isGranted(known, statements, pipeline)));
    acknowledgeFindings(node, acknowledgments(statements, { pipeline, roles, present }));
  }

  /** The construct this aspect was added to (the DeliveryPipeline), above `node`. */
  private scopeOf(node: IConstruct): IConstruct | undefined {
    return node.node.scopes.slice().reverse().find(c => Aspects.of(c).all.includes(this));
  }

  private pipelineFacts(scope: IConstruct, stack: Stack): PipelineFacts {
    const all = scope.node.findAll();
    const pipelines = all.filter((c): c is codepipeline.Pipeline => c instanceof codepipeline.Pipeline);
    const flat = (value: unknown) => flattenCfnReference(stack.resolve(value));

    const replicationBuckets = new Set(this.replicationBuckets());
    const crossRegionPipelineRoles = new Set<string>();
    const bucketResources = new Set<string>();
    const keys = new Set<string>();
    for (const pipeline of pipelines) {
      bucketResources.add(flat(pipeline.artifactBucket.bucketArn));
      bucketResources.add(flat(pipeline.artifactBucket.arnForObjects('*')));
      if (pipeline.artifactBucket.encryptionKey) {
        keys.add(flat(pipeline.artifactBucket.encryptionKey.keyArn));
      }
      const replication = replicationBucketsOf(pipeline);
      replication.forEach(b => replicationBuckets.add(stack.resolve(b.bucketName)));
      if (replication.length > 0) {
        crossRegionPipelineRoles.add(flat(pipeline.role.roleName));
      }
    }
    const replicationResources = new Set([...replicationBuckets]
      .filter(name => typeof name === 'string')
      .flatMap(name => [`arn:<AWS::Partition>:s3:::${name}`, `arn:<AWS::Partition>:s3:::${name}/*`]));
    replicationResources.forEach(r => bucketResources.add(r));

    return {
      bucketResources,
      replicationResources,
      keys,
      projects: new Set(all.filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject).map(p => flat(p.ref))),
      crossRegionPipelineRoles,
      allCodeBuildLogGroups: flat(stack.formatArn({
        service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: '/aws/codebuild/*',
      })),
      allReportGroups: flat(stack.formatArn({ service: 'codebuild', resource: 'report-group', resourceName: '*' })),
      accountRoles: flat(`arn:*:iam::${stack.account}:role/*`),
    };
  }
}

/** The statement's actions, flattened resources and IAM5 findings, as cdk-nag's IAMNoWildcardPermissions computes them. */
function analyze(statement: Statement): AnalyzedStatement {
  const actions = toArray(statement.Action).map(a => typeof a === 'string' ? a : JSON.stringify(a));
  const resources = toArray(statement.Resource).map(flattenCfnReference);
  const findings = statement.Effect !== 'Allow' ? [] : [
    ...actions.filter(a => a.includes('*')).map(a => `Action::${a}`),
    ...resources.filter(r => r.includes('*')).map(r => `Resource::${r}`),
  ];
  return { statement, actions, resources, findings };
}

function isPlainAllow(st: Statement): boolean {
  return st.Effect === 'Allow' && st.NotAction === undefined && st.NotResource === undefined
    && st.Principal === undefined && st.NotPrincipal === undefined;
}

/** Whether statement `s` grants on `resource`, with `known`'s condition, all the actions of one of `known`'s action sets. */
function grantsOn(known: KnownStatement, s: AnalyzedStatement, resource: string, pipeline: PipelineFacts): boolean {
  return known.resource(resource, pipeline)
    && (known.condition ? known.condition(s.statement.Condition) : s.statement.Condition === undefined)
    && known.actionSets.some(set => set.every(a => s.actions.includes(a)));
}

/** Whether the policy holds `known` (possibly merged with other statements, the user's included). */
function isGranted(known: KnownStatement, statements: AnalyzedStatement[], pipeline: PipelineFacts): boolean {
  return statements.some(s => isPlainAllow(s.statement) && s.resources.some(r => grantsOn(known, s, r, pipeline)));
}

/**
 * The known statements whose action sets, contained in this statement's actions, make up all of them on `resource`
 * (one known statement as aws-cdk-lib writes it, or several that aws-cdk-lib merged under
 * `@aws-cdk/aws-iam:minimizePolicies`); undefined when the statement grants anything more there.
 */
function coverOf(s: AnalyzedStatement, resource: string, policy: PolicyFacts): KnownStatement[] | undefined {
  if (!isPlainAllow(s.statement)) {
    return undefined;
  }
  const within = (set: string[]) => set.every(a => s.actions.includes(a));
  const used = KNOWN_STATEMENTS.filter(known => (!known.where || known.where(policy))
    && grantsOn(known, s, resource, policy.pipeline));
  const covered = new Set(used.flatMap(known => known.actionSets.filter(within).flat()));
  return s.actions.length > 0 && s.actions.every(a => covered.has(a)) ? used : undefined;
}

/** Whether every (action, resource) of the statement is granted by known statements, and by which ones per resource. */
function coversOf(s: AnalyzedStatement, policy: PolicyFacts): Map<string, KnownStatement[]> | undefined {
  const covers = new Map<string, KnownStatement[]>();
  for (const resource of s.resources) {
    const cover = coverOf(s, resource, policy);
    if (!cover) {
      return undefined;
    }
    covers.set(resource, cover);
  }
  return covers.size > 0 ? covers : undefined;
}

/**
 * For every finding id of the policy whose producing statements are all recognized, the finding's reason.
 * A statement the user wrote, or a user's action or resource that aws-cdk-lib merged into a library statement,
 * is not recognized.
 */
function acknowledgments(statements: AnalyzedStatement[], policy: PolicyFacts): Map<string, string> {
  const covers = new Map(statements.map(s => [s, coversOf(s, policy)]));
  const result = new Map<string, string>();
  for (const finding of new Set(statements.flatMap(s => s.findings))) {
    const producers = statements.filter(s => s.findings.includes(finding));
    if (producers.some(s => covers.get(s) === undefined)) {
      continue;
    }
    const [kind, value] = splitFinding(finding);
    const reasons = new Set<string | undefined>();
    for (const s of producers) {
      const cover = covers.get(s)!;
      if (kind === 'Action') {
        [...cover.values()].flat()
          .filter(known => known.actionSets.some(set => set.includes(value) && set.every(a => s.actions.includes(a))))
          .forEach(known => reasons.add(known.actionReason?.(value)));
      } else {
        cover.get(value)!.forEach(known => reasons.add(known.resourceReason(value, policy.pipeline)));
      }
    }
    if (reasons.size > 0 && !reasons.has(undefined)) {
      result.set(`AwsSolutions-IAM5[${finding}]`, [...reasons].join(' '));
    }
  }
  return result;
}

function splitFinding(finding: string): ['Action' | 'Resource', string] {
  const separator = finding.indexOf('::');
  return [finding.slice(0, separator) as 'Action' | 'Resource', finding.slice(separator + 2)];
}

/**
 * The artifact bucket and the cross-region replication buckets (which live in support stacks that the
 * CodePipeline L2 creates outside the pipeline's scope) have no server access logs.
 */
export function acknowledgeArtifactBuckets(pipeline: codepipeline.Pipeline): void {
  const accessLogs = 'Server access logs would need a separate log bucket; if object-level audit of this bucket is '
    + 'required, enable CloudTrail S3 data events for it (CloudTrail management events do not record object access).';
  acknowledgeFindings(pipeline.artifactBucket, new Map([['AwsSolutions-S1',
    `Pipeline artifact bucket: it holds only pipeline artifacts (source, build and deployment inputs), written by the pipeline's roles. ${accessLogs}`]]));
  for (const bucket of replicationBucketsOf(pipeline)) {
    acknowledgeFindings(bucket, new Map([['AwsSolutions-S1',
      `Cross-region replication bucket of the pipeline: it holds only copies of pipeline artifacts for the actions of its region, written by the pipeline's roles. ${accessLogs}`]]));
  }
}

/**
 * The pipeline's cross-region replication buckets. Once the pipeline is rendered, `crossRegionSupport` also lists
 * the pipeline's own region, with the artifact bucket.
 */
function replicationBucketsOf(pipeline: codepipeline.Pipeline) {
  return Object.values(pipeline.crossRegionSupport).map(s => s.replicationBucket).filter(b => b !== pipeline.artifactBucket);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}
