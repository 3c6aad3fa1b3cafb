// Which revisions the watch history holds. The events themselves are in the database (so
// they survive a restart and travel in snapshots); this index only remembers how many
// events each retained revision has, so that apply() can trim the oldest revisions in the
// same batch that adds a new one, without reading anything back.
//
// Trimming drops whole revisions: a watcher either gets every event of a revision or is
// told the revision is compacted, never half of a txn.

import { assert } from './errors.ts';

export interface RetainedRevision {
  revision: number;
  eventCount: number;
}

export interface HistoryAppend {
  revision: number;
  eventCount: number;
  /** Revisions whose events the same batch deletes, oldest first. */
  trimmed: RetainedRevision[];
  historyStartRevision: number;
}

export class EventHistoryIndex {
  private retained: RetainedRevision[] = [];
  /** Index in `retained` of the oldest revision still kept; the array is compacted lazily. */
  private head = 0;
  private eventCount = 0;
  private startRevision = 1;

  constructor(private readonly eventsMax: number) {}

  get historyStartRevision(): number {
    return this.startRevision;
  }

  /** Rebuilds the index from the persisted history, oldest revision first. */
  load(historyStartRevision: number, revisions: readonly RetainedRevision[]): void {
    this.retained = revisions.map((retained) => ({ ...retained }));
    this.head = 0;
    this.eventCount = revisions.reduce((total, retained) => total + retained.eventCount, 0);
    this.startRevision = historyStartRevision;
    assert(this.eventCount <= this.eventsMax, () => `history of ${this.eventCount} events exceeds ${this.eventsMax}`);
    assert(
      revisions.every((retained) => retained.revision >= historyStartRevision),
      'history holds a revision older than its start',
    );
  }

  plan(revision: number, eventCount: number): HistoryAppend {
    assert(eventCount >= 1 && eventCount <= this.eventsMax, () => `revision with ${eventCount} events`);
    const trimmed: RetainedRevision[] = [];
    let retainedCount = this.eventCount;
    let historyStartRevision = this.startRevision;
    for (let index = this.head; retainedCount + eventCount > this.eventsMax; index++) {
      const oldest = this.retained[index]!;
      trimmed.push(oldest);
      retainedCount -= oldest.eventCount;
      historyStartRevision = oldest.revision + 1;
    }
    return { revision, eventCount, trimmed, historyStartRevision };
  }

  commit(append: HistoryAppend): void {
    const newest = this.retained[this.retained.length - 1];
    assert(newest === undefined || newest.revision < append.revision, 'history revisions must grow');
    for (const trimmed of append.trimmed) {
      assert(this.retained[this.head] === trimmed, 'history trimmed out of order');
      this.head++;
      this.eventCount -= trimmed.eventCount;
    }
    this.retained.push({ revision: append.revision, eventCount: append.eventCount });
    this.eventCount += append.eventCount;
    this.startRevision = append.historyStartRevision;
    if (this.head > 1024 && this.head * 2 > this.retained.length) {
      this.retained = this.retained.slice(this.head);
      this.head = 0;
    }
  }
}
