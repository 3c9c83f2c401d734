/**
 * Where the evidence lives when deployed (docs/evidence.md): an S3 bucket with Object Lock in
 * compliance mode (no one, the account's root user included, can delete or shorten the retention
 * of an object version before it ends), versioned, SSE-KMS with a key of its own, TLS only, with
 * server access logs; and the asymmetric KMS key that signs every evidence object. Only the
 * sweeper may sign, and it may only add objects under its prefix; nobody may delete any.
 */
import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { keyAdministration } from './archive-key';

/** Days an evidence object version is locked unless cdk.json says otherwise (`evidenceRetentionDays`). */
export const DEFAULT_EVIDENCE_RETENTION_DAYS = 400;
/** The retention S3 accepts for a bucket default: at most 100 years. */
export const EVIDENCE_RETENTION_DAYS = { min: 1, max: 36_500 } as const;
/** The folder of the bucket the evidence objects and public keys go to. */
export const DEFAULT_EVIDENCE_PREFIX = 'evidence';

/**
 * What nobody may do to the bucket or its objects (bucket policy, principal `*`): delete an
 * object or version (a delete marker would hide an object from listings), change the lock, the
 * versioning, or add a lifecycle rule (it could expire current versions behind delete markers).
 */
export const DENIED_TO_EVERYONE = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteBucket',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  's3:PutLifecycleConfiguration',
  's3:BypassGovernanceRetention',
] as const;

/** Signing, and reading the public key: the only uses of the signing key besides its administration. */
export const SIGN_ACTIONS = ['kms:Sign'] as const;
export const PUBLIC_KEY_ACTIONS = ['kms:GetPublicKey'] as const;

export interface EvidenceProps {
  /** Days each object version stays locked (compliance mode): it can be lengthened later, never shortened. */
  readonly retentionDays?: number;
  /** The folder in the bucket. @default 'evidence' */
  readonly prefix?: string;
}

export function checkedEvidenceRetentionDays(value: number | undefined): number {
  const days = value ?? DEFAULT_EVIDENCE_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < EVIDENCE_RETENTION_DAYS.min || days > EVIDENCE_RETENTION_DAYS.max) {
    throw new Error(`evidenceRetentionDays must be a whole number of days from ${EVIDENCE_RETENTION_DAYS.min} to ${EVIDENCE_RETENTION_DAYS.max}, got ${value}`);
  }
  return days;
}

export class Evidence extends Construct {
  readonly bucket: s3.Bucket;
  /** Receives the bucket's server access logs. */
  readonly logBucket: s3.Bucket;
  /** Encrypts the objects at rest (symmetric). */
  readonly dataKey: kms.Key;
  /** Signs every evidence object (ECC_NIST_P256, SIGN_VERIFY). */
  readonly signingKey: kms.Key;
  readonly prefix: string;
  readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: EvidenceProps = {}) {
    super(scope, id);
    this.retentionDays = checkedEvidenceRetentionDays(props.retentionDays);
    this.prefix = props.prefix ?? DEFAULT_EVIDENCE_PREFIX;
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(this.prefix)) throw new Error(`the evidence prefix must be 1-63 of a-z 0-9 -, got ${JSON.stringify(this.prefix)}`);
    const stack = Stack.of(this);

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: `${stack.stackName}: encrypts the Session Archive evidence bucket`,
      enableKeyRotation: true,
      // Locked objects outlive any stack change: the key that decrypts them must too.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      policy: new iam.PolicyDocument({
        statements: [
          keyAdministration(),
          // Auditors of this account read evidence with their own credentials, through S3 only.
          new iam.PolicyStatement({
            sid: 'AccountReadsThroughS3',
            principals: [new iam.AccountRootPrincipal()],
            actions: ['kms:Decrypt', 'kms:DescribeKey'],
            resources: ['*'],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}`, 'kms:CallerAccount': stack.account } },
          }),
        ],
      }),
    });
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging delivers to SSE-S3 buckets only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(this.retentionDays)),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.logAccessTo(this.bucket, this.logBucket);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NoDeleteNoUnlock',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...DENIED_TO_EVERYONE],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );

    this.signingKey = new kms.Key(this, 'SigningKey', {
      description: `${stack.stackName}: signs the Session Archive evidence objects`,
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // Administration only; who may sign and read the public key is added by name below.
      policy: new iam.PolicyDocument({ statements: [keyAdministration()] }),
    });
  }

  /** cdk-nag: the one `*` of these grants is the objects under the prefix, whose names the sweeper makes up. */
  acknowledgePrefixGrant(role: iam.IRole, who: string): void {
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${this.prefix}/*]`,
      reason: `${who} the evidence objects under the ${this.prefix}/ prefix, one per sweep and target, whose keys are made at run time; no other key of the bucket.`,
    });
  }

  /**
   * Server access logs of `bucket` into `logs`, spelled out (the L1 logging configuration and the
   * log bucket's policy for the S3 logging service) rather than left to the construct, whose
   * choice between an ACL and a policy depends on a feature flag.
   */
  private logAccessTo(bucket: s3.Bucket, logs: s3.Bucket): void {
    const prefix = 'evidence-bucket/';
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: prefix };
    logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [logs.arnForObjects(`${prefix}*`)],
        conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }

  /** The objects under the evidence prefix, for IAM resources. */
  objectsArn(): string {
    return this.bucket.arnForObjects(`${this.prefix}/*`);
  }

  /**
   * The sweeper: signs, adds objects under the prefix (never overwrites: If-None-Match), and reads
   * the prefix back: the public key it published (`<prefix>/keys/`), to check it is its own, and
   * the object of a sweep that died before moving the chain head, to adopt it. ListBucket (on the
   * prefix only) makes a missing object a 404 rather than a 403, so "not written" is told apart.
   */
  grantWrite(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.objectsArn()] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objectsArn()] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${this.prefix}/*`] } } }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...SIGN_ACTIONS, ...PUBLIC_KEY_ACTIONS], resources: [this.signingKey.keyArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.dataKey.keyArn], conditions: this.viaS3() }));
    this.signingKey.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'SweeperSigns', principals: [new iam.ArnPrincipal(role.roleArn)], actions: [...SIGN_ACTIONS, ...PUBLIC_KEY_ACTIONS], resources: ['*'] }),
    );
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'SweeperEncryptsThroughS3', principals: [new iam.ArnPrincipal(role.roleArn)], actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], conditions: this.viaS3() }),
    );
  }

  /** The verify function: lists and reads the prefix, reads the public key; no write, no sign. */
  grantVerify(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objectsArn()] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${this.prefix}/*`] } } }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...PUBLIC_KEY_ACTIONS], resources: [this.signingKey.keyArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.dataKey.keyArn], conditions: this.viaS3() }));
    this.signingKey.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'VerifyReadsPublicKey', principals: [new iam.ArnPrincipal(role.roleArn)], actions: [...PUBLIC_KEY_ACTIONS], resources: ['*'] }),
    );
  }

  /** The sweeper's environment: where to write and which key signs (its key id: names, no secrets). */
  environment(): Record<string, string> {
    return { EVIDENCE_BUCKET: this.bucket.bucketName, EVIDENCE_PREFIX: this.prefix, EVIDENCE_KEY_ID: this.signingKey.keyId };
  }

  private viaS3(): Record<string, Record<string, string>> {
    const stack = Stack.of(this);
    return { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` } };
  }
}
