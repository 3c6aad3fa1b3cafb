// The per-vDisk gate (daemon/vdisks/gate.ts): shared holders run together; an exclusive
// holder runs alone, after the shared holders before it and before those after it; once an
// exclusive holder waits, new shared holders wait behind it, so writes cannot starve a
// snapshot; vDisks do not wait for each other; a failing holder releases the gate.
import test from 'ava';
import { VDiskGates } from '../../daemon/vdisks/gate.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('shared holders overlap; an exclusive one waits for them and holds later ones back', async (t) => {
  const gates = new VDiskGates();
  const events: string[] = [];
  const first = deferred();
  const second = deferred();
  const exclusiveDone = deferred();
  const a = gates.shared(1, async () => {
    events.push('a start');
    await first.promise;
    events.push('a end');
  });
  const b = gates.shared(1, async () => {
    events.push('b start');
    await second.promise;
    events.push('b end');
  });
  const x = gates.exclusive(1, async () => {
    events.push('x start');
    await exclusiveDone.promise;
    events.push('x end');
  });
  const c = gates.shared(1, async () => {
    events.push('c');
  });
  await tick();
  t.deepEqual(events, ['a start', 'b start'], 'the exclusive waits, and the shared one after it too');
  first.resolve();
  await tick();
  t.deepEqual(events, ['a start', 'b start', 'a end']);
  second.resolve();
  await tick();
  t.deepEqual(events.slice(3), ['b end', 'x start']);
  exclusiveDone.resolve();
  await Promise.all([a, b, x, c]);
  t.deepEqual(events.slice(5), ['x end', 'c']);
  t.is(gates.activeCount, 0, 'an idle gate is forgotten');
});

test('vdisks do not wait for each other; a failing holder releases the gate', async (t) => {
  const gates = new VDiskGates();
  const held = deferred();
  const slow = gates.exclusive(1, () => held.promise);
  let other = false;
  await gates.exclusive(2, async () => {
    other = true;
  });
  t.true(other);
  await t.throwsAsync(gates.exclusive(3, async () => {
    throw new Error('boom');
  }), { message: 'boom' });
  t.is(await gates.shared(3, async () => 'after'), 'after');
  held.resolve();
  await slow;
  t.is(gates.activeCount, 0);
});

test('exclusive holders take turns in arrival order', async (t) => {
  const gates = new VDiskGates();
  const order: number[] = [];
  await Promise.all([1, 2, 3, 4].map((n) => gates.exclusive(9, async () => {
    order.push(n);
    await tick();
    order.push(-n);
  })));
  t.deepEqual(order, [1, -1, 2, -2, 3, -3, 4, -4]);
});
