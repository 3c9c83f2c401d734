/**
 * Opens the source of an Alibaba Cloud target: DescribeTerminalSessions in its region, signed with
 * its account's AccessKey pair (from the secret the target names). Sources are kept per target for
 * the life of the process, so a warm Lambda reuses the client and the key.
 */
import type { Clock } from '../../core/sweep/ports';
import type { PlannedTarget } from '../../core/targets/target-planner';
import { targetKey } from '../../core/targets/targets';
import type { AlibabaCredentials } from './alibaba-credentials';
import { AlibabaTerminalSource } from './alibaba-terminal-source';

export interface AlibabaSourcesOptions {
  credentials: AlibabaCredentials;
  /** A local emulator (every region at one endpoint); Alibaba's endpoint rule when absent. */
  endpoint?: string;
  clock: Clock;
}

export class AlibabaSources {
  private readonly sources = new Map<string, AlibabaTerminalSource>();

  constructor(private readonly options: AlibabaSourcesOptions) {}

  async open(target: PlannedTarget): Promise<AlibabaTerminalSource> {
    if (target.access.kind !== 'secret') throw new Error(`${target.key}: an Alibaba Cloud target is reached with the AccessKey pair in a secret`);
    const key = targetKey(target);
    const known = this.sources.get(key);
    if (known) return known;
    const pair = await this.options.credentials.keyFor(target.access.secretArn);
    const source = new AlibabaTerminalSource({
      ...pair,
      accountLabel: target.accountId,
      region: target.region,
      clock: this.options.clock,
      ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
    });
    this.sources.set(key, source);
    return source;
  }
}
