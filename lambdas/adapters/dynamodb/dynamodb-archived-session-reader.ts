/**
 * The compliance function's read of one archived session: a single strongly consistent GetItem
 * on its key (SESSION#<id>, <source>#<account>#<region>), the only read of session items it is
 * granted.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ArchivedSessionKey, ArchivedSessionReader } from '../../core/compliance/ports';
import { scopeKey, type SessionRecord } from '../../core/session/session';
import { sessionKey } from './archive-table';
import { sessionRecordFromItem } from './archive-items';

export interface DynamoArchivedSessionReaderOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export class DynamoArchivedSessionReader implements ArchivedSessionReader {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoArchivedSessionReaderOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async getArchivedSession(key: ArchivedSessionKey): Promise<SessionRecord | undefined> {
    const { Item } = await this.client.send(
      // Consistent: the sweeper stores a state before it publishes its event.
      new GetCommand({ TableName: this.tableName, Key: sessionKey(key.sessionId, scopeKey(key)), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : sessionRecordFromItem(Item);
  }
}
