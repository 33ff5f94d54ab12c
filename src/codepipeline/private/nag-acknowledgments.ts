import { IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Acknowledges, with a written reason, the cdk-nag AwsSolutions findings that aws-cdk-lib's own grants produce
 * on the resources this library creates, so that users' cdk-nag runs report only what they can act on.
 *
 * Only known patterns are acknowledged: a wildcard this module does not recognize (for example from a policy
 * statement the user adds) stays a finding.
 */

/** Wildcard actions of aws-cdk-lib's standard S3/KMS grants (`grantRead`, `grantReadWrite`, `grantEncryptDecrypt`). */
const GRANT_ACTIONS = new Map<string, string>([
  ['s3:GetObject*', 'aws-cdk-lib grantRead on the pipeline artifact bucket'],
  ['s3:GetBucket*', 'aws-cdk-lib grantRead on the pipeline artifact bucket'],
  ['s3:List*', 'aws-cdk-lib grantRead on the pipeline artifact bucket'],
  ['s3:DeleteObject*', 'aws-cdk-lib grantReadWrite on the pipeline artifact bucket'],
  ['s3:Abort*', 'aws-cdk-lib grantReadWrite on the pipeline artifact bucket'],
  ['kms:ReEncrypt*', 'aws-cdk-lib grantEncryptDecrypt on the pipeline artifact key'],
  ['kms:GenerateDataKey*', 'aws-cdk-lib grantEncryptDecrypt on the pipeline artifact key'],
]);

/** Statements whose `Resource: *` is required by the service (no resource-level permissions, or keys unknown here). */
const STAR_RESOURCE_ACTIONS: Array<{ actions: string[]; reason: string }> = [
  { actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], reason: 'the pipeline role uses the KMS keys of the cross-region replication buckets, which live in support stacks of other regions' },
  { actions: ['cloudformation:DescribeStacks'], reason: 'self-mutation reads stack status to decide what to deploy; DescribeStacks has no resource-level permission for this use' },
  { actions: ['s3:ListBucket'], reason: 'self-mutation lists the CDK bootstrap buckets, whose names are not known to the pipeline stack' },
  { actions: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'], reason: 'CDK Pipelines asset publishing role starts its own CodeBuild builds' },
];

/** Wildcard resources that name resources the pipeline itself owns. */
const OWNED_RESOURCE_PATTERNS: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /^<[A-Za-z0-9]*ArtifactsBucket[A-Za-z0-9]*\.Arn>\/\*$/, reason: 'objects of the pipeline\'s own artifact bucket' },
  { pattern: /^arn:<AWS::Partition>:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/.*\*$/, reason: 'CodeBuild log groups of the pipeline\'s own projects' },
  { pattern: /^arn:<AWS::Partition>:codebuild:[a-z0-9-]+:\d{12}:report-group\/.*\*$/, reason: 'CodeBuild report groups of the pipeline\'s own projects' },
  { pattern: /^arn:\*:iam::\d{12}:role\/\*$/, reason: 'self-mutation assumes only CDK bootstrap roles (the statement is conditioned on the aws-cdk:bootstrap-role tag)' },
];

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

export class PipelineNagAcknowledgments implements IAspect {
  /**
   * @param replicationBuckets names of the pipeline's cross-region replication buckets
   */
  constructor(private readonly replicationBuckets: () => string[]) {}

  public visit(node: IConstruct): void {
    if (node instanceof iam.CfnPolicy) {
      // The L2 document's statements, unresolved (cheap): only values that contain '*' are resolved.
      const doc = (node.policyDocument instanceof iam.PolicyDocument
        ? node.policyDocument.toJSON()
        : Stack.of(node).resolve(node.policyDocument)) as { Statement?: Statement[] } | undefined;
      const findings = new Map<string, string>();
      for (const statement of doc?.Statement ?? []) {
        this.findingsOf(node, statement, findings);
      }
      acknowledge(node, new Map([...findings].map(([finding, reason]) => [`AwsSolutions-IAM5[${finding}]`, reason])));
    }
  }

  /** Adds the known findings of one statement, with their reasons, to `findings`. */
  private findingsOf(node: iam.CfnPolicy, statement: Statement, findings: Map<string, string>): void {
    if (statement.Effect !== 'Allow') {
      return;
    }
    const actions = toArray(statement.Action);
    for (const action of actions.filter(a => a.includes('*'))) {
      const reason = GRANT_ACTIONS.get(action);
      if (reason) {
        findings.set(`Action::${action}`, `${reason}; the statement's resources are that bucket or key only.`);
      }
    }
    const stack = Stack.of(node);
    for (const raw of toArray(statement.Resource)) {
      if (!String(raw).includes('*') && typeof raw === 'string') {
        continue;
      }
      const resource = flatten(stack.resolve(raw));
      if (!resource.includes('*')) {
        continue;
      }
      if (resource === '*') {
        const known = STAR_RESOURCE_ACTIONS.find(k => actions.every(a => k.actions.includes(a)));
        if (known) {
          findings.set('Resource::*', `Resource '*' for ${actions.join(', ')}: ${known.reason}.`);
        }
        continue;
      }
      if (this.replicationBuckets().some(name => resource === `arn:<AWS::Partition>:s3:::${name}/*`)) {
        findings.set(`Resource::${resource}`, 'Wildcard limited to objects of the pipeline\'s own cross-region replication bucket.');
        continue;
      }
      const owned = OWNED_RESOURCE_PATTERNS.find(o => o.pattern.test(resource));
      if (owned) {
        findings.set(`Resource::${resource}`, `Wildcard limited to ${owned.reason}.`);
      }
    }
  }
}

/**
 * The artifact bucket and the cross-region replication buckets (which live in support stacks that the
 * CodePipeline L2 creates outside the pipeline's scope) have no server access logs.
 */
export function acknowledgeArtifactBuckets(pipeline: codepipeline.Pipeline): void {
  const buckets = [pipeline.artifactBucket, ...Object.values(pipeline.crossRegionSupport).map(s => s.replicationBucket)];
  for (const bucket of buckets) {
    acknowledge(bucket, new Map([['AwsSolutions-S1',
      'Pipeline artifact bucket: it holds only build and deployment artifacts, read and written by the pipeline\'s own roles, and CloudTrail records access. Server access logs would need a second bucket for no audit gain.']]));
  }
}

/**
 * Records acknowledgments in the construct metadata entry that `Validations.of(node).acknowledge()` writes and
 * policy plugins such as cdk-nag read (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`: rule id → reason).
 *
 * Written directly because `acknowledge()` captures a stack trace per rule: measured at 0.25-0.5 ms per call
 * under ts-node, about 10 % of the reference pipeline's synth time for ~55 acknowledgments.
 */
function acknowledge(node: IConstruct, reasons: Map<string, string>): void {
  if (reasons.size > 0) {
    node.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Object.fromEntries(reasons));
  }
}

function toArray(value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  return (Array.isArray(value) ? value : [value]) as string[];
}

/** Renders a resolved CloudFormation value the way cdk-nag names it in finding ids. */
function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.Ref === 'string') {
      return `<${obj.Ref}>`;
    }
    if (Array.isArray(obj['Fn::GetAtt'])) {
      return `<${(obj['Fn::GetAtt'] as string[]).join('.')}>`;
    }
    if (Array.isArray(obj['Fn::Join'])) {
      const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
  }
  return JSON.stringify(value);
}
