/**
 * Compliance findings in the archive table (the compliance function's only access to it): one item
 * per session and rule, written with a conditional PutItem so that however often an event arrives
 * the finding is written once. `publishPending` is the finding's outbox mark: set by the put,
 * removed once its `Session Compliance Finding` event was delivered; a re-delivered event reads it
 * to know whether the first attempt got that far.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ComplianceFinding } from '../../core/compliance/finding';
import type { FindingStore, StoredFinding } from '../../core/compliance/ports';
import { scopeKey } from '../../core/session/session';
import { findingKey } from './archive-table';
import { findingFromItem, findingToItem } from './archive-items';

const PUBLISH_PENDING = 'publishPending';

export interface DynamoFindingsStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export class DynamoFindingsStore implements FindingStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoFindingsStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async recordFinding(finding: ComplianceFinding): Promise<StoredFinding> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...findingToItem(finding), [PUBLISH_PENDING]: true },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { finding, created: true, published: false };
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Already found by an earlier delivery: the stored one stands (its detectedAt, its event).
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keyOf(finding), ConsistentRead: true }));
    if (!Item) throw new Error(`finding ${finding.findingId} exists by its put condition but cannot be read`);
    return { finding: findingFromItem(Item), created: false, published: Item[PUBLISH_PENDING] !== true };
  }

  async markPublished(finding: ComplianceFinding): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(finding),
        UpdateExpression: 'REMOVE #pending',
        ExpressionAttributeNames: { '#pending': PUBLISH_PENDING },
      }),
    );
  }
}

function keyOf(finding: ComplianceFinding): { pk: string; sk: string } {
  return findingKey(finding.sessionId, scopeKey(finding), finding.rule);
}
