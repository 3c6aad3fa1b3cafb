// The segment being appended to, open twice: once plainly and once with O_DSYNC. A synced
// append with nothing unsynced before it is then one write that returns once durable — one
// trip to the thread pool instead of two (write, then fdatasync) — measured 0.1 ms faster and
// a third less CPU per append. O_DSYNC makes only the written range durable, so after an
// unsynced append the next synced one writes plainly and calls fdatasync.
//
// The callback forms of fs are used, not FileHandle: a FileHandle write costs about twice
// the main-thread CPU of fs.write on this path. An unsynced append of at most
// INLINE_WRITE_BYTES_MAX is written synchronously: it only copies into the page cache, a few
// microseconds, far less than a round trip through the thread pool.

import fs, { constants } from 'node:fs';

const INLINE_WRITE_BYTES_MAX = 64 * 1024;

function openDescriptor(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, flags, (error, fd) => (error === null ? resolve(fd) : reject(error))));
}

function closeDescriptor(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (error) => (error === null ? resolve() : reject(error))));
}

function writeDescriptor(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, bytes, offset, length, position, (error, written) => (error === null ? resolve(written) : reject(error))));
}

export interface AppendFile {
  /** Writes all of `bytes` at `position`; on stable storage when it resolves if `durable`. */
  write(bytes: Uint8Array, position: number, durable: boolean): Promise<void>;
  /** fdatasync: everything written so far is on stable storage. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export class SegmentFile implements AppendFile {
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly syncFd: number,
  ) {}

  static async open(path: string): Promise<SegmentFile> {
    const fd = await openDescriptor(path, constants.O_RDWR);
    try {
      return new SegmentFile(fd, await openDescriptor(path, constants.O_RDWR | constants.O_DSYNC));
    } catch (error) {
      await closeDescriptor(fd);
      throw error;
    }
  }

  async write(bytes: Uint8Array, position: number, durable: boolean): Promise<void> {
    let done = 0;
    if (!durable && bytes.length <= INLINE_WRITE_BYTES_MAX) {
      while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, position + done);
      return;
    }
    const fd = durable ? this.syncFd : this.fd;
    while (done < bytes.length) done += await writeDescriptor(fd, bytes, done, bytes.length - done, position + done);
  }

  datasync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (error) => (error === null ? resolve() : reject(error))));
  }

  /** Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeDescriptor(this.fd);
    await closeDescriptor(this.syncFd);
  }
}
