// Progress, the leader's model of one follower: the probe / replicate / snapshot state
// machine, what each state allows to be sent, and how acknowledgements and rejections move
// `match` and `next`. Stale (reordered or duplicated) responses must change nothing: the
// network may deliver an old rejection after a newer acknowledgement.
import test from 'ava';
import { Inflights } from '../../consensus/inflights.ts';
import { Progress } from '../../consensus/progress.ts';

function progress(fields: { match?: number; next: number; state?: 'probe' | 'replicate' | 'snapshot'; pendingSnapshot?: number; inflightMessagesMax?: number }): Progress {
  const p = new Progress(fields.next, new Inflights(fields.inflightMessagesMax ?? 256, 0), false);
  p.match = fields.match ?? 0;
  if (fields.state === 'replicate') {
    p.state = 'replicate';
  } else if (fields.state === 'snapshot') {
    p.becomeSnapshot(fields.pendingSnapshot ?? 0);
  }
  return p;
}

test('a new Progress probes', (t) => {
  const p = new Progress(5, new Inflights(4, 0), false);
  t.is(p.state, 'probe');
  t.is(p.next, 5);
  t.is(p.match, 0);
  t.false(p.isPaused());
});

test('becomeProbe from replicate restarts at match + 1', (t) => {
  const p = progress({ match: 1, next: 5, state: 'replicate' });
  p.inflights.add(4, 10);
  p.becomeProbe();
  t.is(p.state, 'probe');
  t.is(p.next, 2);
  t.is(p.inflights.size(), 0, 'leaving replicate forgets the window');
});

test('becomeProbe from snapshot continues after the snapshot when it is ahead of match', (t) => {
  const p = progress({ match: 1, next: 5, state: 'snapshot', pendingSnapshot: 10 });
  p.becomeProbe();
  t.is(p.state, 'probe');
  t.is(p.next, 11);
  t.is(p.pendingSnapshot, 0);
});

test('becomeProbe from snapshot uses match when match is past the snapshot', (t) => {
  const p = progress({ match: 15, next: 16, state: 'snapshot', pendingSnapshot: 10 });
  p.becomeProbe();
  t.is(p.next, 16);
});

test('becomeProbe from a failed snapshot (pending cleared) restarts at match + 1', (t) => {
  const p = progress({ match: 1, next: 5, state: 'snapshot', pendingSnapshot: 10 });
  p.pendingSnapshot = 0;
  p.becomeProbe();
  t.is(p.next, 2);
});

test('becomeReplicate starts right after match', (t) => {
  const p = progress({ match: 7, next: 3 });
  p.becomeReplicate();
  t.is(p.state, 'replicate');
  t.is(p.next, 8);
});

test('becomeSnapshot records the snapshot index and pauses sending', (t) => {
  const p = progress({ match: 1, next: 2 });
  p.becomeSnapshot(20);
  t.is(p.state, 'snapshot');
  t.is(p.pendingSnapshot, 20);
  t.true(p.isPaused());
});

test('in probe, a message with entries pauses until an answer; an empty one does not', (t) => {
  const p = progress({ match: 0, next: 1 });
  p.sentEntries(0, 0);
  t.false(p.isPaused(), 'an empty probe does not pause');
  p.sentEntries(3, 30);
  t.true(p.isPaused());
  t.is(p.next, 1, 'probe does not move next optimistically');
  t.true(p.maybeUpdate(3));
  t.false(p.isPaused(), 'an acknowledgement unpauses');
});

test('in replicate, next moves optimistically and the window pauses sending when full', (t) => {
  const p = progress({ match: 0, next: 1, state: 'replicate', inflightMessagesMax: 2 });
  p.sentEntries(2, 20);
  t.is(p.next, 3);
  t.false(p.isPaused());
  p.sentEntries(1, 10);
  t.is(p.next, 4);
  t.true(p.isPaused(), 'two messages in flight fill a window of two');
  p.sentEntries(0, 0);
  t.is(p.inflights.size(), 2, 'an empty append is not tracked in the window');
});

test('maybeUpdate moves match forward only and never moves next back', (t) => {
  const p = progress({ match: 5, next: 10, state: 'replicate' });
  t.false(p.maybeUpdate(4), 'an older acknowledgement is stale');
  t.is(p.match, 5);
  t.false(p.maybeUpdate(5), 'a duplicate acknowledgement is stale');
  t.true(p.maybeUpdate(7));
  t.is(p.match, 7);
  t.is(p.next, 10, 'next stays ahead of match');
  t.true(p.maybeUpdate(12));
  t.is(p.next, 13, 'next follows match when match passes it');
});

test('maybeDecreaseTo in replicate: a rejection at or below match is stale', (t) => {
  const p = progress({ match: 5, next: 10, state: 'replicate' });
  t.false(p.maybeDecreaseTo(5, 5));
  t.false(p.maybeDecreaseTo(3, 0));
  t.is(p.next, 10);
  t.true(p.maybeDecreaseTo(9, 9));
  t.is(p.next, 6, 'a real rejection rewinds to match + 1');
});

test('maybeDecreaseTo in probe: only a rejection of the last probe counts', (t) => {
  const p = progress({ match: 5, next: 10 });
  p.sentEntries(1, 1);
  t.true(p.isPaused());
  t.false(p.maybeDecreaseTo(8, 6), 'rejects index 8, but the probe was at 9: stale');
  t.is(p.next, 10);
  t.true(p.isPaused(), 'a stale rejection does not unpause');
  t.true(p.maybeDecreaseTo(9, 7));
  t.is(p.next, 8, 'next = hint + 1');
  t.false(p.isPaused());
});

test('maybeDecreaseTo in probe never goes below match + 1 nor above the rejected index', (t) => {
  const low = progress({ match: 5, next: 10 });
  t.true(low.maybeDecreaseTo(9, 2));
  t.is(low.next, 6, 'a hint below match is clamped to match + 1');
  const high = progress({ match: 0, next: 10 });
  t.true(high.maybeDecreaseTo(9, 50));
  t.is(high.next, 9, 'a hint past the rejected index is clamped to it');
});

test('isPaused: snapshot always, replicate only with a full window, probe only after a probe', (t) => {
  const snapshot = progress({ next: 1, state: 'snapshot', pendingSnapshot: 3 });
  t.true(snapshot.isPaused());
  const replicate = progress({ next: 1, state: 'replicate', inflightMessagesMax: 1 });
  t.false(replicate.isPaused());
  replicate.sentEntries(1, 1);
  t.true(replicate.isPaused());
  replicate.inflights.freeLessOrEqual(1);
  replicate.sentEntries(0, 0);
  t.false(replicate.isPaused(), 'freed window, unpaused on the next send');
});

test('sentCommitTo keeps the highest commit index sent', (t) => {
  const p = progress({ next: 1 });
  p.sentCommitTo(5);
  p.sentCommitTo(3);
  t.is(p.sentCommit, 5);
});
