/**
 * The archive table, built from the same layout description as the local store
 * (lambdas/adapters/archive-table.ts), so CDK and code never disagree on keys and indexes.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ARCHIVE_INDEXES, EXPIRES_AT, KEY, sortKeyOf } from '../lambdas/adapters/archive-table';
import { ARCHIVE_WRITE_ACTIONS, OTHER_WRITE_ACTIONS } from './table-access';

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
   * and `breakGlass`; deletes, batch and PartiQL writes, which no function makes, only by
   * `breakGlass`. Explicit denies: no IAM policy in the account (an administrator's included) can
   * grant around them; changing them means changing this stack.
   */
  allowWritesOnlyBy(writers: readonly iam.IRole[], breakGlass?: iam.IRole): void {
    const exceptFor = (roles: readonly iam.IRole[]) => (roles.length === 0 ? {} : { conditions: { ArnNotEquals: { 'aws:PrincipalArn': roles.map((role) => role.roleArn) } } });
    const allowedAlso = breakGlass ? [breakGlass] : [];
    this.table.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ArchiveWritesOnlyByTheArchive',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...ARCHIVE_WRITE_ACTIONS],
        // A table's own policy cannot name its ARN (a circular reference): `*` is this table.
        resources: ['*'],
        ...exceptFor([...writers, ...allowedAlso]),
      }),
    );
    this.table.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: breakGlass ? 'OtherWritesOnlyByBreakGlass' : 'NoOtherWrites',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...OTHER_WRITE_ACTIONS],
        resources: ['*'],
        ...exceptFor(allowedAlso),
      }),
    );
  }
}
