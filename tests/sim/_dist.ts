import { runSimulation } from './cluster.ts';
const ratios: Array<[number, number, number]> = [];
for (let seed = 1; seed <= 3000; seed++) {
  const nodeCount = seed % 2 === 0 ? 5 : 3;
  const r = runSimulation({ seed, nodeCount, steps: 3000, livenessElectionTimeouts: 1000 });
  if (r.failure) { console.log('FAIL', seed, nodeCount, r.failure.kind, r.failure.message.slice(0, 200)); continue; }
  const m = /electionTicks=(\d+)/.exec('')?.[1];
  void m;
  ratios.push([r.livenessTicks, seed, nodeCount]);
}
ratios.sort((a, b) => b[0] - a[0]);
console.log(JSON.stringify(ratios.slice(0, 15)));
