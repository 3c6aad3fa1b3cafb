// The properties every simulated run must keep, checked incrementally as the nodes act so
// that a violation is reported at the step that caused it. The simulator calls the observe
// methods from its Raft loop; each either records a fact about the cluster's history or
// compares a new fact with what was recorded, and throws a Violation on a contradiction.
//
// - Election safety: at most one leader per term, over the whole run (Raft §5.2).
// - One vote per term: no node grants its vote to two candidates in one term; election
//   safety rests on it, and a lost synced vote after a crash shows up here first.
// - Log matching (§5.3): checked on persisted entries. Every (index, term) that any node ever
//   persisted must carry the same payload and the same previous term everywhere; by
//   induction two logs that share an (index, term) are then identical up to it. A full
//   pairwise scan of the current logs (checkLogsMatch) backs this up at the end of a run.
// - Leader completeness (§5.4): when a node becomes leader of term T, its log holds (or a
//   snapshot covers) every applied entry that was committed in a term before T. The term
//   that committed an entry is not observable, but it is at most the highest term any node
//   had when the entry was first applied; entries whose bound is below T are checked. (A
//   leader of an older term may legitimately be elected late, when vote responses granted
//   long ago arrive after a newer term committed entries it lacks.)
// - State machine safety (§5.4.3): each node applies a contiguous sequence, and the entry it
//   applies at index i is the one every other node applied at i; a snapshot restore must land
//   on the exact state (hash chain) the cluster reached at that index.
// - ReadIndex (linearizable reads, thesis §6.4): a read state's index is at least the highest
//   commit index any node had made known when the read was issued.

import type { LogStorage } from '../../consensus/storage.ts';
import type { Entry } from '../../consensus/types.ts';
import { chainHash, HashChainStateMachine } from './state-machine.ts';

export type ViolationKind =
  | 'election-safety'
  | 'double-vote'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'read-index'
  | 'liveness'
  | 'core-error';

export class Violation extends Error {
  readonly kind: ViolationKind;

  constructor(kind: ViolationKind, message: string) {
    super(`${kind}: ${message}`);
    this.name = 'Violation';
    this.kind = kind;
  }
}

