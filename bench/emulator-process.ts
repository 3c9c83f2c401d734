/**
 * The SSM emulator in a process of its own, so that the sessions it holds in memory do not count
 * towards the sweeper's peak RSS. Its clock stands still at `--now` unless told to move, so a
 * run is seeded and repeatable and no session ends while a sweep is measured.
 *
 * `node --import tsx bench/emulator-process.ts --now MS --sessions N --seed S [--future-ms MS]`
 * With --future-ms, sessions keep arriving at the same rate for that long after `now` (each one
 * exists once the clock reaches its start), so advancing the clock gives a steady arrival rate.
 * Prints `{"endpoint": "...", "open": n, "ended": n}`, then answers one JSON line per stdin line:
 *   stats     → the emulator's request counts (DescribeSessions by State)
 *   reset     → zeroes them
 *   advance MS → moves the clock on
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ManualClock, startSsmEmulator } from '../local/ssm-emulator';
import { DAY_MS } from '../lambdas/core/shared/time';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { now: { type: 'string' }, sessions: { type: 'string' }, seed: { type: 'string', default: '1' }, 'future-ms': { type: 'string', default: '0' } },
  });
  const nowMs = Number(values.now);
  const count = Number(values.sessions);
  if (!Number.isFinite(nowMs) || !Number.isInteger(count)) throw new Error('--now and --sessions are required numbers');
  const clock = new ManualClock(nowMs);
  const emulator = await startSsmEmulator({ clock });
  const windowMs = 30 * DAY_MS;
  const futureMs = Number(values['future-ms']);
  // `count` sessions in the 30 days before `now`; as many more per 30 days after it.
  const total = Math.round(count * (1 + futureMs / windowMs));
  const sessions = emulator.generateSessions({ count: total, seed: Number(values.seed), fromMs: nowMs - windowMs, toMs: nowMs + futureMs });
  const open = sessions.filter((session) => emulator.stateOf(session) === 'Active').length;
  const ended = sessions.filter((session) => emulator.stateOf(session) === 'History').length;
  process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, open, ended })}\n`);

  createInterface({ input: process.stdin }).on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/);
    if (command === 'stats') process.stdout.write(`${JSON.stringify(emulator.stats)}\n`);
    else if (command === 'reset') {
      emulator.resetStats();
      process.stdout.write('{}\n');
    } else if (command === 'advance') {
      clock.advance(Number(argument));
      process.stdout.write(`${JSON.stringify({ now: clock.now() })}\n`);
    } else process.stdout.write(`${JSON.stringify({ error: `unknown command ${line}` })}\n`);
  });
  process.once('SIGTERM', () => {
    void emulator.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator process failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
