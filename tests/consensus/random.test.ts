// SeededRandom, the only randomness the core sees: a seed replays the same stream (so a
// failed simulation replays from its seed), different seeds diverge at once, and every draw
// stays inside its bounds. Invalid bounds are a caller bug and throw.
import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';

const draw = (seed: number, count: number, bound: number): number[] => {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => random.nextInt(bound));
};

test('the same seed gives the same stream', (t) => {
  t.deepEqual(draw(42, 100, 1000), draw(42, 100, 1000));
  const a = new SeededRandom(7);
  const b = new SeededRandom(7);
  for (let i = 0; i < 50; i++) t.is(a.nextUint32(), b.nextUint32());
});

test('neighbouring seeds give unrelated streams from the first draw', (t) => {
  const streams = [1, 2, 3, 4].map((seed) => draw(seed, 20, 1 << 30));
  for (let i = 0; i < streams.length; i++) {
    for (let j = i + 1; j < streams.length; j++) t.notDeepEqual(streams[i], streams[j]);
  }
  t.not(new SeededRandom(1).nextUint32(), new SeededRandom(2).nextUint32());
});

test('seeds beyond 32 bits are not truncated to the same stream', (t) => {
  t.notDeepEqual(draw(5, 10, 1 << 30), draw(5 + 2 ** 32, 10, 1 << 30));
});

test('nextInt stays in [0, bound) and reaches both ends', (t) => {
  const random = new SeededRandom(99);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const value = random.nextInt(10);
    t.true(Number.isInteger(value) && value >= 0 && value < 10, `drew ${value}`);
    seen.add(value);
  }
  t.is(seen.size, 10, 'every value of a small range is drawn');
  t.is(new SeededRandom(3).nextInt(1), 0, 'a bound of 1 always gives 0');
});

test('nextUint32 and nextFloat stay in range', (t) => {
  const random = new SeededRandom(123);
  for (let i = 0; i < 1000; i++) {
    const u = random.nextUint32();
    t.true(Number.isInteger(u) && u >= 0 && u <= 0xffffffff);
    const f = random.nextFloat();
    t.true(f >= 0 && f < 1);
  }
});

test('nextInt refuses bounds that are not positive integers', (t) => {
  const random = new SeededRandom(1);
  for (const bound of [0, -1, 1.5, Number.NaN]) {
    t.throws(() => random.nextInt(bound), { instanceOf: RangeError }, `bound ${bound}`);
  }
});

test('chance(0) never happens and chance(1) always does', (t) => {
  const random = new SeededRandom(8);
  for (let i = 0; i < 200; i++) {
    t.false(random.chance(0));
    t.true(random.chance(1));
  }
});
