/**
 * DescribeSessions pagination through the real SDK: keyset order with no duplicates or
 * gaps, exact call counts for a backfill when filters apply before MaxResults, and short
 * or empty pages that still carry NextToken when they apply after it.
 */
import { DescribeSessionsCommand, paginateDescribeSessions, type SessionFilter, type SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, startSsmEmulator, type EmulatedSession, type EmulatorOptions, type SsmEmulator } from '../../local/ssm-emulator';
import { emulatorSsmClient } from '../../local/ssm-emulator/clients';

const NOW = Date.UTC(2024, 7, 29, 12, 0, 0);
const DAY = 86_400_000;

const emulators: SsmEmulator[] = [];
async function emulatorWith(options: EmulatorOptions = {}): Promise<{ emulator: SsmEmulator; clock: ManualClock; client: SSMClient }> {
  const clock = new ManualClock(NOW);
  const emulator = await startSsmEmulator({ clock, ...options });
  emulators.push(emulator);
  return { emulator, clock, client: emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 }) };
}
afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

/** `count` ended sessions, one minute apart, all inside the retention window. */
function endedSessions(count: number, prefix = 'user'): EmulatedSession[] {
  return Array.from({ length: count }, (_, index) => ({
    sessionId: `${prefix}-${index.toString(16).padStart(17, '0')}`,
    target: index % 10 === 0 ? 'i-0rare000000000000' : 'i-0common0000000000',
    owner: 'arn:aws:iam::123456789012:user/auditor',
    accessType: 'Standard' as const,
    startMs: NOW - DAY - index * 60_000,
    endMs: NOW - DAY - index * 60_000 + 30_000,
    endStatus: 'Terminated' as const,
  }));
}

interface PageSummary {
  ids: string[];
  nextToken: string | undefined;
}

/** Follows NextToken by hand so every page (size, token) can be inspected. */
async function allPages(client: SSMClient, state: 'Active' | 'History', filters?: SessionFilter[], maxResults?: number): Promise<PageSummary[]> {
  const pages: PageSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeSessionsCommand({ State: state, Filters: filters, MaxResults: maxResults, NextToken: nextToken }));
    pages.push({ ids: (page.Sessions ?? []).map((session) => session.SessionId as string), nextToken: page.NextToken });
    nextToken = page.NextToken;
  } while (nextToken);
  return pages;
}

function groundTruthIds(emulator: SsmEmulator, state: 'Active' | 'History', keep: (session: EmulatedSession) => boolean = () => true): string[] {
  return emulator
    .allSessions()
    .filter((session) => emulator.stateOf(session) === state && keep(session))
    .map((session) => session.sessionId);
}

