/**
 * The evidence bucket, its signing key and the scheduled verify, as the template shows them: one
 * behaviour per test (issue 15: Object Lock mode and retention, the sweeper's S3 and KMS grants,
 * no delete anywhere, the integrity alarm).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack, logicalIdOf, resourcesOfType } from './stack-fixture';

const BUCKET = 'AWS::S3::Bucket';
const FUNCTION = 'AWS::Lambda::Function';
const KEY = 'AWS::KMS::Key';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let template: Template;
let bucketId: string;
let signingKeyId: string;
let dataKeyId: string;

beforeAll(() => {
  template = buildStack().template;
  bucketId = logicalIdOf(template, BUCKET, 'SessionArchiveEvidenceBucket');
  signingKeyId = logicalIdOf(template, KEY, 'SessionArchiveEvidenceSigningKey');
  dataKeyId = logicalIdOf(template, KEY, 'SessionArchiveEvidenceDataKey');
});

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

function bucketProperties(): Record<string, unknown> {
  return resourcesOfType(template, BUCKET)[bucketId]?.Properties ?? {};
}

/** The statements of the role policies attached to a function's role. */
function roleStatements(functionPrefix: string): Statement[] {
  const functionId = logicalIdOf(template, FUNCTION, functionPrefix);
  const roleRef = (resourcesOfType(template, FUNCTION)[functionId]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(`"${roleRef}"`))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Every statement of every policy of the template: IAM, bucket, key and topic policies. */
function everyStatement(): Statement[] {
  const documents: unknown[] = [];
  for (const resource of Object.values(template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
    const props = resource.Properties ?? {};
    documents.push(props.PolicyDocument, props.KeyPolicy);
    for (const policy of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) documents.push(policy.PolicyDocument);
  }
  return documents.flatMap((document) => (document as { Statement?: Statement[] } | undefined)?.Statement ?? []);
}

const mentions = (resource: unknown, logicalId: string) => JSON.stringify(resource ?? '').includes(`"${logicalId}"`);

describe('evidence bucket', () => {
  it('has Object Lock in compliance mode with the 400-day default retention of cdk.json', () => {
    expect(bucketProperties().ObjectLockEnabled).toBe(true);
    expect(bucketProperties().ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } });
  });

  it('takes its retention from the context key evidenceRetentionDays', () => {
    const other = buildStack({ evidenceRetentionDays: '3650' }).template;
    const id = logicalIdOf(other, BUCKET, 'SessionArchiveEvidenceBucket');
    expect((resourcesOfType(other, BUCKET)[id]?.Properties?.ObjectLockConfiguration as { Rule: unknown }).Rule).toEqual({ DefaultRetention: { Mode: 'COMPLIANCE', Days: 3650 } });
  });

  it('refuses a retention that is not a whole number of days from 1 to 36500', () => {
    expect(() => buildStack({ evidenceRetentionDays: '0' })).toThrow(/evidenceRetentionDays must be a whole number of days from 1 to 36500 .*got "0"/);
    expect(() => buildStack({ evidenceRetentionDays: 12.5 })).toThrow(/evidenceRetentionDays/);
  });

  it('is versioned, encrypted with its own KMS key, logged, private, and retained', () => {
    expect(bucketProperties().VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const encryption = (bucketProperties().BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID: unknown } }[] }).ServerSideEncryptionConfiguration[0];
    expect(encryption?.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(mentions(encryption?.ServerSideEncryptionByDefault.KMSMasterKeyID, dataKeyId)).toBe(true);
    expect(bucketProperties().LoggingConfiguration).toMatchObject({ LogFilePrefix: 'evidence-bucket/' });
    expect(bucketProperties().PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    template.hasResource(BUCKET, { Properties: { ObjectLockEnabled: true }, DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  it('denies deletes, unlocking and lifecycle rules to everyone, and plain HTTP', () => {
    const policy = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')).find((p) => mentions(p.Properties?.Bucket, bucketId));
    const statements = (policy?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    const denyAll = statements.find((s) => s.Sid === 'NoDeleteNoUnlock');
    expect(denyAll).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(actionsOf(denyAll as Statement)).toEqual(expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutBucketObjectLockConfiguration', 's3:PutLifecycleConfiguration']));
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}')).toBe(true);
  });
});

describe('no delete anywhere', () => {
  it('allows no s3:Delete* (nor s3:* or *) in any policy of the stack', () => {
    const allowsDelete = everyStatement()
      .filter((s) => s.Effect === 'Allow')
      .filter((s) => actionsOf(s).some((action) => /^s3:(Delete|\*)|^\*$|^s3:\*$/.test(action)));
    expect(allowsDelete).toEqual([]);
  });
});

describe("the sweeper's evidence grants", () => {
  it('may only PutObject under the evidence prefix, and read it back (its key, a dead sweep\'s object)', () => {
    const s3 = roleStatements('SessionArchiveSweeper').filter((s) => actionsOf(s).some((action) => action.startsWith('s3:')));
    const byAction = Object.fromEntries(s3.flatMap((s) => actionsOf(s).map((action) => [action, JSON.stringify(s.Resource)])));
    expect(Object.keys(byAction).sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(byAction['s3:PutObject']).toContain(bucketId);
    expect(byAction['s3:PutObject']).toMatch(/\/evidence\/\*"/);
    expect(byAction['s3:GetObject']).toMatch(/\/evidence\/\*"/);
    const list = s3.find((s) => actionsOf(s).includes('s3:ListBucket'));
    expect(JSON.stringify(list?.Condition)).toContain('"s3:prefix":["evidence/*"]');
  });

  it('may only sign (and read the public key) with the signing key, and use the data key through S3 only', () => {
    const kms = roleStatements('SessionArchiveSweeper').filter((s) => mentions(s.Resource, signingKeyId) || mentions(s.Resource, dataKeyId));
    const onSigningKey = kms.filter((s) => mentions(s.Resource, signingKeyId)).flatMap(actionsOf);
    expect(onSigningKey.sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
    const onDataKey = kms.filter((s) => mentions(s.Resource, dataKeyId));
    expect(onDataKey.flatMap(actionsOf).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(JSON.stringify(onDataKey[0]?.Condition)).toContain('kms:ViaService');
  });

  it('gets the bucket, prefix and key id in its environment', () => {
    const sweeperId = logicalIdOf(template, FUNCTION, 'SessionArchiveSweeper');
    const variables = (resourcesOfType(template, FUNCTION)[sweeperId]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(mentions(variables.EVIDENCE_BUCKET, bucketId)).toBe(true);
    expect(variables.EVIDENCE_PREFIX).toBe('evidence');
    expect(mentions(variables.EVIDENCE_KEY_ID, signingKeyId)).toBe(true);
  });
});

describe('signing key', () => {
  const keyProperties = () => resourcesOfType(template, KEY)[signingKeyId]?.Properties ?? {};

  it('is an ECC_NIST_P256 SIGN_VERIFY key', () => {
    expect(keyProperties()).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('lets only the sweeper sign; the verify only reads the public key', () => {
    const statements = (keyProperties().KeyPolicy as { Statement: Statement[] }).Statement;
    const signers = statements.filter((s) => actionsOf(s).some((action) => action === 'kms:Sign' || action === 'kms:*'));
    expect(signers).toHaveLength(1);
    expect(JSON.stringify(signers[0]?.Principal)).toContain('SessionArchiveSweeperRole');
    const verify = statements.find((s) => s.Sid === 'VerifyReadsPublicKey');
    expect(actionsOf(verify as Statement)).toEqual(['kms:GetPublicKey']);
    expect(JSON.stringify(verify?.Principal)).toContain('SessionArchiveVerifyFunctionRole');
  });
});

describe('scheduled verify', () => {
  it('reads the table, lists and reads the evidence prefix and the public key, and writes nothing', () => {
    const actions = roleStatements('SessionArchiveVerifyFunction').flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Scan', 's3:GetObject', 's3:ListBucket', 'kms:GetPublicKey']));
    expect(actions.filter((action) => /^(s3:Put|s3:Delete|kms:Sign|dynamodb:(Put|Update|Delete|BatchWrite))/.test(action))).toEqual([]);
  });

  it('runs once a day', () => {
    const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter((rule) => rule.Properties?.Description === 'Runs the Session Archive evidence verify');
    expect(rules.map((rule) => rule.Properties?.ScheduleExpression)).toEqual(['rate(1 day)']);
  });

  it('has one alarm on violations and verify failures, notifying the alarm topic', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((alarm) => String(alarm.Properties?.AlarmName).endsWith('-archive-integrity'));
    expect(alarms).toHaveLength(1);
    const properties = alarms[0]?.Properties ?? {};
    expect(properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    const metrics = JSON.stringify(properties.Metrics);
    expect(metrics).toContain('IntegrityViolations');
    expect(metrics).toContain('SessionArchive-verify');
    expect(metrics).toContain('"MetricName":"Errors"');
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic', 'SessionArchiveAlarmsTopic');
    expect(mentions(properties.AlarmActions, topicId)).toBe(true);
  });
});
