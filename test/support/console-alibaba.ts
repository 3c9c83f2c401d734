/**
 * An Alibaba Cloud account in the console's test stack: the Alibaba emulator on the stack's clock,
 * one region swept through the real adapter (its sessions with several connections), and one
 * whose key the emulator refuses, so GET /coverage holds a target's last error that Alibaba
 * itself gave. Ground truth is what the emulator showed and what it refused.
 */
import { AlibabaTerminalSource } from '../../lambdas/adapters/alibaba/alibaba-terminal-source';
import { classifyTargetFailure } from '../../lambdas/adapters/aws/target-failures';
import type { EventSink } from '../../lambdas/core/events/ports';
import type { ArchiveStore } from '../../lambdas/core/sweep/ports';
import { scopeKey } from '../../lambdas/core/session/session';
import { sweepTarget } from '../../lambdas/core/sweep/target-sweep';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { startAlibabaEmulator, type AlibabaEmulator, type ManualClock, type ShownSessionSummary } from '../../local/emulators/alibaba';
import { TEST_KEY } from './alibaba';

export const CONSOLE_ALIBABA_ACCOUNT = 'prod-cn';
const SWEPT_REGION = 'cn-hangzhou';
const REFUSED_REGION = 'ap-southeast-1';

export interface ConsoleAlibaba {
  /** Target key (`alibaba#prod-cn#cn-hangzhou`) of the region that was swept. */
  sweptTarget: string;
  /** Every session the swept region's listings showed, as last shown. */
  shown: ReadonlyMap<string, ShownSessionSummary>;
  /** Target key of the region whose key was refused, and the sweep's error (it carries what the emulator answered). */
  refusedTarget: string;
  refusal: string;
  emulator: AlibabaEmulator;
}

/** Sessions from `fromMs` to `toMs`, swept once at the clock's time; then the refused region. */
export async function addConsoleAlibaba(ports: { store: ArchiveStore; clock: ManualClock; events: EventSink }, fromMs: number, toMs: number, seed: number): Promise<ConsoleAlibaba> {
  const emulator = await startAlibabaEmulator({ accessKeys: [TEST_KEY], clock: ports.clock });
  emulator.generateSessions({ count: 40, seed, fromMs, toMs: Math.min(toMs, ports.clock.now() - DAY_MS), regionId: SWEPT_REGION, openFraction: 0, reconnectFraction: 0.5 });
  const retry = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 };
  const source = (region: string, accessKeySecret: string): AlibabaTerminalSource =>
    new AlibabaTerminalSource({ accessKeyId: TEST_KEY.accessKeyId, accessKeySecret, accountLabel: CONSOLE_ALIBABA_ACCOUNT, region, endpoint: emulator.url, clock: ports.clock, retry });
  const sweepOf = (target: AlibabaTerminalSource): Promise<unknown> => sweepTarget(target.scope, { ...ports, openSource: async () => target, classify: classifyTargetFailure });

  const swept = source(SWEPT_REGION, TEST_KEY.accessKeySecret);
  await sweepOf(swept);
  const refused = source(REFUSED_REGION, `${TEST_KEY.accessKeySecret}-but-not-quite`);
  const refusal = await sweepOf(refused).then(
    () => {
      throw new Error('the emulator accepted a wrong secret');
    },
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return { sweptTarget: scopeKey(swept.scope), shown: emulator.shown.summaries(), refusedTarget: scopeKey(refused.scope), refusal, emulator };
}
