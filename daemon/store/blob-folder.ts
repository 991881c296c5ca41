/**
 * File contents on disk, named by their SHA-256: `files/ab/abcdef…` under the data folder. A blob is written to a
 * temporary file, fsynced, renamed into place and its folder fsynced, so a blob that exists under its name is
 * complete and durable; the same content is written once however many messages carry it. Blobs received from
 * another realm arrive in chunks (`incoming()`): streamed to a temporary file, hashed on the way, then moved into
 * place the same way, so memory stays bounded whatever the file's size.
 */
import {createHash, randomBytes, type Hash} from 'node:crypto';
import {
  close, closeSync, existsSync, fsync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeSync,
} from 'node:fs';
import {mkdir, open, rename, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {promisify} from 'node:util';
import type {IncomingBlob} from './types.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What the store needs of a blob folder (on disk, or in memory for tests). */
export interface Blobs {
  /** Stores `content` durably unless it is there already; returns its SHA-256. */
  put(content: Buffer, sha256?: string): Promise<string>;
  /** The content of a blob, or undefined when it is missing. */
  read(sha256: string): Buffer | undefined;
  /** At most `length` bytes of a blob from `offset`, or undefined when it is missing. */
  readRange(sha256: string, offset: number, length: number): Buffer | undefined;
  /** A blob being received in chunks. */
  incoming(): IncomingBlob;
  /** Deletes a blob (no error when it is missing). */
  remove(sha256: string): void;
  /** Every blob's SHA-256, and removes temporary files a crash left behind (start-up only). */
  sweepList(): string[];
}

export class BlobFolder implements Blobs {
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

  #temporary(folder: string, sha256: string): string {
    return join(folder, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
  }

  /** Stores `content` durably (off the main thread) unless it is there already; returns its SHA-256. */
  async put(content: Buffer, sha256 = BlobFolder.hash(content)): Promise<string> {
    const path = this.#path(sha256);
    if (existsSync(path)) return sha256;
    const folder = join(this.root, sha256.slice(0, 2));
    await mkdir(folder, {recursive: true, mode: 0o700});
    const temporary = this.#temporary(folder, sha256);
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
    await syncFolder(folder); // the rename itself survives a power loss
    return sha256;
  }

  read(sha256: string): Buffer | undefined {
    if (!SHA256_HEX.test(sha256)) return undefined;
    try {
      return readFileSync(this.#path(sha256));
    } catch {
      return undefined;
    }
  }

  readRange(sha256: string, offset: number, length: number): Buffer | undefined {
    if (!SHA256_HEX.test(sha256)) return undefined;
    let fd: number;
    try {
      fd = openSync(this.#path(sha256), 'r');
    } catch {
      return undefined;
    }
    try {
      const buffer = Buffer.alloc(length);
      const read = readSync(fd, buffer, 0, length, offset);
      return buffer.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * A blob received in chunks: written synchronously (a link handles its frames in order, one at a time; each write
   * only reaches the page cache) to a temporary file in the blob root, hashed as it comes, and moved into place by
   * `finish` once complete. `finish` runs its fsyncs and the rename off the main thread (libuv's pool): the fsync of
   * an 8 MiB blob held the event loop for 17 to 63 ms here, every connection of the daemon waiting. The link waits
   * for it before it stores the message, so the blob is still durable before the message row commits.
   */
  incoming(): IncomingBlob {
    const temporary = this.#temporary(this.root, 'incoming');
    const fd = openSync(temporary, 'wx', 0o600);
    const hash: Hash = createHash('sha256');
    let bytes = 0;
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    };
    return {
      get bytes() {
        return bytes;
      },
      append: (data) => {
        writeSync(fd, data);
        hash.update(data);
        bytes += data.length;
      },
      finish: async (sha256) => {
        if (hash.digest('hex') !== sha256) {
          close();
          rmSync(temporary, {force: true});
          return false;
        }
        open = false; // closed below, once synced; a discard now has nothing left to close
        try {
          await fsyncFd(fd);
        } finally {
          await closeFd(fd);
        }
        const folder = join(this.root, sha256.slice(0, 2));
        try {
          await mkdir(folder, {recursive: true, mode: 0o700});
          await rename(temporary, this.#path(sha256)); // same content if it was there already
        } catch (error) {
          await rm(temporary, {force: true});
          throw error;
        }
        await syncFolder(folder); // the rename itself survives a power loss
        return true;
      },
      discard: () => {
        close();
        rmSync(temporary, {force: true});
      },
    };
  }

  remove(sha256: string): void {
    if (SHA256_HEX.test(sha256)) rmSync(this.#path(sha256), {force: true});
  }

  sweepList(): string[] {
    const blobs: string[] = [];
    for (const entry of readdirSync(this.root, {withFileTypes: true})) {
      const path = join(this.root, entry.name);
      if (entry.isFile()) {
        if (entry.name.endsWith('.tmp')) rmSync(path, {force: true});
        continue;
      }
      if (!entry.isDirectory()) continue;
      for (const name of readdirSync(path)) {
        if (name.endsWith('.tmp')) rmSync(join(path, name), {force: true});
        else if (SHA256_HEX.test(name)) blobs.push(name);
      }
    }
    return blobs;
  }
}

const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

/** fsyncs a folder, so a rename into it is durable. */
async function syncFolder(folder: string): Promise<void> {
  const directory = await open(folder, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Blobs of an in-memory store (tests): kept in a map. */
export class MemoryBlobs implements Blobs {
  readonly #blobs = new Map<string, Buffer>();

  async put(content: Buffer, sha256 = BlobFolder.hash(content)): Promise<string> {
    this.#blobs.set(sha256, Buffer.from(content));
    return sha256;
  }

  read(sha256: string): Buffer | undefined {
    return this.#blobs.get(sha256);
  }

  readRange(sha256: string, offset: number, length: number): Buffer | undefined {
    return this.#blobs.get(sha256)?.subarray(offset, offset + length);
  }

  incoming(): IncomingBlob {
    const parts: Buffer[] = [];
    let bytes = 0;
    return {
      get bytes() {
        return bytes;
      },
      append: (data) => {
        parts.push(Buffer.from(data));
        bytes += data.length;
      },
      finish: (sha256) => {
        const content = Buffer.concat(parts);
        if (BlobFolder.hash(content) !== sha256) return false;
        this.#blobs.set(sha256, content);
        return true;
      },
      discard: () => {
        parts.length = 0;
      },
    };
  }

  remove(sha256: string): void {
    this.#blobs.delete(sha256);
  }

  sweepList(): string[] {
    return [...this.#blobs.keys()];
  }
}
