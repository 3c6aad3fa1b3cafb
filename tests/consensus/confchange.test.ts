// Membership changes, below the Raft node: the ConfChange codec (what every replica decodes
// from a log entry must be identical, and bad bytes are an operating error, not a crash) and
// the Changer (the rules of the Raft thesis §4.3 joint consensus as etcd implements them: one
// voter at a time without a joint configuration, any number through one; demoted outgoing
// voters staged in learnersNext; no configuration without voters; a refused change leaves
// the current configuration untouched). restoreConfig must rebuild from a ConfState exactly
// the configuration that produced it, since snapshots carry membership that way.
import test from 'ava';
import type { ChangeResult, ConfChange, ConfChangeSingle } from '../../consensus/confchange.ts';
import { Changer, decodeConfChange, encodeConfChange, entersJoint, isLeaveJoint, restoreConfig } from '../../consensus/confchange.ts';
import { RaftError } from '../../consensus/errors.ts';
import { confStateOf } from '../../consensus/tracker.ts';
import type { ConfState } from '../../consensus/types.ts';

const LAST_INDEX = 10;

function confState(fields: Partial<ConfState>): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, ...fields };
}

function start(fields: Partial<ConfState>): ChangeResult {
  return restoreConfig(confState(fields), LAST_INDEX, 16, 0);
}

function changer(from: ChangeResult): Changer {
  return new Changer(from.config, from.progress, LAST_INDEX, 16, 0);
}

const add = (nodeId: number): ConfChangeSingle => ({ type: 'add-node', nodeId });
const learner = (nodeId: number): ConfChangeSingle => ({ type: 'add-learner', nodeId });
const remove = (nodeId: number): ConfChangeSingle => ({ type: 'remove-node', nodeId });

const state = (result: ChangeResult): ConfState => confStateOf(result.config);

// ---------------------------------------------------------------- codec

const samples: ConfChange[] = [
  { transition: 'auto', changes: [add(1)], context: new Uint8Array(0) },
  { transition: 'implicit', changes: [add(4), remove(1)], context: new TextEncoder().encode('10.0.0.4:7100') },
  { transition: 'explicit', changes: [learner(7), add(2 ** 40), remove(3)], context: new Uint8Array([0, 255, 1]) },
  { transition: 'auto', changes: [], context: new Uint8Array(0) },
];

for (const cc of samples) {
  test(`codec round trip: ${cc.transition} with ${cc.changes.length} changes`, (t) => {
    t.deepEqual(decodeConfChange(encodeConfChange(cc)), cc);
  });
}

test('codec decodes from a view into a larger buffer (entry data is often a subarray)', (t) => {
  const encoded = encodeConfChange(samples[1]!);
  const larger = new Uint8Array(encoded.length + 8);
  larger.set(encoded, 5);
  t.deepEqual(decodeConfChange(larger.subarray(5, 5 + encoded.length)), samples[1]);
});

test('empty entry data decodes as leaving the joint configuration', (t) => {
  const cc = decodeConfChange(new Uint8Array(0));
  t.true(isLeaveJoint(cc));
});

function corrupt(edit: (bytes: Uint8Array, view: DataView) => Uint8Array | void): Uint8Array {
  const bytes = encodeConfChange({ transition: 'auto', changes: [add(5)], context: new Uint8Array(0) });
  const view = new DataView(bytes.buffer);
  return edit(bytes, view) ?? bytes;
}

const malformed: [string, Uint8Array][] = [
  ['shorter than the header', new Uint8Array([1, 0])],
  ['an unknown version', corrupt((b) => { b[0] = 2; })],
  ['an unknown transition', corrupt((b) => { b[1] = 3; })],
  ['more changes than bytes', corrupt((_, v) => { v.setUint16(2, 2); })],
  ['a truncated change', corrupt((b) => b.subarray(0, b.length - 1))],
  ['an unknown change type', corrupt((b) => { b[4] = 9; })],
  ['a fractional node id', corrupt((_, v) => { v.setFloat64(5, 1.5); })],
  ['a negative node id', corrupt((_, v) => { v.setFloat64(5, -1); })],
  ['a NaN node id', corrupt((_, v) => { v.setFloat64(5, Number.NaN); })],
  ['a node id past 2^53', corrupt((_, v) => { v.setFloat64(5, 2 ** 60); })],
];

