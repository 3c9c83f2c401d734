/**
 * Counts every request an SDK client sends, by operation name, retries included. Tests and
 * benchmarks use it to count SSM calls and DynamoDB writes where they really happen.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SSMClient } from '@aws-sdk/client-ssm';

export function countRequests(client: SSMClient | DynamoDBClient): Record<string, number> {
  const counts: Record<string, number> = {};
  (client.middlewareStack as SSMClient['middlewareStack']).add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName);
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests', override: true },
  );
  return counts;
}
