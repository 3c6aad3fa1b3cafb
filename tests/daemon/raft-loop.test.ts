// The Raft loop on real timers: it elects a leader, answers proposals made on any node with
// the state machine's result, batches concurrent proposals into fewer fsyncs (group commit),
// serves linearizable read barriers, snapshots and compacts its log, and fails requests
// clearly: no leader, too many waiting, shutting down.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { MessageType, SeededRandom } from '../../consensus/index.ts';
import type { Message } from '../../consensus/index.ts';
import { RaftLoop } from '../../daemon/raft-loop.ts';
import type { RaftLoopOptions } from '../../daemon/raft-loop.ts';
import { isVstorError } from '../../storage-engine/errors.ts';
import { AsyncMemoryLog, LoopbackTransport, MapStateMachine, waitFor } from './loop-fixtures.ts';

const encoder = new TextEncoder();
const cmd = (text: string): Uint8Array => encoder.encode(text);

interface Member { loop: RaftLoop; log: AsyncMemoryLog; machine: MapStateMachine; transport: LoopbackTransport }

function cluster(ids: number[], overrides: Partial<RaftLoopOptions> = {}): Member[] {
  const network = new Map<number, LoopbackTransport>();
  return ids.map((id) => {
    const log = new AsyncMemoryLog();
    const machine = new MapStateMachine();
    const transport = new LoopbackTransport(id, network);
    const loop = new RaftLoop({
      raft: { id, electionTicks: 10, heartbeatTicks: 1, random: new SeededRandom(id), preVote: true, checkQuorum: true },
      storage: log, stateMachine: machine, transport, tickIntervalMs: 5, snapshotEntries: 1000, compactRetainEntries: 10,
      requestsPendingMax: 10_000, requestTimeoutMs: 5000, commitNoticeDelayMs: 2, ...overrides,
    });
    transport.loops.set(id, loop);
    loop.bootstrap(ids);
    return { loop, log, machine, transport };
  });
}


/** The leader, once every member knows it (a follower that has not heard from it yet
 * rightly refuses proposals as retryable). */
const leaderOf = (members: Member[]): Member | undefined => {
  const leader = members.find((m) => m.loop.status().softState.state === 'leader');
  const id = leader?.loop.status().id;
  return members.every((m) => m.loop.status().softState.lead === id) ? leader : undefined;
};

/** A three-member group started, stopped at the test's end, and its leader once all know it. */
async function startedGroup(t: ExecutionContext, overrides: Partial<RaftLoopOptions> = {}): Promise<{ members: Member[]; leader: Member }> {
  const members = cluster([1, 2, 3], overrides);
  for (const m of members) m.loop.start();
  t.teardown(() => Promise.all(members.map((m) => m.loop.stop())));
  return { members, leader: await waitFor('a leader', () => leaderOf(members)) };
}

test('proposals on any node are applied everywhere and answered with their result', async (t) => {
  const { members, leader } = await startedGroup(t);
  const follower = members.find((m) => m !== leader)!;
  t.is(await follower.loop.propose(cmd('a=1')), null);
  t.is(await leader.loop.propose(cmd('a=2')), '1');
  await waitFor('replication', () => (members.every((m) => m.machine.data.get('a') === '2') ? true : undefined));
});

test('a proposal is answered while the write of the commit index that committed it is still under way', async (t) => {
  const { leader } = await startedGroup(t);
  await leader.loop.propose(cmd('warm=1'));
  // The warm-up's own commit index is written after its answer now: let that land first.
  await waitFor('the warm-up\'s commit index written', () => (leader.log.memory.initialState().hardState.commit >= leader.machine.appliedIndex() ? true : undefined));
  let release!: () => void;
  leader.log.commitOnlyGate = new Promise((resolve) => (release = resolve));
  t.teardown(() => release());
  const answer = leader.loop.propose(cmd('a=1'));
  const outcome = await Promise.race([answer.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 2000))]);
  t.is(outcome, 'answered', 'the entry was durable on a quorum; only the commit index was being written');
  t.is(leader.machine.data.get('a'), '1');
  release();
  leader.log.commitOnlyGate = undefined;
  t.is(await leader.loop.propose(cmd('a=2')), '1', 'the loop goes on once the write lands');
});

test('concurrent proposals share fsyncs (group commit)', async (t) => {
  const { leader } = await startedGroup(t);
  await leader.loop.propose(cmd('warm=1'));
  const savesBefore = leader.log.syncedSaves;
  const count = 500;
  const results = await Promise.all(Array.from({ length: count }, (_, i) => leader.loop.propose(cmd(`k${i}=${i}`))));
  t.is(results.length, count);
  const syncs = leader.log.syncedSaves - savesBefore;
  t.true(syncs < count / 10, `${count} proposals took ${syncs} synced writes`);
  t.is(leader.machine.data.get('k499'), '499');
});

