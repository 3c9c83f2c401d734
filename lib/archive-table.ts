/**
 * The archive table, built from the same layout description as the local store
 * (lambdas/adapters/dynamodb/archive-table.ts), so CDK and code never disagree on keys and indexes.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ARCHIVE_INDEXES, EXPIRES_AT, KEY, sortKeyOf } from '../lambdas/adapters/dynamodb/archive-table';
import { ARCHIVE_WRITE_ACTIONS, DELETE_ACTIONS, OTHER_WRITE_ACTIONS } from './table-access';

export interface ArchiveTableProps {
  /**
   * A customer-managed key for encryption at rest.
   * @default the AWS-managed key `aws/dynamodb`
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * When set, DynamoDB TTL deletes items whose `expiresAt` (written by the sweeper) has passed.
   * @default no TTL: items are kept forever
   */
  readonly expireItems?: boolean;
  /**
   * What happens to the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

export class ArchiveTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ArchiveTableProps = {}) {
    super(scope, id);
    const text = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: text(KEY.partition),
      sortKey: text(KEY.sort),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      ...(props.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      ...(props.expireItems ? { timeToLiveAttribute: EXPIRES_AT } : {}),
    });
    for (const index of ARCHIVE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: text(index.partitionKey),
        sortKey: text(sortKeyOf(index)),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /**
   * The table's resource policy: puts and updates only by `writers` (the archive's own functions)
   * and the break-glass role; deletes only by `deleters`, each within its partitions, and the
   * break-glass role; batch and PartiQL writes, which no function makes, only by the break-glass
   * role. Explicit denies: no IAM policy in the account (an administrator's included) can grant
   * around them; changing them means changing this stack.
   */
  allowWritesOnlyBy(writers: TableWriters): void {
    const breakGlass = writers.breakGlass ? [writers.breakGlass] : [];
    const deleters = writers.deleters ?? [];
    const deny = (sid: string, actions: readonly string[], conditions?: Record<string, Record<string, unknown>>) =>
      this.table.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...actions],
          // A table's own policy cannot name its ARN (a circular reference): `*` is this table.
          resources: ['*'],
          ...(conditions ? { conditions } : {}),
        }),
      );
    const exceptFor = (roles: readonly iam.IRole[]) => (roles.length === 0 ? undefined : { ArnNotEquals: { 'aws:PrincipalArn': roles.map((role) => role.roleArn) } });
    deny('ArchiveWritesOnlyByTheArchive', ARCHIVE_WRITE_ACTIONS, exceptFor([...writers.writers, ...breakGlass]));
    deny('DeletesOnlyByTheArchive', DELETE_ACTIONS, exceptFor([...deleters.map((deleter) => deleter.role), ...breakGlass]));
    deleters.forEach((deleter, index) =>
      deny(`DeleterStaysInItsPartitions${index}`, DELETE_ACTIONS, {
        ArnEquals: { 'aws:PrincipalArn': deleter.role.roleArn },
        'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': [...deleter.partitionKeys] },
      }),
    );
    deny(writers.breakGlass ? 'OtherWritesOnlyByBreakGlass' : 'NoOtherWrites', OTHER_WRITE_ACTIONS, exceptFor(breakGlass));
  }
}

/** Who may write the archive table (ArchiveTable.allowWritesOnlyBy). */
export interface TableWriters {
  /** Roles that put and update items; their IAM grants say which items. */
  readonly writers: readonly iam.IRole[];
  /** Roles that delete items, each only under these partition keys (patterns with `*`). */
  readonly deleters?: readonly { readonly role: iam.IRole; readonly partitionKeys: readonly string[] }[];
  /** A role that may write and delete anything, for repairs. */
  readonly breakGlass?: iam.IRole;
}
