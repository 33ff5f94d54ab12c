/**
 * The catalog of stateful CloudFormation resource types: resources that hold data a replacement or deletion loses.
 *
 * Where the list comes from: the resource types whose data outlives a deployment — databases (RDS, Aurora, DocumentDB,
 * Neptune, Redshift), key-value and document stores (DynamoDB, including global tables), object and file storage (S3,
 * EFS, FSx), search domains (OpenSearch, Elasticsearch), caches with persistence (ElastiCache, MemoryDB), streams and
 * queues that hold messages (Kinesis, SQS), identities (Cognito user pools), keys (KMS: data encrypted with a deleted
 * key is lost), secrets, container images (ECR), backup vaults and log groups.
 *
 * `replacedBy` lists the properties whose change makes CloudFormation replace the resource (a new, empty one), as
 * the resource type's schema declares them (`createOnlyProperties` in the CloudFormation registry schema, shown as
 * "Update requires: Replacement" in the CloudFormation resource reference). At run time the review reads the
 * replacement from the change set itself (CloudFormation's own answer, `Replacement: True | Conditional`); this list
 * is what the review uses when it has only two templates (offline tests, and a check that does not depend on a change
 * set), so it names the properties users change by accident (names, keys, encryption), not every create-only one.
 *
 * To extend it: add the type with its label and its create-only properties (from `aws cloudformation describe-type
 * --type RESOURCE --type-name AWS::X::Y`, field `createOnlyProperties`), and add a case to
 * test/review/classify.test.ts. A type missing here is not reviewed as stateful: a change set replacing it continues.
 */
export interface StatefulType {
  /** What a person calls it, for the summary. */
  readonly label: string;
  /** Top-level properties whose change replaces the resource. */
  readonly replacedBy: readonly string[];
}

export const STATEFUL_TYPES: { readonly [type: string]: StatefulType } = {
  'AWS::DynamoDB::Table': { label: 'DynamoDB table', replacedBy: ['TableName', 'KeySchema', 'LocalSecondaryIndexes', 'ImportSourceSpecification'] },
  'AWS::DynamoDB::GlobalTable': { label: 'DynamoDB global table', replacedBy: ['TableName', 'KeySchema', 'LocalSecondaryIndexes'] },
  'AWS::S3::Bucket': { label: 'S3 bucket', replacedBy: ['BucketName', 'ObjectLockEnabled'] },
  'AWS::RDS::DBInstance': {
    label: 'RDS DB instance',
    replacedBy: ['DBInstanceIdentifier', 'DBName', 'CharacterSetName', 'KmsKeyId', 'StorageEncrypted', 'MasterUsername', 'DBClusterIdentifier', 'Timezone'],
  },
  'AWS::RDS::DBCluster': {
    label: 'RDS DB cluster',
    replacedBy: ['DBClusterIdentifier', 'DatabaseName', 'EngineMode', 'KmsKeyId', 'StorageEncrypted', 'MasterUsername', 'SourceDBClusterIdentifier', 'SnapshotIdentifier'],
  },
  'AWS::DocDB::DBCluster': { label: 'DocumentDB cluster', replacedBy: ['DBClusterIdentifier', 'KmsKeyId', 'StorageEncrypted', 'MasterUsername', 'SnapshotIdentifier'] },
  'AWS::Neptune::DBCluster': { label: 'Neptune cluster', replacedBy: ['DBClusterIdentifier', 'KmsKeyId', 'StorageEncrypted', 'SnapshotIdentifier'] },
  'AWS::Redshift::Cluster': { label: 'Redshift cluster', replacedBy: ['ClusterIdentifier', 'DBName', 'MasterUsername', 'OwnerAccount', 'SnapshotIdentifier'] },
  'AWS::EFS::FileSystem': { label: 'EFS file system', replacedBy: ['Encrypted', 'KmsKeyId', 'PerformanceMode', 'AvailabilityZoneName'] },
  'AWS::FSx::FileSystem': { label: 'FSx file system', replacedBy: ['FileSystemType', 'KmsKeyId', 'SubnetIds', 'StorageType', 'BackupId'] },
  'AWS::OpenSearchService::Domain': { label: 'OpenSearch domain', replacedBy: ['DomainName'] },
  'AWS::Elasticsearch::Domain': { label: 'Elasticsearch domain', replacedBy: ['DomainName'] },
  'AWS::ElastiCache::CacheCluster': { label: 'ElastiCache cluster', replacedBy: ['ClusterName', 'Engine', 'Port', 'CacheSubnetGroupName'] },
  'AWS::ElastiCache::ReplicationGroup': { label: 'ElastiCache replication group', replacedBy: ['ReplicationGroupId', 'KmsKeyId', 'AtRestEncryptionEnabled', 'Port'] },
  'AWS::ElastiCache::ServerlessCache': { label: 'ElastiCache serverless cache', replacedBy: ['ServerlessCacheName', 'Engine', 'KmsKeyId'] },
  'AWS::MemoryDB::Cluster': { label: 'MemoryDB cluster', replacedBy: ['ClusterName', 'KmsKeyId', 'TLSEnabled'] },
  'AWS::Kinesis::Stream': { label: 'Kinesis stream', replacedBy: ['Name'] },
  'AWS::SQS::Queue': { label: 'SQS queue', replacedBy: ['QueueName', 'FifoQueue'] },
  'AWS::Cognito::UserPool': { label: 'Cognito user pool', replacedBy: ['AliasAttributes', 'UsernameAttributes'] },
  'AWS::KMS::Key': { label: 'KMS key', replacedBy: ['KeySpec', 'KeyUsage'] },
  'AWS::SecretsManager::Secret': { label: 'Secrets Manager secret', replacedBy: ['Name'] },
  'AWS::ECR::Repository': { label: 'ECR repository', replacedBy: ['RepositoryName'] },
  'AWS::Backup::BackupVault': { label: 'Backup vault', replacedBy: ['BackupVaultName', 'EncryptionKeyArn'] },
  'AWS::Logs::LogGroup': { label: 'log group', replacedBy: ['LogGroupName'] },
};

/** The catalog entry of `type`, or undefined when the type holds no data the review protects. */
export function statefulType(type: string): StatefulType | undefined {
  return Object.prototype.hasOwnProperty.call(STATEFUL_TYPES, type) ? STATEFUL_TYPES[type] : undefined;
}
