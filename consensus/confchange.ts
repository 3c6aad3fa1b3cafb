// Membership changes (etcd's ConfChangeV2 and confchange.Changer). A change of one voter
// applies directly; a change of several voters at once, or one asked to be explicit, goes
// through a joint configuration in which both the old and the new voters must agree. The
// changer computes the next configuration without touching the current one, so a change the
// rules refuse leaves nothing half-applied.

import { assert, RaftError } from './errors.ts';
import { Inflights } from './inflights.ts';
import { Progress } from './progress.ts';
import type { ProgressMap, TrackerConfig } from './tracker.ts';
import { cloneTrackerConfig, emptyTrackerConfig, isJoint } from './tracker.ts';
import type { ConfState } from './types.ts';

export type ConfChangeType = 'add-node' | 'add-learner' | 'remove-node';

/**
 * auto: joint only when needed (more than one change), left automatically.
 * implicit: always joint, left automatically. explicit: always joint, left only by an empty
 * ConfChange proposed by the application.
 */
export type ConfChangeTransition = 'auto' | 'implicit' | 'explicit';

export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: number;
}

export interface ConfChange {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  /** Opaque to the core: the daemon puts the new member's addresses here. */
  context: Uint8Array;
}

/** An empty change: leaves a joint configuration. */
export function isLeaveJoint(cc: ConfChange): boolean {
  return cc.changes.length === 0 && cc.transition === 'auto';
}

/** Whether the change enters a joint configuration, and if so whether it leaves by itself. */
export function entersJoint(cc: ConfChange): { joint: boolean; autoLeave: boolean } {
  if (cc.transition !== 'auto' || cc.changes.length > 1) {
    return { joint: true, autoLeave: cc.transition !== 'explicit' };
  }
  return { joint: false, autoLeave: false };
}

// Binary codec: [version 1][transition u8][count u16][(type u8, nodeId f64) × count][context].
// Entry data must decode identically on every replica, so the format is fixed and checked.
const CODEC_VERSION = 1;
const TRANSITIONS: ConfChangeTransition[] = ['auto', 'implicit', 'explicit'];
const CHANGE_TYPES: ConfChangeType[] = ['add-node', 'add-learner', 'remove-node'];
const CHANGES_MAX = 1024;

