import { AppVersion, synthesize, V1 } from './versioned-app';
import { APPROVAL_SUMMARY_LIMIT, classify, decide, shortSummary, StackChange } from '../../src/review/private/classify';
import { Policy } from '../../src/review/private/review-contract';
import { securityBroadenings } from '../../src/review/private/security-diff';
import { STATEFUL_TYPES } from '../../src/review/private/stateful-catalog';
import { CfnTemplate } from '../../src/review/private/template-model';

const DEFAULT_POLICY: Policy = { STATEFUL_REPLACEMENT: 'HOLD', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'CONTINUE' };

const deployed = synthesize(V1);

/** Every stack of either version, deployed (V1) → new (V1 with `change`). */
function release(change: Partial<AppVersion>): StackChange[] {
  const next = synthesize({ ...V1, ...change });
  const names = [...new Set([...Object.keys(deployed), ...Object.keys(next)])];
  return names.map(stackName => ({ stackName, before: deployed[stackName], after: next[stackName] }));
}

function summaryOf(stacks: StackChange[], policy: Policy = DEFAULT_POLICY) {
  return decide(classify(stacks), policy, 'Production');
}

describe('classification over two synthesized versions of an app', () => {
  test('a harmless change (the function\'s code and environment) is approved automatically', () => {
    const decision = summaryOf(release({ greeting: 'good morning' }));
    expect(decision.outcome).toBe('CONTINUE');
    expect(decision.summary).toBe([
      'Change review of Production: approved automatically, no stateful resource replaced or deleted, no permission broadened, no stack removed.',
      'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
    ].join('\n'));
  });

  test('a table whose key changes is replaced: held', () => {
    const decision = summaryOf(release({ tableKey: 'id' }));
    expect(decision.outcome).toBe('HOLD');
    expect(decision.summary).toBe([
      'Change review of Production: held for a person, 1 risky change.',
      '- [HOLD] data: Prod-App: DynamoDB table OrdersA9B65338 is replaced (KeySchema changed); its data is deleted.',
      'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
    ].join('\n'));
  });

  test('a bucket removed from the app with RemovalPolicy.DESTROY is deleted: held', () => {
    const decision = summaryOf(release({ uploadsBucket: false }));
    expect(decision.outcome).toBe('HOLD');
    expect(decision.summary).toBe([
      'Change review of Production: held for a person, 1 risky change.',
      '- [HOLD] data: Prod-App: S3 bucket Uploads4F6EB0FD is deleted; its data is lost.',
      'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
    ].join('\n'));
  });

  test('a bucket removed with the default DeletionPolicy Retain keeps its data: noted, not held', () => {
    const decision = summaryOf(release({ archiveBucket: false }));
    expect(decision.outcome).toBe('CONTINUE');
    expect(decision.summary).toBe([
      'Change review of Production: approved automatically, no stateful resource replaced or deleted, no permission broadened, no stack removed.',
      '- [not risky] Prod-App: S3 bucket ArchiveDA4CB258 is removed from the stack; the resource and its data are kept (DeletionPolicy: Retain).',
      'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
    ].join('\n'));
  });

  test('an RDS instance replaced with UpdateReplacePolicy Retain is not data loss: noted, not held', () => {
    const decision = summaryOf(release({ databaseName: 'orders_v2' }));
    expect(decision.outcome).toBe('CONTINUE');
    expect(decision.summary).toBe([
      'Change review of Production: approved automatically, no stateful resource replaced or deleted, no permission broadened, no stack removed.',
      '- [not risky] Prod-App: RDS DB instance DatabaseB269D8BB is replaced (DBName changed); the old resource and its data are kept (UpdateReplacePolicy: Retain).',
      'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
    ].join('\n'));
  });

  test('a role whose policy is broadened (grantRead → grantReadWrite): held, with the new actions only', () => {
    const decision = summaryOf(release({ assetsAccess: 'readWrite' }));
    expect(decision.outcome).toBe('HOLD');
    expect(decision.summary).toBe([
      'Change review of Production: held for a person, 1 risky change.',
      '- [HOLD] security: Prod-App: IAM policy HandlerServiceRoleDefaultPolicyCBD0CC91 (attached to ${HandlerServiceRoleFCDC14AE}) allows '
        + 's3:DeleteObject*, s3:PutObject, s3:PutObjectLegalHold, s3:PutObjectRetention, s3:PutObjectTagging, s3:PutObjectVersionTagging, s3:Abort* '
        + 'on ${Assets9A31D427.Arn} and ${Assets9A31D427.Arn}/*.',
      'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
    ].join('\n'));
  });

  test('narrowing the same policy back (grantReadWrite → grantRead) is not a broadening', () => {
    const wide = synthesize({ ...V1, assetsAccess: 'readWrite' })['Prod-App'];
    expect(securityBroadenings(wide, deployed['Prod-App'])).toEqual([]);
  });

  test('a security group opened to SSH from anywhere: held', () => {
    const decision = summaryOf(release({ sshFromAnywhere: true }));
    expect(decision.outcome).toBe('HOLD');
    expect(decision.summary).toBe([
      'Change review of Production: held for a person, 1 risky change.',
      '- [HOLD] security: Prod-App: security group Web3C8945DB allows ingress tcp 22 from 0.0.0.0/0.',
      'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
    ].join('\n'));
  });

  test('a stack removed from the app is reported, and continues by default', () => {
    const decision = summaryOf(release({ legacyStack: false }));
    expect(decision.outcome).toBe('CONTINUE');
    expect(decision.summary).toBe([
      'Change review of Production: approved automatically, the policy lets every finding continue.',
      '- [CONTINUE] removed stack: Prod-Legacy is no longer in the app; CloudFormation leaves it running (2 resources, 2 stateful): delete it yourself if that is intended.',
      'Stacks: Prod-App (0 changes), Prod-Legacy (removed from the app).',
    ].join('\n'));
  });

  test('the policy decides per class: a removed stack fails, a replaced table continues', () => {
    const stacks = [...release({ legacyStack: false, tableKey: 'id' })];
    const decision = summaryOf(stacks, { STATEFUL_REPLACEMENT: 'CONTINUE', SECURITY_BROADENING: 'HOLD', STACK_REMOVAL: 'FAIL' });
    expect(decision.outcome).toBe('FAIL');
    expect(decision.summary).toBe([
      'Change review of Production: rejected, 1 change the policy does not allow.',
      '- [FAIL] removed stack: Prod-Legacy is no longer in the app; CloudFormation leaves it running (2 resources, 2 stateful): delete it yourself if that is intended.',
      '- [CONTINUE] data: Prod-App: DynamoDB table OrdersA9B65338 is replaced (KeySchema changed); its data is deleted.',
      'Stacks: Prod-App (1 change), Prod-Legacy (removed from the app).',
    ].join('\n'));
  });

  test('a release with several risky changes, templates as the CDK CLI writes them: what an approver reads (docs/change-review.md)', () => {
    const change = { tableKey: 'id', uploadsBucket: false, databaseName: 'orders_v2', assetsAccess: 'readWrite', sshFromAnywhere: true, legacyStack: false } as const;
    const before = synthesize(V1, true);
    const after = synthesize({ ...V1, ...change }, true);
    const decision = summaryOf(Object.keys(before).map(stackName => ({ stackName, before: before[stackName], after: after[stackName] })));
    expect(decision.outcome).toBe('HOLD');
    expect(decision.summary).toBe([
      'Change review of Production: held for a person, 4 risky changes.',
      '- [HOLD] data: Prod-App: DynamoDB table Orders (OrdersA9B65338) is replaced (KeySchema changed); its data is deleted.',
      '- [HOLD] data: Prod-App: S3 bucket Uploads (Uploads4F6EB0FD) is deleted; its data is lost.',
      '- [HOLD] security: Prod-App: IAM policy Handler/ServiceRole/DefaultPolicy (HandlerServiceRoleDefaultPolicyCBD0CC91) (attached to ${HandlerServiceRoleFCDC14AE}) allows '
        + 's3:DeleteObject*, s3:PutObject, s3:PutObjectLegalHold, s3:PutObjectRetention, s3:PutObjectTagging, s3:PutObjectVersionTagging, s3:Abort* '
        + 'on ${Assets9A31D427.Arn} and ${Assets9A31D427.Arn}/*.',
      '- [HOLD] security: Prod-App: security group Web (Web3C8945DB) allows ingress tcp 22 from 0.0.0.0/0.',
      '- [CONTINUE] removed stack: Prod-Legacy is no longer in the app; CloudFormation leaves it running (2 resources, 2 stateful): delete it yourself if that is intended.',
      '- [not risky] Prod-App: RDS DB instance Database (DatabaseB269D8BB) is replaced (DBName changed); the old resource and its data are kept (UpdateReplacePolicy: Retain).',
      'Stacks: Prod-App (5 changes), Prod-Legacy (removed from the app).',
    ].join('\n'));
  });

  test('a new stack: its permissions are new (as `cdk diff` counts them), its resources replace nothing', () => {
    const review = classify([{ stackName: 'Prod-Legacy', after: deployed['Prod-Legacy'] }]);
    expect(review.findings).toEqual([]);
    expect(review.stacks).toEqual(['Prod-Legacy (new, 2 resources)']);
    const app = classify([{ stackName: 'Prod-App', after: deployed['Prod-App'] }]);
    expect(app.findings.map(f => f.changeClass)).toEqual(['SECURITY_BROADENING', 'SECURITY_BROADENING', 'SECURITY_BROADENING', 'SECURITY_BROADENING']);
    expect(app.findings.map(f => f.text)).toContain('Prod-App: role HandlerServiceRoleFCDC14AE trust policy allows sts:AssumeRole to Service:lambda.amazonaws.com');
  });
});

