// Measures the durable Raft log's synced append: the latency of one save() of one entry and
// its hard state with { sync: true } — what a follower pays for every Ready — on the WAL
// (storage-engine/wal) and on DurableLogStorage over classic-level and RocksDB, and the CPU
// time the process spends per save. Each store is measured in `--processes` processes at
// once (each its own store, as several nodes or databases share one disk), every process
// running its saves back to back; the stores take turns, `--rounds` times, so that a
// change of load on a shared machine falls on all of them.
//
// `npx tsx bench/raft-log.ts [--saves 1000] [--processes 1] [--rounds 2] [--payload-bytes 128]`
// Files go under a temp directory in the working directory (the disk a data directory uses).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EntryType } from '../consensus/types.ts';
import { openDatabase } from '../storage-engine/engine.ts';
import type { RaftLogBase } from '../storage-engine/raft-log-base.ts';
import { DurableLogStorage } from '../storage-engine/raft-log-storage.ts';
import { WalLogStorage } from '../storage-engine/wal/wal-log-storage.ts';

const STORES = ['wal', 'classic-level', 'rocksdb'] as const;
type Store = (typeof STORES)[number];
const CHILD_TIMEOUT_MS = 300_000;

interface ChildResult {
  latenciesMs: number[];
  cpuMicroseconds: number;
}

/** One process: opens a store in `directory`, waits for "go" on stdin, saves, reports JSON. */
async function child(store: Store, directory: string, saves: number, payloadBytes: number): Promise<void> {
  let storage: RaftLogBase;
  let close: () => Promise<void>;
  if (store === 'wal') {
    const wal = await WalLogStorage.open(directory);
    storage = wal;
    close = () => wal.close();
  } else {
    const db = await openDatabase({ path: directory, engine: store });
    const durable = await DurableLogStorage.open(db);
    storage = durable;
    close = async () => {
      await durable.close();
      await db.close();
    };
  }
  const data = new Uint8Array(payloadBytes).fill(0x5a);
  const save = () => {
    const index = storage.lastIndex() + 1;
    return storage.save({ entries: [{ index, term: 1, type: EntryType.Normal, data }], hardState: { term: 1, vote: 1, commit: index - 1 } }, { sync: true });
  };
  for (let warmUp = 0; warmUp < 100; warmUp++) await save();
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
  const latenciesMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let count = 0; count < saves; count++) {
    const started = performance.now();
    await save();
    latenciesMs.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  await close();
  process.stdout.write(JSON.stringify({ latenciesMs, cpuMicroseconds: cpu.user + cpu.system } satisfies ChildResult) + '\n');
}

/** Runs `processes` children on one store at once; resolves with what each measured. */
function runStore(store: Store, base: string, round: number, options: { processes: number; saves: number; payloadBytes: number }): Promise<ChildResult[]> {
  const script = fileURLToPath(import.meta.url);
  const children = Array.from({ length: options.processes }, (_, at) =>
    spawn(process.execPath, ['--import', 'tsx', script, '--child', store, '--directory', join(base, `${store}-${round}-${at}`), '--saves', String(options.saves), '--payload-bytes', String(options.payloadBytes)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }));
  let ready = 0;
  return Promise.all(children.map((worker) => new Promise<ChildResult>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      worker.kill('SIGKILL');
      reject(new Error(`a ${store} process did not finish within ${CHILD_TIMEOUT_MS} ms`));
    }, CHILD_TIMEOUT_MS);
    worker.stdout!.setEncoding('utf8');
    worker.stdout!.on('data', (chunk: string) => {
      output += chunk;
      if (chunk.includes('ready\n') && ++ready === children.length) for (const each of children) each.stdin!.end('go\n');
    });
    worker.on('exit', (code) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`a ${store} process exited with ${code}`));
      else resolve(JSON.parse(last) as ChildResult);
    });
  })));
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    directory: { type: 'string' },
    saves: { type: 'string', default: '1000' },
    processes: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    'payload-bytes': { type: 'string', default: '128' },
  },
  strict: true,
});
const saves = Number(values.saves);
const payloadBytes = Number(values['payload-bytes']);
if (values.child !== undefined) {
  await child(values.child as Store, values.directory!, saves, payloadBytes);
} else {
  const processes = Number(values.processes);
  const rounds = Number(values.rounds);
  const base = mkdtempSync(join(process.cwd(), '.bench-raft-log-'));
  try {
    const results = new Map<Store, ChildResult[]>(STORES.map((store) => [store, []]));
    for (let round = 0; round < rounds; round++) {
      for (const store of STORES) {
        console.error(`round ${round + 1}/${rounds}: ${store}, ${processes} process(es) × ${saves} synced saves`);
        results.get(store)!.push(...(await runStore(store, base, round, { processes, saves, payloadBytes })));
      }
    }
    console.log(`synced save of one ${payloadBytes}-byte entry and the hard state; ${processes} process(es) at once, ${rounds} round(s)`);
    console.log('store          saves    p50 ms   p90 ms   p99 ms  mean ms  CPU µs/save');
    for (const [store, measured] of results) {
      const latencies = measured.flatMap((result) => result.latenciesMs).sort((a, b) => a - b);
      const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
      const cpu = measured.reduce((sum, result) => sum + result.cpuMicroseconds, 0) / latencies.length;
      const cells = [quantile(latencies, 0.5), quantile(latencies, 0.9), quantile(latencies, 0.99), mean].map((value) => value.toFixed(3).padStart(8));
      console.log(`${store.padEnd(13)} ${String(latencies.length).padStart(6)} ${cells.join(' ')} ${cpu.toFixed(0).padStart(12)}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
