// `npm run sim`: runs the deterministic simulator over many seeds, or replays one.
//
//   npm run sim -- --seeds 500            seeds 1..500 (default 100)
//   npm run sim -- --seed 1234 --trace    replay one seed, printing its full trace
//   npm run sim -- --nodes 3,5            founding voters, alternating between seeds (default 3)
//   npm run sim -- --steps 4000           chaos steps per seed
//   npm run sim -- --first 1000           start the seed range elsewhere
//   npm run sim -- --json                 a JSON summary as the last line
//   npm run sim -- --no-conf-snapshots    no Raft snapshot after each membership change
//   npm run sim -- --liveness-timeouts 10 the liveness bound, in election timeouts
//   npm run sim -- --lease-reads          lease-based ReadIndex in runs with check-quorum
//   npm run sim -- --state-machine M      in-snapshot (default), durable-applied (the daemon's
//                                         restart today) or durable-replay (etcd's), see node.ts
//
// A failure prints its seed, step and last trace lines, with the command that replays it.
// The exit status is non-zero if any seed violated a property or failed liveness.

import { parseArgs } from 'node:util';
import { LIVENESS_ELECTION_TIMEOUTS, runSimulation } from './cluster.ts';
import type { SimulationResult } from './cluster.ts';
import { stateMachineModes } from './node.ts';
import type { StateMachineMode } from './node.ts';

export const DEFAULT_STEPS = 3000;

function usage(message: string): never {
  console.error(`sim: ${message}`);
  console.error('usage: npm run sim -- [--seeds N | --seed S [--trace]] [--first S] [--nodes 3|5|3,5] [--steps K] [--json]');
  process.exit(2);
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) usage(`--${name} must be a non-negative integer, got ${text}`);
  return value;
}

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    first: { type: 'string' },
    nodes: { type: 'string' },
    steps: { type: 'string' },
    trace: { type: 'boolean', default: false },
    'no-conf-snapshots': { type: 'boolean', default: false },
    'liveness-timeouts': { type: 'string' },
    'state-machine': { type: 'string' },
    'lease-reads': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) usage('help');

const nodeCounts = (values.nodes ?? '3').split(',').map((text) => {
  const count = Number(text);
  if (count !== 3 && count !== 5) usage(`--nodes takes 3, 5 or 3,5, got ${values.nodes}`);
  return count;
});
const stateMachineMode = (values['state-machine'] ?? 'in-snapshot') as StateMachineMode;
if (!stateMachineModes.includes(stateMachineMode)) usage(`--state-machine takes one of ${stateMachineModes.join(', ')}`);
const steps = positiveInteger('steps', values.steps, DEFAULT_STEPS);
const single = values.seed !== undefined;
const first = single ? positiveInteger('seed', values.seed, 1) : positiveInteger('first', values.first, 1);
const seedCount = single ? 1 : positiveInteger('seeds', values.seeds, 100);
if (values.trace && !single) usage('--trace replays one seed: give --seed');

/** The options that change a run, repeated in the replay command a failure prints. */
const replayFlags = [
  values['no-conf-snapshots'] ? ' --no-conf-snapshots' : '',
  stateMachineMode !== 'in-snapshot' ? ` --state-machine ${stateMachineMode}` : '',
  values['lease-reads'] ? ' --lease-reads' : '',
  values['liveness-timeouts'] !== undefined ? ` --liveness-timeouts ${values['liveness-timeouts']}` : '',
].join('');

const totals = { seeds: 0, violations: 0, livenessFailures: 0, committed: 0, payloadsCommitted: 0, steps: 0, ticks: 0, leadersElected: 0, crashes: 0, confChangesApplied: 0, readsAnswered: 0, messagesDelivered: 0 };
const failedSeeds: Array<{ seed: number; nodes: number; kind: string }> = [];
const started = performance.now();

function report(result: SimulationResult): void {
  const failure = result.failure!;
  console.log(`\nFAIL seed ${result.seed} (${result.nodeCount} nodes): ${failure.message}`);
  console.log(`at step ${failure.step}; last ${failure.trace.length} trace lines:`);
  for (const line of failure.trace) console.log(`  ${line}`);
  console.log(`replay: npm run sim -- --seed ${result.seed} --nodes ${result.nodeCount} --steps ${steps}${replayFlags} --trace\n`);
}

for (let i = 0; i < seedCount; i++) {
  const seed = first + i;
  const nodeCount = nodeCounts[i % nodeCounts.length]!;
  const result = runSimulation({
    seed, nodeCount, steps,
    snapshotAfterConfChange: !values['no-conf-snapshots'],
    stateMachineMode,
    leaseReads: values['lease-reads'],
    livenessElectionTimeouts: positiveInteger('liveness-timeouts', values['liveness-timeouts'], LIVENESS_ELECTION_TIMEOUTS),
    ...(values.trace ? { onTrace: (line: string) => console.log(line) } : {}),
  });
  totals.seeds++;
  totals.committed += result.committed;
  totals.payloadsCommitted += result.payloadsCommitted;
  totals.steps += result.steps;
  totals.ticks += result.ticks;
  totals.leadersElected += result.leadersElected;
  totals.crashes += result.crashes;
  totals.confChangesApplied += result.confChangesApplied;
  totals.readsAnswered += result.readsAnswered;
  totals.messagesDelivered += result.messagesDelivered;
  if (result.failure !== undefined) {
    if (result.failure.kind === 'liveness') totals.livenessFailures++;
    else totals.violations++;
    failedSeeds.push({ seed, nodes: nodeCount, kind: result.failure.kind });
    if (!values.trace) report(result);
    else console.log(`FAIL: ${result.failure.message}`);
  }
  if (single && !values.json) {
    console.log(`seed ${seed}: ${result.failure === undefined ? 'ok' : 'FAIL'}, ${result.committed} entries committed, ` +
      `${result.leadersElected} leaders, ${result.crashes} crashes, ${result.confChangesApplied} membership changes, trace ${result.traceDigest}`);
  }
}

const seconds = (performance.now() - started) / 1000;
if (!single && !values.json) {
  console.log(`${totals.seeds} seeds in ${seconds.toFixed(1)} s (${(totals.seeds / seconds).toFixed(1)} seeds/s, ` +
    `${Math.round(totals.steps / seconds)} steps/s): ${totals.violations} violations, ${totals.livenessFailures} liveness failures, ` +
    `${totals.committed} entries committed`);
}
if (values.json) {
  console.log(JSON.stringify({
    ...totals, failedSeeds, nodes: nodeCounts, stepsPerSeed: steps, seconds: Number(seconds.toFixed(3)),
    seedsPerSecond: Number((totals.seeds / seconds).toFixed(2)),
  }));
}
process.exitCode = totals.violations + totals.livenessFailures > 0 ? 1 : 0;
