/** Where the query function's token secrets come from: Secrets Manager when deployed, the environment locally. */
import { createSecretsManagerClient, SecretsManagerTokenSecrets } from '../adapters/aws/secrets-manager-token-secrets';
import type { TokenSecretSource } from '../core/query/ports';
import type { TokenSecretSetting } from './config';

export function tokenSecretSource(setting: TokenSecretSetting, region: string): TokenSecretSource {
  if (setting.kind === 'secrets-manager') {
    return new SecretsManagerTokenSecrets({ client: createSecretsManagerClient({ region, endpoint: setting.endpoint }), secretId: setting.secretArn });
  }
  const secrets = { current: setting.current, ...(setting.previous === undefined ? {} : { previous: setting.previous }) };
  return { load: async () => secrets };
}
