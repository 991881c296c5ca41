/**
 * File contents on disk, named by their SHA-256: `files/ab/abcdef…` under the data folder. A blob is written to a
 * temporary file, fsynced, renamed into place and its folder fsynced, so a blob that exists under its name is
 * complete and durable; the same content is written once however many messages carry it.
 */
import {createHash, randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {mkdir, open, rename, rm} from 'node:fs/promises';
import {join} from 'node:path';

export class BlobFolder {
  constructor(private readonly root: string) {
    mkdirSync(root, {recursive: true, mode: 0o700});
  }

  /** The SHA-256 (hex) of `content`. */
  static hash(content: Buffer): string {
    return createHash('sha256').update(content).digest('hex');
  }

  #path(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Stores `content` durably (off the main thread) unless it is there already; returns its SHA-256. */
  async put(content: Buffer): Promise<string> {
    const sha256 = BlobFolder.hash(content);
    const path = this.#path(sha256);
    if (existsSync(path)) return sha256;
    const folder = join(this.root, sha256.slice(0, 2));
    await mkdir(folder, {recursive: true, mode: 0o700});
    const temporary = join(folder, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(content);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, {force: true});
      throw error;
    }
    const directory = await open(folder, 'r');
    try {
      await directory.sync(); // the rename itself survives a power loss
    } finally {
      await directory.close();
    }
    return sha256;
  }

  /** The content of a blob, or undefined when it is missing. */
  read(sha256: string): Buffer | undefined {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    try {
      return readFileSync(this.#path(sha256));
    } catch {
      return undefined;
    }
  }
}

/** Blobs of an in-memory store (tests): kept in a map. */
export class MemoryBlobs {
  readonly #blobs = new Map<string, Buffer>();

  async put(content: Buffer): Promise<string> {
    const sha256 = BlobFolder.hash(content);
    this.#blobs.set(sha256, Buffer.from(content));
    return sha256;
  }

  read(sha256: string): Buffer | undefined {
    return this.#blobs.get(sha256);
  }
}
