/**
 * The local API (which serves the console) in a process of its own, so the browser bench measures
 * it without sharing an event loop with Playwright. `node --import tsx bench/api-process.ts
 * <dynamodb-endpoint> <table>` prints `{"url": "..."}` once listening; stops on SIGTERM.
 */
import { startApiService } from '../bin/commands/api';
import { BENCH_REGION } from './support';

async function main(): Promise<void> {
  const [endpoint, table] = process.argv.slice(2);
  if (endpoint === undefined || table === undefined) throw new Error('usage: api-process.ts <dynamodb-endpoint> <table>');
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const api = await startApiService({ table, dynamodbEndpoint: endpoint, port: 0, host: '127.0.0.1', region: BENCH_REGION });
  process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
  process.once('SIGTERM', () => {
    void api.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`api process failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
