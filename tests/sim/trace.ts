// The simulator's flight recorder. Every scheduler step and every message delivery is one
// record of a few numbers in a fixed ring, formatted as text only when somebody reads it: a
// failing run prints its last records, `--trace` prints them all as they happen. A running
// hash of every record ever written lets two runs of one seed be compared in O(1) memory,
// which is how replay determinism is tested.

import { messageTypeName } from '../../consensus/types.ts';
import type { MessageType } from '../../consensus/types.ts';

export const TraceKind = {
  Config: 0,
  Tick: 1,
  Deliver: 2,
  Drop: 3,
  Propose: 4,
  Crash: 5,
  Restart: 6,
  Partition: 7,
  Heal: 8,
  Compact: 9,
  ConfChangePropose: 10,
  ConfChangeApply: 11,
  Transfer: 12,
  ReadIssue: 13,
  ReadState: 14,
  Leader: 15,
  Commit: 16,
  Persist: 17,
  Decommission: 18,
  Phase: 19,
  Checkpoint: 20,
  Snapshot: 21,
  Send: 22,
  Faults: 23,
} as const;
export type TraceKind = (typeof TraceKind)[keyof typeof TraceKind];

/** Numbers per record: step, kind, and eight fields whose meaning depends on the kind. */
const RECORD_WIDTH = 10;

export const DropReason = { Random: 0, Partition: 1, NodeDown: 2, QueueFull: 3 } as const;
const dropReasonNames = ['random', 'partition', 'node-down', 'queue-full'];

export const CrashPoint = { Idle: 0, BeforePersist: 1, BeforeSend: 2, BeforeApply: 3, BeforeAdvance: 4 } as const;
const crashPointNames = ['idle', 'before-persist', 'before-send', 'before-apply', 'before-advance'];

export const PartitionShape = { Split: 0, IsolateLeader: 1, OneWay: 2 } as const;

export const ProposeOutcome = { Accepted: 0, Dropped: 1 } as const;

export const SimPhase = { Chaos: 0, Heal: 1, Liveness: 2, Done: 3 } as const;
const phaseNames = ['chaos', 'heal', 'liveness', 'done'];

const changeTypeNames = ['add-node', 'add-learner', 'remove-node', 'leave-joint'];

function nodeSet(mask: number): string {
  const ids: number[] = [];
  for (let id = 1; mask > 0 && id < 53; id++) {
    if (mask % 2 === 1) ids.push(id);
    mask = Math.floor(mask / 2);
  }
  return `{${ids.join(',')}}`;
}

/** A bit mask of node ids (ids below 53, so that it stays an exact double). */
export function maskOf(ids: Iterable<number>): number {
  let mask = 0;
  for (const id of ids) mask += 2 ** (id - 1);
  return mask;
}

/** A message's entry count and reject flag, packed into one trace field. */
export function messageFlags(entryCount: number, reject: boolean): number {
  return entryCount * 2 + (reject ? 1 : 0);
}

function messageText(f: Float64Array, at: number): string {
  const [from, to, type, term, index, flags, logTerm] = [f[at]!, f[at + 1]!, f[at + 2]!, f[at + 3]!, f[at + 4]!, f[at + 5]!, f[at + 6]!];
  const entries = Math.floor(flags / 2);
  return `${from}→${to} ${messageTypeName(type as MessageType)} term=${term} logTerm=${logTerm} index=${index}` +
    `${entries > 0 ? ` entries=${entries}` : ''}${flags % 2 === 1 ? ' REJECT' : ''}`;
}

