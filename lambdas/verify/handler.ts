/**
 * The scheduled verify: a middy-wrapped call into the verify core over the archive table and the
 * evidence bucket. Violations go to EventBridge as one `Archive Integrity Violation` and to the
 * IntegrityViolations metric, which the integrity alarm watches; a run that throws fails the
 * invocation, which the same alarm counts. Configuration is read at module load.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createDocumentClient, localCredentials } from '../adapters/aws/clients';
import { DynamoSessionScan } from '../adapters/dynamodb/dynamodb-session-scan';
import { createEventBridgeClient, EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import { S3EvidenceStore } from '../adapters/aws/s3-evidence-store';
import { verifyArchive } from '../core/evidence/verify';
import { countByKind } from '../core/evidence/verify-findings';
import { integrityViolationEvent } from '../core/events/integrity-violation';
import { readVerifyConfig } from './config';
import { INTEGRITY_VIOLATIONS_METRIC, METRICS_NAMESPACE } from './metrics';

const config = readVerifyConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const scan = new DynamoSessionScan(createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint }), config.tableName);
const s3 = new S3Client({ region: config.region, endpoint: config.s3Endpoint, forcePathStyle: config.s3Endpoint !== undefined, credentials: localCredentials(config.s3Endpoint) });
const store = new S3EvidenceStore({ client: s3, bucket: config.bucket });
const events = new EventBridgePublisher({ client: createEventBridgeClient({ region: config.region, endpoint: config.eventsEndpoint }), eventBusName: config.eventBusName });

interface VerifySummary {
  ok: boolean;
  records: number;
  evidenceObjects: number;
  violations: number;
}

async function verify(): Promise<VerifySummary> {
  const report = await verifyArchive({ store, prefix: config.prefix, records: () => scan.pages(), filter: {}, now: () => new Date().toISOString() });
  metrics.addMetric(INTEGRITY_VIOLATIONS_METRIC, MetricUnit.Count, report.findings.length);
  const summary = { ok: report.ok, records: report.records, evidenceObjects: report.evidenceObjects, violations: report.findings.length };
  if (report.ok) {
    logger.info('archive verified', { ...summary });
    return summary;
  }
  logger.error('archive integrity violated', { ...summary, counts: countByKind(report.findings), first: report.findings.slice(0, 20) });
  await events.publish([integrityViolationEvent(report)]);
  return summary;
}

export const handler = middy(verify)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
