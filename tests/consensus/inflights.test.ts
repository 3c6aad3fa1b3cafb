// Inflights, the leader's flow control towards one follower: it admits messages up to a
// count and a byte budget, frees them in order as acknowledgements arrive, wraps around its
// ring without losing order, and refuses (as an assertion: a caller bug) to take more once
// full.
import test from 'ava';
import { AssertionError } from '../../consensus/errors.ts';
import { Inflights } from '../../consensus/inflights.ts';

test('fills up to its message count, then reports full', (t) => {
  const inflights = new Inflights(3, 0);
  inflights.add(10, 100);
  inflights.add(20, 100);
  t.false(inflights.full());
  inflights.add(30, 100);
  t.true(inflights.full());
  t.is(inflights.size(), 3);
});

test('adding to a full window is a caller bug and asserts', (t) => {
  const inflights = new Inflights(1, 0);
  inflights.add(1, 1);
  t.throws(() => inflights.add(2, 1), { instanceOf: AssertionError });
});

test('freeLessOrEqual frees every message whose last index is acknowledged, in order', (t) => {
  const inflights = new Inflights(5, 0);
  for (const index of [10, 20, 30, 40]) inflights.add(index, 1);
  inflights.freeLessOrEqual(5);
  t.is(inflights.size(), 4, 'an acknowledgement below the first message frees nothing');
  inflights.freeLessOrEqual(25);
  t.is(inflights.size(), 2, '10 and 20 are freed, 30 is not');
  inflights.freeLessOrEqual(30);
  t.is(inflights.size(), 1);
  inflights.freeLessOrEqual(1000);
  t.is(inflights.size(), 0);
  t.false(inflights.full());
});

test('the ring wraps around and keeps its order', (t) => {
  const inflights = new Inflights(3, 0);
  inflights.add(1, 1);
  inflights.add(2, 1);
  inflights.add(3, 1);
  inflights.freeLessOrEqual(2);
  // Two slots free at the front of the array; new messages go there after the wrap.
  inflights.add(4, 1);
  inflights.add(5, 1);
  t.true(inflights.full());
  inflights.freeLessOrEqual(3);
  t.is(inflights.size(), 2);
  inflights.freeLessOrEqual(4);
  t.is(inflights.size(), 1);
  inflights.add(6, 1);
  inflights.add(7, 1);
  t.true(inflights.full());
  inflights.freeLessOrEqual(6);
  t.is(inflights.size(), 1, 'only 7 remains');
});

test('a byte budget makes the window full before its message count is reached', (t) => {
  const inflights = new Inflights(100, 1000);
  inflights.add(1, 400);
  inflights.add(2, 400);
  t.false(inflights.full(), '800 of 1000 bytes');
  inflights.add(3, 200);
  t.true(inflights.full(), 'exactly at the budget counts as full');
  inflights.freeLessOrEqual(1);
  t.false(inflights.full(), 'freeing a message returns its bytes');
  inflights.add(4, 5000);
  t.true(inflights.full(), 'one message may overshoot the budget; the window is then full');
});

test('a byte budget of 0 means no byte limit', (t) => {
  const inflights = new Inflights(2, 0);
  inflights.add(1, Number.MAX_SAFE_INTEGER);
  t.false(inflights.full());
});

test('reset empties the window', (t) => {
  const inflights = new Inflights(3, 10);
  inflights.add(1, 5);
  inflights.add(2, 5);
  t.true(inflights.full());
  inflights.reset();
  t.is(inflights.size(), 0);
  t.false(inflights.full());
  inflights.add(3, 5);
  inflights.add(4, 4);
  t.false(inflights.full(), 'the byte count was reset too');
});

test('a window of zero messages is refused', (t) => {
  t.throws(() => new Inflights(0, 0), { instanceOf: AssertionError });
});
