// Each member publishes the free space of its data directory's file system in the model,
// under `\0vstor/node/<name>/capacity`, for placement to compare members. It publishes at
// start and then checks every intervalMs, writing only when free space moved by more than
// 1% of the total since it last wrote, so an idle cluster adds no entries to the log.

import { statfs } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SystemModel } from './system-model.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const CAPACITY_RECORD_FORMAT = 1;

export interface CapacityRecord {
  freeBytes: number;
  totalBytes: number;
  /** When it was measured, ms since the epoch. */
  atMs: number;
}

export function capacityKey(memberName: string): Uint8Array {
  return encoder.encode(`\u0000vstor/node/${memberName}/capacity`);
}

export function encodeCapacityRecord(record: CapacityRecord): Uint8Array {
  return encoder.encode(JSON.stringify({ format: CAPACITY_RECORD_FORMAT, ...record }));
}

/** The record, or undefined if it cannot be read (placement then counts no free bytes). */
export function decodeCapacityRecord(bytes: Uint8Array): CapacityRecord | undefined {
  try {
    const document = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
    const { format, freeBytes, totalBytes, atMs } = document;
    if (format !== CAPACITY_RECORD_FORMAT) return undefined;
    for (const value of [freeBytes, totalBytes, atMs]) if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return undefined;
    return { freeBytes: freeBytes as number, totalBytes: totalBytes as number, atMs: atMs as number };
  } catch {
    return undefined;
  }
}

/** Free and total bytes of the file system holding `directory`, for an unprivileged user. */
export async function measureCapacity(directory: string): Promise<{ freeBytes: number; totalBytes: number }> {
  const stats = await statfs(directory);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}

export interface CapacityPublisherOptions {
  model: SystemModel;
  memberName: string;
  directory: string;
  /** How often to measure. */
  intervalMs: number;
  /** Until the first write succeeds, it is retried this often (there may be no leader yet). */
  retryIntervalMs: number;
  logger: Logger;
  /** For tests: how to measure. Default: statfs of `directory`. */
  measure?: (directory: string) => Promise<{ freeBytes: number; totalBytes: number }>;
}

export class CapacityPublisher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private published: CapacityRecord | undefined;
  private closed = false;

  constructor(private readonly options: CapacityPublisherOptions) {}

  start(): void {
    if (this.closed || this.timer !== undefined) return;
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Measures now and writes if it changed enough (or never was written). */
  async publish(): Promise<void> {
    const { freeBytes, totalBytes } = await (this.options.measure ?? measureCapacity)(this.options.directory);
    const last = this.published;
    if (last !== undefined && Math.abs(last.freeBytes - freeBytes) <= totalBytes / 100 && last.totalBytes === totalBytes) return;
    const record: CapacityRecord = { freeBytes, totalBytes, atMs: Date.now() };
    await this.options.model.writeSystem({ type: 'put', key: capacityKey(this.options.memberName), value: encodeCapacityRecord(record) });
    this.published = record;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.publish().then(
        () => this.schedule(this.options.intervalMs),
        (error: unknown) => {
          this.options.logger.debug({ error: String(error) }, 'publishing this member\'s free space failed; retrying');
          this.schedule(this.published === undefined ? this.options.retryIntervalMs : this.options.intervalMs);
        },
      );
    }, delayMs);
  }
}
