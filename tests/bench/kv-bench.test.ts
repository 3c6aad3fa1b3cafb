// `npm run bench -- --suite kv --quick --json` keeps working end to end: it starts a vstor
// and an etcd cluster, drives both, prints issue 5's JSON line last, and leaves no process
// behind. Behaviour only: the figures are whatever this machine gives, never asserted.

import test from 'ava';
import { processesWith, runBench } from './run-bench.ts';

test('the kv suite prints its headline against etcd as the last line and stops everything it started', async (t) => {
  const result = await runBench(['--suite', 'kv', '--quick', '--seconds', '0.3', '--json']);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  const headline = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  t.deepEqual(Object.keys(headline), ['suite', 'vstor', 'anchor', 'ratio']);
  t.is(headline['suite'], 'kv');
  const vstor = headline['vstor'] as Record<string, number>;
  const anchor = headline['anchor'] as Record<string, unknown>;
  t.deepEqual(Object.keys(vstor), ['opsPerSec', 'p50Ms', 'p99Ms']);
  t.deepEqual(Object.keys(anchor), ['name', 'opsPerSec', 'p50Ms', 'p99Ms']);
  t.is(anchor['name'], 'etcd');
  t.true(vstor['opsPerSec']! > 0 && (anchor['opsPerSec'] as number) > 0, 'both systems answered writes');
  t.true(vstor['p50Ms']! > 0 && vstor['p99Ms']! >= vstor['p50Ms']!);
  const ratio = headline['ratio'] as number;
  t.true(Math.abs(ratio - vstor['opsPerSec']! / (anchor['opsPerSec'] as number)) <= 0.01 * ratio, 'ratio is vstor / etcd throughput');
  // The lone client is measured at the leader and again through a follower, on both.
  t.regex(result.stderr, /kv: write 1 clients: vstor .*; etcd /);
  t.regex(result.stderr, /kv: write via follower 1 clients: vstor .*; etcd /);
  // Nothing the run started is left: etcd members carry the bench process's pid in their
  // cluster token, vstord members a config under a vstor-bench-<pid>- temp directory. Other
  // benchmark runs on the machine have other pids, so they do not count.
  t.deepEqual(processesWith(`bench-${result.pid}`), []);
});

test('an unknown suite or a bad option is refused with usage and status 2', async (t) => {
  const unknown = await runBench(['--suite', 'nope']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown suite 'nope'[\s\S]*usage: npm run bench/);
  const badSeconds = await runBench(['--suite', 'kv', '--seconds', 'soon']);
  t.is(badSeconds.code, 2);
  t.regex(badSeconds.stderr, /--seconds must be/);
});