describe('filters before MaxResults (default)', () => {
  it.each([
    [1000, 5],
    [1001, 6],
    [200, 1],
    [0, 1],
  ])('backfills %i History sessions in exactly %i calls', async (count, expectedCalls) => {
    const { emulator, client } = await emulatorWith();
    emulator.addSessions(endedSessions(count));
    const pages = await allPages(client, 'History');
    expect(emulator.stats.describeByState.History).toBe(expectedCalls);
    expect(pages).toHaveLength(expectedCalls);
    expect(pages.at(-1)?.nextToken).toBeUndefined();
    expect(pages.slice(0, -1).every((page) => page.ids.length === 200 && page.nextToken !== undefined)).toBe(true);
    const ids = pages.flatMap((page) => page.ids);
    expect(ids).toEqual(groundTruthIds(emulator, 'History'));
    expect(new Set(ids).size).toBe(count);
  });

  it('returns full pages of filtered results and no token on the last one', async () => {
    const { emulator, client } = await emulatorWith();
    emulator.addSessions(endedSessions(1000));
    const pages = await allPages(client, 'History', [{ key: 'Target', value: 'i-0rare000000000000' }], 40);
    expect(pages.map((page) => page.ids.length)).toEqual([40, 40, 20]);
    expect(pages.at(-1)?.nextToken).toBeUndefined();
    expect(pages.flatMap((page) => page.ids)).toEqual(groundTruthIds(emulator, 'History', (session) => session.target === 'i-0rare000000000000'));
  });

  it('uses 200 when MaxResults is absent', async () => {
    const { emulator, client } = await emulatorWith();
    emulator.addSessions(endedSessions(250));
    const page = await client.send(new DescribeSessionsCommand({ State: 'History' }));
    expect(page.Sessions).toHaveLength(200);
    expect(page.NextToken).toBeDefined();
  });

  it('paginateDescribeSessions returns every visible session exactly once, for both states and any page size', async () => {
    const { emulator, clock, client } = await emulatorWith();
    emulator.generateSessions({ count: 3000, seed: 42, fromMs: NOW - 40 * DAY, toMs: NOW, openFraction: 0.1 });
    clock.advance(DAY / 2);
    for (const state of ['Active', 'History'] as const) {
      for (const pageSize of [1, 37, 200]) {
        if (pageSize === 1 && state === 'History') continue; // thousands of calls for nothing new
        const ids: string[] = [];
        for await (const page of paginateDescribeSessions({ client, pageSize }, { State: state })) {
          ids.push(...(page.Sessions ?? []).map((session) => session.SessionId as string));
        }
        const expected = groundTruthIds(emulator, state);
        expect(expected.length).toBeGreaterThan(50);
        expect(ids).toEqual(expected);
      }
    }
  });

  it('has no duplicates or gaps while sessions are added during the pagination', async () => {
    const { emulator, client } = await emulatorWith();
    emulator.addSessions(endedSessions(1000));
    const original = groundTruthIds(emulator, 'History');
    const seen: string[] = [];
    let nextToken: string | undefined;
    let round = 0;
    do {
      const page = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 150, NextToken: nextToken }));
      seen.push(...(page.Sessions ?? []).map((session) => session.SessionId as string));
      nextToken = page.NextToken;
      round += 1;
      if (!nextToken) break;
      // Between pages, newer sessions (before the cursor) and older ones (after it) arrive.
      const newer = endedSessions(3, `newer${round}`).map((session) => ({ ...session, startMs: NOW - 60_000 - round, endMs: NOW - 30_000 }));
      const older = endedSessions(2, `older${round}`).map((session) => ({ ...session, startMs: NOW - 20 * DAY - round, endMs: NOW - 19 * DAY }));
      emulator.addSessions([...newer, ...older]);
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => original.includes(id))).toEqual(original);
    // Older arrivals land after the cursor, so every one of them is picked up.
    const olderArrivals = emulator.allSessions().filter((session) => session.sessionId.startsWith('older'));
    expect(olderArrivals).toHaveLength(2 * (round - 1));
    expect(olderArrivals.every((session) => seen.includes(session.sessionId))).toBe(true);
    expect(seen.some((id) => id.startsWith('newer'))).toBe(false);
  });

  it('keeps a session that ends mid-pagination out of Active pages already past it, and shows it in History', async () => {
    const { emulator, clock, client } = await emulatorWith();
    const open = endedSessions(5, 'open').map((session) => ({ ...session, endMs: null }));
    emulator.addSessions(open);
    const first = await client.send(new DescribeSessionsCommand({ State: 'Active', MaxResults: 2 }));
    expect(first.Sessions?.map((session) => session.SessionId)).toEqual([open[0]?.sessionId, open[1]?.sessionId]);
    emulator.terminate(open[3]?.sessionId as string);
    clock.advance(1);
    const rest = await client.send(new DescribeSessionsCommand({ State: 'Active', NextToken: first.NextToken }));
    expect(rest.Sessions?.map((session) => session.SessionId)).toEqual([open[2]?.sessionId, open[4]?.sessionId]);
    const history = await client.send(new DescribeSessionsCommand({ State: 'History' }));
    expect(history.Sessions?.map((session) => session.SessionId)).toEqual([open[3]?.sessionId]);
  });

  it('narrows with InvokedAfter/InvokedBefore over a large set by binary search, and pages within the slice', async () => {
    const { emulator, client } = await emulatorWith();
    emulator.generateSessions({ count: 20_000, seed: 7, fromMs: NOW - 30 * DAY, toMs: NOW });
    const from = NOW - 10 * DAY;
    const to = NOW - 9 * DAY;
    const filters: SessionFilter[] = [
      { key: 'InvokedAfter', value: new Date(from).toISOString() },
      { key: 'InvokedBefore', value: new Date(to).toISOString() },
    ];
    const pages = await allPages(client, 'History', filters);
    const expected = groundTruthIds(emulator, 'History', (session) => session.startMs >= from && session.startMs < to);
    expect(expected.length).toBeGreaterThan(400);
    expect(pages).toHaveLength(Math.ceil(expected.length / 200));
    expect(pages.flatMap((page) => page.ids)).toEqual(expected);
  });
});

