/**
 * The sweeper's collaborators, built once per process from its configuration: the archive, the
 * event bus, and the sources of the targets (member roles assumed through STS and cached for the
 * credentials' lifetime, SSM clients kept per account and region).
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { AlibabaCredentials } from '../adapters/alibaba/alibaba-credentials';
import { AlibabaSources } from '../adapters/alibaba/alibaba-sources';
import { createDocumentClient, localCredentials } from '../adapters/aws/clients';
import { createSecretsManagerClient } from '../adapters/aws/secrets-manager-token-secrets';
import { ALIBABA_SOURCE } from '../core/targets/alibaba-targets';
import { migrateAddStartDay } from '../adapters/dynamodb/dynamodb-add-start-day';
import { DynamoArchiveStore } from '../adapters/dynamodb/dynamodb-archive-store';
import { createEventBridgeClient, EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import { DynamoEvidenceLedger } from '../adapters/dynamodb/dynamodb-evidence-ledger';
import { KmsEvidenceSigner } from '../adapters/aws/kms-evidence-signer';
import { MemberCredentials } from '../adapters/aws/member-credentials';
import { S3EvidenceStore } from '../adapters/aws/s3-evidence-store';
import { EvidenceWriter } from '../core/evidence/writer';
import { classifyTargetFailure } from '../adapters/aws/target-failures';
import { TargetSources } from '../adapters/aws/target-sources';
import { systemClock, type CoreLogger } from '../core/sweep/ports';
import type { PlannedTarget } from '../core/targets/target-planner';
import type { TargetSweepPorts } from '../core/sweep/target-sweep';
import type { SweeperConfig } from './config';

export interface SweeperWiring {
  portsFor(target: PlannedTarget): TargetSweepPorts;
  /**
   * One bounded step of the add-start-day migration per invocation until it is complete (then
   * nothing): archives kept by an earlier release get the day index's attribute.
   */
  migrate(): Promise<void>;
}

export function createSweeperPorts(config: SweeperConfig, logger: Logger): SweeperWiring {
  // The core's narrow logger: an absent `fields` must not reach Powertools as an extra argument.
  const coreLogger: CoreLogger = {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
  };
  const documents = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
  const store = new DynamoArchiveStore({
    client: documents,
    tableName: config.tableName,
    retentionDays: config.retentionDays,
  });
  // Session Archived, Sweep Completed, Coverage Gap Detected and Target Sweep Failed, when the stack gives a bus.
  const events =
    config.eventBusName === undefined
      ? undefined
      : new EventBridgePublisher({ client: createEventBridgeClient({ region: config.region, endpoint: config.eventsEndpoint }), eventBusName: config.eventBusName });
  const sts = new STSClient({ region: config.region, endpoint: config.stsEndpoint, credentials: localCredentials(config.stsEndpoint) });
  const sources = new TargetSources({
    credentials: new MemberCredentials({ sts }),
    ssmEndpoint: config.ssmEndpoint,
    clock: systemClock,
    historyRetentionDays: config.historyRetentionDays,
  });
  // Alibaba Cloud targets: their AccessKey pairs are read from Secrets Manager on first use.
  const alibaba = new AlibabaSources({
    credentials: new AlibabaCredentials(createSecretsManagerClient({ region: config.region, endpoint: config.secretsManagerEndpoint })),
    clock: systemClock,
    ...(config.alibabaEndpoint === undefined ? {} : { endpoint: config.alibabaEndpoint }),
  });
  const evidence = evidenceWriter(config, documents);
  let migrated = false;
  return {
    portsFor: (target) => ({
      store,
      clock: systemClock,
      logger: coreLogger,
      ...(events ? { events } : {}),
      openSource: async () => (target.source === ALIBABA_SOURCE ? alibaba.open(target) : sources.open(target)),
      classify: classifyTargetFailure,
      ...(evidence ? { evidence } : {}),
    }),
    migrate: async () => {
      if (migrated) return;
      try {
        const run = await migrateAddStartDay(documents, config.tableName);
        migrated = run.complete;
        if (!run.complete) logger.info('add-start-day migration step', { ...run });
      } catch (error: unknown) {
        // Sweeping matters more: queries keep using the month index until the migration completes.
        logger.warn('add-start-day migration step failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
    },
  };
}

/** Evidence when the stack configures it: signed by the KMS key, kept in the Object Lock bucket, chained through the table. */
function evidenceWriter(config: SweeperConfig, documents: ReturnType<typeof createDocumentClient>): EvidenceWriter | undefined {
  const evidence = config.evidence;
  if (!evidence) return undefined;
  const s3 = new S3Client({ region: config.region, endpoint: evidence.s3Endpoint, forcePathStyle: evidence.s3Endpoint !== undefined, credentials: localCredentials(evidence.s3Endpoint) });
  const kms = new KMSClient({ region: config.region, endpoint: evidence.kmsEndpoint, credentials: localCredentials(evidence.kmsEndpoint) });
  return new EvidenceWriter({
    signer: new KmsEvidenceSigner({ client: kms, keyId: evidence.keyId }),
    store: new S3EvidenceStore({ client: s3, bucket: evidence.bucket }),
    prefix: evidence.prefix,
    ledger: new DynamoEvidenceLedger(documents, config.tableName),
  });
}
