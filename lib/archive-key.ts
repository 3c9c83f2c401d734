/**
 * The archive table's customer-managed KMS key. Its key policy names what each function may do
 * with it, through DynamoDB only: writers encrypt and decrypt, readers only decrypt. The account
 * (through IAM) may administer the key and let DynamoDB use it for the table, never encrypt with it.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Key administration, spelled out: no encryption or decryption, no wildcard. */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** What a function that only reads the table needs of its key. */
export const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
/** What a function that writes the table needs of its key, in addition to reading. */
export const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'] as const;

/** `kms:ViaService` for DynamoDB in the stack's region: the key is usable through DynamoDB only. */
export function viaDynamoDb(scope: Construct): Record<string, Record<string, string>> {
  const stack = Stack.of(scope);
  return { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } };
}

/** The key administration statement every key of the stack carries: the account, through IAM. */
export function keyAdministration(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'KeyAdministration',
    principals: [new iam.AccountRootPrincipal()],
    actions: [...KEY_ADMINISTRATION_ACTIONS],
    resources: ['*'],
  });
}

export interface ArchiveKeyProps {
  /**
   * What happens to the key when it leaves the stack. The table's data cannot be read without it.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class ArchiveKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: ArchiveKeyProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: `${stack.stackName}: encrypts the Session Archive table`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      policy: new iam.PolicyDocument({
        statements: [
          keyAdministration(),
          // CloudFormation creates and updates the table, and DynamoDB restores it, with the
          // caller's credentials: the key may be attached to a table (a grant for DynamoDB) and its
          // data keys unwrapped, through DynamoDB in this account only. Never Encrypt/ReEncrypt.
          new iam.PolicyStatement({
            sid: 'TableManagementThroughDynamoDB',
            principals: [new iam.AccountRootPrincipal()],
            actions: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            conditions: {
              StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}`, 'kms:CallerAccount': stack.account },
            },
          }),
        ],
      }),
    });
  }

  /** Lets `role` use the key through DynamoDB: decrypt to read, and encrypt only when it `writes`. */
  grantThroughDynamoDb(role: iam.IRole, writes: boolean, sid: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: writes ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : [...KEY_READ_ACTIONS],
        resources: ['*'],
        conditions: viaDynamoDb(this),
      }),
    );
  }
}
