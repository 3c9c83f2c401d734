/**
 * The fan-out's queue: one message per planned target, sent in batches of ten. The sweeper drains
 * it one target per invocation, at most the configured number at once (the event source mapping's
 * maximum concurrency); a target that keeps failing lands in the dead-letter queue.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunk } from '../../core/shared/concurrency';
import type { TargetQueue } from '../../core/targets/plan-run';
import type { PlannedTarget } from '../../core/targets/target-planner';

const BATCH = 10;

export class SqsTargetQueue implements TargetQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(targets: readonly PlannedTarget[]): Promise<void> {
    for (const batch of chunk([...targets], BATCH)) {
      let entries = batch.map((target, i) => ({ Id: String(i), MessageBody: JSON.stringify(target) }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        if (attempt >= 5) throw new Error(`SQS refused ${entries.length} target messages five times`);
        const output = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((output.Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