describe('the change set is CloudFormation\'s own answer on replacement', () => {
  const table = (key: string, policy?: string): CfnTemplate => ({
    Resources: { Orders: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: key, KeyType: 'HASH' }] }, UpdateReplacePolicy: policy } },
  });

  test('Replacement True on a stateful resource the templates alone would not flag: held, naming the property', () => {
    const review = classify([{
      stackName: 'S',
      before: table('id'),
      after: table('id'),
      resourceChanges: [{ logicalId: 'Orders', resourceType: 'AWS::DynamoDB::Table', action: 'Modify', replacement: 'True', recreatedBy: ['TableClass'] }],
    }]);
    expect(review.findings.map(f => f.text)).toEqual(['S: DynamoDB table Orders is replaced (TableClass changed); its data is deleted']);
  });

  test('Replacement False overrides the catalog: no finding', () => {
    const review = classify([{
      stackName: 'S',
      before: table('id'),
      after: table('pk'),
      resourceChanges: [{ logicalId: 'Orders', resourceType: 'AWS::DynamoDB::Table', action: 'Modify', replacement: 'False' }],
    }]);
    expect(review.findings).toEqual([]);
  });

  test('Replacement Conditional: may be replaced, held', () => {
    const review = classify([{
      stackName: 'S',
      before: table('id'),
      after: table('pk'),
      resourceChanges: [{ logicalId: 'Orders', resourceType: 'AWS::DynamoDB::Table', action: 'Modify', replacement: 'Conditional', recreatedBy: ['KeySchema'] }],
    }]);
    expect(review.findings.map(f => f.text)).toEqual(['S: DynamoDB table Orders may be replaced (KeySchema changed); its data would be deleted']);
  });

  test('UpdateReplacePolicy Snapshot is still data loss, and says a snapshot is taken', () => {
    const review = classify([{ stackName: 'S', before: table('id', 'Snapshot'), after: table('pk', 'Snapshot') }]);
    expect(review.findings.map(f => f.text)).toEqual(['S: DynamoDB table Orders is replaced (KeySchema changed); its data is deleted (a snapshot is taken first)']);
  });

  test('a resource type outside the catalog is not stateful', () => {
    const topic = (name: string): CfnTemplate => ({ Resources: { T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: name } } } });
    expect(classify([{ stackName: 'S', before: topic('a'), after: topic('b') }]).findings).toEqual([]);
  });
});