function violation(kind: ViolationKind, message: string): never {
  throw new Violation(kind, message);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(data: Uint8Array): string {
  let text = '';
  for (let i = 0; i < Math.min(data.length, 12); i++) text += data[i]!.toString(16).padStart(2, '0');
  return data.length > 12 ? `${text}…(${data.length}B)` : text || '∅';
}

/** One (index, term) as first persisted by any node. */
interface PersistedRecord {
  term: number;
  previousTerm: number;
  type: number;
  data: Uint8Array;
  firstNode: number;
}

interface PendingRead {
  node: number;
  clusterCommit: number;
}

/** Reads never answered (dropped with their leader) are forgotten past this many. */
const PENDING_READS_MAX = 1024;

export class SafetyChecker {
  private readonly leaderByTerm = new Map<number, number>();
  private readonly voteByTermAndNode = new Map<string, number>();
  /** persisted[index]: the distinct terms ever persisted at that index, with their payloads. */
  private readonly persisted: PersistedRecord[][] = [];
  /** The applied history, by index; index 0 is the empty initial state. */
  private readonly appliedTerm: number[] = [0];
  private readonly appliedType: number[] = [0];
  private readonly appliedData: Uint8Array[] = [new Uint8Array(0)];
  private readonly appliedHash: number[] = [HashChainStateMachine.initialHash()];
  private readonly appliedBy: number[] = [0];
  /** An upper bound of the term that committed each applied entry; non-decreasing. */
  private readonly appliedCommitTermBound: number[] = [0];
  /** The highest term any node has made known. */
  termMax = 0;
  /** The highest commit index any node has made known (in a Ready's hard state). */
  clusterCommitIndex = 0;
  private readonly pendingReads = new Map<number, PendingRead>();
  leadersElected = 0;
  readsAnswered = 0;

  /** The highest index applied by any node. */
  get appliedIndexMax(): number {
    return this.appliedTerm.length - 1;
  }

  /** The entry the cluster applied at `index`, for tests and reports. */
  appliedAt(index: number): { term: number; type: number; data: Uint8Array; hash: number } | undefined {
    if (index < 1 || index > this.appliedIndexMax) return undefined;
    return { term: this.appliedTerm[index]!, type: this.appliedType[index]!, data: this.appliedData[index]!, hash: this.appliedHash[index]! };
  }

  leader(node: number, term: number): void {
    const known = this.leaderByTerm.get(term);
    if (known === undefined) {
      this.leaderByTerm.set(term, node);
      this.leadersElected++;
    } else if (known !== node) {
      violation('election-safety', `n${node} became leader of term ${term}, which n${known} already leads`);
    }
  }

  voteGranted(voter: number, term: number, candidate: number): void {
    const key = `${term}:${voter}`;
    const known = this.voteByTermAndNode.get(key);
    if (known === undefined) this.voteByTermAndNode.set(key, candidate);
    else if (known !== candidate) {
      violation('double-vote', `n${voter} granted its vote in term ${term} to n${known} and then to n${candidate}`);
    }
  }

  /** A node persisted `entry`; `previousTerm` is the term its log holds at entry.index - 1. */
  persistedEntry(node: number, entry: Entry, previousTerm: number): void {
    const { index, term } = entry;
    if (previousTerm > term) {
      violation('log-matching', `n${node} persisted index ${index} term ${term} after an entry of term ${previousTerm}: log terms must not decrease`);
    }
    let records = this.persisted[index];
    if (records === undefined) {
      records = [];
      this.persisted[index] = records;
    }
    for (const record of records) {
      if (record.term !== term) continue;
      if (record.previousTerm !== previousTerm) {
        violation('log-matching', `index ${index} term ${term} follows term ${record.previousTerm} on n${record.firstNode} but term ${previousTerm} on n${node}`);
      }
      if (record.type !== entry.type || !bytesEqual(record.data, entry.data)) {
        violation('log-matching', `index ${index} term ${term} holds ${hex(record.data)} (type ${record.type}) on n${record.firstNode} but ${hex(entry.data)} (type ${entry.type}) on n${node}`);
      }
      return;
    }
    records.push({ term, previousTerm, type: entry.type, data: entry.data, firstNode: node });
  }

  /** A node applied `entry` after having applied up to `previousApplied`. */
  appliedEntry(node: number, previousApplied: number, entry: Entry): void {
    const index = entry.index;
    if (index !== previousApplied + 1) {
      violation('state-machine-safety', `n${node} applied index ${index} right after index ${previousApplied}`);
    }
    if (index <= this.appliedIndexMax) {
      const term = this.appliedTerm[index]!;
      const data = this.appliedData[index]!;
      if (term !== entry.term || this.appliedType[index] !== entry.type || !bytesEqual(data, entry.data)) {
        violation('state-machine-safety', `n${node} applied index ${index} term ${entry.term} ${hex(entry.data)}, but n${this.appliedBy[index]} applied term ${term} ${hex(data)} there`);
      }
      return;
    }
    // index === appliedIndexMax + 1: previousApplied ≤ appliedIndexMax, so the chain is known.
    this.appliedTerm.push(entry.term);
    this.appliedType.push(entry.type);
    this.appliedData.push(entry.data);
    this.appliedHash.push(chainHash(this.appliedHash[index - 1]!, entry));
    this.appliedBy.push(node);
    this.appliedCommitTermBound.push(this.termMax);
  }

  termObserved(term: number): void {
    if (term > this.termMax) this.termMax = term;
  }

  /**
   * A node re-applied (only for its membership) an entry its durable state machine already
   * holds: the entry must be the one the cluster applied there.
   */
  replayedEntry(node: number, entry: Entry): void {
    const index = entry.index;
    if (index > this.appliedIndexMax || this.appliedTerm[index] !== entry.term || this.appliedType[index] !== entry.type ||
      !bytesEqual(this.appliedData[index]!, entry.data)) {
      violation('state-machine-safety', `n${node} replayed index ${index} term ${entry.term} ${hex(entry.data)}, which is not the entry the cluster applied there`);
    }
  }

  /** A node's state machine was replaced by an image of the state at `index` with `hash`. */
  restored(node: number, index: number, hash: number, expectedIndex: number): void {
    if (index !== expectedIndex) {
      violation('state-machine-safety', `n${node} restored a state machine image of index ${index} from a snapshot at index ${expectedIndex}`);
    }
    if (index > this.appliedIndexMax) {
      violation('state-machine-safety', `n${node} restored a state at index ${index}, which no node has applied (highest ${this.appliedIndexMax})`);
    }
    if (this.appliedHash[index] !== hash) {
      violation('state-machine-safety', `n${node} restored a state at index ${index} whose hash ${hash.toString(16)} differs from the cluster's ${this.appliedHash[index]!.toString(16)}`);
    }
  }

  /** A node became leader of `term` and has persisted its log: it must hold every entry
   * applied and committed in an earlier term. */
  leaderLog(node: number, term: number, log: LogStorage): void {
    const first = log.firstIndex();
    const last = log.lastIndex();
    // The last index whose committing term is surely below `term` (the bounds never decrease).
    let low = 0;
    let high = this.appliedIndexMax;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.appliedCommitTermBound[middle]! < term) low = middle;
      else high = middle - 1;
    }
    const applied = low;
    if (last < applied) {
      violation('leader-completeness', `n${node} leads term ${term} with a log ending at ${last}, but index ${applied} was applied (committed before term ${term})`);
    }
    // Entries before `first` are in the leader's snapshot; its last index must match too.
    for (let index = Math.max(1, first - 1); index <= applied; index++) {
      const logTerm = log.term(index);
      if (logTerm !== this.appliedTerm[index]) {
        violation('leader-completeness', `n${node} leads term ${term} with term ${logTerm} at index ${index}, but term ${this.appliedTerm[index]} was applied there`);
      }
    }
  }

  commitObserved(commit: number): void {
    if (commit > this.clusterCommitIndex) this.clusterCommitIndex = commit;
  }

  readIssued(requestId: number, node: number): void {
    if (this.pendingReads.size >= PENDING_READS_MAX) {
      const oldest = this.pendingReads.keys().next().value!;
      this.pendingReads.delete(oldest);
    }
    this.pendingReads.set(requestId, { node, clusterCommit: this.clusterCommitIndex });
  }

  readAnswered(node: number, requestId: number, index: number): void {
    const pending = this.pendingReads.get(requestId);
    if (pending === undefined) return; // a duplicate answer, or one forgotten
    if (pending.node !== node) {
      violation('read-index', `read ${requestId} was issued on n${pending.node} but answered on n${node}`);
    }
    if (index < pending.clusterCommit) {
      violation('read-index', `read ${requestId} on n${node} got index ${index}, below the commit index ${pending.clusterCommit} known when it was issued (a stale read)`);
    }
    this.pendingReads.delete(requestId);
    this.readsAnswered++;
  }
}