test('a read barrier on a follower sees every write acknowledged before it', async (t) => {
  const { members, leader } = await startedGroup(t);
  const follower = members.find((m) => m !== leader)!;
  for (let i = 0; i < 20; i++) {
    await leader.loop.propose(cmd(`x=${i}`));
    await follower.loop.readBarrier();
    t.is(follower.machine.data.get('x'), String(i));
  }
});

test('after snapshotEntries applied entries the log is snapshotted and compacted, keeping compactRetainEntries', async (t) => {
  const { leader } = await startedGroup(t, { snapshotEntries: 50, compactRetainEntries: 5 });
  for (let i = 0; i < 120; i++) await leader.loop.propose(cmd(`n=${i}`));
  // The image is read off the loop and stored by its next run.
  await waitFor('a stored snapshot', () => (leader.log.snapshot().metadata.index >= 50 ? true : undefined));
  t.true(leader.log.firstIndex() > 40, `first index ${leader.log.firstIndex()}`);
});

test('once the entries applied since the last snapshot reach snapshotLogBytes, the log is snapshotted before snapshotEntries, and compacted to the snapshot before it', async (t) => {
  const { leader } = await startedGroup(t, { snapshotEntries: 100_000, snapshotLogBytes: 8 * 1024, compactRetainEntries: 1000 });
  // The configuration changes of the start take a snapshot of their own at once.
  const base = await waitFor('the start\'s snapshot', () => leader.log.snapshot().metadata.index || undefined);
  const value = 'v'.repeat(1000);
  for (let i = 0; i < 6; i++) await leader.loop.propose(cmd(`k${i}=${value}`));
  t.is(leader.log.snapshot().metadata.index, base, 'six 1 kB entries are under 8 KiB: no snapshot yet');
  for (let i = 6; i < 12; i++) await leader.loop.propose(cmd(`k${i}=${value}`));
  const taken = await waitFor('a stored snapshot', () => (leader.log.snapshot().metadata.index > base ? leader.log.snapshot().metadata.index : undefined));
  t.true(taken >= base + 8 && taken <= base + 12, `snapshot at ${taken}, the start's at ${base}`);
  // compactRetainEntries (1,000) would keep every entry; no more than the interval since
  // the snapshot before is kept, so what the bound let in is also what stays in memory.
  t.is(await waitFor('the compaction', () => (leader.log.firstIndex() === base + 1 ? leader.log.firstIndex() : undefined)), base + 1);
});

test('a snapshot image slow to read holds nothing up, and is stored at the index it was pinned at', async (t) => {
  const members = cluster([1, 2, 3], { snapshotEntries: 20, compactRetainEntries: 5 });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  for (const m of members) m.machine.imageReadGate = gate;
  for (const m of members) m.loop.start();
  t.teardown(() => {
    release();
    return Promise.all(members.map((m) => m.loop.stop())).then(() => undefined);
  });
  const leader = await waitFor('a leader', () => leaderOf(members));

  // Far past snapshotEntries while the image cannot be read: every write is still applied.
  for (let i = 0; i < 80; i++) await leader.loop.propose(cmd(`n=${i}`));
  t.is(leader.machine.data.get('n'), '79');
  t.is(leader.machine.pinnedAt.length, 1, 'one snapshot in progress at a time');
  t.is(leader.log.snapshot().metadata.index, 0, 'nothing stored before the image is read');

  release();
  const pinned = leader.machine.pinnedAt[0]!;
  // Once stored, the next snapshot may follow at once (80 entries are past snapshotEntries):
  // the first one stored is the one pinned while the writes went on.
  await waitFor('the snapshot to be stored', () => (leader.log.snapshotsCreated.length > 0 ? true : undefined));
  const stored = leader.log.snapshotsCreated[0]!;
  t.is(stored.index, pinned);
  const image = new Map(JSON.parse(new TextDecoder().decode(stored.data)) as [string, string][]);
  t.not(image.get('n'), '79', 'the image is the state when it was pinned, not when it was read');
  t.true(leader.log.firstIndex() > pinned - 5 - 1, `compacted behind it: first index ${leader.log.firstIndex()}`);
});

test('without a quorum, proposals fail clearly and nothing waits forever', async (t) => {
  const members = cluster([1, 2, 3], { requestTimeoutMs: 300 });
  members[0]!.loop.start(); // the other two never start: no quorum, no leader
  t.teardown(() => Promise.all(members.map((m) => m.loop.stop())));
  const error = await t.throwsAsync(members[0]!.loop.propose(cmd('a=1')));
  t.true(isVstorError(error, 'UNAVAILABLE'), String(error));
  const read = await t.throwsAsync(members[0]!.loop.readBarrier());
  t.true(isVstorError(read, 'UNAVAILABLE'), String(read));
});