describe('filters after MaxResults (filtersAfterMaxResults: true)', () => {
  it('gives short and empty pages that still carry NextToken, and following them returns everything', async () => {
    const { emulator, client } = await emulatorWith({ filtersAfterMaxResults: true });
    const sessions = endedSessions(1000);
    // Only the 20 oldest sessions match, so the first pages are empty.
    for (const session of sessions.slice(-20)) session.owner = 'arn:aws:iam::123456789012:user/rare';
    emulator.addSessions(sessions);
    const filters: SessionFilter[] = [{ key: 'Owner', value: 'arn:aws:iam::123456789012:user/rare' }];
    const pages = await allPages(client, 'History', filters, 100);
    expect(pages).toHaveLength(10);
    expect(pages.slice(0, 9).every((page) => page.ids.length === 0 && page.nextToken !== undefined)).toBe(true);
    expect(pages.at(-1)).toEqual({ ids: sessions.slice(-20).map((session) => session.sessionId), nextToken: undefined });
  });

  it('pages short by the share of filtered-out raw items', async () => {
    const { emulator, client } = await emulatorWith({ filtersAfterMaxResults: true });
    emulator.addSessions(endedSessions(1000));
    const pages = await allPages(client, 'History', [{ key: 'Target', value: 'i-0rare000000000000' }]);
    expect(pages.map((page) => page.ids.length)).toEqual([20, 20, 20, 20, 20]);
    expect(pages.slice(0, -1).every((page) => page.nextToken !== undefined)).toBe(true);
    expect(pages.flatMap((page) => page.ids)).toEqual(groundTruthIds(emulator, 'History', (session) => session.target === 'i-0rare000000000000'));
  });

  it('applies time filters after MaxResults too, and paginateDescribeSessions still gets everything', async () => {
    const { emulator, client } = await emulatorWith({ filtersAfterMaxResults: true });
    emulator.generateSessions({ count: 2000, seed: 3, fromMs: NOW - 30 * DAY, toMs: NOW });
    const from = NOW - 20 * DAY;
    const to = NOW - 19 * DAY;
    const filters: SessionFilter[] = [
      { key: 'InvokedAfter', value: new Date(from).toISOString() },
      { key: 'InvokedBefore', value: new Date(to).toISOString() },
    ];
    const pageSizes: number[] = [];
    const ids: string[] = [];
    for await (const page of paginateDescribeSessions({ client, pageSize: 200 }, { State: 'History', Filters: filters })) {
      pageSizes.push(page.Sessions?.length ?? 0);
      ids.push(...(page.Sessions ?? []).map((session) => session.SessionId as string));
    }
    expect(pageSizes.filter((size) => size === 0).length).toBeGreaterThan(0);
    expect(pageSizes.length).toBe(Math.ceil(groundTruthIds(emulator, 'History').length / 200));
    expect(ids).toEqual(groundTruthIds(emulator, 'History', (session) => session.startMs >= from && session.startMs < to));
  });
});
