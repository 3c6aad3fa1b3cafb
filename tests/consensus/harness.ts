// An in-process cluster for scenario tests: every node a RawNode on MemoryStorage, messages
// delivered by hand. stabilize() runs the Raft loop of every node (persist, send, apply,
// advance) until nothing is left to do, the way etcd's datadriven tests do.

import type { ConfChange, Entry, HardState, Message, RaftConfig, ReadState } from '../../consensus/index.ts';
import { decodeConfChange, EntryType, isRaftError, MemoryStorage, MessageType, RawNode, SeededRandom } from '../../consensus/index.ts';

export interface TestNode {
  id: number;
  node: RawNode;
  storage: MemoryStorage;
  /** Payloads of applied normal entries, in order (empty entries skipped). */
  applied: string[];
  appliedIndex: number;
  readStates: ReadState[];
}

export type Filter = (m: Message) => boolean;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export const bytes = (text: string): Uint8Array => encoder.encode(text);

/** A log entry, for preloading a log the way the Raft paper's figures draw one. */
export const entry = (index: number, term: number, data = ''): Entry =>
  ({ index, term, type: EntryType.Normal, data: encoder.encode(data) });

/** Entries 1..terms.length with the given terms. */
export const entriesOfTerms = (terms: readonly number[]): Entry[] => terms.map((term, i) => entry(i + 1, term));

/** A node's state before it starts: membership, log and hard state, as if read from disk. */
export interface PreloadedState {
  voters: number[];
  learners?: number[];
  entries?: Entry[];
  hardState?: HardState;
}

export class TestCluster {
  readonly nodes = new Map<number, TestNode>();
  /** Messages for which a filter returns false are dropped. */
  filters: Filter[] = [];
  /** Every message delivered, for assertions about what was sent. */
  readonly delivered: Message[] = [];
  /** Every message any node sent, delivered or dropped by a filter. */
  readonly sent: Message[] = [];
  /** Whether a delivered Raft snapshot is reported to its sender as finished at once. */
  reportSnapshots = true;
  private seed: number;

  constructor(
    ids: number[],
    private readonly options: Partial<RaftConfig> = {},
    seed = 1,
  ) {
    this.seed = seed;
    for (const id of ids) this.addNode(id, ids);
  }

  /** Creates a node: bootstrapped with `voters` if given, else empty (to join later). */
  addNode(id: number, voters?: number[], storage = new MemoryStorage(), applied = 0): TestNode {
    const node = new RawNode({
      id, electionTicks: 10, heartbeatTicks: 1, storage, random: new SeededRandom(this.seed++ * 7919 + id), applied,
      ...this.options,
    });
    if (voters !== undefined && storage.lastIndex() === 0) node.bootstrap(voters);
    const testNode: TestNode = { id, node, storage, applied: [], appliedIndex: applied, readStates: [] };
    this.nodes.set(id, testNode);
    return testNode;
  }

  /**
   * Creates a node whose storage already holds a log, a hard state and a membership (no
   * bootstrap entries), so that a test can start from a figure of the Raft paper.
   */
  addNodeWithState(id: number, state: PreloadedState): TestNode {
    const storage = new MemoryStorage();
    storage.bootstrap({ voters: state.voters, learners: state.learners ?? [], votersOutgoing: [], learnersNext: [], autoLeave: false });
    storage.append(state.entries ?? []);
    if (state.hardState !== undefined) storage.setHardState(state.hardState);
    const added = this.addNode(id, undefined, storage);
    added.appliedIndex = added.node.raft.log.applied;
    return added;
  }

  get(id: number): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /**
   * Simulates a crash and restart: only what is in storage survives. By default the state
   * machine survives too and the node is told its applied index; with `applied` 0 the state
   * machine is rebuilt from the log, as for a node that keeps it in memory only.
   */
  restart(id: number, applied = this.get(id).appliedIndex): TestNode {
    const old = this.get(id);
    this.nodes.delete(id);
    const restarted = this.addNode(id, undefined, old.storage, applied);
    restarted.applied = applied === 0 ? [] : old.applied;
    return restarted;
  }

  isolate(id: number): void {
    this.filters.push((m) => m.from !== id && m.to !== id);
  }

  cut(a: number, b: number): void {
    this.filters.push((m) => !((m.from === a && m.to === b) || (m.from === b && m.to === a)));
  }

  heal(): void {
    this.filters = [];
  }

  /** Drops every message for which `predicate` is true until the returned function is called. */
  drop(predicate: (m: Message) => boolean): () => void {
    const filter: Filter = (m) => !predicate(m);
    this.filters.push(filter);
    return () => {
      this.filters = this.filters.filter((f) => f !== filter);
    };
  }

