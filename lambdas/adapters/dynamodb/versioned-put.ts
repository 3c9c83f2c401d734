/**
 * A put that succeeds only while the stored item still has the version the writer read (or, for
 * version 0, does not exist yet): the optimistic lock of the sweep checkpoints and the migration's
 * progress. False when another writer saved first.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export async function putIfVersion(client: DynamoDBDocumentClient, tableName: string, item: Record<string, unknown>, expectedVersion: number): Promise<boolean> {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
        ExpressionAttributeValues: expectedVersion === 0 ? undefined : { ':expected': expectedVersion },
      }),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
