// The at-most-once table: for each client, the last sequence applied and the Raft index
// that applied it. The table is part of the replicated state, so its bound must be enforced
// the same way on every replica: when a new client arrives at a full table, the client
// touched longest ago (lowest index) is evicted. Indexes are the same everywhere, so every
// replica evicts the same client at the same entry, and a restart or a restored snapshot
// rebuilds the same order by sorting on the index.
//
// An evicted client that retries an old request would have it applied again; clientsMax is
// sized so that only clients idle for a long time are evicted.

import { assert } from './errors.ts';
import type { SessionRecord } from './records.ts';

export interface SessionTouch {
  clientId: string;
  session: SessionRecord;
  /** Clients to forget in the same batch, oldest first. */
  evictedClientIds: string[];
}

export class SessionTable {
  /** Ordered by touchedIndex, oldest first: Map keeps insertion order. */
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly clientsMax: number) {}

  get size(): number {
    return this.sessions.size;
  }

  get(clientId: string): SessionRecord | undefined {
    return this.sessions.get(clientId);
  }

  /** Replaces the table with persisted sessions, in any order. */
  load(entries: ReadonlyArray<readonly [string, SessionRecord]>): void {
    assert(entries.length <= this.clientsMax, () => `${entries.length} sessions exceed clientsMax ${this.clientsMax}`);
    this.sessions.clear();
    const sorted = [...entries].sort((left, right) => left[1].touchedIndex - right[1].touchedIndex);
    for (const [clientId, session] of sorted) this.sessions.set(clientId, { ...session });
  }

  /** What applying `sequence` for `clientId` at `index` changes; commit() makes it so. */
  plan(clientId: string, sequence: number, index: number): SessionTouch {
    const evictedClientIds: string[] = [];
    // The iterator only when someone goes: it steps over every slot deleted since the Map
    // was last rebuilt (commit() deletes one per apply), a walk not worth starting for nothing.
    let excess = this.sessions.size + 1 - this.clientsMax;
    if (excess > 0 && !this.sessions.has(clientId)) {
      for (const oldest of this.sessions.keys()) {
        if (excess-- <= 0) break;
        evictedClientIds.push(oldest);
      }
    }
    return { clientId, session: { sequence, touchedIndex: index }, evictedClientIds };
  }

  commit(touch: SessionTouch): void {
    for (const clientId of touch.evictedClientIds) this.sessions.delete(clientId);
    this.sessions.delete(touch.clientId);
    this.sessions.set(touch.clientId, touch.session);
    assert(this.sessions.size <= this.clientsMax, 'session table over clientsMax');
  }
}
