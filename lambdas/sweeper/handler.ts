/**
 * The sweeper: one target per SQS message from the planner (or the hub's own account and region
 * when a schedule invokes it directly), each a middy-wrapped call into the core `sweepTarget()`.
 * Configuration is read and validated at module load; SDK clients live at module scope.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { SweepSummary } from '../core/sweep/sweep';
import type { PlannedTarget } from '../core/targets/target-planner';
import { sweepTarget } from '../core/sweep/target-sweep';
import { HOUR_MS, MINUTE_MS } from '../core/shared/time';
import { accountIdFromFunctionArn, readSweeperConfig } from './config';
import { METRICS_NAMESPACE, recordSweepMetrics } from './metrics';
import { targetRequestsOf } from './target-event';
import { createSweeperPorts } from './wiring';

const config = readSweeperConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const wiring = createSweeperPorts(config, logger);

type SweepResponse = SweepSummary | { status: 'busy'; target: string } | { batchItemFailures: { itemIdentifier: string }[] };

/** SQS: one result per message (failures retried, then dead-lettered). A direct call: the summary. */
async function sweepTargets(event: unknown, context: Context): Promise<SweepResponse> {
  const hub = { accountId: config.accountId ?? accountIdFromFunctionArn(context.invokedFunctionArn), region: config.region };
  const requests = targetRequestsOf(event, hub);
  await wiring.migrate();
  const sweepOne = async (target: PlannedTarget): Promise<SweepResponse> => {
    const result = await sweepTarget(target, wiring.portsFor(target), {
      // The core stops fetching pages while enough time is left to store them and checkpoint.
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      overlapMs: config.overlapMinutes * MINUTE_MS,
      reconcileEveryMs: config.reconcileEveryHours * HOUR_MS,
    });
    if (result.status === 'busy') return { status: 'busy', target: target.key };
    recordSweepMetrics(metrics, result.summary);
    return result.summary;
  };
  const [direct] = requests;
  if (direct !== undefined && direct.messageId === undefined) return sweepOne(direct.target);
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const { messageId, target } of requests) {
    // A failure is recorded on the target's checkpoint and published; SQS retries the message.
    await sweepOne(target).catch(() => batchItemFailures.push({ itemIdentifier: messageId ?? '' }));
  }
  return { batchItemFailures };
}

export const handler = middy(sweepTargets)
  // clearState: no keys from one invocation leak into the next one's logs.
  .use(injectLambdaContext(logger, { clearState: true }))
  // Flushes the EMF metrics after every invocation, also when a sweep throws.
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