export function encodeConfChange(cc: ConfChange): Uint8Array {
  if (cc.changes.length > CHANGES_MAX) {
    throw new RaftError('INVALID_CONF_CHANGE', `${cc.changes.length} changes in one ConfChange; at most ${CHANGES_MAX}`);
  }
  for (const change of cc.changes) {
    if (!CHANGE_TYPES.includes(change.type)) throw new RaftError('INVALID_CONF_CHANGE', `unknown change type ${String(change.type)}`);
    if (!Number.isSafeInteger(change.nodeId) || change.nodeId < 0) throw new RaftError('INVALID_CONF_CHANGE', `node id ${change.nodeId} is not a non-negative integer`);
  }
  if (!TRANSITIONS.includes(cc.transition)) throw new RaftError('INVALID_CONF_CHANGE', `unknown transition ${String(cc.transition)}`);
  const bytes = new Uint8Array(4 + cc.changes.length * 9 + cc.context.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, CODEC_VERSION);
  view.setUint8(1, TRANSITIONS.indexOf(cc.transition));
  view.setUint16(2, cc.changes.length);
  let offset = 4;
  for (const change of cc.changes) {
    view.setUint8(offset, CHANGE_TYPES.indexOf(change.type));
    view.setFloat64(offset + 1, change.nodeId);
    offset += 9;
  }
  bytes.set(cc.context, offset);
  return bytes;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const fail = (what: string): never => {
    throw new RaftError('INVALID_CONF_CHANGE', `malformed ConfChange: ${what}`);
  };
  // An empty entry is etcd's way of asking to leave a joint configuration; the leader
  // proposes one when it leaves automatically.
  if (data.length === 0) return { transition: 'auto', changes: [], context: new Uint8Array(0) };
  if (data.length < 4) fail(`${data.length} bytes is shorter than the 4-byte header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint8(0) !== CODEC_VERSION) fail(`unknown version ${view.getUint8(0)}`);
  const transition = TRANSITIONS[view.getUint8(1)] ?? fail(`unknown transition ${view.getUint8(1)}`);
  const count = view.getUint16(2);
  if (count > CHANGES_MAX) fail(`${count} changes; at most ${CHANGES_MAX}`);
  if (data.length < 4 + count * 9) fail(`${count} changes need ${4 + count * 9} bytes, got ${data.length}`);
  const changes: ConfChangeSingle[] = [];
  let offset = 4;
  for (let i = 0; i < count; i++) {
    const type = CHANGE_TYPES[view.getUint8(offset)] ?? fail(`unknown change type ${view.getUint8(offset)}`);
    const nodeId = view.getFloat64(offset + 1);
    if (!Number.isSafeInteger(nodeId) || nodeId < 0) fail(`node id ${nodeId} is not a non-negative integer`);
    changes.push({ type, nodeId });
    offset += 9;
  }
  return { transition, changes, context: data.slice(offset) };
}

export interface ChangeResult {
  config: TrackerConfig;
  progress: ProgressMap;
}

/**
 * Computes configurations that follow from the current one. `lastIndex` seeds the progress
 * of new members; the inflight limits size their flow control.
 */
export class Changer {
  constructor(
    private readonly config: TrackerConfig,
    private readonly progress: ProgressMap,
    private readonly lastIndex: number,
    private readonly inflightMessagesMax: number,
    private readonly inflightBytesMax: number,
  ) {}

  /** Enters a joint configuration: the current voters become the outgoing half. */
  enterJoint(autoLeave: boolean, changes: ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (isJoint(config)) invalid('the configuration is already joint');
    if (config.voters.incoming.size === 0) invalid('cannot make a zero-voter configuration joint');
    config.voters.outgoing = new Set(config.voters.incoming);
    this.apply(config, progress, changes);
    config.autoLeave = autoLeave;
    return checkAndReturn(config, progress);
  }

  /** Leaves a joint configuration: outgoing voters not kept on are removed or become learners. */
  leaveJoint(): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (!isJoint(config)) invalid('cannot leave a configuration that is not joint');
    for (const id of config.learnersNext) {
      config.learners.add(id);
      const member = progress.get(id);
      assert(member !== undefined, `learnerNext ${id} has no progress`);
      member.isLearner = true;
    }
    config.learnersNext.clear();
    for (const id of config.voters.outgoing) {
      if (!config.voters.incoming.has(id) && !config.learners.has(id)) progress.delete(id);
    }
    config.voters.outgoing = new Set();
    config.autoLeave = false;
    return checkAndReturn(config, progress);
  }

  /** Applies changes that alter at most one voter, without a joint configuration. */
  simple(changes: ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (isJoint(config)) invalid('cannot apply a simple change to a joint configuration');
    this.apply(config, progress, changes);
    let changed = 0;
    for (const id of this.config.voters.incoming) if (!config.voters.incoming.has(id)) changed++;
    for (const id of config.voters.incoming) if (!this.config.voters.incoming.has(id)) changed++;
    if (changed > 1) invalid('more than one voter changed without entering a joint configuration');
    return checkAndReturn(config, progress);
  }

  private apply(config: TrackerConfig, progress: ProgressMap, changes: ConfChangeSingle[]): void {
    for (const change of changes) {
      if (change.nodeId === 0) continue; // etcd treats node 0 as "no change"
      switch (change.type) {
        case 'add-node':
          this.makeVoter(config, progress, change.nodeId);
          break;
        case 'add-learner':
          this.makeLearner(config, progress, change.nodeId);
          break;
        case 'remove-node':
          remove(config, progress, change.nodeId);
          break;
      }
    }
    if (config.voters.incoming.size === 0) invalid('the change removes all voters');
  }

  private makeVoter(config: TrackerConfig, progress: ProgressMap, id: number): void {
    const member = progress.get(id);
    if (member === undefined) {
      this.initProgress(config, progress, id, false);
      return;
    }
    member.isLearner = false;
    config.learners.delete(id);
    config.learnersNext.delete(id);
    config.voters.incoming.add(id);
  }

  // A voter of the outgoing half cannot become a learner while the joint configuration still
  // needs its vote: it is staged in learnersNext until the joint configuration is left.
  private makeLearner(config: TrackerConfig, progress: ProgressMap, id: number): void {
    const member = progress.get(id);
    if (member === undefined) {
      this.initProgress(config, progress, id, true);
      return;
    }
    if (member.isLearner) return;
    remove(config, progress, id);
    progress.set(id, member);
    if (config.voters.outgoing.has(id)) {
      config.learnersNext.add(id);
    } else {
      member.isLearner = true;
      config.learners.add(id);
    }
  }

  private initProgress(config: TrackerConfig, progress: ProgressMap, id: number, isLearner: boolean): void {
    if (isLearner) config.learners.add(id);
    else config.voters.incoming.add(id);
    // A new member is probed from the end of the log; it counts as active so that adding it
    // does not make check-quorum step the leader down before it has been heard from.
    const member = new Progress(Math.max(this.lastIndex, 1), new Inflights(this.inflightMessagesMax, this.inflightBytesMax), isLearner);
    member.recentActive = true;
    progress.set(id, member);
  }

  private checkAndCopy(): ChangeResult {
    const config = cloneTrackerConfig(this.config);
    const progress: ProgressMap = new Map();
    for (const [id, member] of this.progress) {
      // Progress objects are shallow-copied so that a refused change leaves the originals alone.
      const copy = Object.assign(Object.create(Object.getPrototypeOf(member) as object) as Progress, member);
      progress.set(id, copy);
    }
    checkInvariants(config, progress);
    return { config, progress };
  }
}

function remove(config: TrackerConfig, progress: ProgressMap, id: number): void {
  if (!progress.has(id)) return;
  config.voters.incoming.delete(id);
  config.learners.delete(id);
  config.learnersNext.delete(id);
  // An outgoing voter keeps its progress: the joint configuration still counts its votes.
  if (!config.voters.outgoing.has(id)) progress.delete(id);
}

function invalid(message: string): never {
  throw new RaftError('INVALID_CONF_CHANGE', message);
}

function checkAndReturn(config: TrackerConfig, progress: ProgressMap): ChangeResult {
  checkInvariants(config, progress);
  return { config, progress };
}

/** The configuration's invariants; a violation is a bug in the changer, hence an assertion. */
function checkInvariants(config: TrackerConfig, progress: ProgressMap): void {
  for (const ids of [config.voters.incoming, config.voters.outgoing, config.learners, config.learnersNext]) {
    for (const id of ids) assert(progress.has(id), `no progress for member ${id}`);
  }
  for (const id of config.learnersNext) {
    assert(config.voters.outgoing.has(id), `learnerNext ${id} is not an outgoing voter`);
    assert(!progress.get(id)!.isLearner, `learnerNext ${id} is already marked learner`);
  }
  for (const id of config.learners) {
    assert(!config.voters.outgoing.has(id), `learner ${id} is an outgoing voter`);
    assert(!config.voters.incoming.has(id), `learner ${id} is an incoming voter`);
    assert(progress.get(id)!.isLearner, `learner ${id} is not marked learner`);
  }
  if (!isJoint(config)) {
    assert(config.learnersNext.size === 0, 'learnersNext outside a joint configuration');
    assert(!config.autoLeave, 'autoLeave outside a joint configuration');
  }
}

/**
 * Rebuilds the tracker configuration recorded in a ConfState (from a snapshot or bootstrap):
 * the outgoing voters as a simple configuration, then the incoming half entered jointly.
 */
export function restoreConfig(
  confState: ConfState,
  lastIndex: number,
  inflightMessagesMax: number,
  inflightBytesMax: number,
): ChangeResult {
  let result: ChangeResult = { config: emptyTrackerConfig(), progress: new Map() };
  const step = (fn: (changer: Changer) => ChangeResult): void => {
    result = fn(new Changer(result.config, result.progress, lastIndex, inflightMessagesMax, inflightBytesMax));
  };
  const adds = (type: ConfChangeType, ids: number[]): ConfChangeSingle[] => ids.map((nodeId) => ({ type, nodeId }));

  if (confState.votersOutgoing.length === 0) {
    const changes = [...adds('add-node', confState.voters), ...adds('add-learner', confState.learners)];
    // An empty ConfState (a node that has not been told its membership yet) is allowed.
    for (const change of changes) step((changer) => changer.simple([change]));
    return result;
  }
  for (const id of confState.votersOutgoing) step((changer) => changer.simple([{ type: 'add-node', nodeId: id }]));
  const incoming: ConfChangeSingle[] = [
    ...adds('remove-node', confState.votersOutgoing),
    ...adds('add-node', confState.voters),
    ...adds('add-learner', confState.learners),
    ...adds('add-learner', confState.learnersNext),
  ];
  step((changer) => changer.enterJoint(confState.autoLeave, incoming));
  return result;
}
