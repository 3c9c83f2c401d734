/**
 * `--out` files. An export holds the archive's data, so the file is created new, readable by its
 * owner only (0600), and never through a symbolic link: an existing file or link at the name is
 * refused (exit 2) rather than overwritten or followed. The data goes to `<name>.partial` (created
 * the same way) and is linked into place only when complete: the file is written whole or not at
 * all, and a file that appears at the name meanwhile is still not replaced.
 */
import { createWriteStream, fchmodSync, linkSync, lstatSync, openSync, renameSync, rmSync, unlinkSync, type WriteStream } from 'node:fs';
import { CliUsageError } from './cli-support';

export const OUT_FILE_MODE = 0o600;

export interface OutputFile {
  readonly stream: WriteStream;
  /** Flushes, closes and moves the file into place. */
  commit(): Promise<void>;
  /** Removes the partial file. */
  abandon(): void;
}

/** Refuses (exit 2) when anything exists at `path`: a file, a directory or a link, dangling or not. */
export function assertNothingAt(path: string, flag = '--out'): void {
  let kind: string | undefined;
  try {
    const stats = lstatSync(path);
    kind = stats.isSymbolicLink() ? 'a symbolic link' : stats.isDirectory() ? 'a directory' : 'a file';
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  throw new CliUsageError(`${flag} ${path} already exists (${kind}); exports never overwrite or follow one: choose a new file name or remove it`);
}

export function createOutputFile(path: string): OutputFile {
  assertNothingAt(path);
  const partial = `${path}.partial`;
  let fd: number;
  try {
    // O_CREAT|O_EXCL: fails on any existing entry, a symbolic link included, without following it.
    fd = openSync(partial, 'wx', OUT_FILE_MODE);
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliUsageError(`${partial} already exists (left by an interrupted export?); remove it or choose another --out`);
    }
    throw error;
  }
  // The umask can only take bits away; this makes the mode exactly 0600 whatever it is.
  fchmodSync(fd, OUT_FILE_MODE);
  const stream = createWriteStream(partial, { fd, autoClose: true });
  return {
    stream,
    commit: async () => {
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      });
      moveIntoPlace(partial, path);
    },
    abandon: () => {
      stream.destroy();
      rmSync(partial, { force: true });
    },
  };
}

/** link() fails if the name exists (rename() would replace it); filesystems without links fall back to a checked rename. */
function moveIntoPlace(partial: string, path: string): void {
  try {
    linkSync(partial, path);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      rmSync(partial, { force: true });
      throw new CliUsageError(`--out ${path} was created by someone else while exporting; it was left alone and the export discarded`);
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
    assertNothingAt(path);
    renameSync(partial, path);
    return;
  }
  unlinkSync(partial);
}
