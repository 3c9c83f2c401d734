import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sleep } from '../../core/shared/concurrency';
import { createArchiveTableInput } from './archive-table';

/** Creates the archive table when it does not exist and waits until it is ACTIVE. Returns true if created. */
export async function ensureArchiveTable(dynamo: DynamoDBClient | DynamoDBDocumentClient, tableName: string): Promise<boolean> {
  // A document client sends plain DynamoDB commands unchanged; only its typings differ.
  const client = dynamo as DynamoDBClient;
  let created = false;
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error: unknown) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await client.send(new CreateTableCommand(createArchiveTableInput(tableName)));
      created = true;
    } catch (createError: unknown) {
      // Someone else created it between our two calls: fine.
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
  for (let attempt = 0; attempt < 120; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return created;
    await sleep(100);
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
