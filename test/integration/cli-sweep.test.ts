import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { startSsmEmulator, SystemClock, type SsmEmulator } from '../../local/ssm-emulator';
import { cleanEnv, runCli } from '../support/cli-process';

describe('session-archive sweep', () => {
  let emulator: SsmEmulator;
  let store: EmbeddedStore;

  beforeAll(async () => {
    emulator = await startSsmEmulator({ clock: new SystemClock() });
    emulator.generateSessions({ count: 450, seed: 3, fromMs: Date.now() - 20 * DAY_MS, toMs: Date.now() - DAY_MS, openFraction: 0 });
    store = await startEmbeddedStore();
  });
  afterAll(async () => {
    await emulator?.close();
    await store?.close();
  });

  it('creates the table, sweeps, prints a JSON summary; a second run writes nothing', async () => {
    const args = ['sweep', '--ssm-endpoint', emulator.endpoint, '--dynamodb-endpoint', store.endpoint, '--table', 'cli-archive', '--region', 'eu-west-1'];
    const first = await runCli(args, cleanEnv());
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ complete: true, sessionsSeen: 450, written: 450, unchanged: 0, gaps: [], accountId: '000000000000', region: 'eu-west-1' });
    expect(summary.pagesFetched).toEqual({ active: 1, history: 3, reconciliation: 0 });
    expect(typeof summary.watermark).toBe('string');

    const second = JSON.parse((await runCli(args, cleanEnv())).stdout) as Record<string, unknown>;
    expect(second).toMatchObject({ complete: true, written: 0 });
  });

  it('answers a missing table flag with exit 2 and a message naming it', async () => {
    const result = await runCli(['sweep', '--ssm-endpoint', emulator.endpoint], cleanEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--table is required');
  });

  it('answers an unreachable store with exit 1 and a message naming the cause', async () => {
    const result = await runCli(['sweep', '--ssm-endpoint', emulator.endpoint, '--dynamodb-endpoint', 'http://127.0.0.1:9', '--table', 'x'], cleanEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the endpoint \(ECONNREFUSED\)/);
  });
});
