/**
 * Alibaba Cloud in the local stack (`npm start -- --alibaba`): the Alibaba ECS emulator with
 * sessions that keep arriving and ending in each region, and one target per region
 * (`alibaba#local#<region>`) swept through the same core as a deployed sweeper: the lease, the
 * no-time-filter sweep, failures kept on the target. The emulator's key pair is made at start and
 * never printed; the sweeps sign with it as they would with a key pair from Secrets Manager.
 */
import { randomBytes } from 'node:crypto';
import { AlibabaTerminalSource } from '../lambdas/adapters/alibaba/alibaba-terminal-source';
import { classifyTargetFailure } from '../lambdas/adapters/aws/target-failures';
import type { EvidenceWriter } from '../lambdas/core/evidence/writer';
import type { EventSink } from '../lambdas/core/events/ports';
import { systemClock, type ArchiveStore, type CoreLogger } from '../lambdas/core/sweep/ports';
import { sweepTarget } from '../lambdas/core/sweep/target-sweep';
import { targetKey } from '../lambdas/core/targets/targets';
import { DAY_MS } from '../lambdas/core/shared/time';
import { startAlibabaEmulator, SystemClock, type AlibabaEmulator } from './emulators/alibaba';

export const LOCAL_ALIBABA_ACCOUNT = 'local';
export const DEFAULT_ALIBABA_REGIONS = ['cn-hangzhou', 'ap-southeast-1'];
/** Per region and 30 days: well under the 1,000-record cap at the local sweep interval. */
export const DEFAULT_ALIBABA_SESSIONS = 600;
const EPOCH_MS = 30 * DAY_MS;

export interface LocalAlibaba {
  readonly endpoint: string;
  readonly targets: string[];
  /** Generates every epoch up to the one after `nowMs`, in every region (the same sessions on every start). */
  fillUntil(nowMs: number): void;
  /** Sweeps every Alibaba target once; returns one line per target. */
  sweepAll(store: ArchiveStore, events: EventSink, shouldStop: () => boolean, logger: CoreLogger, evidence?: EvidenceWriter): Promise<string[]>;
  close(): Promise<void>;
}

export async function startLocalAlibaba(options: { regions: string[]; sessions: number; seed: number; port?: number }): Promise<LocalAlibaba> {
  const key = { accessKeyId: `LTAI${randomBytes(10).toString('hex')}`, accessKeySecret: randomBytes(24).toString('base64url') };
  const emulator: AlibabaEmulator = await startAlibabaEmulator({ accessKeys: [key], clock: new SystemClock(), port: options.port ?? 0 });
  const sources = options.regions.map((region) => new AlibabaTerminalSource({ ...key, accountLabel: LOCAL_ALIBABA_ACCOUNT, region, endpoint: emulator.url }));
  const generated = new Set<string>();
  return {
    endpoint: emulator.url,
    targets: sources.map((source) => targetKey(source.scope)),
    fillUntil(nowMs) {
      for (let epoch = Math.floor((nowMs - EPOCH_MS) / EPOCH_MS); epoch <= Math.floor(nowMs / EPOCH_MS) + 1; epoch++) {
        for (const [index, region] of options.regions.entries()) {
          const id = `${region}#${epoch}`;
          if (generated.has(id) || options.sessions === 0) continue;
          const seed = (Math.imul(options.seed | 0, 0x01000193) ^ (epoch * 31 + index)) >>> 0;
          emulator.generateSessions({ count: options.sessions, seed, fromMs: epoch * EPOCH_MS, toMs: (epoch + 1) * EPOCH_MS, regionId: region });
          generated.add(id);
        }
      }
    },
    async sweepAll(store, events, shouldStop, logger, evidence) {
      const lines: string[] = [];
      for (const source of sources) {
        const target = source.scope;
        try {
          const result = await sweepTarget(target, { store, clock: systemClock, logger, events, openSource: async () => source, classify: classifyTargetFailure, ...(evidence ? { evidence } : {}) }, { remainingTimeMs: () => (shouldStop() ? 0 : Number.POSITIVE_INFINITY) });
          lines.push(result.status === 'busy' ? `${targetKey(target)}: busy` : `${targetKey(target)}: ${result.summary.sourceCalls} calls, ${result.summary.written} written, headroom ${(result.summary.recordCapHeadroom ?? 0).toFixed(2)}`);
        } catch (error: unknown) {
          lines.push(`${targetKey(target)}: failed (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      return lines;
    },
    close: () => emulator.close(),
  };
}
