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
import { sweepTarget } from '../core/target-sweep';
import { HOUR_MS, MINUTE_MS } from '../core/time';
import { accountIdFromFunctionArn, readSweeperConfig } from './config';
import { METRICS_NAMESPACE, recordSweepMetrics } from './metrics';
import { targetRequestsOf } from './target-event';
import { createSweeperPorts } from './wiring';

const config = readSweeperConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const portsFor = createSweeperPorts(config, logger);

async function sweepTargets(event: unknown, context: Context): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const hub = { accountId: config.accountId ?? accountIdFromFunctionArn(context.invokedFunctionArn), region: config.region };
  const failures: { itemIdentifier: string }[] = [];
  for (const { messageId, target } of targetRequestsOf(event, hub)) {
    const options = {
      // The core stops fetching pages while enough time is left to store them and checkpoint.
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      overlapMs: config.overlapMinutes * MINUTE_MS,
      reconcileEveryMs: config.reconcileEveryHours * HOUR_MS,
    };
    try {
      const result = await sweepTarget(target, portsFor(target), options);
      if (result.status === 'swept') recordSweepMetrics(metrics, result.summary);
    } catch (error: unknown) {
      // Recorded on the target's checkpoint and published; SQS retries it, then dead-letters it.
      if (messageId === undefined) throw error;
      failures.push({ itemIdentifier: messageId });
    }
  }
  return { batchItemFailures: failures };
}

export const handler = middy(sweepTargets)
  // clearState: no keys from one invocation leak into the next one's logs.
  .use(injectLambdaContext(logger, { clearState: true }))
  // Flushes the EMF metrics after every invocation, also when a sweep throws.
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