function formatRecord(f: Float64Array, at: number): string {
  const step = f[at]!;
  const kind = f[at + 1]! as TraceKind;
  const a = at + 2;
  const [v0, v1, v2, v3, v4, v5, v6] = [f[a]!, f[a + 1]!, f[a + 2]!, f[a + 3]!, f[a + 4]!, f[a + 5]!, f[a + 6]!];
  let text: string;
  switch (kind) {
    case TraceKind.Config:
      text = `config nodes=${v0} electionTicks=${v1} heartbeatTicks=${v2} preVote=${v3} checkQuorum=${v4} steps=${v5}`;
      break;
    case TraceKind.Faults:
      text = `faults delayTicksMax=${v0} drop=${v1}‰ duplicate=${v2}‰ reorder=${v3}% diskLatencyTicksMax=${v4} loopCrash=${v5}‱ tickWhileBusy=${v6}%`;
      break;
    case TraceKind.Tick:
      text = `tick t=${v0}`;
      break;
    case TraceKind.Deliver:
      text = `deliver ${messageText(f, a)}`;
      break;
    case TraceKind.Send:
      text = `send ${messageText(f, a)}`;
      break;
    case TraceKind.Drop:
      text = `drop(${dropReasonNames[f[a + 7]!] ?? f[a + 7]}) ${messageText(f, a)}`;
      break;
    case TraceKind.Propose:
      text = `propose n${v0} payload=${v1} ${v2 === ProposeOutcome.Accepted ? 'accepted' : 'dropped'}`;
      break;
    case TraceKind.Crash:
      text = `crash n${v0} at ${crashPointNames[v1] ?? v1} unsyncedWrites=${v2} kept=${v3}`;
      break;
    case TraceKind.Restart:
      text = `restart n${v0} term=${v1} commit=${v2} applied=${v3} lastIndex=${v4}`;
      break;
    case TraceKind.Partition:
      text = v0 === PartitionShape.OneWay
        ? `partition one-way ${v1}→${v2} cut`
        : `partition ${v0 === PartitionShape.Split ? 'split' : 'isolate-leader'} ${nodeSet(v1)} | ${nodeSet(v2)}`;
      break;
    case TraceKind.Heal:
      text = 'heal all links';
      break;
    case TraceKind.Compact:
      text = `compact n${v0} snapshot=${v1} compactTo=${v2}`;
      break;
    case TraceKind.Checkpoint:
      text = `checkpoint n${v0} applied=${v1}`;
      break;
    case TraceKind.ConfChangePropose:
      text = `conf-change propose at n${v0} id=${v1} ${changeTypeNames[v2] ?? v2} n${v3}${v4 > 0 ? ` +${v4} more` : ''} transition=${['auto', 'implicit', 'explicit'][v5] ?? v5}`;
      break;
    case TraceKind.ConfChangeApply:
      text = `conf-change applied n${v0} index=${v1} voters=${nodeSet(v2)} outgoing=${nodeSet(v3)} learners=${nodeSet(v4)}`;
      break;
    case TraceKind.Transfer:
      text = `transfer-leadership n${v0} → n${v1}`;
      break;
    case TraceKind.ReadIssue:
      text = `read-index n${v0} id=${v1} clusterCommit=${v2}`;
      break;
    case TraceKind.ReadState:
      text = `read-state n${v0} id=${v1} index=${v2}`;
      break;
    case TraceKind.Leader:
      text = `leader n${v0} term=${v1} lastIndex=${v2}`;
      break;
    case TraceKind.Commit:
      text = `applied n${v0} ${v1}..${v2}`;
      break;
    case TraceKind.Persist:
      text = `persist n${v0} term=${v1} commit=${v2} entries=${v3} snapshot=${v4} sync=${v5}`;
      break;
    case TraceKind.Snapshot:
      text = `restore n${v0} snapshot index=${v1} term=${v2}`;
      break;
    case TraceKind.Decommission:
      text = `decommission n${v0} (no longer a member)`;
      break;
    case TraceKind.Phase:
      text = `phase ${phaseNames[v0] ?? v0}`;
      break;
    default:
      text = `kind ${kind as number} ${[v0, v1, v2, v3, v4, v5, v6].join(' ')}`;
  }
  return `#${step} ${text}`;
}

function mix(hash: number, value: number): number {
  const low = value >>> 0;
  const high = Math.floor(value / 0x100000000) >>> 0;
  hash = Math.imul(hash ^ low, 0x01000193) >>> 0;
  hash = Math.imul(hash ^ high, 0x01000193) >>> 0;
  return hash;
}

export class Trace {
  private readonly records: Float64Array;
  private readonly capacity: number;
  private written = 0;
  private hash = 0x811c9dc5;
  /** The scheduler step that the next records belong to. */
  step = 0;
  /** Called with every record as text, for `--trace`. */
  listener: ((line: string) => void) | undefined;

  constructor(capacity = 256) {
    this.capacity = capacity;
    this.records = new Float64Array(capacity * RECORD_WIDTH);
  }

  record(kind: TraceKind, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0, v7 = 0): void {
    const at = (this.written % this.capacity) * RECORD_WIDTH;
    const f = this.records;
    f[at] = this.step;
    f[at + 1] = kind;
    f[at + 2] = v0;
    f[at + 3] = v1;
    f[at + 4] = v2;
    f[at + 5] = v3;
    f[at + 6] = v4;
    f[at + 7] = v5;
    f[at + 8] = v6;
    f[at + 9] = v7;
    let hash = this.hash;
    for (let i = 0; i < RECORD_WIDTH; i++) hash = mix(hash, f[at + i]!);
    this.hash = hash;
    this.written++;
    if (this.listener !== undefined) this.listener(formatRecord(f, at));
  }

  /** How many records were ever written. */
  get length(): number {
    return this.written;
  }

  /** A hash of every record ever written: equal digests mean (almost surely) equal traces. */
  get digest(): string {
    return `${this.written}:${this.hash.toString(16).padStart(8, '0')}`;
  }

  /** The last `count` records (at most the ring's capacity), oldest first, as text. */
  tail(count = this.capacity): string[] {
    const shown = Math.min(count, this.capacity, this.written);
    const lines: string[] = [];
    for (let i = this.written - shown; i < this.written; i++) {
      lines.push(formatRecord(this.records, (i % this.capacity) * RECORD_WIDTH));
    }
    return lines;
  }
}
