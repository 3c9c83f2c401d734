/**
 * Evidence in a folder: each key a file under the root (`/` separates folders). A file is written
 * to a temporary name, flushed, and then hard-linked to its key: the link fails when the key
 * exists, so an object is never overwritten, and a reader never sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, sep } from 'node:path';
import { EvidenceObjectExistsError, type EvidenceStore } from '../../core/evidence/ports';

const TEMPORARY = '.tmp-';
const SEGMENT = /^[A-Za-z0-9#._=+@-]+$/;

export class FolderEvidenceStore implements EvidenceStore {
  constructor(readonly root: string) {}

  async putObject(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const folder = path.slice(0, path.lastIndexOf(sep));
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const temporary = join(folder, `${TEMPORARY}${randomUUID()}`);
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
    } catch (error: unknown) {
      if ((error as { code?: unknown }).code === 'EEXIST') throw new EvidenceObjectExistsError(key);
      throw error;
    } finally {
      unlinkSync(temporary);
    }
  }

  async getObject(key: string): Promise<Uint8Array | undefined> {
    try {
      return readFileSync(this.pathOf(key));
    } catch (error: unknown) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async *listKeys(prefix: string): AsyncIterable<string> {
    const keys: string[] = [];
    const walk = (folder: string, keyPrefix: string): void => {
      let entries;
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch (error: unknown) {
        if ((error as { code?: unknown }).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const key = `${keyPrefix}${entry.name}`;
        if (entry.isDirectory()) walk(join(folder, entry.name), `${key}/`);
        else if (entry.isFile() && !entry.name.startsWith(TEMPORARY) && key.startsWith(prefix)) keys.push(key);
      }
    };
    walk(this.root, '');
    yield* keys.sort();
  }

  /** A key's file; keys that could leave the root (`..`, absolute, odd characters) are refused. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    if (segments.some((segment) => !SEGMENT.test(segment) || segment === '.' || segment === '..' || segment.startsWith(TEMPORARY))) {
      throw new RangeError(`evidence key ${JSON.stringify(key)} is not a safe path`);
    }
    return join(this.root, ...segments);
  }
}
