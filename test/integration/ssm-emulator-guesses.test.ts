/**
 * Every guess about SSM is an emulator setting, set at start or switched while it runs, seen
 * through the real AWS SDK v3 over HTTP: visibility lag, clock offset (and the Date header the
 * SDK takes its clock from), unstable pages, where Failed and Terminating sessions are listed,
 * NextToken lifetime, filters after MaxResults, retention. Also the emulator's own record of
 * what it showed, and `visibleAt`, which the soak takes its ground truth from.
 */
import { DescribeSessionsCommand, paginateDescribeSessions, SSMServiceException, type Session, type SSMClient } from '@aws-sdk/client-ssm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, startSsmEmulator, type EmulatedSession, type EmulatorOptions, type SsmEmulator } from '../../local/ssm-emulator';
import { emulatorSsmClient, rawSsmCall } from '../../local/ssm-emulator/clients';
import { testProcessEnv } from '../support/cli-process';
import { AWS_CLI, describeWithAwsCli } from '../support/aws-cli';


const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const opened: Array<{ emulator: SsmEmulator; client: SSMClient }> = [];
afterEach(async () => {
  for (const { emulator, client } of opened.splice(0)) {
    client.destroy();
    await emulator.close();
  }
});

async function emulatorWith(options: EmulatorOptions = {}): Promise<{ emulator: SsmEmulator; clock: ManualClock; client: SSMClient }> {
  const clock = new ManualClock(T0);
  const emulator = await startSsmEmulator({ clock, ...options });
  const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 });
  opened.push({ emulator, client });
  return { emulator, clock, client };
}

function session(sessionId: string, startMs: number, endMs: number | null, overrides: Partial<EmulatedSession> = {}): EmulatedSession {
  return { sessionId, target: 'i-0aaaaaaaaaaaaaaaa', owner: 'arn:aws:iam::123456789012:user/alice', accessType: 'Standard', startMs, endMs, endStatus: 'Terminated', ...overrides };
}

async function listAll(client: SSMClient, state: 'Active' | 'History', pageSize = 200): Promise<Session[]> {
  const sessions: Session[] = [];
  for await (const page of paginateDescribeSessions({ client, pageSize }, { State: state, MaxResults: pageSize })) sessions.push(...(page.Sessions ?? []));
  return sessions;
}

const ids = (sessions: readonly { SessionId?: string }[]): string[] => sessions.map((s) => s.SessionId ?? '?');

describe('visibility lag', () => {
  it('shows a session in Active `lag` after it starts and in History `lag` after it ends, in neither list meanwhile', async () => {
    const lag = 10 * MINUTE;
    const { emulator, clock, client } = await emulatorWith({ visibilityLagMs: lag });
    emulator.addSessions([session('s1', T0, T0 + HOUR)]);

    clock.set(T0 + lag - 1);
    expect(await listAll(client, 'Active')).toEqual([]);
    clock.set(T0 + lag);
    expect(ids(await listAll(client, 'Active'))).toEqual(['s1']);
    clock.set(T0 + HOUR);
    expect(await listAll(client, 'Active')).toEqual([]);
    expect(await listAll(client, 'History')).toEqual([]);
    clock.set(T0 + HOUR + lag - 1);
    expect(await listAll(client, 'History')).toEqual([]);
    clock.set(T0 + HOUR + lag);
    expect(await listAll(client, 'History')).toMatchObject([{ SessionId: 's1', Status: 'Terminated' }]);
  });

  it('shows a Failed session that was never Active in History only `lag` after it failed', async () => {
    const { emulator, clock, client } = await emulatorWith({ visibilityLagMs: 5 * MINUTE });
    const failed = session('failed', T0, T0 + SECOND, { endStatus: 'Failed' });
    emulator.addSessions([failed]);
    for (const at of [T0, T0 + 2 * MINUTE, T0 + 5 * MINUTE]) {
      clock.set(at);
      expect(await listAll(client, 'Active')).toEqual([]);
      expect(await listAll(client, 'History')).toEqual([]);
    }
    expect(emulator.everInHistory(failed)).toBe(false);
    clock.set(T0 + SECOND + 5 * MINUTE);
    expect(await listAll(client, 'History')).toMatchObject([{ SessionId: 'failed', Status: 'Failed' }]);
    expect(emulator.everInHistory(failed)).toBe(true);
  });

  it('can be switched on while running', async () => {
    const { emulator, clock, client } = await emulatorWith();
    emulator.addSessions([session('fresh', T0 - MINUTE, null)]);
    expect(ids(await listAll(client, 'Active'))).toEqual(['fresh']);
    emulator.setGuesses({ visibilityLagMs: 2 * MINUTE });
    expect(await listAll(client, 'Active')).toEqual([]);
    clock.advance(MINUTE);
    expect(ids(await listAll(client, 'Active'))).toEqual(['fresh']);
  });
});

