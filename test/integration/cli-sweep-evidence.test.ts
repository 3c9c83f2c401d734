/**
 * `session-archive sweep --evidence --evidence-key`: the one-off sweep keeps evidence as the
 * sweeper does, so `session-archive verify` holds for what it stored; without the flags it refuses
 * a table that keeps evidence for the target. The SSM and Alibaba emulators are the sources;
 * verify (its own process, through the local API) is the judge.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiService } from '../../bin/commands/api';
import { objectKey } from '../../lambdas/core/evidence/layout';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { startAlibabaEmulator, SystemClock as AlibabaClock, type AlibabaEmulator } from '../../local/emulators/alibaba';
import { startSsmEmulator, SystemClock, type SsmEmulator } from '../../local/ssm-emulator';
import { TEST_KEY } from '../support/alibaba';
import { cleanEnv, runCli } from '../support/cli-process';

const TABLE = 'cli-evidence';
const SSM_TARGET = 'ssm#000000000000#eu-west-1';

describe('session-archive sweep with evidence', () => {
  let ssm: SsmEmulator;
  let alibaba: AlibabaEmulator;
  let store: EmbeddedStore;
  let api: { url: string; close(): Promise<void> };
  let work: string;
  let evidenceDir: string;
  let keyFile: string;

  beforeAll(async () => {
    ssm = await startSsmEmulator({ clock: new SystemClock() });
    ssm.generateSessions({ count: 240, seed: 21, fromMs: Date.now() - 20 * DAY_MS, toMs: Date.now() - 2 * DAY_MS, openFraction: 0 });
    alibaba = await startAlibabaEmulator({ accessKeys: [TEST_KEY], clock: new AlibabaClock() });
    alibaba.generateSessions({ count: 60, seed: 22, fromMs: Date.now() - 10 * DAY_MS, toMs: Date.now() - 2 * DAY_MS, regionId: 'cn-hangzhou', openFraction: 0 });
    store = await startEmbeddedStore();
    work = mkdtempSync(join(tmpdir(), 'cli-evidence-'));
    evidenceDir = join(work, 'evidence');
    mkdirSync(evidenceDir);
    keyFile = join(work, 'evidence-key.pem');
  });
  afterAll(async () => {
    await api?.close();
    await ssm?.close();
    await alibaba?.close();
    await store?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const ssmSweep = (...extra: string[]) => runCli(['sweep', '--ssm-endpoint', ssm.endpoint, '--dynamodb-endpoint', store.endpoint, '--table', TABLE, '--region', 'eu-west-1', ...extra]);
  const withEvidence = () => ['--evidence', evidenceDir, '--evidence-key', keyFile];
  const verify = async () => {
    api ??= await startApiService({ table: TABLE, dynamodbEndpoint: store.endpoint, port: 0, host: '127.0.0.1', region: 'eu-west-1' });
    return runCli(['verify', '--evidence', evidenceDir, '--api', api.url, '--json']);
  };

  it('creates the key, seals what it stored in a signed object, and verify holds', async () => {
    const first = await ssmSweep(...withEvidence());
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^created the evidence key .*evidence-key\.pem \(key id local-[0-9a-f]{16}\)/);
    expect(JSON.parse(first.stdout)).toMatchObject({ complete: true, written: 240 });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(evidenceDir, objectKey('', SSM_TARGET, 1)))).toBe(true);

    const result = await verify();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, records: 240, evidenceStates: 240, findings: [] });
  });

  it('refuses to sweep that table without evidence, storing nothing; with it, verify still holds', async () => {
    // Sessions opened since: Active, so the next sweep stores each.
    ssm.generateSessions({ count: 30, seed: 23, fromMs: Date.now() - DAY_MS / 24, toMs: Date.now(), openFraction: 1 });
    const refused = await ssmSweep();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the table ${TABLE} keeps evidence for ${SSM_TARGET} (its chain is at object 1): pass --evidence and --evidence-key`);
    expect((await verify()).code).toBe(0);

    const second = await ssmSweep(...withEvidence());
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout)).toMatchObject({ complete: true, written: 30 });
    const result = await verify();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, records: 270, findings: [] });
  });

  it('keeps evidence of an Alibaba Cloud sweep in the same chain store, signed by the same key', async () => {
    const env = { ...cleanEnv(), ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.accessKeySecret };
    const swept = await runCli(['sweep', '--source', 'alibaba', '--endpoint', alibaba.url, '--region', 'cn-hangzhou', '--account', 'prod-cn', '--dynamodb-endpoint', store.endpoint, '--table', TABLE, ...withEvidence()], env);
    expect(swept.code).toBe(0);
    expect(JSON.parse(swept.stdout)).toMatchObject({ complete: true, written: 60 });
    expect(readdirSync(join(evidenceDir, 'alibaba#prod-cn#cn-hangzhou'))).toEqual([basename(objectKey('', 'alibaba#prod-cn#cn-hangzhou', 1))]);
    const result = await verify();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, records: 330, findings: [] });
  });

  it('answers incomplete or bad evidence flags with exit 2 naming them', async () => {
    const cases: Array<[string[], string]> = [
      [['--evidence', evidenceDir], '--evidence needs --evidence-key'],
      [['--evidence-key', keyFile], '--evidence-key goes with --evidence'],
      [['--evidence', join(work, 'nowhere'), '--evidence-key', keyFile], `--evidence ${join(work, 'nowhere')} is not a folder`],
      [['--evidence', evidenceDir, '--evidence-key', 'arn:aws:kms:eu-west-1:key'], "--evidence-key must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or a PEM file, got 'arn:aws:kms:eu-west-1:key'"],
      [['--evidence', evidenceDir, '--evidence-key', join(work, 'evidence')], `--evidence-key ${join(work, 'evidence')}:`],
    ];
    for (const [flags, message] of cases) {
      const result = await ssmSweep(...flags);
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
