/**
 * `npm start -- --alibaba`: the local stack with the Alibaba emulator beside SSM. Its targets are
 * swept on the interval and their sessions answer the query API with `source=alibaba`, Alibaba's
 * fields included; the archive holds every session the emulator showed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../lambdas/core/session/session';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { parseLocalArgs } from '../../bin/commands/local';

describe('the local stack with --alibaba', () => {
  let stack: LocalStack | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'session-archive-alibaba-'));
  afterAll(async () => {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('parses the flags and refuses regions that are not Alibaba Cloud\'s', () => {
    expect(parseLocalArgs(['--alibaba'])).toMatchObject({ alibaba: { regions: ['cn-hangzhou', 'ap-southeast-1'] } });
    expect(parseLocalArgs(['--alibaba', '--alibaba-regions', 'cn-shanghai'])).toMatchObject({ alibaba: { regions: ['cn-shanghai'] } });
    expect(() => parseLocalArgs(['--alibaba-regions', 'cn-shanghai'])).toThrow('--alibaba-regions goes with --alibaba');
    expect(() => parseLocalArgs(['--alibaba', '--alibaba-regions', 'cn_shanghai'])).toThrow("got 'cn_shanghai'");
  });

  it('sweeps the Alibaba targets and serves their sessions with source=alibaba', async () => {
    const lines: string[] = [];
    let sweepLine: (line: string) => void = () => undefined;
    const firstSweep = new Promise<string>((resolve) => (sweepLine = resolve));
    stack = await startLocalStack({
      dataDir,
      apiPort: 0,
      ssmPort: 0,
      sweepIntervalMs: 60_000,
      sessions: 200,
      seed: 3,
      tableName: 'session-archive',
      alibaba: { regions: ['cn-hangzhou', 'ap-southeast-1'], sessions: 300 },
      print: (line) => {
        lines.push(line);
        if (line.startsWith('sweep 1 ')) sweepLine(line);
      },
    });
    expect(stack.alibaba?.targets).toEqual(['alibaba#local#cn-hangzhou', 'alibaba#local#ap-southeast-1']);
    const line = await firstSweep;
    expect(line).toMatch(/alibaba#local#cn-hangzhou: \d+ calls, \d+ written/);
    expect(line).toMatch(/alibaba#local#ap-southeast-1: \d+ calls, \d+ written/);
    const response = await fetch(`${stack.apiUrl}/sessions?source=alibaba&region=ap-southeast-1&limit=1000`);
    expect(response.status).toBe(200);
    const { sessions } = (await response.json()) as { sessions: SessionRecord[] };
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) expect(session).toMatchObject({ source: 'alibaba', accountId: 'local', region: 'ap-southeast-1' });
    expect(sessions.some((session) => (session.connections?.length ?? 0) > 0 && session.clientIp !== undefined)).toBe(true);
    const coverage = (await (await fetch(`${stack.apiUrl}/coverage?source=alibaba`)).json()) as { sources: { region: string }[] };
    expect(coverage.sources.map((entry) => entry.region).sort()).toEqual(['ap-southeast-1', 'cn-hangzhou']);
    expect(lines.join('\n')).not.toMatch(/accessKeySecret|LTAI[0-9a-f]{20}/);
  });
});
