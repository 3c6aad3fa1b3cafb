// Shared by the NBD server tests: a server on 127.0.0.1 (an OS-chosen free port) over a
// fresh block-store backend, with its log lines captured, torn down after the test; and a
// runner for the real clients (nbdinfo, qemu-io, qemu-img, nbdcopy) as child processes.
// The server lives in the test's own event loop, so clients must run asynchronously: a
// synchronous spawn would block the server it talks to.
import type { ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NbdLimits } from '../../daemon/nbd/limits.ts';
import { NbdServer } from '../../daemon/nbd/server.ts';
import type { NbdLogger } from '../../daemon/nbd/stats.ts';
import type { BlockStoreBackend } from './block-store-backend.ts';
import { openTestBackend } from './block-store-backend.ts';

/** A client process gets this long before it is killed and the test fails. */
const CLIENT_TIMEOUT_MS = 60_000;

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

export interface ServerFixture {
  server: NbdServer;
  backend: BlockStoreBackend;
  port: number;
  logs: LogEntry[];
  uri(exportName?: string): string;
}

export async function startServer(t: ExecutionContext, limits: Partial<NbdLimits> = {}): Promise<ServerFixture> {
  const { backend, dispose } = await openTestBackend();
  const logs: LogEntry[] = [];
  const record = (level: LogEntry['level']) => (fields: object, message: string): void => {
    logs.push({ level, message, fields: fields as Record<string, unknown> });
  };
  const logger: NbdLogger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const server = new NbdServer({ backend, logger, ...limits });
  const { port } = await server.start('127.0.0.1', 0);
  t.teardown(async () => {
    backend.gate?.release();
    await server.close();
    await dispose();
  });
  return { server, backend, port, logs, uri: (exportName = '') => `nbd://127.0.0.1:${port}/${exportName}` };
}

export async function tempDirectory(t: ExecutionContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'vstor-nbd-files-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

export interface RunResult {
  /** The exit status; null if the process was killed (a timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client to completion, bounded by a timeout; never rejects on a failing exit. */
export function run(file: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: CLIENT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A failure message with what the client printed. */
export function describe(result: RunResult): string {
  return `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

/** Deterministic bytes that are not all one value, so misplaced data shows. */
export function pseudoRandomBytes(lengthBytes: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < lengthBytes; index++) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/**
 * Undefined when the arrays are equal, else where they first differ. ava's deepEqual walks
 * typed arrays element by element and takes minutes on megabytes, so byte checks use this.
 */
export function firstDifference(actual: Uint8Array, expected: Uint8Array): string | undefined {
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected)) return undefined;
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  const index = actual.findIndex((byte, position) => byte !== expected[position]);
  return `byte ${index} is 0x${actual[index]!.toString(16)}, expected 0x${expected[index]!.toString(16)}`;
}

/** Polls until the condition holds; throws after timeoutMs (a bound, not a measurement). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
