import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { ValidationError } from '../../private/errors';

/**
 * Registry credentials written without CloudFormation references.
 *
 * With one asset-publishing project per asset type, CDK Pipelines writes the asset buildspec, registry logins
 * included, to a file in the cloud assembly, and a file cannot hold a CloudFormation reference (aws/aws-cdk#29028:
 * synthesis fails). A secret imported by name has `${AWS::Partition}` in its ARN and every ECR repository URI has
 * `${AWS::URLSuffix}`. These helpers resolve the pseudo parameters from the pipeline stack's region and hand CDK
 * Pipelines imported copies whose ARNs and URIs are plain strings: the same secret and repositories, the same grants.
 */

type Pseudo = 'AWS::Partition' | 'AWS::URLSuffix' | 'AWS::Region' | 'AWS::AccountId';

/** `value` as a plain string: its pseudo parameters replaced by the pipeline stack's facts; throws otherwise. */
export function literal(scope: Construct, value: string, property: string, what: string, fix: string): string {
  const stack = Stack.of(scope);
  const resolved: unknown = stack.resolve(value);
  if (typeof resolved === 'string') {
    return resolved;
  }
  const parts = joinParts(resolved);
  const facts = pseudoFacts(stack);
  const unknownPart = parts?.find(p => typeof p !== 'string' && facts[p.Ref as Pseudo] === undefined);
  if (!parts || unknownPart !== undefined) {
    throw new ValidationError(`${property}: the ${what} is only known at deployment (${JSON.stringify(unknownPart ?? resolved)}), but the asset-publishing buildspec, `
      + `a file in the cloud assembly, can hold plain strings only. ${fix}`);
  }
  return parts.map(p => typeof p === 'string' ? p : facts[p.Ref as Pseudo]).join('');
}

function joinParts(value: unknown): Array<string | { Ref: string }> | undefined {
  const join = (value as { 'Fn::Join'?: unknown })?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) {
    return undefined;
  }
  const parts = join[1] as unknown[];
  const ok = parts.every(p => typeof p === 'string'
    || (typeof p === 'object' && p !== null && Object.keys(p).length === 1 && typeof (p as { Ref?: unknown }).Ref === 'string'));
  return ok ? parts as Array<string | { Ref: string }> : undefined;
}

function pseudoFacts(stack: Stack): Partial<Record<Pseudo, string>> {
  if (Token.isUnresolved(stack.region)) {
    return {};
  }
  const region = RegionInfo.get(stack.region);
  return {
    'AWS::Partition': region.partition,
    'AWS::URLSuffix': region.domainSuffix,
    'AWS::Region': stack.region,
    'AWS::AccountId': Token.isUnresolved(stack.account) ? undefined : stack.account,
  };
}

const SECRET_FIX = 'Import the secret by its complete ARN, e.g. secretsmanager.Secret.fromSecretCompleteArn(this, \'DockerHub\', '
  + '\'arn:aws:secretsmanager:us-east-1:111111111111:secret:dockerhub/credentials-AbCdEf\'), or give the pipeline stack an explicit env.';

/** The secret, imported again with a plain-string ARN (and its encryption key). */
export function literalSecret(scope: Construct, id: string, secret: secretsmanager.ISecret, property: string): secretsmanager.ISecret {
  if (secret.secretFullArn !== undefined) {
    const complete = literal(scope, secret.secretFullArn, `${property}.secret`, 'secret\'s ARN', SECRET_FIX);
    return secretsmanager.Secret.fromSecretAttributes(scope, id, { secretCompleteArn: complete, encryptionKey: secret.encryptionKey });
  }
  const partial = literal(scope, secret.secretArn, `${property}.secret`, 'secret\'s ARN', SECRET_FIX);
  return secretsmanager.Secret.fromSecretAttributes(scope, id, { secretPartialArn: partial, encryptionKey: secret.encryptionKey });
}

const REPOSITORY_FIX = 'Import the repository by a literal ARN, e.g. ecr.Repository.fromRepositoryArn(this, \'BaseImages\', '
  + '\'arn:aws:ecr:us-east-1:444444444444:repository/base-images\'), or give the pipeline stack an explicit env.';

/** The repository, with a plain-string ARN and URI (the registry's host name from the repository's region). */
export function literalRepository(scope: Construct, id: string, repository: ecr.IRepository, property: string): ecr.IRepository {
  const arn = literal(scope, repository.repositoryArn, property, 'repository\'s ARN', REPOSITORY_FIX);
  const parts = Stack.of(scope).splitArn(arn, ArnFormat.SLASH_RESOURCE_NAME);
  const suffix = parts.region ? RegionInfo.get(parts.region).domainSuffix : undefined;
  if (!parts.account || !parts.region || !parts.resourceName || !suffix) {
    throw new ValidationError(`${property}: '${arn}' is not an ECR repository ARN of a known region (arn:aws:ecr:<region>:<account>:repository/<name>). ${REPOSITORY_FIX}`);
  }
  return new LiteralRepository(scope, id, repository, arn, parts.resourceName, `${parts.account}.dkr.ecr.${parts.region}.${suffix}`);
}

/** A repository whose ARN and URI are plain strings; resource policies go to the original. */
class LiteralRepository extends ecr.RepositoryBase {
  constructor(
    scope: Construct, id: string, private readonly original: ecr.IRepository,
    public readonly repositoryArn: string, public readonly repositoryName: string, private readonly registry: string,
  ) {
    super(scope, id, { environmentFromArn: repositoryArn });
  }

  public repositoryUriForTag(tag?: string): string {
    return `${this.registry}/${this.repositoryName}${tag ? `:${tag}` : ''}`;
  }

  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    return this.original.addToResourcePolicy(statement);
  }
}
