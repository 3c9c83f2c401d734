import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { startAlibabaEmulator, SystemClock, type AlibabaEmulator } from '../../local/emulators/alibaba';
import { TEST_KEY } from '../support/alibaba';
import { cleanEnv, runCli } from '../support/cli-process';

const DAY = 86_400_000;

describe('session-archive sweep --source alibaba', () => {
  let emulator: AlibabaEmulator;
  let store: EmbeddedStore;

  beforeAll(async () => {
    emulator = await startAlibabaEmulator({ accessKeys: [TEST_KEY], clock: new SystemClock() });
    emulator.generateSessions({ count: 230, seed: 5, fromMs: Date.now() - 25 * DAY, toMs: Date.now() - 12 * DAY, regionId: 'ap-southeast-1' });
    store = await startEmbeddedStore();
  });
  afterAll(async () => {
    await emulator?.close();
    await store?.close();
  });

  const args = () => ['sweep', '--source', 'alibaba', '--endpoint', emulator.url, '--region', 'ap-southeast-1', '--account', 'intl', '--dynamodb-endpoint', store.endpoint, '--table', 'cli-alibaba'];
  const withKeys = () => ({ ...cleanEnv(), ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.accessKeySecret });

  it('sweeps with the key pair from the standard variables and prints the summary; a second run writes nothing', async () => {
    const first = await runCli(args(), withKeys());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ source: 'alibaba', accountId: 'intl', region: 'ap-southeast-1', complete: true, sessionsSeen: 230, written: 230, gaps: [] });
    expect(summary.sourceCalls).toBe(3);
    expect(first.stdout).not.toContain(TEST_KEY.accessKeySecret);
    const second = JSON.parse((await runCli(args(), withKeys())).stdout) as Record<string, unknown>;
    expect(second).toMatchObject({ complete: true, written: 0 });
  });

  it('names the missing variables, with exit 2', async () => {
    const result = await runCli(args(), { ...cleanEnv(), ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.accessKeyId });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('set ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  });

  it('refuses a region that is not Alibaba Cloud\'s, and a wrong secret with the code Alibaba gave', async () => {
    const region = await runCli([...args().slice(0, 6), 'eu_west', ...args().slice(7)], withKeys());
    expect(region.code).toBe(2);
    expect(region.stderr).toContain("--region must be an Alibaba Cloud region id such as cn-hangzhou, got 'eu_west'");
    const wrong = await runCli(args(), { ...withKeys(), ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('SignatureDoesNotMatch');
    expect(wrong.stderr).not.toContain('not-the-secret');
  });
});
