/**
 * A write whose answer was lost (a network fault after DynamoDB applied it) is retried by the SDK
 * and then fails its condition, since the item already holds that state. With evidence, the store
 * asks DynamoDB for the item on a failed condition and recognises its own state by its sequence
 * and hash, so the state is not dropped from the evidence. DynamoDB's ReturnValuesOnConditionCheck-
 * Failure is not in dynalite: aws-sdk-client-mock answers in DynamoDB's place.
 */
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import type { ObservedSession } from '../../lambdas/core/session/session';
import { stateHash } from '../support/evidence-chain';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
const dynamo = mockClient(documents);
afterEach(() => dynamo.reset());

const scope = { source: 'ssm', accountId: '123456789012', region: 'eu-west-1' };
const now = '2026-11-20T12:00:00.000Z';
const session: ObservedSession = { sessionId: 's-1', target: 'i-1', status: 'Terminated', startDate: '2026-11-20T10:00:00.000Z', endDate: '2026-11-20T11:00:00.000Z', owner: 'ana' };
// What the first attempt stored: the state as the API would serve it.
const stored = { ...session, ...scope, firstArchivedAt: now, lastSeenAt: now };

function failedCondition(item: Record<string, AttributeValue>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: item });
}

async function archiveWithEvidence(item: Record<string, AttributeValue>) {
  dynamo.on(GetCommand).resolves({ Item: { earliestStart: '2000-01-01T00:00:00.000Z', latestStart: '2100-01-01T00:00:00.000Z' } });
  dynamo.on(BatchGetCommand).resolves({ Responses: { archive: [] } });
  dynamo.on(UpdateCommand).rejects(failedCondition(item));
  const store = new DynamoArchiveStore({ client: documents, tableName: 'archive' });
  return store.archiveSessions(scope, [session], now, { evidence: { beforeWrite: async () => 7 } });
}

describe('a retried write that finds its own state', () => {
  it('counts as written under evidence, with the state it stored', async () => {
    const outcome = await archiveWithEvidence({ evidenceSequence: { N: '7' }, evidenceHash: { S: stateHash(stored) } });
    expect(outcome.unchanged).toBe(0);
    expect(outcome.written).toEqual([{ ...stored, evidenceHash: stateHash(stored), evidenceSequence: 7 }]);
    const sessionWrites = dynamo.commandCalls(UpdateCommand).filter((call) => String(call.args[0].input.Key?.pk).startsWith('SESSION#'));
    expect(sessionWrites.map((call) => call.args[0].input.ReturnValuesOnConditionCheckFailure)).toEqual(['ALL_OLD']);
  });

  it('is unchanged when the item holds another state or another sequence', async () => {
    expect((await archiveWithEvidence({ evidenceSequence: { N: '6' }, evidenceHash: { S: stateHash(stored) } })).written).toEqual([]);
    dynamo.reset();
    expect((await archiveWithEvidence({ evidenceSequence: { N: '7' }, evidenceHash: { S: 'ab'.repeat(32) } })).unchanged).toBe(1);
  });
});