  leaderId(): number | undefined {
    const leaders = [...this.nodes.values()].filter((n) => n.node.raft.state === 'leader');
    const highest = leaders.sort((a, b) => b.node.raft.term - a.node.raft.term)[0];
    return highest?.id;
  }

  /**
   * Runs `id`'s Raft loop (persist, apply, advance) until it has nothing more to do, and
   * returns the messages it sent without delivering them.
   */
  drain(id: number): Message[] {
    const n = this.get(id);
    const messages: Message[] = [];
    while (n.node.hasReady()) messages.push(...this.handleReady(n));
    return messages;
  }

  /** The terms of `id`'s whole log, from its first index; a readable picture of the log. */
  logTerms(id: number): number[] {
    const log = this.get(id).node.raft.log;
    const first = log.firstIndex();
    return log.slice(first, log.lastIndex() + 1, Number.MAX_SAFE_INTEGER).map((e) => e.term);
  }

  /** Handles one Ready of one node; returns the messages it sends. */
  private handleReady(n: TestNode): Message[] {
    const rd = n.node.ready();
    if (rd.snapshot !== undefined) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
    if (rd.snapshot !== undefined) {
      n.appliedIndex = rd.snapshot.metadata.index;
      n.applied = JSON.parse(decoder.decode(rd.snapshot.data)) as string[];
    }
    for (const entry of rd.committedEntries) this.apply(n, entry);
    n.readStates.push(...rd.readStates);
    n.node.advance();
    this.sent.push(...rd.messages);
    return rd.messages;
  }

  private apply(n: TestNode, entry: Entry): void {
    n.appliedIndex = entry.index;
    if (entry.type === EntryType.ConfChange) {
      try {
        n.node.applyConfChange(decodeConfChange(entry.data));
      } catch (error) {
        if (!isRaftError(error, 'INVALID_CONF_CHANGE')) throw error;
      }
    } else if (entry.data.length > 0) {
      n.applied.push(decoder.decode(entry.data));
    }
  }

  /** Takes a Raft snapshot of `id`'s state machine at its applied index and compacts to it. */
  compact(id: number): void {
    const n = this.get(id);
    const status = n.node.status();
    n.storage.createSnapshot(n.appliedIndex, status.confState, encoder.encode(JSON.stringify(n.applied)));
    n.storage.compact(n.appliedIndex);
  }

  /** Delivers one message, honouring filters; responses from strangers are ignored. */
  deliver(m: Message): void {
    if (!this.filters.every((f) => f(m))) return;
    const target = this.nodes.get(m.to);
    if (target === undefined) return;
    this.delivered.push(m);
    try {
      target.node.step(m);
    } catch (error) {
      if (!isRaftError(error)) throw error;
    }
    if (m.type === MessageType.Snap && this.reportSnapshots) {
      const sender = this.nodes.get(m.from);
      sender?.node.reportSnapshot(m.to, 'finish');
    }
  }

  /** Delivers messages (honouring filters) without running any node's loop. */
  deliverAll(messages: readonly Message[]): void {
    for (const m of messages) this.deliver(m);
  }

  /**
   * One round: every node runs its loop until it has nothing more to do, then the messages
   * they sent are delivered. Returns false when nothing was sent (the cluster is quiescent).
   */
  round(): boolean {
    const outbox: Message[] = [];
    for (const n of this.nodes.values()) {
      while (n.node.hasReady()) outbox.push(...this.handleReady(n));
    }
    for (const m of outbox) this.deliver(m);
    return outbox.length > 0;
  }

  /** Runs every node's loop and delivers messages until quiescent. */
  stabilize(roundsMax = 1000): void {
    for (let round = 0; round < roundsMax; round++) {
      if (!this.round()) return;
    }
    throw new Error(`cluster did not stabilize within ${roundsMax} rounds`);
  }

  tick(id: number, times = 1): void {
    for (let i = 0; i < times; i++) this.get(id).node.tick();
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const n of this.nodes.values()) n.node.tick();
      this.stabilize();
    }
  }

  /**
   * Campaigns on `id` and runs the election to its end. Stabilizes first: a node does not
   * campaign while committed configuration changes (the bootstrap entries) are unapplied.
   */
  elect(id: number): void {
    this.stabilize();
    this.get(id).node.campaign();
    this.stabilize();
  }

  propose(id: number, text: string): void {
    this.get(id).node.propose(bytes(text));
    this.stabilize();
  }

  proposeConfChange(id: number, cc: ConfChange): void {
    this.get(id).node.proposeConfChange(cc);
    this.stabilize();
  }
}
