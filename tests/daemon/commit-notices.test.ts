// A leader's commit notices (daemon/commit-notices.ts): an append without entries is held for
// the delay, replaced by the next append to the same follower, taken along by any other
// message to it, and sent when the delay ends; a follower waiting on the commit index (it
// forwarded entries it has not been told are committed) and an urgent batch get theirs at
// once; a delay of 0 holds nothing; reset() drops what is held.

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { CommitNotices } from '../../daemon/commit-notices.ts';
import type { Entry, Message } from '../../consensus/types.ts';
import { EntryType, message, MessageType } from '../../consensus/types.ts';
import { waitFor } from './loop-fixtures.ts';

const DELAY_MS = 20;
/** Far longer than DELAY_MS: what has not gone by then was not going to. */
const SETTLE_MS = 200;

/** Commit notices over a transport that records every batch; reset when the test ends. */
function started(t: ExecutionContext, delayMs = DELAY_MS): { sent: Message[][]; notices: CommitNotices } {
  const sent: Message[][] = [];
  const notices = new CommitNotices(delayMs, { send: (messages: Message[]) => void sent.push(messages) });
  t.teardown(() => notices.reset());
  return { sent, notices };
}

const entry = (index: number): Entry => ({ term: 1, index, type: EntryType.Normal, data: new Uint8Array(1) });
const notice = (to: number, commit: number): Message => message({ type: MessageType.App, from: 1, to, term: 1, index: commit, logTerm: 1, commit });
const append = (to: number, index: number, commit: number): Message => message({ type: MessageType.App, from: 1, to, term: 1, index: index - 1, logTerm: 1, entries: [entry(index)], commit });
const heartbeat = (to: number, commit: number): Message => message({ type: MessageType.Heartbeat, from: 1, to, term: 1, commit });
const describe = (batches: Message[][]) => batches.map((batch) => batch.map((m) => `${m.type === MessageType.App ? (m.entries.length > 0 ? 'append' : 'notice') : 'heartbeat'}→${m.to}@${m.commit}`));


const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a notice nobody waits on is held, then sent when the delay ends', async (t) => {
  const { sent, notices } = started(t);
  notices.send([notice(2, 5), notice(3, 5)], false);
  t.deepEqual(sent, [], 'nothing goes at once');
  t.is(notices.heldCount, 2);
  await waitFor('the held notices', () => (sent.length > 0 ? true : undefined));
  t.deepEqual(describe(sent), [['notice→2@5', 'notice→3@5']]);
  t.is(notices.heldCount, 0);
});

test('a newer notice replaces the held one, and an append replaces it altogether', async (t) => {
  const { sent, notices } = started(t);
  notices.send([notice(2, 5), notice(3, 5)], false);
  notices.send([notice(2, 6), notice(3, 6)], false);
  notices.send([append(2, 7, 6)], false);
  await pause(SETTLE_MS);
  t.deepEqual(describe(sent), [['append→2@6'], ['notice→3@6']], 'follower 2 learns 6 from the append; 3 gets only the newest notice');
});

test('any other message to the follower takes the held notice along, in the same batch', async (t) => {
  const { sent, notices } = started(t);
  notices.send([notice(2, 5), notice(3, 5)], false);
  notices.send([heartbeat(2, 4)], false);
  t.deepEqual(describe(sent), [['notice→2@5', 'heartbeat→2@4']]);
  await pause(SETTLE_MS);
  t.deepEqual(describe(sent.slice(1)), [['notice→3@5']]);
});

test('a follower that forwarded entries gets its notice at once until it has been told they are committed', async (t) => {
  const { sent, notices } = started(t);
  notices.forwarded(2, 7);
  // The append carrying the forwarded entry tells an older commit index.
  notices.send([append(2, 7, 6), append(3, 7, 6)], false);
  notices.send([notice(2, 7), notice(3, 7)], false);
  t.deepEqual(describe(sent), [['append→2@6', 'append→3@6'], ['notice→2@7']], 'follower 2 waits on 7; follower 3 does not');
  // Told 7: follower 2's next notice waits like anyone's.
  notices.send([append(2, 8, 7), append(3, 8, 7)], false);
  notices.send([notice(2, 8), notice(3, 8)], false);
  t.is(sent.length, 3);
  t.is(notices.heldCount, 2);
});

test('an urgent batch sends its notices and every held one at once', async (t) => {
  const { sent, notices } = started(t);
  notices.send([notice(3, 5)], false);
  notices.send([notice(2, 6)], true);
  t.deepEqual(describe(sent), [['notice→2@6', 'notice→3@5']]);
  t.is(notices.heldCount, 0);
});

test('with a delay of 0 every notice goes at once', (t) => {
  const { sent, notices } = started(t, 0);
  notices.send([notice(2, 5), notice(3, 5)], false);
  t.deepEqual(describe(sent), [['notice→2@5', 'notice→3@5']]);
  t.is(notices.heldCount, 0);
});

test('reset drops what is held and what was learnt of the followers', async (t) => {
  const { sent, notices } = started(t);
  notices.forwarded(2, 9);
  notices.send([notice(3, 5)], false);
  notices.reset();
  notices.send([notice(2, 9)], false);
  await pause(SETTLE_MS);
  t.deepEqual(describe(sent), [['notice→2@9']], 'the dropped notice never goes; follower 2 no longer counts as waiting, so its notice waited for the delay');
});
