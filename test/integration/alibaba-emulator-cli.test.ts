/** `session-archive alibaba-emulator` as a user runs it: serves the official SDK, never prints the secret, refuses bad flags clearly. */
import { describe, expect, it } from 'vitest';
import { parseAlibabaEmulatorArgs } from '../../bin/commands/alibaba-emulator';
import { CliUsageError } from '../../bin/commands/cli-support';
import { describeSessions, emulatorEcsClient } from '../../local/emulators/alibaba/clients';
import { cleanEnv, runCli, startCli } from '../support/cli-process';

const KEY_ID = 'LTAI5tCliTestKey';
const SECRET = 'cli-test-secret-never-printed';

describe('session-archive alibaba-emulator', () => {
  it('serves generated sessions to the official SDK until SIGTERM, without printing the secret', async () => {
    const running = startCli(['alibaba-emulator', '--port', '0', '--sessions', '120', '--seed', '3', '--access-key-id', KEY_ID, '--order', 'shuffled'], cleanEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }));
    try {
      const [, endpoint] = await running.waitForOutput(/endpoint '([\d.]+:\d+)'/);
      await running.waitForOutput(/120 sessions generated/);
      const client = emulatorEcsClient(endpoint ?? '', { accessKeyId: KEY_ID, accessKeySecret: SECRET });
      const response = await describeSessions(client, { regionId: 'cn-hangzhou', maxResults: 100 });
      expect(response.body?.sessions?.session).toHaveLength(100);
      const refused = await describeSessions(emulatorEcsClient(endpoint ?? '', { accessKeyId: KEY_ID, accessKeySecret: 'wrong' }), { regionId: 'cn-hangzhou' }).catch((error: { code?: string }) => error.code);
      expect(refused).toBe('SignatureDoesNotMatch');
    } finally {
      running.child.kill('SIGTERM');
    }
    const exit = await running.exited;
    expect(exit.code).toBe(0);
    expect(running.stdout()).toContain('Alibaba ECS emulator stopped');
    expect(running.stdout()).toContain(KEY_ID);
    expect(running.stdout() + running.stderr()).not.toContain(SECRET);
  });

  it('--help documents the command and its settings', async () => {
    const result = await runCli(['alibaba-emulator', '--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const flag of ['--port', '--sessions', '--seed', '--access-key-id', '--access-key-secret', '--order', '--clock-offset', '--throttle-rate', '--error-rate', '--drop-rate', '--latency-ms']) expect(result.stdout).toContain(flag);
    expect((await runCli(['--help'])).stdout).toContain('alibaba-emulator');
  });

  it('refuses a bad flag with exit code 2 and a message naming it, never echoing the secret', async () => {
    const result = await runCli(['alibaba-emulator', '--access-key-id', KEY_ID, '--access-key-secret', SECRET, '--order', 'random']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--order must be newest, oldest, shuffled, scattered, got 'random'");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it.each([
    [['--access-key-secret', SECRET], /--access-key-id/],
    [['--access-key-id', KEY_ID], /--access-key-secret/],
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--sessions', 'many'], /--sessions/],
    [['--throttle-rate', '0.7', '--error-rate', '0.5'], /must not exceed 1/],
    [['--region', 'mars-1'], /--region must be an Alibaba Cloud region/],
    [['--clock-offset', 'soon'], /--clock-offset/],
  ])('refuses %j', (args, message) => {
    const withKeys = args.includes('--access-key-id') || args.includes('--access-key-secret') ? args : ['--access-key-id', KEY_ID, '--access-key-secret', SECRET, ...args];
    expect(() => parseAlibabaEmulatorArgs(withKeys, {})).toThrow(CliUsageError);
    expect(() => parseAlibabaEmulatorArgs(withKeys, {})).toThrow(message);
  });

  it('takes the key pair from the standard variables and the settings from flags', () => {
    const parsed = parseAlibabaEmulatorArgs(['--order', 'oldest', '--clock-offset', '-90', '--token-ttl', '60', '--record-cap', '500', '--drop-rate', '0.1'], { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET });
    expect(parsed).not.toBe('help');
    if (parsed === 'help') return;
    expect(parsed.emulator).toMatchObject({ accessKeys: [{ accessKeyId: KEY_ID, accessKeySecret: SECRET }], order: 'oldest', clockOffsetMs: -90_000, nextTokenTtlMs: 60_000, recordCap: 500, faults: { dropRate: 0.1 } });
    expect(parsed.sessions).toBe(1000);
  });
});
