// The vdisk benchmark reads fio's JSON report: what it takes from it (IOPS, bandwidth,
// completion-latency percentiles in ns → ms), past the line fio's nbd engine prints first,
// and that a failed job is an error rather than a row of zeros. Speeds are never asserted.
import test from 'ava';
import { fioArguments, parseFioReport } from '../../bench/fio.ts';

function report(direction: 'read' | 'write', error = 0): string {
  const idle = { iops: 0, bw_bytes: 0, clat_ns: { mean: 0 } };
  const busy = {
    iops: 23625.5, bw_bytes: 96769534,
    clat_ns: { mean: 659266, percentile: { '1.000000': 75264, '50.000000': 436224, '99.000000': 4554752, '99.900000': 9000000 } },
  };
  const job = { jobname: 'j', error, read: direction === 'read' ? busy : idle, write: direction === 'write' ? busy : idle };
  return `fio: connected to NBD server\n${JSON.stringify({ 'fio version': 'fio-3.33', jobs: [job] }, null, 2)}`;
}

test('parseFioReport takes IOPS, MiB/s and clat p50/p99 of the asked direction, past a leading line', (t) => {
  const stats = parseFioReport(report('write'), 'write', 'j');
  t.is(stats.opsPerSec, 23625.5);
  t.is(stats.p50Ms, 0.436224);
  t.is(stats.p99Ms, 4.554752);
  t.is(stats.mibPerSec, 96769534 / (1024 * 1024));
  t.is(parseFioReport(report('write'), 'read', 'j').opsPerSec, 0, 'the other direction is idle');
});

test('parseFioReport refuses a failed job and output without a report', (t) => {
  t.throws(() => parseFioReport(report('read', 5), 'read', 'j'), { message: /error 5/ });
  t.throws(() => parseFioReport('fio: connection refused\n', 'read', 'j'), { message: /no JSON report/ });
});

test('fioArguments runs time-based only when given seconds, with a fixed random seed', (t) => {
  const timed = fioArguments({ name: 'r', uri: 'nbd://127.0.0.1:1/x', rw: 'randread', blockBytes: 4096, iodepth: 16, seconds: 3, timeoutMs: 1 }, '/tmp/o.json');
  t.true(timed.includes('--time_based') && timed.includes('--runtime=3'));
  t.true(timed.includes('--ioengine=nbd') && timed.includes('--uri=nbd://127.0.0.1:1/x') && timed.includes('--randseed=42'));
  const pass = fioArguments({ name: 'w', uri: 'nbd://h:1/x', rw: 'write', blockBytes: 1 << 20, iodepth: 4, timeoutMs: 1 }, '/tmp/o.json');
  t.false(pass.some((arg) => arg.startsWith('--runtime') || arg === '--time_based'));
});
