// The data that crosses the boundary of the Raft core: log entries, messages, persistent
// state and snapshots. Shapes follow etcd's raftpb so that the wire protocol in proto/ maps
// onto them field for field. Node ids are positive integers; 0 means "none".

export const NONE = 0;

export const EntryType = {
  Normal: 0,
  ConfChange: 1,
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  /** Opaque to the core. An empty Normal entry is what a new leader appends. */
  data: Uint8Array;
}

// Numbered as in etcd's raftpb.MessageType, so logs and the wire read the same.
export const MessageType = {
  Hup: 0,
  Beat: 1,
  Prop: 2,
  App: 3,
  AppResp: 4,
  Vote: 5,
  VoteResp: 6,
  Snap: 7,
  Heartbeat: 8,
  HeartbeatResp: 9,
  Unreachable: 10,
  SnapStatus: 11,
  CheckQuorum: 12,
  TransferLeader: 13,
  TimeoutNow: 14,
  ReadIndex: 15,
  ReadIndexResp: 16,
  PreVote: 17,
  PreVoteResp: 18,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const messageTypeNames = Object.fromEntries(
  Object.entries(MessageType).map(([name, value]) => [value, `Msg${name}`]),
) as Record<MessageType, string>;

export function messageTypeName(type: MessageType): string {
  return messageTypeNames[type] ?? `Msg(${type as number})`;
}

/** Messages that never leave the node: they drive the local state machine only. */
export function isLocalMessage(type: MessageType): boolean {
  return (
    type === MessageType.Hup ||
    type === MessageType.Beat ||
    type === MessageType.Unreachable ||
    type === MessageType.SnapStatus ||
    type === MessageType.CheckQuorum
  );
}

/** Responses: a node that receives one from a peer it does not know simply drops it. */
export function isResponseMessage(type: MessageType): boolean {
  return (
    type === MessageType.AppResp ||
    type === MessageType.VoteResp ||
    type === MessageType.HeartbeatResp ||
    type === MessageType.Unreachable ||
    type === MessageType.ReadIndexResp ||
    type === MessageType.PreVoteResp
  );
}

export interface Message {
  type: MessageType;
  to: number;
  from: number;
  term: number;
  /** For App: the term of the entry at `index`. For Vote: the term of the candidate's last entry. */
  logTerm: number;
  /** For App: the index preceding `entries`. For AppResp: the acknowledged (or rejected) index. */
  index: number;
  entries: Entry[];
  commit: number;
  /** Present on Snap only. */
  snapshot?: RaftSnapshot;
  reject: boolean;
  rejectHint: number;
  /**
   * ReadIndex request context, echoed by Heartbeat/HeartbeatResp/ReadIndexResp. On Vote and
   * PreVote a non-empty context marks a campaign started by leadership transfer.
   */
  context: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** A message with every field at its zero value except those given. */
export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    to: NONE,
    from: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: EMPTY,
    ...fields,
  };
}

/** What must be on stable storage before any message of the same Ready is sent. */
export interface HardState {
  term: number;
  vote: number;
  commit: number;
}

export const emptyHardState: Readonly<HardState> = Object.freeze({ term: 0, vote: NONE, commit: 0 });

export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === NONE && hs.commit === 0;
}

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/**
 * Cluster membership as recorded in a snapshot. `votersOutgoing` is non-empty only in a
 * joint configuration; `learnersNext` are voters of the outgoing half that become learners
 * when the joint configuration is left.
 */
export interface ConfState {
  voters: number[];
  learners: number[];
  votersOutgoing: number[];
  learnersNext: number[];
  autoLeave: boolean;
}

export function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

export interface RaftSnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

/** A Raft snapshot: the state machine's image at `metadata.index`. Named so as not to be
 * confused with a vDisk snapshot (`diskSnapshot`). */
export interface RaftSnapshot {
  metadata: RaftSnapshotMetadata;
  data: Uint8Array;
}

export function emptyRaftSnapshot(): RaftSnapshot {
  return { metadata: { index: 0, term: 0, confState: emptyConfState() }, data: EMPTY };
}

export function isEmptyRaftSnapshot(s: RaftSnapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

export const StateType = {
  Follower: 'follower',
  Candidate: 'candidate',
  Leader: 'leader',
  PreCandidate: 'pre-candidate',
} as const;
export type StateType = (typeof StateType)[keyof typeof StateType];

/** Volatile state that the application may want to observe; never persisted. */
export interface SoftState {
  lead: number;
  state: StateType;
}

/** The answer to a ReadIndex request: reads that started before it may be served once
 * the local state machine has applied `index`. */
export interface ReadState {
  index: number;
  requestContext: Uint8Array;
}

/**
 * Everything the application must do, in this order: persist `hardState`, `entries` and
 * `snapshot` (fsync'd when `mustSync`); send `messages`; apply `snapshot` and then
 * `committedEntries` to the state machine; call `advance()`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: RaftSnapshot;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
  mustSync: boolean;
}

/** The byte size the limits count for an entry: its payload plus a fixed header. */
export const ENTRY_OVERHEAD_BYTES = 24;

export function entryBytes(entry: Entry): number {
  return entry.data.length + ENTRY_OVERHEAD_BYTES;
}

/** The bytes counted against uncommittedBytesMax: payload only, so that the empty entry a
 * new leader appends never counts. */
export function payloadBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const entry of entries) total += entry.data.length;
  return total;
}