describe('clock offset', () => {
  it.each([20 * MINUTE, -6 * MINUTE])('runs SSM %d ms off the host: listing, the Date header and the SDK clock offset follow', async (offset) => {
    const { emulator, clock, client } = await emulatorWith({ clockOffsetMs: offset });
    // Sessions carry SSM's timestamps: one starts just before SSM's now, one just after.
    emulator.addSessions([session('started', T0 + offset - SECOND, null), session('not-yet', T0 + offset + SECOND, null)]);
    expect(emulator.ssmNow()).toBe(T0 + offset);

    const before = Date.now();
    const answer = await client.send(new DescribeSessionsCommand({ State: 'Active' }));
    expect(ids(answer.Sessions ?? [])).toEqual(['started']);
    // The SDK sets systemClockOffset to (Date header - its own Date.now()) after each response.
    const expectedOffset = T0 + offset - before;
    expect(client.config.systemClockOffset).toBeGreaterThan(expectedOffset - 2 * SECOND - (Date.now() - before));
    expect(client.config.systemClockOffset).toBeLessThanOrEqual(expectedOffset + SECOND);

    const raw = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: { State: 'Active' } });
    expect(raw.headers.get('date')).toBe(new Date(T0 + offset).toUTCString());
    clock.advance(2 * SECOND);
    expect(ids(await listAll(client, 'Active'))).toEqual(['not-yet', 'started']);
  });

  it('puts SSM time on error answers too, and can be changed while running', async () => {
    const { emulator } = await emulatorWith({ clockOffsetMs: -HOUR });
    const bad = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: { State: 'Sideways' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('date')).toBe(new Date(T0 - HOUR).toUTCString());
    emulator.setGuesses({ clockOffsetMs: 90 * SECOND });
    const good = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: { State: 'Active' } });
    expect(good.headers.get('date')).toBe(new Date(T0 + 90 * SECOND).toUTCString());
  });
});

describe('unstable pages', () => {
  /** 30 sessions in History; while a listing runs, one more ends between every two pages. */
  async function listWhileChanging(options: EmulatorOptions): Promise<{ listed: string[]; emulator: SsmEmulator }> {
    const { emulator, clock, client } = await emulatorWith(options);
    const ended = Array.from({ length: 30 }, (_, i) => session(`h${String(i).padStart(2, '0')}`, T0 - DAY + i * MINUTE, T0 - HOUR));
    const ending = Array.from({ length: 10 }, (_, i) => session(`e${i}`, T0 - 2 * DAY, T0 + (i + 1) * SECOND));
    emulator.addSessions([...ended, ...ending]);
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 5, NextToken: token }));
      listed.push(...ids(page.Sessions ?? []));
      token = page.NextToken;
      clock.advance(SECOND);
    } while (token);
    return { listed, emulator };
  }

  it('skip or repeat sessions at page boundaries while sessions end, reproducibly for a seed', async () => {
    const first = await listWhileChanging({ unstablePageRate: 1, unstablePageSeed: 7 });
    const again = await listWhileChanging({ unstablePageRate: 1, unstablePageSeed: 7 });
    expect(again.listed).toEqual(first.listed);
    const { skipped, repeated } = first.emulator.stats.unstablePages;
    expect(skipped + repeated).toBeGreaterThan(0);
    const distinct = new Set(first.listed);
    // Repeats show up as duplicates; skips as sessions that ended before the listing but are missing.
    expect(first.listed.length - distinct.size > 0 || [...Array(30).keys()].some((i) => !distinct.has(`h${String(i).padStart(2, '0')}`))).toBe(true);
  });

  it('are stable at rate 0, and stable at any rate while nothing changes', async () => {
    const calm = await listWhileChanging({ unstablePageRate: 0 });
    expect(calm.emulator.stats.unstablePages).toEqual({ skipped: 0, repeated: 0 });
    expect(new Set(calm.listed).size).toBe(calm.listed.length);

    const { emulator, client } = await emulatorWith({ unstablePageRate: 1 });
    emulator.addSessions(Array.from({ length: 23 }, (_, i) => session(`s${String(i).padStart(2, '0')}`, T0 - DAY + i * MINUTE, T0 - HOUR)));
    const listed = ids(await listAll(client, 'History', 5));
    expect(listed).toHaveLength(23);
    expect(new Set(listed).size).toBe(23);
    expect(emulator.stats.unstablePages).toEqual({ skipped: 0, repeated: 0 });
  });
});

