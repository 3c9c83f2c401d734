/**
 * The query Lambda: configuration checked and clients built once per container, the token
 * secrets read from Secrets Manager at cold start, then every request goes through the same
 * middy chain the local server and the tests use.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDocumentClient } from '../adapters/clients';
import { DynamoFindingsReader } from '../adapters/dynamodb-findings-reader';
import { DynamoSessionReader } from '../adapters/dynamodb-session-reader';
import { createSecretsManagerClient, SecretsManagerTokenSecrets } from '../adapters/secrets-manager-token-secrets';
import type { TokenSecretSource } from '../core/query/ports';
import { createApiHandler } from './app';
import { METRICS_NAMESPACE, readApiConfig } from './config';
import { createDeferredApiHandler } from './deferred-handler';

const config = readApiConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
const reader = new DynamoSessionReader({ client, tableName: config.tableName });
const findings = new DynamoFindingsReader({ client, tableName: config.tableName });

const setting = config.tokenSecrets;
const secrets: TokenSecretSource =
  setting.kind === 'secrets-manager'
    ? new SecretsManagerTokenSecrets({ client: createSecretsManagerClient({ region: config.region, endpoint: setting.endpoint }), secretId: setting.secretArn })
    : { load: async () => ({ current: setting.current, ...(setting.previous === undefined ? {} : { previous: setting.previous }) }) };

export const handler = createDeferredApiHandler({
  secrets,
  logger,
  build: (tokenSecrets) =>
    createApiHandler({
      reader,
      findings,
      tokenSecret: tokenSecrets.current,
      ...(tokenSecrets.previous === undefined ? {} : { previousTokenSecret: tokenSecrets.previous }),
      tokenTtlSeconds: config.tokenTtlSeconds,
      logger,
      metrics,
    }),
});
