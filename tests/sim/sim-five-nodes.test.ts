// Proves, by seeded simulation of five-node clusters, the same properties as sim.test.ts
// (safety under crashes, partitions, message faults, compaction, membership changes and
// leadership transfers; liveness once healed). A separate file so that ava runs it in
// parallel with the three-node seeds.

import test from 'ava';
import { sweepSeeds } from './sweep.ts';

test('5 nodes: seeds 1-100 keep every property', (t) => sweepSeeds(t, 1, 100, 5));
test('5 nodes: seeds 101-200 keep every property', (t) => sweepSeeds(t, 101, 100, 5));
test('5 nodes: seeds 201-300 keep every property', (t) => sweepSeeds(t, 201, 100, 5));
