/**
 * dynalite in a process of its own, so that its CPU and memory are not the measured process's.
 * `node --import tsx bench/dynalite-process.ts [folder]`: in memory without a folder. Prints
 * `{"endpoint": "..."}` once listening; stops on SIGTERM (closing LevelDB cleanly).
 */
import { startEmbeddedStore } from '../local/embedded-store';

async function main(): Promise<void> {
  const path = process.argv[2];
  const store = await startEmbeddedStore(path === undefined ? {} : { path });
  process.stdout.write(`${JSON.stringify({ endpoint: store.endpoint })}\n`);
  process.once('SIGTERM', () => {
    void store.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`dynalite process failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