describe('run-time switches of the older guesses', () => {
  it('failedIn and terminatingIn move sessions between the lists', async () => {
    const { emulator, clock, client } = await emulatorWith();
    emulator.addSessions([
      session('failed', T0 - HOUR, T0 - HOUR + SECOND, { endStatus: 'Failed' }),
      session('closing', T0 - HOUR, T0 + MINUTE, { terminatingMs: 2 * MINUTE }),
    ]);
    expect(await listAll(client, 'History')).toMatchObject([{ SessionId: 'failed', Status: 'Failed' }]);
    expect(await listAll(client, 'Active')).toMatchObject([{ SessionId: 'closing', Status: 'Terminating' }]);
    emulator.setGuesses({ failedIn: 'Active', terminatingIn: 'History' });
    expect(await listAll(client, 'History')).toMatchObject([{ SessionId: 'closing', Status: 'Terminating' }]);
    expect(await listAll(client, 'Active')).toMatchObject([{ SessionId: 'failed', Status: 'Failed' }]);
    clock.advance(MINUTE);
    expect(await listAll(client, 'History')).toMatchObject([{ SessionId: 'closing', Status: 'Terminated' }]);
  });

  it('a shorter token TTL applies to tokens already issued', async () => {
    const { emulator, clock, client } = await emulatorWith();
    emulator.addSessions(Array.from({ length: 3 }, (_, i) => session(`s${i}`, T0 - HOUR - i * MINUTE, T0 - MINUTE)));
    const first = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 1 }));
    emulator.setGuesses({ nextTokenTtlMs: 30 * SECOND });
    clock.advance(31 * SECOND);
    const error = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 1, NextToken: first.NextToken })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSMServiceException);
    expect((error as SSMServiceException).name).toBe('InvalidNextToken');
    expect((error as SSMServiceException).message).toContain('expired');
  });

  it('filtersAfterMaxResults and retentionFrom switch while running', async () => {
    const { emulator, client } = await emulatorWith();
    emulator.addSessions([session('new', T0 - HOUR, T0 - MINUTE, { target: 'i-0bbbbbbbbbbbbbbbb' }), session('old', T0 - 2 * HOUR, T0 - MINUTE)]);
    const filtered = { State: 'History' as const, MaxResults: 1, Filters: [{ key: 'Target' as const, value: 'i-0aaaaaaaaaaaaaaaa' }] };
    expect(ids((await client.send(new DescribeSessionsCommand(filtered))).Sessions ?? [])).toEqual(['old']);
    emulator.setGuesses({ filtersAfterMaxResults: true });
    const short = await client.send(new DescribeSessionsCommand(filtered));
    expect(short.Sessions).toEqual([]);
    expect(short.NextToken).toBeDefined();

    emulator.addSessions([session('marathon', T0 - 31 * DAY, T0 - HOUR)]);
    expect(ids(await listAll(client, 'History'))).toEqual(['new', 'old']);
    emulator.setGuesses({ retentionFrom: 'EndDate' });
    expect(ids(await listAll(client, 'History'))).toEqual(['new', 'old', 'marathon']);
  });

  it('refuses a bad value with a message naming it, and keeps the old settings', async () => {
    const { emulator } = await emulatorWith({ visibilityLagMs: MINUTE });
    expect(() => emulator.setGuesses({ unstablePageRate: 2 })).toThrow('unstablePageRate must be between 0 and 1, got 2');
    expect(() => emulator.setGuesses({ visibilityLagMs: -1 })).toThrow('visibilityLagMs must be >= 0');
    expect(() => emulator.setGuesses({ failedIn: 'Nowhere' as 'Active' })).toThrow('failedIn must be History or Active');
    expect(emulator.guesses).toMatchObject({ visibilityLagMs: MINUTE, unstablePageRate: 0, failedIn: 'History' });
    await expect(startSsmEmulator({ clockOffsetMs: Number.NaN })).rejects.toThrow('clockOffsetMs must be a finite number');
  });
});