for (const [why, bytes] of malformed) {
  test(`codec refuses ${why} with INVALID_CONF_CHANGE`, (t) => {
    const error = t.throws(() => decodeConfChange(bytes), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE' });
    t.regex(error.message, /malformed ConfChange/);
  });
}

test('entersJoint: one change is simple, several or a non-auto transition are joint', (t) => {
  t.deepEqual(entersJoint({ transition: 'auto', changes: [add(1)], context: new Uint8Array(0) }), { joint: false, autoLeave: false });
  t.deepEqual(entersJoint({ transition: 'auto', changes: [add(1), add(2)], context: new Uint8Array(0) }), { joint: true, autoLeave: true });
  t.deepEqual(entersJoint({ transition: 'implicit', changes: [add(1)], context: new Uint8Array(0) }), { joint: true, autoLeave: true });
  t.deepEqual(entersJoint({ transition: 'explicit', changes: [add(1)], context: new Uint8Array(0) }), { joint: true, autoLeave: false });
});

// ---------------------------------------------------------------- simple changes

test('simple: adding a voter gives it progress probing from the last index', (t) => {
  const result = changer(start({ voters: [1, 2, 3] })).simple([add(4)]);
  t.deepEqual(state(result).voters, [1, 2, 3, 4]);
  const member = result.progress.get(4)!;
  t.is(member.next, LAST_INDEX);
  t.is(member.match, 0);
  t.is(member.state, 'probe');
  t.false(member.isLearner);
  t.true(member.recentActive, 'a new member does not count against check-quorum before it is heard from');
});

test('simple: removing a voter drops its progress', (t) => {
  const result = changer(start({ voters: [1, 2, 3] })).simple([remove(3)]);
  t.deepEqual(state(result).voters, [1, 2]);
  t.false(result.progress.has(3));
});

test('simple: adding a learner, then promoting it, keeps its progress object', (t) => {
  const withLearner = changer(start({ voters: [1, 2, 3] })).simple([learner(4)]);
  t.deepEqual(state(withLearner).learners, [4]);
  t.true(withLearner.progress.get(4)!.isLearner);
  withLearner.progress.get(4)!.match = 7;
  const promoted = changer(withLearner).simple([add(4)]);
  t.deepEqual(state(promoted).voters, [1, 2, 3, 4]);
  t.deepEqual(state(promoted).learners, []);
  t.false(promoted.progress.get(4)!.isLearner);
  t.is(promoted.progress.get(4)!.match, 7, 'what the leader knew of the learner is kept');
});

test('simple: demoting a voter to learner is a one-voter change', (t) => {
  const result = changer(start({ voters: [1, 2, 3] })).simple([learner(3)]);
  t.deepEqual(state(result).voters, [1, 2]);
  t.deepEqual(state(result).learners, [3]);
});

test('simple: changes that are no-ops are accepted (re-adding a voter, removing a stranger, node 0)', (t) => {
  const from = start({ voters: [1, 2, 3] });
  t.deepEqual(state(changer(from).simple([add(2)])).voters, [1, 2, 3]);
  t.deepEqual(state(changer(from).simple([remove(9)])).voters, [1, 2, 3]);
  t.deepEqual(state(changer(from).simple([add(0)])).voters, [1, 2, 3]);
});

test('simple: changing more than one voter without a joint configuration is refused', (t) => {
  const from = start({ voters: [1, 2, 3] });
  for (const changes of [[add(4), add(5)], [add(4), remove(1)], [remove(1), remove(2)]]) {
    const error = t.throws(() => changer(from).simple(changes), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE' });
    t.regex(error.message, /more than one voter/);
  }
  t.notThrows(() => changer(from).simple([add(4), learner(5)]), 'one voter and a learner is fine');
});

test('simple: removing the last voter is refused', (t) => {
  const error = t.throws(() => changer(start({ voters: [1] })).simple([remove(1)]), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE' });
  t.regex(error.message, /removes all voters/);
  t.throws(() => changer(start({ voters: [1], learners: [2] })).simple([learner(1)]), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE' },
    'demoting the last voter leaves none');
});

test('simple: refused inside a joint configuration', (t) => {
  const jointConfig = changer(start({ voters: [1, 2, 3] })).enterJoint(false, [add(4)]);
  t.throws(() => changer(jointConfig).simple([add(5)]), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE' });
});

test('a refused change leaves the configuration it started from untouched', (t) => {
  const from = start({ voters: [1, 2, 3], learners: [4] });
  const before = state(from);
  const progressBefore = [...from.progress.entries()].map(([id, p]) => [id, p.isLearner, p.next]);
  t.throws(() => changer(from).simple([add(4), remove(1), remove(2)]));
  t.throws(() => changer(from).enterJoint(true, [remove(1), remove(2), remove(3)]));
  t.deepEqual(state(from), before);
  t.deepEqual([...from.progress.entries()].map(([id, p]) => [id, p.isLearner, p.next]), progressBefore);
});

// ---------------------------------------------------------------- joint

test('enterJoint: the current voters become the outgoing half', (t) => {
  const result = changer(start({ voters: [1, 2, 3] })).enterJoint(true, [add(4), remove(1)]);
  t.deepEqual(state(result), confState({ voters: [2, 3, 4], votersOutgoing: [1, 2, 3], autoLeave: true }));
  t.true(result.progress.has(1), 'a removed outgoing voter keeps its progress: it still votes');
});

test('enterJoint: refused when already joint, or from no voters', (t) => {
  const jointConfig = changer(start({ voters: [1, 2, 3] })).enterJoint(false, [add(4)]);
  t.throws(() => changer(jointConfig).enterJoint(false, [add(5)]), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE', message: /already joint/ });
  t.throws(() => changer(start({})).enterJoint(false, [add(1)]), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE', message: /zero-voter/ });
});

test('enterJoint: removing every incoming voter is refused', (t) => {
  t.throws(() => changer(start({ voters: [1, 2] })).enterJoint(true, [remove(1), remove(2)]),
    { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE', message: /removes all voters/ });
});

test('leaveJoint: drops outgoing voters not kept on, clears autoLeave', (t) => {
  const jointConfig = changer(start({ voters: [1, 2, 3] })).enterJoint(true, [add(4), remove(1)]);
  const left = changer(jointConfig).leaveJoint();
  t.deepEqual(state(left), confState({ voters: [2, 3, 4] }));
  t.false(left.progress.has(1));
  t.deepEqual([...left.progress.keys()].sort(), [2, 3, 4]);
});

test('leaveJoint: refused outside a joint configuration', (t) => {
  t.throws(() => changer(start({ voters: [1] })).leaveJoint(), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE' });
});

test('demoting an outgoing voter stages it in learnersNext until the joint config is left', (t) => {
  const jointConfig = changer(start({ voters: [1, 2, 3] })).enterJoint(false, [learner(3), add(4)]);
  t.deepEqual(state(jointConfig), confState({ voters: [1, 2, 4], votersOutgoing: [1, 2, 3], learnersNext: [3] }));
  t.false(jointConfig.progress.get(3)!.isLearner, 'it still votes in the outgoing half');
  const left = changer(jointConfig).leaveJoint();
  t.deepEqual(state(left), confState({ voters: [1, 2, 4], learners: [3] }));
  t.true(left.progress.get(3)!.isLearner);
});

test('a learner added in a joint change that is not an outgoing voter becomes a learner at once', (t) => {
  const jointConfig = changer(start({ voters: [1, 2, 3] })).enterJoint(false, [learner(5), add(4)]);
  t.deepEqual(state(jointConfig).learners, [5]);
  t.deepEqual(state(jointConfig).learnersNext, []);
});

test('re-adding an outgoing voter staged in learnersNext makes it an incoming voter again', (t) => {
  const jointConfig = changer(start({ voters: [1, 2, 3] })).enterJoint(false, [learner(3), add(3)]);
  t.deepEqual(state(jointConfig), confState({ voters: [1, 2, 3], votersOutgoing: [1, 2, 3] }));
});

// ---------------------------------------------------------------- restore

const restorable: [string, ConfState][] = [
  ['empty (a node not yet told its membership)', confState({})],
  ['voters only', confState({ voters: [1, 2, 3] })],
  ['voters and learners', confState({ voters: [1, 2], learners: [3, 4] })],
  ['joint with autoLeave', confState({ voters: [2, 3, 4], votersOutgoing: [1, 2, 3], autoLeave: true })],
  ['joint with a staged learner', confState({ voters: [1, 2, 4], votersOutgoing: [1, 2, 3], learnersNext: [3], learners: [5] })],
  ['joint with disjoint halves', confState({ voters: [4, 5], votersOutgoing: [1, 2, 3] })],
];

for (const [why, cs] of restorable) {
  test(`restoreConfig round-trips a ConfState: ${why}`, (t) => {
    const restored = restoreConfig(cs, LAST_INDEX, 16, 0);
    t.deepEqual(state(restored), cs);
    const members = new Set([...cs.voters, ...cs.votersOutgoing, ...cs.learners, ...cs.learnersNext]);
    t.deepEqual([...restored.progress.keys()].sort(), [...members].sort(), 'exactly the members have progress');
    for (const id of cs.learners) t.true(restored.progress.get(id)!.isLearner);
    for (const id of cs.learnersNext) t.false(restored.progress.get(id)!.isLearner);
  });
}

test('restoreConfig of a configuration produced by changes equals it', (t) => {
  const produced = changer(changer(start({ voters: [1, 2, 3] })).simple([learner(6)])).enterJoint(true, [learner(1), add(4), remove(2)]);
  const restored = restoreConfig(state(produced), LAST_INDEX, 16, 0);
  t.deepEqual(state(restored), state(produced));
});
