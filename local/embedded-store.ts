/**
 * The embedded DynamoDB-compatible store: dynalite on 127.0.0.1, in memory or persisted in a
 * folder. It lacks TransactWriteItems and TTL; the archive depends on neither.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

// dynalite ships no types; this is the part of its API we use.
type DynaliteFactory = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;

export interface EmbeddedStore {
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface EmbeddedStoreOptions {
  /** A folder to persist into; in memory when absent. */
  path?: string;
  port?: number;
  host?: string;
}

export async function startEmbeddedStore(options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // dynalite closes its LevelDB when the server closes, so data on disk is consistent.
        server.close((error) => (error ? reject(error) : resolve()));
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
