/**
 * The compliance check Lambda, the target of an EventBridge rule on `Session Archived`: a middy
 * chain around one call into the core. Configuration (and the rules) is checked at module load;
 * clients live at module scope. A thrown error fails the invocation: Lambda retries it, then the
 * event goes to the dead-letter queue (and its alarm). Re-runs never write a finding twice.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createDocumentClient } from '../adapters/aws/clients';
import { DynamoArchivedSessionReader } from '../adapters/dynamodb/dynamodb-archived-session-reader';
import { DynamoFindingsStore } from '../adapters/dynamodb/dynamodb-findings-store';
import { createEventBridgeClient, EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import type { ComplianceCheckOutcome } from '../core/compliance/check-session';
import { enabledRules } from '../core/compliance/rules';
import { systemClock } from '../core/sweep/ports';
import { METRICS_NAMESPACE } from '../sweeper/metrics';
import { createComplianceCheck } from './check-event';
import { readComplianceConfig } from './config';

const config = readComplianceConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const rulesOn = enabledRules(config.rules);
if (rulesOn.length === 0) logger.warn('no compliance rule is configured (cdk.json context "compliance"): every session passes');
const documents = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
const check = createComplianceCheck({
  rules: config.rules,
  sessions: new DynamoArchivedSessionReader({ client: documents, tableName: config.tableName }),
  findings: new DynamoFindingsStore({ client: documents, tableName: config.tableName }),
  sink: new EventBridgePublisher({ client: createEventBridgeClient({ region: config.region, endpoint: config.eventsEndpoint }), eventBusName: config.eventBusName }),
  clock: systemClock,
});

async function checkSession(event: unknown): Promise<ComplianceCheckOutcome> {
  const outcome = await check(event);
  if (!outcome.archived) {
    // Only the sweeper may publish these; one for a session the archive lacks is forged or stray.
    logger.warn('event names a session the archive does not hold: nothing checked', { ...outcome, eventSource: sourceOf(event) });
    metrics.addMetric('EventsForUnarchivedSessions', MetricUnit.Count, 1);
    return outcome;
  }
  metrics.addMetric('ComplianceFindings', MetricUnit.Count, outcome.created);
  logger.info('session checked', { ...outcome, rules: rulesOn });
  return outcome;
}

/** Who sent the event, as EventBridge recorded it: the account, for the log. */
function sourceOf(event: unknown): { account?: unknown; id?: unknown } {
  const envelope = event as { account?: unknown; id?: unknown };
  return { account: envelope.account, id: envelope.id };
}

export const handler = middy(checkSession)
  // clearState: no keys from one invocation leak into the next one's logs.
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
