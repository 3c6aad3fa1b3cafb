// The owner's periodic scrub (issue 4: reclaim blocks nothing can read, verify checksums):
// every intervalMs it scrubs each vDisk this member owns, one after the other, with the
// engine's Scrubber (storage-engine/vdisk/scrubber.ts). Progress is the scrubber's running
// counts, which the daemon exports as vstor_vdisk_scrub_* metrics.
//
// The live epochs are read afresh at the start of every pass, not once per vDisk: a pass
// runs under the engine's per-vDisk lock, and a snapshot takes that lock while it moves
// the head, so a pass never deletes a version that a snapshot taken since the scrub
// started still reads. A vDisk deleted meanwhile ends its scrub at the next pass, and so
// does closing the loop.

import type { Logger } from 'pino';
import type { BlockStore, VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import type { ScrubReport } from '../../storage-engine/vdisk/scrubber.ts';
import { Scrubber } from '../../storage-engine/vdisk/scrubber.ts';

export interface LiveState {
  layout: VDiskLayout;
  liveEpochs: readonly number[];
}

class LiveScrubber extends Scrubber {
  stopped = false;

  constructor(store: BlockStore, rowsPerPassMax: number, private readonly live: (vdiskId: number) => LiveState | undefined) {
    super(store, { rowsPerPassMax });
  }

  protected override async pass(vdisk: VDiskLayout, _sortedEpochs: readonly number[], firstBlockIndex: number, endBlockIndex: number, report: ScrubReport): Promise<number> {
    const state = this.stopped ? undefined : this.live(vdisk.id);
    if (state === undefined) return endBlockIndex;
    const sorted = [...new Set([...state.liveEpochs, ...state.layout.snapshotEpochs])].sort((a, b) => a - b);
    return super.pass(state.layout, sorted, firstBlockIndex, endBlockIndex, report);
  }
}

export interface ScrubLoopOptions {
  store: BlockStore;
  intervalMs: number;
  rowsPerPassMax: number;
  /** The ids of the vDisks this member owns now. */
  owned: () => number[];
  /** A vDisk's layout and live epochs now, or undefined once it is gone. */
  live: (vdiskId: number) => LiveState | undefined;
  logger: Logger;
}

export class ScrubLoop {
  private readonly scrubber: LiveScrubber;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Complete runs over every owned vDisk. */
  runsCompleted = 0;
  /** Whether a run is under way. */
  active = false;

  constructor(private readonly options: ScrubLoopOptions) {
    this.scrubber = new LiveScrubber(options.store, options.rowsPerPassMax, options.live);
  }

  get progress(): Scrubber['progress'] {
    return this.scrubber.progress;
  }

  start(): void {
    if (this.closed || this.timer !== undefined) return;
    this.schedule();
  }

  /** Stops at the next pass and waits for it. Safe twice. */
  async close(): Promise<void> {
    this.closed = true;
    this.scrubber.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run over every owned vDisk; the next timed run waits for it. */
  async runOnce(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    this.active = true;
    try {
      for (const vdiskId of this.options.owned()) {
        if (this.closed) return;
        const state = this.options.live(vdiskId);
        if (state === undefined) continue;
        try {
          const report = await this.scrubber.scrubVDisk(state.layout, state.liveEpochs);
          if (report.corruptVersions > 0) {
            this.options.logger.error({ vdiskId, corruptVersions: report.corruptVersions, where: report.corruptLocations }, 'the scrub found corrupt blocks');
          }
        } catch (error) {
          this.options.logger.warn({ vdiskId, error: String(error) }, 'scrubbing a vdisk failed; the next run tries again');
        }
      }
      if (!this.closed) this.runsCompleted++;
    } finally {
      this.active = false;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule());
    }, this.options.intervalMs);
  }
}