/**
 * Log matching over whole logs: for every pair, take the highest index in both logs where
 * the terms agree; below it, every entry both logs still hold must be identical.
 */
export function checkLogsMatch(logs: ReadonlyMap<number, LogStorage>): void {
  const nodes = [...logs.keys()];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = logs.get(nodes[i]!)!;
      const b = logs.get(nodes[j]!)!;
      const low = Math.max(a.firstIndex(), b.firstIndex());
      const high = Math.min(a.lastIndex(), b.lastIndex());
      let agreed = 0;
      for (let index = high; index >= low; index--) {
        if (a.term(index) === b.term(index)) {
          agreed = index;
          break;
        }
      }
      if (agreed < low) continue;
      const entriesA = a.entries(low, agreed + 1, Number.MAX_SAFE_INTEGER);
      const entriesB = b.entries(low, agreed + 1, Number.MAX_SAFE_INTEGER);
      for (let k = 0; k < entriesA.length; k++) {
        const x = entriesA[k]!;
        const y = entriesB[k]!;
        if (x.term !== y.term || x.type !== y.type || !bytesEqual(x.data, y.data)) {
          violation('log-matching', `n${nodes[i]} and n${nodes[j]} agree on term ${a.term(agreed)} at index ${agreed} but differ at index ${x.index}: term ${x.term} ${hex(x.data)} vs term ${y.term} ${hex(y.data)}`);
        }
      }
    }
  }
}
