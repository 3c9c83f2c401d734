/**
 * `npm run soak`: the long soak. 60+ simulated days, at least 20,000 sessions, random faults
 * and killed sweeps; exits non-zero if the archive differs from the ground truth.
 * Options: --days N (default 60), --sessions N (default 20000), --seed N (default 1).
 */
import { parseArgs } from 'node:util';
import { runSoak } from '../test/support/soak';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { days: { type: 'string' }, sessions: { type: 'string' }, seed: { type: 'string' } } });
  const options = { days: Number(values.days ?? 60), sessions: Number(values.sessions ?? 20_000), seed: Number(values.seed ?? 1) };
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  }
  const report = await runSoak({ ...options, onProgress: (line) => process.stderr.write(`${line}\n`) });
  const { problems, ...numbers } = report;
  process.stdout.write(`${JSON.stringify({ ...numbers, problems: problems.length }, null, 2)}\n`);
  if (problems.length > 0) {
    process.stderr.write(`archive differs from the ground truth:\n${problems.slice(0, 50).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