test('requests past the pending limit are refused; stop() fails those still waiting', async (t) => {
  const members = cluster([1, 2, 3], { requestsPendingMax: 3 });
  for (const m of members) m.loop.start();
  const leader = await waitFor('a leader', () => leaderOf(members));
  // Cut the leader off so that its proposals cannot commit and stay pending.
  for (const m of members) if (m !== leader) leader.transport.blocked.add(`${leader.loop.node.raft.id}→${m.loop.node.raft.id}`);
  const pending = [1, 2, 3].map((i) => leader.loop.propose(cmd(`p=${i}`)).catch((error: unknown) => error));
  const refused = await t.throwsAsync(leader.loop.propose(cmd('p=4')));
  t.true(isVstorError(refused, 'RESOURCE_EXHAUSTED'), String(refused));
  await Promise.all(members.map((m) => m.loop.stop()));
  for (const outcome of await Promise.all(pending)) t.true(isVstorError(outcome, 'UNAVAILABLE'), String(outcome));
  const afterStop = await t.throwsAsync(leader.loop.propose(cmd('p=5')));
  t.true(isVstorError(afterStop, 'UNAVAILABLE'));
});

test('a proposal lost with the old leader fails as retryable when the leader changes, not at its deadline', async (t) => {
  const { members, leader } = await startedGroup(t, { requestTimeoutMs: 60_000 });
  const [follower, other] = members.filter((m) => m !== leader) as [Member, Member];
  const id = (m: Member): number => m.loop.node.raft.id;
  // The follower's forwarded proposal never reaches the leader...
  follower.transport.blocked.add(`${id(follower)}→${id(leader)}`);
  const lost = follower.loop.propose(cmd('lost=1'));
  // ...which then hands leadership over: nobody will ever append that proposal.
  leader.loop.transferLeadership(id(other));
  const error = await t.throwsAsync(lost);
  t.true(isVstorError(error, 'UNAVAILABLE'), String(error));
  t.regex(String(error), /leader changed/);
  follower.transport.blocked.clear();
  await waitFor('the new leader everywhere', () => (leaderOf(members) === other ? true : undefined));
  t.is(await follower.loop.propose(cmd('after=1')), null);
});

/** Every batch the member sends from now on, as it hands it to its transport. */
function recordSends(member: Member): Message[][] {
  const batches: Message[][] = [];
  const send = member.transport.send.bind(member.transport);
  member.transport.send = (messages: Message[]) => {
    batches.push(messages);
    send(messages);
  };
  return batches;
}

const isNotice = (m: Message): boolean => m.type === MessageType.App && m.entries.length === 0;

// Heartbeats every 50 ms (each takes held notices along), notices held up to 40 ms.
const SLOW_TICKS = { tickIntervalMs: 50 } as const;

test('a leader holds commit notices for the next append to carry; idle followers still learn every commit', async (t) => {
  const noticesSent = async (commitNoticeDelayMs: number): Promise<number> => {
    const members = cluster([1, 2, 3], { ...SLOW_TICKS, commitNoticeDelayMs });
    for (const m of members) m.loop.start();
    try {
      const leader = await waitFor('a leader', () => leaderOf(members), 10_000);
      await leader.loop.propose(cmd('warm=1'));
      const sent = recordSends(leader);
      for (let i = 0; i < 40; i++) await leader.loop.propose(cmd(`k=${i}`));
      // The last write's notices go when the delay ends (or with a heartbeat): every
      // follower applies it without another write.
      await waitFor('every follower at the last write', () => (members.every((m) => m.machine.data.get('k') === '39') ? true : undefined));
      return sent.flat().filter(isNotice).length;
    } finally {
      await Promise.all(members.map((m) => m.loop.stop()));
    }
  };
  const atOnce = await noticesSent(0);
  const held = await noticesSent(40);
  t.true(atOnce >= 2 * 40, `${atOnce} notices for 40 writes sent at once`);
  t.true(held < atOnce / 2, `${held} notices held against ${atOnce} sent at once`);
});

test('a follower whose forwarded write committed is told at once, not with the held notices', async (t) => {
  const { members, leader } = await startedGroup(t, { ...SLOW_TICKS, commitNoticeDelayMs: 40 });
  const [follower, other] = members.filter((m) => m !== leader) as [Member, Member];
  const id = (m: Member): number => m.loop.node.raft.id;
  await follower.loop.propose(cmd('warm=1'));
  const sent = recordSends(leader);
  const writes = 10;
  let toldWithOthers = 0;
  for (let i = 0; i < writes; i++) {
    await follower.loop.propose(cmd(`f=${i}`));
    const index = follower.machine.appliedIndex();
    // The batch that first told the follower its write was committed.
    const batch = sent.find((messages) => messages.some((m) => m.to === id(follower) && m.type === MessageType.App && m.commit >= index));
    t.not(batch, undefined, `write ${i}: the follower learnt of index ${index} from an append`);
    // Held notices go together (the delay's end); an urgent one goes in its Ready's own batch.
    if (batch!.some((m) => m.to === id(other))) toldWithOthers++;
    sent.length = 0;
  }
  t.true(toldWithOthers < writes / 2, `${toldWithOthers} of ${writes} forwarded writes were told with the other follower's messages`);
});
