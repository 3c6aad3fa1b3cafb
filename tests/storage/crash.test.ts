// Proves that DurableLogStorage (on each engine) and WalLogStorage survive its process being killed at any moment: a child
// writes synced batches of entries and hard states (and now and then truncates a suffix or
// compacts) until the parent SIGKILLs it at a random moment (a random number of writes in,
// then a random few milliseconds, so the kill lands anywhere in a write and the test does
// not depend on how loaded the machine is); the parent reopens the same
// directory and finds exactly the state after the last write the child reported, or after
// the one write that was in flight — every reported entry present with exactly its bytes,
// the log contiguous, nothing torn, the hard state one that was written. Several rounds
// run on the same directory, each starting from what the previous one left.
//
// SIGKILL tests atomicity and the engine's recovery, not fsync: the page cache outlives the
// process. Power loss needs a machine that can lose its cache, which a unit test has not.
//
// The workload is replayed from its seed (printed; set VSTOR_CRASH_SEED to repeat one), the
// kill moment is wall-clock and so differs from run to run.

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import type { HardState } from '../../consensus/types.ts';
import { EntryType, hardStateEqual } from '../../consensus/types.ts';
import { ENGINE_NAMES, openDatabase } from '../../storage-engine/engine.ts';
import type { EngineName } from '../../storage-engine/engine.ts';
import type { RaftLogBase } from '../../storage-engine/raft-log-base.ts';
import { DurableLogStorage } from '../../storage-engine/raft-log-storage.ts';
import { WalLogStorage } from '../../storage-engine/wal/wal-log-storage.ts';
import type { LogShape, Step } from './fixtures/crash-workload.ts';
import { CRASH_SEGMENT_BYTES, nextStep, payloadFor } from './fixtures/crash-workload.ts';
import { temporaryDirectory } from './temp-dir.ts';

const ROUNDS = 3;
const KILL_AFTER_WRITES_MAX = 60;
const KILL_DELAY_MS_MAX = 5;
/** From spawn to the planned kill: start-up plus a few dozen synced writes, on a loaded machine. */
const PROGRESS_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;
const STDERR_BYTES_MAX = 16 * 1024;

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const writerPath = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

/** What the disk should hold: the log's terms by index, its compaction point, its hard state. */
interface ModelState {
  terms: number[];
  compactionIndex: number;
  hardState: HardState;
}

const emptyModel: ModelState = { terms: [0], compactionIndex: 0, hardState: { term: 0, vote: 0, commit: 0 } };

function shapeOf(state: ModelState): LogShape {
  return { firstIndex: state.compactionIndex + 1, lastIndex: state.terms.length - 1, hardState: state.hardState };
}

function shapeLine(shape: LogShape): string {
  return `${shape.firstIndex} ${shape.lastIndex} ${shape.hardState.term} ${shape.hardState.vote} ${shape.hardState.commit}`;
}

function applyStep(state: ModelState, step: Step): ModelState {
  if (step.kind === 'compact') return { ...state, compactionIndex: step.index };
  const terms = state.terms.slice(0, step.entries[0]!.index);
  for (const entry of step.entries) terms.push(entry.term);
  return { terms, compactionIndex: state.compactionIndex, hardState: step.hardState };
}

/** Why the store is not in `state`, or undefined if it is, byte for byte. */
function mismatch(storage: RaftLogBase, state: ModelState): string | undefined {
  const expected = shapeOf(state);
  const actual = { firstIndex: storage.firstIndex(), lastIndex: storage.lastIndex(), hardState: storage.initialState().hardState };
  if (actual.firstIndex !== expected.firstIndex || actual.lastIndex !== expected.lastIndex || !hardStateEqual(actual.hardState, expected.hardState)) {
    return `shape ${shapeLine(actual)}, expected ${shapeLine(expected)}`;
  }
  if (storage.term(state.compactionIndex) !== state.terms[state.compactionIndex]) return `the compaction point ${state.compactionIndex} has the wrong term`;
  if (actual.lastIndex < actual.firstIndex) return undefined;
  const entries = storage.entries(actual.firstIndex, actual.lastIndex + 1, Number.MAX_SAFE_INTEGER);
  for (const [offset, entry] of entries.entries()) {
    const index = actual.firstIndex + offset;
    const term = state.terms[index]!;
    if (entry.index !== index || entry.term !== term || entry.type !== EntryType.Normal) return `entry ${index} is ${entry.index}/${entry.term}, expected term ${term}`;
    if (Buffer.compare(entry.data, payloadFor(index, term)) !== 0) return `entry ${index} has other bytes than were written`;
  }
  return undefined;
}

interface ChildRun {
  readyLine: string;
  savedLines: string[];
  signal: NodeJS.Signals | null;
  exitCode: number | null;
  stderr: string;
}

interface KillPlan {
  /** Reported writes to wait for… */
  afterWrites: number;
  /** …and then milliseconds more, while the writer goes on writing. */
  delayMs: number;
}

/** Runs the writer, SIGKILLs it as planned, and collects everything it printed. */
/** A database engine under DurableLogStorage, or the WAL. */
type Store = EngineName | 'wal';

