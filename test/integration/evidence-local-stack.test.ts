/**
 * The local stack keeps evidence in its data folder: the key file created on first start (owner
 * only) and kept across restarts, a chain of signed objects under `<data-dir>/evidence/`, and the
 * query API serving each record's evidence hash and sequence, which the chain confirms.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scopeKey, type SessionRecord } from '../../lambdas/core/session/session';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { chainProblems, readTarget, stateHash, statesInChain } from '../support/evidence-chain';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function allSessions(apiUrl: string): Promise<SessionRecord[]> {
  const sessions: SessionRecord[] = [];
  let token: string | undefined;
  do {
    const response = await fetch(`${apiUrl}/sessions?limit=1000${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { sessions: SessionRecord[]; nextToken?: string };
    sessions.push(...page.sessions);
    token = page.nextToken;
  } while (token);
  return sessions;
}

describe('the local stack writes evidence to its data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evidence-stack-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = async (lines: string[]): Promise<LocalStack> => {
    const stack = await startLocalStack({ dataDir, apiPort: 0, ssmPort: 0, sweepIntervalMs: 600_000, sessions: 400, seed: 5, tableName: 'session-archive', print: (line) => lines.push(line) });
    while (!lines.some((line) => line.startsWith('sweep 1 '))) await sleep(50);
    return stack;
  };

  it('signs a chain the API records point into, with the same key after a restart', async () => {
    const lines: string[] = [];
    const stack = await start(lines);
    const target = scopeKey(stack.scope);
    try {
      expect(lines.find((line) => line.startsWith('sweep 1 '))).toMatch(/complete/);
      expect(stack.evidenceDir).toBe(join(dataDir, 'evidence'));
      expect(statSync(join(dataDir, 'evidence-key.pem')).mode & 0o777).toBe(0o600);
      expect(chainProblems(stack.evidenceDir, target)).toEqual([]);
      const objects = readTarget(stack.evidenceDir, target);
      expect(objects).toHaveLength(1);
      expect(objects[0].header.keyId).toBe(stack.evidenceKeyId);

      const sessions = await allSessions(stack.apiUrl);
      expect(sessions.length).toBeGreaterThan(100);
      const chain = statesInChain(stack.evidenceDir, target);
      for (const session of sessions) {
        expect(session.evidenceHash).toBe(stateHash(session));
        expect(chain.get(`${session.sessionId}#${stateHash(session)}`)).toBe(session.evidenceSequence);
      }
    } finally {
      await stack.close();
    }

    const again: string[] = [];
    const restarted = await start(again);
    try {
      expect(restarted.evidenceKeyId).toBe(stack.evidenceKeyId);
      expect(chainProblems(restarted.evidenceDir, target)).toEqual([]);
    } finally {
      await restarted.close();
    }
  });
});
