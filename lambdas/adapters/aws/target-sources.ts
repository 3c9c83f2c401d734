/**
 * Opens the session source of a planned target: an SSM client for its region, signed in with the
 * hub's own credentials (the hub's account) or with the member role's (assumed through STS and
 * cached for the credentials' lifetime). Clients are kept per account and region for the life of
 * the process, so a warm Lambda reuses them and their credentials.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from '../../core/sweep/ports';
import type { PlannedTarget } from '../../core/targets/target-planner';
import { targetKey } from '../../core/targets/targets';
import type { MemberCredentials } from './member-credentials';
import { SsmSessionSource } from './ssm-session-source';

export interface TargetSourcesOptions {
  credentials: MemberCredentials;
  /** The hub's credentials for its own account; the SDK's default chain when absent. */
  hubCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A local SSM emulator (every region at one endpoint). */
  ssmEndpoint?: string;
  clock: Clock;
  historyRetentionDays?: number;
  maxAttempts?: number;
}

export class TargetSources {
  private readonly clients = new Map<string, SSMClient>();

  constructor(private readonly options: TargetSourcesOptions) {}

  open(target: PlannedTarget): SsmSessionSource {
    const key = targetKey(target);
    let client = this.clients.get(key);
    if (!client) {
      const credentials = this.options.credentials.providerForAccess(target.access) ?? this.options.hubCredentials;
      client = new SSMClient({
        region: target.region,
        ...(this.options.ssmEndpoint === undefined ? {} : { endpoint: this.options.ssmEndpoint }),
        ...(credentials === undefined ? {} : { credentials }),
        // SSM publishes no rate limit for DescribeSessions: adaptive retries back off on throttling.
        retryMode: 'adaptive',
        maxAttempts: this.options.maxAttempts ?? 8,
      });
      this.clients.set(key, client);
    }
    return new SsmSessionSource({
      client,
      accountId: target.accountId,
      region: target.region,
      clock: this.options.clock,
      ...(this.options.historyRetentionDays === undefined ? {} : { historyRetentionDays: this.options.historyRetentionDays }),
    });
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