function runWriter(t: ExecutionContext, engine: Store, location: string, seed: number, killPlan: KillPlan): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerPath, engine, location, String(seed)], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killChild = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    t.teardown(killChild);
    const lines: string[] = [];
    let pending = '';
    let stderr = '';
    let exitTimer: NodeJS.Timeout | undefined;
    const fail = (message: string) => {
      killChild();
      clearTimeout(progressTimer);
      clearTimeout(exitTimer);
      reject(new Error(`${message}\nstderr: ${stderr}`));
    };
    const progressTimer = setTimeout(
      () => fail(`the writer did not report ${killPlan.afterWrites} writes within ${PROGRESS_TIMEOUT_MS} ms`),
      PROGRESS_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop()!;
      for (const part of parts) {
        lines.push(part);
        // lines[0] is the ready line, so this is the planned number of reported writes.
        if (lines.length === killPlan.afterWrites + 1) {
          clearTimeout(progressTimer);
          setTimeout(() => {
            killChild();
            exitTimer = setTimeout(() => fail(`the writer did not exit within ${EXIT_TIMEOUT_MS} ms of SIGKILL`), EXIT_TIMEOUT_MS);
          }, killPlan.delayMs);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_BYTES_MAX) stderr += chunk;
    });
    child.on('error', (error) => fail(`cannot run the writer: ${error.message}`));
    // 'close' comes after stdout is drained, so every line the child printed is in `lines`.
    child.on('close', (exitCode, signal) => {
      clearTimeout(progressTimer);
      clearTimeout(exitTimer);
      const [readyLine, ...rest] = lines;
      if (readyLine === undefined || !readyLine.startsWith('ready ')) {
        reject(new Error(`the writer exited (code ${exitCode}, signal ${signal}) without getting ready\nstderr: ${stderr}`));
        return;
      }
      if (pending !== '') rest.push(pending); // a partial last line is reported, and fails the check below
      resolve({ readyLine, savedLines: rest, signal, exitCode, stderr });
    });
  });
}

async function readDisk<T>(engine: Store, location: string, read: (storage: RaftLogBase) => T): Promise<T> {
  if (engine === 'wal') {
    const storage = await WalLogStorage.open(location, { segmentBytes: CRASH_SEGMENT_BYTES });
    try {
      return read(storage);
    } finally {
      await storage.close();
    }
  }
  const db = await openDatabase({ path: location, engine });
  try {
    const storage = await DurableLogStorage.open(db);
    try {
      return read(storage);
    } finally {
      await storage.close();
    }
  } finally {
    await db.close();
  }
}

for (const engine of [...ENGINE_NAMES, 'wal'] as const) {
  test(`${engine}: after SIGKILL at a random moment the log is exactly as after the last reported or the in-flight write`, async (t) => {
    const seed = process.env.VSTOR_CRASH_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.VSTOR_CRASH_SEED);
    t.log(`seed ${seed} (VSTOR_CRASH_SEED=${seed} repeats the workload)`);
    const random = new SeededRandom(seed);
    const location = path.join(await temporaryDirectory(t, `crash-${engine}`), 'db');
    let model = emptyModel;
    let writesReported = 0;
    let writesInFlightDurable = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const writerSeed = random.nextUint32();
      const killPlan = { afterWrites: 1 + random.nextInt(KILL_AFTER_WRITES_MAX), delayMs: random.nextInt(KILL_DELAY_MS_MAX + 1) };
      const where = `seed ${seed}, round ${round}`;
      const run = await runWriter(t, engine, location, writerSeed, killPlan);
      t.is(run.signal, 'SIGKILL', `${where}: the writer must die by the kill (exit code ${run.exitCode}) ${run.stderr}`);
      t.true(run.savedLines.length >= killPlan.afterWrites, `${where}: the kill came only after ${killPlan.afterWrites} reported writes`);
      t.is(run.readyLine, `ready ${shapeLine(shapeOf(model))}`, `${where}: the writer starts from what the last round left`);

      // Replay the writer's steps; its reports must match, and the disk must be in the state
      // after the last report or after the next write.
      const writerRandom = new SeededRandom(writerSeed);
      let state = model;
      for (const [index, savedLine] of run.savedLines.entries()) {
        state = applyStep(state, nextStep(shapeOf(state), writerRandom));
        if (savedLine !== `saved ${shapeLine(shapeOf(state))}`) {
          t.fail(`${where}: report ${index} is "${savedLine}", the replay says "saved ${shapeLine(shapeOf(state))}"`);
          return;
        }
      }
      const inFlight = applyStep(state, nextStep(shapeOf(state), writerRandom));
      const [afterReported, afterInFlight] = await readDisk(engine, location, (storage) => [mismatch(storage, state), mismatch(storage, inFlight)]);
      if (afterReported !== undefined && afterInFlight !== undefined) {
        t.fail(`${where}: after ${run.savedLines.length} reported writes the disk is in neither allowed state: ${afterReported}; or ${afterInFlight}`);
        return;
      }
      model = afterReported === undefined ? state : inFlight;
      writesReported += run.savedLines.length;
      if (afterReported !== undefined) writesInFlightDurable++;
    }
    t.log(`${writesReported} writes reported over ${ROUNDS} rounds; the write in flight was durable ${writesInFlightDurable} times; last index ${model.terms.length - 1}`);
  });
}
