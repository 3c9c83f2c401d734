/**
 * Seeded fault injection seen through the real SDK: throttling and server errors surface as
 * the named exceptions, dropped connections as network errors, and the SDK's default
 * retries get through them.
 */
import {
  DescribeSessionsCommand,
  GetConnectionStatusCommand,
  SSMServiceException,
  paginateDescribeSessions,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FaultInjector,
  ManualClock,
  startSsmEmulator,
  type FaultSettings,
  type InjectedFailure,
  type SsmEmulator,
} from '../../local/ssm-emulator';
import { emulatorSsmClient } from '../../local/ssm-emulator/clients';

const NOW = Date.UTC(2024, 7, 29, 12, 0, 0);
const DAY = 86_400_000;

const emulators: SsmEmulator[] = [];
async function emulatorWithFaults(faults: FaultSettings | undefined): Promise<SsmEmulator> {
  const emulator = await startSsmEmulator({ clock: new ManualClock(NOW), faults });
  emulators.push(emulator);
  emulator.generateSessions({ count: 600, seed: 11, fromMs: NOW - 20 * DAY, toMs: NOW });
  return emulator;
}
afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

type Outcome = 'ok' | InjectedFailure;

/** First seed whose fault sequence starts with the given outcomes, so a test can rely on them. */
function seedStartingWith(settings: Omit<FaultSettings, 'seed'>, expected: readonly Outcome[]): number {
  for (let seed = 1; seed < 10_000; seed += 1) {
    const injector = new FaultInjector({ ...settings, seed });
    const outcomes = expected.map(() => injector.decide('DescribeSessions').failure ?? 'ok');
    if (outcomes.every((outcome, index) => outcome === expected[index])) return seed;
  }
  throw new Error('no seed found');
}

async function outcomeOf(client: SSMClient): Promise<string> {
  try {
    await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 5 }));
    return 'ok';
  } catch (error) {
    if (error instanceof SSMServiceException) return error.name;
    return `network:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

describe('fault injection', () => {
  it('throttles with ThrottlingException (400, "Rate exceeded")', async () => {
    const emulator = await emulatorWithFaults({ throttleRate: 1 });
    const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 });
    const error = await client.send(new DescribeSessionsCommand({ State: 'History' })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SSMServiceException);
    const serviceError = error as SSMServiceException;
    expect(serviceError.name).toBe('ThrottlingException');
    expect(serviceError.message).toBe('Rate exceeded');
    expect(serviceError.$metadata.httpStatusCode).toBe(400);
    expect(serviceError.$fault).toBe('client');
    expect(emulator.stats.faultsInjected).toBe(1);
    expect(emulator.stats.describeByState.History).toBe(0);
  });

  it('fails with InternalServerError (500)', async () => {
    const emulator = await emulatorWithFaults({ errorRate: 1 });
    const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 });
    const error = (await client.send(new DescribeSessionsCommand({ State: 'History' })).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as SSMServiceException;
    expect(error).toBeInstanceOf(SSMServiceException);
    expect(error.name).toBe('InternalServerError');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$fault).toBe('server');
  });

  it('drops the connection without a response, which the SDK reports as a network error', async () => {
    const emulator = await emulatorWithFaults({ dropRate: 1 });
    const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 });
    const error = await client.send(new DescribeSessionsCommand({ State: 'History' })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SSMServiceException);
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect((error as Error & { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(1);
    expect(emulator.stats.faultsInjected).toBe(1);
  });

  it.each(['drop', 'throttle', 'error'] as const)('lets the default SDK retries get through a %s', async (failure) => {
    const settings: Omit<FaultSettings, 'seed'> = { dropRate: 0.2, throttleRate: 0.2, errorRate: 0.2 };
    const seed = seedStartingWith(settings, [failure, 'ok']);
    const emulator = await emulatorWithFaults({ ...settings, seed });
    const client = emulatorSsmClient(emulator.endpoint); // SDK default: 3 attempts
    const page = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 10 }));
    expect(page.Sessions).toHaveLength(10);
    expect(page.$metadata.attempts).toBe(2);
    expect(emulator.stats.faultsInjected).toBe(1);
    expect(emulator.stats.byOperation.DescribeSessions).toBe(2);
    expect(emulator.stats.describeByState.History).toBe(1);
  });

  it('is reproducible: the same seed gives the same faults for the same requests', async () => {
    const settings: FaultSettings = { seed: 99, dropRate: 0.2, throttleRate: 0.2, errorRate: 0.2 };
    const sequences: string[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const emulator = await emulatorWithFaults(settings);
      const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 });
      const outcomes: string[] = [];
      for (let request = 0; request < 30; request += 1) outcomes.push(await outcomeOf(client));
      sequences.push(outcomes);
      expect(emulator.stats.faultsInjected).toBe(outcomes.filter((outcome) => outcome !== 'ok').length);
    }
    expect(sequences[0]).toEqual(sequences[1]);
    expect(new Set(sequences[0])).toEqual(new Set(['ok', 'ThrottlingException', 'InternalServerError', 'network:ECONNRESET']));
  });

  it('limits faults to the listed operations, and setFaults(undefined) turns them off', async () => {
    const emulator = await emulatorWithFaults({ throttleRate: 1, operations: ['DescribeSessions'] });
    const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 });
    const status = await client.send(new GetConnectionStatusCommand({ Target: 'i-0123456789abcdef0' }));
    expect(status.Status).toBe('connected');
    expect(await outcomeOf(client)).toBe('ThrottlingException');
    emulator.setFaults(undefined);
    expect(await outcomeOf(client)).toBe('ok');
    expect(emulator.stats.faultsInjected).toBe(1);
  });

  it('adds latency without failing the request, and counts it', async () => {
    const emulator = await emulatorWithFaults({ latencyRate: 1, latencyMs: 20 });
    const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 });
    expect(await outcomeOf(client)).toBe('ok');
    expect(emulator.stats.faultsInjected).toBe(1);
  });

  it('rejects impossible fault settings', async () => {
    const emulator = await emulatorWithFaults(undefined);
    expect(() => emulator.setFaults({ throttleRate: 1.5 })).toThrow(/throttleRate/);
    expect(() => emulator.setFaults({ throttleRate: 0.6, errorRate: 0.6 })).toThrow(/must not exceed 1/);
  });

  it('a paginated backfill with default retries returns every session exactly once despite faults', async () => {
    const emulator = await emulatorWithFaults({ seed: 5, throttleRate: 0.05, errorRate: 0.05, dropRate: 0.05 });
    const client = emulatorSsmClient(emulator.endpoint, { maxAttempts: 6 });
    const ids: string[] = [];
    for await (const page of paginateDescribeSessions({ client, pageSize: 50 }, { State: 'History' })) {
      ids.push(...(page.Sessions ?? []).map((session) => session.SessionId as string));
    }
    const expected = emulator
      .allSessions()
      .filter((session) => emulator.stateOf(session) === 'History')
      .map((session) => session.sessionId);
    expect(ids).toEqual(expected);
    expect(emulator.stats.faultsInjected).toBeGreaterThan(0);
  });
});
