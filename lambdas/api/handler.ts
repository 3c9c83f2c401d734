/**
 * The query Lambda: configuration checked and clients built once per container, the token
 * secrets read from Secrets Manager at cold start, then every request goes through the same
 * middy chain the local server and the tests use.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDocumentClient } from '../adapters/aws/clients';
import { DynamoFindingsReader } from '../adapters/dynamodb/dynamodb-findings-reader';
import { DynamoSessionReader } from '../adapters/dynamodb/dynamodb-session-reader';
import { createApiHandler } from './app';
import { METRICS_NAMESPACE, readApiConfig } from './config';
import { createDeferredApiHandler } from './deferred-handler';
import { tokenSecretSource } from './token-secret-source';

const config = readApiConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
const reader = new DynamoSessionReader({ client, tableName: config.tableName });
const findings = new DynamoFindingsReader({ client, tableName: config.tableName });

export const handler = createDeferredApiHandler({
  secrets: tokenSecretSource(config.tokenSecrets, config.region),
  logger,
  build: (secrets) =>
    createApiHandler({
      reader,
      findings,
      tokenSecret: secrets.current,
      ...(secrets.previous === undefined ? {} : { previousTokenSecret: secrets.previous }),
      tokenTtlSeconds: config.tokenTtlSeconds,
      logger,
      metrics,
    }),
});