describeWithAwsCli('from the AWS CLI', () => {
  it('a lagging, clock-shifted emulator lists what it should', async () => {
    const { emulator } = await emulatorWith({ visibilityLagMs: 5 * MINUTE, clockOffsetMs: -6 * MINUTE });
    const now = emulator.ssmNow();
    emulator.addSessions([session('shown', now - HOUR, now - 10 * MINUTE), session('lagging', now - HOUR, now - 2 * MINUTE)]);
    const env = testProcessEnv({ AWS_ACCESS_KEY_ID: 'AKIACLITEST000000000', AWS_SECRET_ACCESS_KEY: 'cli-test-secret', AWS_PAGER: '' });
    const { stdout } = await promisify(execFile)(AWS_CLI, ['ssm', 'describe-sessions', '--state', 'History', '--endpoint-url', emulator.endpoint, '--region', 'us-east-1', '--output', 'json'], { env });
    expect(ids((JSON.parse(stdout) as { Sessions: { SessionId: string }[] }).Sessions)).toEqual(['shown']);
  });
});

describe('the same request over raw HTTP', () => {
  it('a lagging, clock-shifted emulator lists what it should, and dates its answer in its own time', async () => {
    const { emulator } = await emulatorWith({ visibilityLagMs: 5 * MINUTE, clockOffsetMs: -6 * MINUTE });
    const now = emulator.ssmNow();
    emulator.addSessions([session('shown', now - HOUR, now - 10 * MINUTE), session('lagging', now - HOUR, now - 2 * MINUTE)]);
    const response = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: { State: 'History' } });
    expect(response.headers.get('date')).toBe(new Date(now).toUTCString());
    expect(ids(response.json?.Sessions as { SessionId: string }[])).toEqual(['shown']);
  });
});

describe('what the emulator showed', () => {
  it('records every session of every page with the State, the exact shape returned and when', async () => {
    const { emulator, clock, client } = await emulatorWith({ clockOffsetMs: MINUTE });
    emulator.addSessions([session('open', T0 - HOUR, T0 + HOUR), session('done', T0 - 2 * HOUR, T0 - HOUR)]);
    const active = await listAll(client, 'Active');
    clock.set(T0 + 2 * HOUR);
    const history = await listAll(client, 'History', 1);

    expect(ids(active)).toEqual(['open']);
    expect(ids(history)).toEqual(['open', 'done']);
    const log = emulator.shown.log();
    expect(log.map((entry) => [entry.state, entry.session.SessionId, entry.atMs])).toEqual([
      ['Active', 'open', T0 + MINUTE],
      ['History', 'open', T0 + 2 * HOUR + MINUTE],
      ['History', 'done', T0 + 2 * HOUR + MINUTE],
    ]);
    // The recorded shape is what went over the wire, as the SDK parsed it.
    expect(log[1]?.session).toMatchObject({ SessionId: 'open', Status: 'Terminated', StartDate: (T0 - HOUR) / 1000, EndDate: (T0 + HOUR) / 1000 });
    expect(history[0]?.EndDate?.getTime()).toBe(T0 + HOUR);
    expect(emulator.shown.summary('Active', 'open')).toMatchObject({ times: 1, last: { Status: 'Connected' } });
    expect(emulator.shown.summary('History', 'open')).toMatchObject({ times: 1, last: { Status: 'Terminated' } });

    emulator.shown.keepLog(false);
    await listAll(client, 'History');
    expect(emulator.shown.log()).toEqual([]);
    expect(emulator.shown.summary('History', 'done')?.times).toBe(2);
  });

  it('visibleAt gives what a complete listing would return at an instant, under the current settings', async () => {
    const { emulator, client } = await emulatorWith({ visibilityLagMs: 5 * MINUTE });
    emulator.addSessions([session('lagging', T0 - 2 * MINUTE, T0 - MINUTE), session('shown', T0 - HOUR, T0 - 30 * MINUTE), session('open', T0 - HOUR, null)]);
    const now = emulator.ssmNow();
    expect(emulator.visibleAt('History', now).map((s) => s.SessionId)).toEqual(ids(await listAll(client, 'History')));
    expect(emulator.visibleAt('History', now).map((s) => s.SessionId)).toEqual(['shown']);
    expect(emulator.visibleAt('History', now + 4 * MINUTE).map((s) => s.SessionId)).toEqual(['lagging', 'shown']);
    expect(emulator.visibleAt('Active', now)).toMatchObject([{ SessionId: 'open', Status: 'Connected' }]);
    emulator.setGuesses({ visibilityLagMs: 0 });
    expect(emulator.visibleAt('History', now).map((s) => s.SessionId)).toEqual(['lagging', 'shown']);
  });
});
