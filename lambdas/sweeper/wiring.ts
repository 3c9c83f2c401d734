/**
 * The sweeper's collaborators, built once per process from its configuration: the archive, the
 * event bus, and the sources of the targets (member roles assumed through STS and cached for the
 * credentials' lifetime, SSM clients kept per account and region).
 */
import { STSClient } from '@aws-sdk/client-sts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient, localCredentials } from '../adapters/clients';
import { DynamoArchiveStore } from '../adapters/dynamodb-archive-store';
import { createEventBridgeClient, EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { MemberCredentials } from '../adapters/member-credentials';
import { classifyTargetFailure } from '../adapters/target-failures';
import { TargetSources } from '../adapters/target-sources';
import { systemClock, type CoreLogger } from '../core/ports';
import type { PlannedTarget } from '../core/target-planner';
import type { TargetSweepPorts } from '../core/target-sweep';
import type { SweeperConfig } from './config';

export function createSweeperPorts(config: SweeperConfig, logger: Logger): (target: PlannedTarget) => TargetSweepPorts {
  // The core's narrow logger: an absent `fields` must not reach Powertools as an extra argument.
  const coreLogger: CoreLogger = {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
  };
  const store = new DynamoArchiveStore({
    client: createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint }),
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
  return (target) => ({
    store,
    clock: systemClock,
    logger: coreLogger,
    ...(events ? { events } : {}),
    openSource: async () => sources.open(target),
    classify: classifyTargetFailure,
  });
}
