/**
 * The query Lambda: configuration checked and clients built once per container, then every
 * request goes through the same middy chain the local server and the tests use.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDocumentClient } from '../adapters/clients';
import { DynamoFindingsReader } from '../adapters/dynamodb-findings-reader';
import { DynamoSessionReader } from '../adapters/dynamodb-session-reader';
import { createApiHandler } from './app';
import { METRICS_NAMESPACE, readApiConfig } from './config';

const config = readApiConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
if (config.tokenSecretSource === 'derived-from-table-name') {
  logger.warn('TOKEN_SECRET is not set: pagination tokens are signed with a secret derived from the table name');
}
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
const reader = new DynamoSessionReader({ client, tableName: config.tableName });
const findings = new DynamoFindingsReader({ client, tableName: config.tableName });

export const handler = createApiHandler({ reader, findings, tokenSecret: config.tokenSecret, logger, metrics });