describe('security broadening', () => {
  const policy = (statements: unknown[]): CfnTemplate => ({
    Resources: { P: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement: statements }, Roles: [{ Ref: 'R' }] } } },
  });

  test('a wildcard that already allowed the new action covers it; a new wildcard is a broadening', () => {
    const wide = policy([{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }]);
    const narrow = policy([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/logs/*' }]);
    expect(securityBroadenings(wide, narrow)).toEqual([]);
    expect(securityBroadenings(narrow, wide).map(b => b.text)).toEqual(['IAM policy P (attached to ${R}) allows s3:* on arn:aws:s3:::b/*']);
  });

  test('a removed Deny is a broadening', () => {
    const before = policy([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }]);
    const after = policy([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
    expect(securityBroadenings(before, after).map(b => b.text)).toEqual(['IAM policy P (attached to ${R}) no longer denies s3:DeleteBucket on *']);
    expect(securityBroadenings(after, before)).toEqual([]);
  });

  test('a bucket policy opened to another account, and a Lambda permission for a new principal', () => {
    const before: CfnTemplate = { Resources: {} };
    const after: CfnTemplate = {
      Resources: {
        BP: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] } } },
        LP: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['F', 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['Rule', 'Arn'] } } },
      },
    };
    expect(securityBroadenings(before, after).map(b => b.text)).toEqual([
      'bucket policy BP (bucket ${B}) allows s3:GetObject to AWS:arn:aws:iam::222222222222:root on arn:aws:s3:::b/*',
      'Lambda permission LP allows lambda:InvokeFunction to Service:events.amazonaws.com on ${F.Arn} when SourceArn=${Rule.Arn}',
    ]);
  });

  test('an ingress rule inside a deployed all-traffic rule of the same source is covered; a standalone rule is read too', () => {
    const sg = (rules: unknown[]): CfnTemplate => ({ Resources: { G: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: rules } } } });
    const all = sg([{ IpProtocol: '-1', CidrIp: '10.0.0.0/8' }]);
    const https = sg([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/8' }]);
    expect(securityBroadenings(all, https)).toEqual([]);
    expect(securityBroadenings(https, all).map(b => b.text)).toEqual(['security group G allows ingress on all ports from 10.0.0.0/8']);
    const standalone: CfnTemplate = { Resources: { I: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': ['G', 'GroupId'] }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': ['App', 'GroupId'] } } } } };
    expect(securityBroadenings(undefined, standalone).map(b => b.text)).toEqual(['security group ${G.GroupId} allows ingress tcp 5432 from ${App.GroupId}']);
  });
});

describe('the release size in the decision', () => {
  const over = { text: '41 new source revisions since the last production release (execution e-1), more than the limit of 20' };
  test.each<['CONTINUE' | 'HOLD' | 'FAIL', string]>([
    ['CONTINUE', 'Change review of Production: approved automatically, the policy lets every finding continue.'],
    ['HOLD', 'Change review of Production: held for a person, 1 risky change.'],
    ['FAIL', 'Change review of Production: rejected, 1 change the policy does not allow.'],
  ])('a harmless release over the limit is decided by the large-release outcome %s', (outcome, headline) => {
    const decision = decide(classify(release({ greeting: 'good morning' })), DEFAULT_POLICY, 'Production', { ...over, outcome });
    expect(decision).toEqual({
      outcome,
      summary: [headline, `- [${outcome}] release size: ${over.text}.`, 'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).'].join('\n'),
    });
  });

  test('a release size that decides nothing is a line before the stacks; the change sets decide', () => {
    const within = { text: '3 new source revisions since the last production release (execution e-1), within the limit of 20' };
    expect(decide(classify(release({ tableKey: 'id' })), DEFAULT_POLICY, 'Production', within)).toEqual({
      outcome: 'HOLD',
      summary: [
        'Change review of Production: held for a person, 1 risky change.',
        '- [HOLD] data: Prod-App: DynamoDB table OrdersA9B65338 is replaced (KeySchema changed); its data is deleted.',
        `Release size: ${within.text}.`,
        'Stacks: Prod-App (1 change), Prod-Legacy (0 changes).',
      ].join('\n'),
    });
  });
});

describe('summaries', () => {
  test('the approval\'s summary fits CodePipeline\'s 512 characters: whole lines, then how many were left out', () => {
    const many: StackChange[] = Array.from({ length: 12 }, (_, i) => ({
      stackName: `Prod-Stack${i}`,
      before: { Resources: { [`Table${i}`]: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'a' }] } } } },
      after: { Resources: { [`Table${i}`]: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'b' }] } } } },
    }));
    const full = summaryOf(many).summary;
    const short = shortSummary(full);
    expect(full.length).toBeGreaterThan(APPROVAL_SUMMARY_LIMIT);
    expect(short.length).toBeLessThanOrEqual(APPROVAL_SUMMARY_LIMIT);
    const lines = short.split('\n');
    expect(lines[0]).toBe('Change review of Production: held for a person, 12 risky changes.');
    expect(full.startsWith(lines.slice(0, -1).join('\n'))).toBe(true);
    expect(lines[lines.length - 1]).toBe(`… ${full.split('\n').length - lines.length + 1} more lines: see the review notification or the review function's log.`);
    expect(shortSummary('short')).toBe('short');
  });
});

describe('the catalog', () => {
  test('every entry is a CloudFormation type with a label and at least one replacing property', () => {
    for (const [type, entry] of Object.entries(STATEFUL_TYPES)) {
      expect(type).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
      expect(entry.label.length).toBeGreaterThan(0);
      expect(entry.replacedBy.length).toBeGreaterThan(0);
    }
    for (const type of ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket',
      'AWS::EFS::FileSystem', 'AWS::OpenSearchService::Domain', 'AWS::Elasticsearch::Domain', 'AWS::ElastiCache::ReplicationGroup',
      'AWS::Kinesis::Stream', 'AWS::SQS::Queue', 'AWS::Cognito::UserPool', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      expect(STATEFUL_TYPES[type]).toBeDefined();
    }
  });
});
