/**
 * The scheduled sweeper: a middy chain around one call into the core `sweep()`.
 * Configuration is read and validated here, at module load; SDK clients live at module scope.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDocumentClient, createSsmClient } from '../adapters/clients';
import { DynamoArchiveStore } from '../adapters/dynamodb-archive-store';
import { createEventBridgeClient, EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { SsmSessionSource } from '../adapters/ssm-session-source';
import { systemClock, type CoreLogger } from '../core/ports';
import { sweep, type SweepSummary } from '../core/sweep';
import { HOUR_MS, MINUTE_MS } from '../core/time';
import { accountIdFromFunctionArn, readSweeperConfig } from './config';
import { METRICS_NAMESPACE, recordSweepMetrics } from './metrics';

const config = readSweeperConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
// The core's narrow logger: an absent `fields` must not reach Powertools as an extra argument.
const coreLogger: CoreLogger = {
  info: (message, fields) => logger.info(message, fields ?? {}),
  warn: (message, fields) => logger.warn(message, fields ?? {}),
};
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const ssm = createSsmClient({ region: config.region, endpoint: config.ssmEndpoint });
const store = new DynamoArchiveStore({
  client: createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint }),
  tableName: config.tableName,
  retentionDays: config.retentionDays,
});
// Session Archived, Sweep Completed and Coverage Gap Detected, when the stack gives a bus.
const events =
  config.eventBusName === undefined
    ? undefined
    : new EventBridgePublisher({ client: createEventBridgeClient({ region: config.region, endpoint: config.eventsEndpoint }), eventBusName: config.eventBusName });
let source: SsmSessionSource | undefined;

/** The event (an EventBridge schedule) carries nothing the sweep needs. */
async function sweepOnce(_event: unknown, context: Context): Promise<SweepSummary> {
  source ??= new SsmSessionSource({
    client: ssm,
    accountId: config.accountId ?? accountIdFromFunctionArn(context.invokedFunctionArn),
    region: config.region,
    historyRetentionDays: config.historyRetentionDays,
  });
  const summary = await sweep(
    { source, store, clock: systemClock, logger: coreLogger, ...(events ? { events } : {}) },
    {
      // The core stops fetching pages while enough time is left to store them and checkpoint.
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      overlapMs: config.overlapMinutes * MINUTE_MS,
      reconcileEveryMs: config.reconcileEveryHours * HOUR_MS,
    },
  );
  recordSweepMetrics(metrics, summary);
  return summary;
}

export const handler = middy(sweepOnce)
  // clearState: no keys from one invocation leak into the next one's logs.
  .use(injectLambdaContext(logger, { clearState: true }))
  // Flushes the EMF metrics after every invocation, also when the sweep throws.
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
