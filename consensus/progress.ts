// What the leader knows of one follower's log, and how it sends to it. Probe: one append at
// a time until the follower's match index is found. Replicate: optimistic pipelining,
// bounded by Inflights. Snapshot: nothing is sent until the snapshot is reported done.

import type { Inflights } from './inflights.ts';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  /** The highest index known to be in the follower's log. */
  match = 0;
  /** The index of the next entry to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In state snapshot: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from in the current election timeout; check-quorum reads it. */
  recentActive = false;
  /** In probe: an append is outstanding. In replicate: the inflight window is full. */
  sendPaused = false;
  /** The highest commit index sent to the follower, so that an idle follower learns commits. */
  sentCommit = 0;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, inflights: Inflights, isLearner: boolean) {
    this.next = next;
    this.inflights = inflights;
    this.isLearner = isLearner;
  }

  private resetState(state: ProgressState): void {
    this.sendPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, the follower has at least the snapshot's entries: probe from there.
    if (this.state === 'snapshot') {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** Accounts for an append of `entries` entries (`bytes` in all) that was just sent. */
  sentEntries(entries: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (entries > 0) {
        this.next += entries;
        this.inflights.add(this.next - 1, bytes);
      }
      this.sendPaused = this.inflights.full();
    } else if (this.state === 'probe') {
      // One probe at a time: wait for its answer (or a heartbeat response) before the next.
      if (entries > 0) this.sendPaused = true;
    }
  }

  sentCommitTo(commit: number): void {
    this.sentCommit = Math.max(this.sentCommit, commit);
  }

  /** An acknowledgement of `index`. Returns false if it told us nothing new (stale). */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.sendPaused = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejected`, with the follower's hint of where its log may
   * match. Returns false if the rejection is stale (out of order) and was ignored.
   */
  maybeDecreaseTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sendPaused = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.sendPaused;
      case 'replicate':
        return this.sendPaused;
      case 'snapshot':
        return true;
    }
  }
}
