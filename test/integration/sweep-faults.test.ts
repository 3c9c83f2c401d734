import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSource } from '../../lambdas/core/sweep/ports';
import { sweep } from '../../lambdas/core/sweep/sweep';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { KilledError, dyingAfter, storeDyingAt } from '../support/killers';
import { diffArchive, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 4, 1);

describe('faults', () => {
  let rig: SweepRig | undefined;
  afterEach(async () => rig?.close());

  it('loses nothing with 20% throttling and 20% internal errors', async () => {
    rig = await startSweepRig({ startMs: t0 });
    rig.emulator.generateSessions({ count: 2000, seed: 21, fromMs: t0 - 25 * DAY_MS, toMs: t0 + 3 * DAY_MS });
    rig.emulator.setFaults({ seed: 3, throttleRate: 0.2, errorRate: 0.2, operations: ['DescribeSessions'] });
    for (let hours = 0; hours <= 72; hours += 8) {
      rig.clock.set(t0 + hours * HOUR_MS);
      const summary = await rig.sweep();
      expect(summary.complete).toBe(true);
    }
    expect(rig.emulator.stats.faultsInjected).toBeGreaterThan(10);
    rig.emulator.setFaults(undefined);
    rig.clock.set(t0 + 4 * DAY_MS);
    await rig.sweep();
    expect(await diffArchive(rig)).toEqual([]);
  });

  it('a sweep killed after k pages, for every k: the next sweep completes, nothing lost, nothing duplicated', async () => {
    let killedRuns = 0;
    // k = 0 kills before the first page; the first k whose sweep survives ends the loop.
    for (let k = 0; ; k++) {
      rig = await startSweepRig({ startMs: t0 });
      // A backfill plus open sessions that end before the next sweep: every kind of page.
      rig.emulator.generateSessions({ count: 1100, seed: 8, fromMs: t0 - 20 * DAY_MS, toMs: t0 + HOUR_MS, openFraction: 0.05 });
      const { store, clock } = rig;
      const scope = rig.source().scope;
      const outcome = await sweep({ source: dyingAfter(rig.source(), k), store, clock }).then(
        () => 'completed' as const,
        (error: unknown) => (error instanceof KilledError ? ('killed' as const) : Promise.reject(error)),
      );
      if (outcome === 'completed') break;
      killedRuns++;
      // A killed sweep never claims a range it did not finish.
      expect((await store.loadSweepState(scope))?.listedUntil ?? null).toBeNull();
      const firstArchived = new Map((await rig.archived()).map((r) => [r.sessionId, r.firstArchivedAt]));

      rig.clock.advance(2 * HOUR_MS);
      const summary = await rig.sweep();
      expect(summary.complete).toBe(true);
      expect(await diffArchive(rig)).toEqual([]);
      // What the killed sweep stored keeps its first-archived time.
      for (const record of await rig.archived()) {
        const known = firstArchived.get(record.sessionId);
        if (known) expect(record.firstArchivedAt).toBe(known);
      }
      await rig.close();
      rig = undefined;
    }
    expect(killedRuns).toBeGreaterThanOrEqual(6);
  }, 400_000);

  it('a sweep killed half-way through writing a page loses nothing', async () => {
    for (const page of [0, 1, 3]) {
      rig = await startSweepRig({ startMs: t0 });
      rig.emulator.generateSessions({ count: 900, seed: 30 + page, fromMs: t0 - 10 * DAY_MS, toMs: t0, openFraction: 0.05 });
      await expect(sweep({ source: rig.source(), store: storeDyingAt(rig.store, page), clock: rig.clock })).rejects.toThrow(KilledError);
      expect((await rig.store.loadSweepState(rig.source().scope))?.watermark ?? null).toBeNull();
      rig.clock.advance(HOUR_MS);
      expect((await rig.sweep()).complete).toBe(true);
      expect(await diffArchive(rig)).toEqual([]);
      await rig.close();
      rig = undefined;
    }
  });

  it('a sweep that runs out of time stops, checkpoints what it finished, and the next ones finish the rest', async () => {
    rig = await startSweepRig({ startMs: t0 });
    rig.emulator.generateSessions({ count: 3000, seed: 4, fromMs: t0 - 28 * DAY_MS, toMs: t0, openFraction: 0.01 });
    const budgetPages = 4;
    const summaries = [];
    for (let run = 0; run < 40; run++) {
      if (run > 0) rig.clock.advance(15 * 60_000);
      let pages = 0;
      const source = rig.source();
      const counting: SessionSource = {
        ...source,
        scope: source.scope,
        historyRetentionMs: source.historyRetentionMs,
        listActive: () => source.listActive(),
        listHistory: (query) => ({
          async *[Symbol.asyncIterator]() {
            for await (const page of source.listHistory(query)) {
              pages++;
              yield page;
            }
          },
        }),
        listHistoryPages: (query, token) => ({
          async *[Symbol.asyncIterator]() {
            for await (const page of source.listHistoryPages(query, token)) {
              pages++;
              yield page;
            }
          },
        }),
        sourceClockOffsetMs: () => source.sourceClockOffsetMs(),
      };
      // The time budget is spent after `budgetPages` History pages.
      const summary = await rig.sweep({ source: counting, remainingTimeMs: () => (pages >= budgetPages ? 0 : 60_000), reserveMs: 1 });
      summaries.push(summary);
      if (summary.complete) break;
    }
    expect(summaries[0]?.complete).toBe(false);
    expect(summaries[summaries.length - 1]?.complete).toBe(true);
    // Every invocation kept to its budget, and the backfill resumed rather than starting over.
    expect(summaries.every((summary) => summary.pagesFetched.history <= budgetPages)).toBe(true);
    expect(summaries.reduce((total, summary) => total + summary.pagesFetched.history, 0)).toBeLessThanOrEqual(Math.ceil(3000 / 200) + 2 * summaries.length);
    expect(await diffArchive(rig)).toEqual([]);
  });
});
