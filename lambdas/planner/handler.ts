/**
 * The planner, on the schedule: lists the targets (Organizations at every run, so accounts that
 * join or leave are picked up), queues one message per target for the sweeper, and publishes the
 * organisation's health as aggregated metrics (per-target detail stays in logs and /coverage).
 */
import { Organizations } from '@aws-sdk/client-organizations';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDocumentClient } from '../adapters/aws/clients';
import { DynamoSessionReader } from '../adapters/dynamodb/dynamodb-session-reader';
import { OrganizationsAccountDirectory } from '../adapters/aws/organizations-accounts';
import { SqsTargetQueue } from '../adapters/aws/sqs-target-queue';
import { planRun, type PlanRunSummary } from '../core/targets/plan-run';
import { HOUR_MS } from '../core/shared/time';
import { accountIdFromFunctionArn, partitionFromFunctionArn } from '../sweeper/config';
import { METRICS_NAMESPACE } from '../sweeper/metrics';
import { readPlannerConfig } from './config';

const config = readPlannerConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const reader = new DynamoSessionReader({ client: createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint }), tableName: config.tableName });
const queue = new SqsTargetQueue(new SQSClient({ region: config.region, endpoint: config.sqsEndpoint }), config.queueUrl);
const directory = config.targets.mode === 'organization' ? new OrganizationsAccountDirectory(new Organizations({ region: config.region, endpoint: config.organizationsEndpoint })) : undefined;

async function plan(_event: unknown, context: Context): Promise<PlanRunSummary> {
  const arn = context.invokedFunctionArn;
  const hub = { accountId: config.hubAccountId ?? accountIdFromFunctionArn(arn), region: config.region, partition: partitionFromFunctionArn(arn) };
  const coreLogger = { info: (m: string, f?: Record<string, unknown>) => logger.info(m, f ?? {}), warn: (m: string, f?: Record<string, unknown>) => logger.warn(m, f ?? {}) };
  const summary = await planRun({ config: config.targets, hub, directory, queue, sweepStates: () => reader.listSweepStates(), now: Date.now, logger: coreLogger }, config.staleAfterHours * HOUR_MS);
  metrics.addMetric('TargetsPlanned', 'Count', summary.targets);
  metrics.addMetric('AccountsSkipped', 'Count', summary.skippedAccounts);
  metrics.addMetric('StaleTargets', 'Count', summary.staleTargets);
  metrics.addMetric('FailingTargets', 'Count', summary.failingTargets);
  logger.info('targets planned', { ...summary });
  return summary;
}

export const handler = middy(plan)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
