// Proves that the simulated network delays, drops, duplicates and reorders messages within
// its configured bounds, that cut links (both ways, one way, and a cut while a message is in
// flight) lose messages until healed, that its queue is bounded, and that one seed always
// produces the same schedule.

import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import { message, MessageType } from '../../consensus/types.ts';
import type { Message } from '../../consensus/types.ts';
import { calmFaults, SimNetwork } from './network.ts';

function app(from: number, to: number, index: number): Message {
  return message({ type: MessageType.App, from, to, index });
}

/** Runs the clock until the queue is empty, returning [tick, index] per arrival. */
function drain(network: SimNetwork): Array<[number, number]> {
  const arrivals: Array<[number, number]> = [];
  for (let guard = 0; guard < 1000 && network.inFlight > 0; guard++) {
    for (let parcel = network.popDue(); parcel !== undefined; parcel = network.popDue()) {
      if (network.isLinkUp(parcel.message.from, parcel.message.to)) arrivals.push([network.now, parcel.message.index]);
    }
    network.now++;
  }
  return arrivals;
}

test('a calm network delivers everything at once, in send order', (t) => {
  const network = new SimNetwork(new SeededRandom(1), calmFaults);
  for (let i = 0; i < 10; i++) t.is(network.send(app(1, 2, i)), 'queued');
  const arrivals = drain(network);
  t.is(arrivals.length, 10);
  t.true(arrivals.every(([tick]) => tick === 0));
});

test('each link is FIFO unless a message is picked for reordering', (t) => {
  const network = new SimNetwork(new SeededRandom(8), { ...calmFaults, delayTicksMax: 3 });
  for (let i = 0; i < 200; i++) network.send(app(1 + (i % 2), 3, i));
  const arrivals = drain(network);
  for (const from of [1, 2]) {
    const order = arrivals.map(([, index]) => index).filter((index) => index % 2 === from - 1);
    t.deepEqual(order, [...order].sort((a, b) => a - b), `link ${from}→3 kept its order`);
  }
  t.notDeepEqual(arrivals.map(([, index]) => index), [...Array(200).keys()], 'the two links interleave');
});

test('delays stay within delayTicksMax and reorder messages', (t) => {
  const network = new SimNetwork(new SeededRandom(7), { ...calmFaults, delayTicksMax: 3, reorderProbability: 1 });
  for (let i = 0; i < 200; i++) network.send(app(1, 2, i));
  const arrivals = drain(network);
  t.is(arrivals.length, 200);
  t.true(arrivals.every(([tick]) => tick >= 0 && tick <= 3));
  const order = arrivals.map(([, index]) => index);
  t.notDeepEqual(order, [...order].sort((a, b) => a - b), 'some message overtook another');
});

test('drops and duplicates happen at about their probability', (t) => {
  const network = new SimNetwork(new SeededRandom(3), { ...calmFaults, dropProbability: 0.2, duplicateProbability: 0.1, inFlightMessagesMax: 10_000 });
  const fates = new Map<string, number>();
  for (let i = 0; i < 5000; i++) {
    const fate = network.send(app(1, 2, i));
    fates.set(fate, (fates.get(fate) ?? 0) + 1);
  }
  const dropped = fates.get('dropped') ?? 0;
  const duplicated = fates.get('duplicated') ?? 0;
  t.true(dropped > 850 && dropped < 1150, `dropped ${dropped}`);
  t.true(duplicated > 300 && duplicated < 500, `duplicated ${duplicated}`);
  t.is(drain(network).length, 5000 - dropped + duplicated);
});

test('partitions block links until healed; a cut loses messages in flight', (t) => {
  const network = new SimNetwork(new SeededRandom(5), { ...calmFaults, delayTicksMax: 2 });
  network.split([1], [2, 3]);
  t.is(network.send(app(1, 2, 1)), 'blocked');
  t.is(network.send(app(3, 1, 1)), 'blocked');
  t.is(network.send(app(2, 3, 1)), 'queued');
  network.heal();
  t.false(network.isPartitioned);
  network.cutOneWay(1, 2);
  t.is(network.send(app(1, 2, 2)), 'blocked');
  t.is(network.send(app(2, 1, 2)), 'queued');
  network.heal();
  network.send(app(1, 3, 3));
  network.isolate(3);
  const arrivals = drain(network);
  t.deepEqual(arrivals.map(([, index]) => index).sort(), [2], 'the message to the isolated node was lost in flight');
});

test('the queue is bounded', (t) => {
  const network = new SimNetwork(new SeededRandom(9), { ...calmFaults, inFlightMessagesMax: 4 });
  for (let i = 0; i < 4; i++) t.is(network.send(app(1, 2, i)), 'queued');
  t.is(network.send(app(1, 2, 4)), 'full');
});

test('one seed gives one schedule', (t) => {
  const run = (seed: number) => {
    const network = new SimNetwork(new SeededRandom(seed), { ...calmFaults, delayTicksMax: 4, dropProbability: 0.1, duplicateProbability: 0.1, reorderProbability: 0.3 });
    for (let i = 0; i < 100; i++) network.send(app(1 + (i % 3), 1 + ((i + 1) % 3), i));
    return drain(network);
  };
  t.deepEqual(run(11), run(11));
  t.notDeepEqual(run(11), run(12));
});
