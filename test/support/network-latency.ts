/**
 * A modelled network round trip for SDK clients that talk to emulators on this machine: every
 * request waits `ms` before it is sent, without using CPU. The organisation benchmark uses it to
 * show a fan-out's concurrency, which on one machine is hidden when every call costs only CPU.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { STSClient } from '@aws-sdk/client-sts';

export function addRoundTripDelay(client: DynamoDBClient | STSClient, ms: number): void {
  if (!(ms > 0)) return;
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'roundTripDelay', override: true },
  );
}
