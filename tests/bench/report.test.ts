// The bench command's report: the generated blocks of docs/BENCHMARKS.md are replaced in
// place and the prose around them is kept; a suite without a block gets a section; the
// table and chart say what the suite measured; the JSON headline has issue 5's shape.

import test from 'ava';
import type { SuiteResult } from '../../bench/suite.ts';
import { headlineJson } from '../../bench/suite.ts';
import { niceCeiling, renderChart } from '../../bench/svg-chart.ts';
import { machineInfo, replaceBlock, suiteChart, suiteMarkdown, updateReport } from '../../bench/report.ts';

const kvResult: SuiteResult = {
  suite: 'kv',
  description: 'Three nodes on loopback.',
  anchorName: 'etcd 3.4.23',
  unit: 'ops/s',
  rows: [
    { workload: 'write', concurrency: 1, vstor: { opsPerSec: 300, p50Ms: 3, p99Ms: 9 }, anchor: { opsPerSec: 250, p50Ms: 3.5, p99Ms: 10 } },
    { workload: 'write', concurrency: 256, vstor: { opsPerSec: 2400, p50Ms: 90, p99Ms: 200, termsStarted: 1 }, anchor: { opsPerSec: 2000, p50Ms: 100, p99Ms: 240, termsStarted: 0 } },
    { workload: 'read', concurrency: 1, vstor: { opsPerSec: 900, p50Ms: 1, p99Ms: 2, serverCpuMsPerOp: 0.5, clientCpuMsPerOp: 0.25 }, anchor: { opsPerSec: 800, p50Ms: 1.2, p99Ms: 3, serverCpuMsPerOp: 0.2, clientCpuMsPerOp: 0.3 } },
    { workload: 'read', concurrency: 256, vstor: { opsPerSec: 4000, p50Ms: 50, p99Ms: 120 }, anchor: { opsPerSec: 2500, p50Ms: 90, p99Ms: 200 } },
    { workload: 'write via follower', concurrency: 1, vstor: { opsPerSec: 250, p50Ms: 4, p99Ms: 12 }, anchor: { opsPerSec: 240, p50Ms: 4.1, p99Ms: 11 } },
  ],
  headline: {
    label: 'writes at 256 clients',
    vstor: { opsPerSec: 2400.4, p50Ms: 90.12345, p99Ms: 200 },
    anchor: { name: 'etcd', opsPerSec: 2000, p50Ms: 100, p99Ms: 240 },
    ratio: 1.2002,
  },
};

test('the JSON headline has exactly the fields issue 5 names, rounded', (t) => {
  const parsed = JSON.parse(headlineJson(kvResult)) as Record<string, unknown>;
  t.deepEqual(parsed, {
    suite: 'kv',
    vstor: { opsPerSec: 2400, p50Ms: 90.123, p99Ms: 200 },
    anchor: { name: 'etcd', opsPerSec: 2000, p50Ms: 100, p99Ms: 240 },
    ratio: 1.2,
  });
  const without = JSON.parse(headlineJson({ ...kvResult, headline: { ...kvResult.headline, anchor: null, ratio: null } })) as Record<string, unknown>;
  t.is(without['anchor'], null);
  t.is(without['ratio'], null);
});

test('a generated block is replaced in place and the prose around it is kept', (t) => {
  const document = '# Benchmarks\n\nIntro.\n\n<!-- bench:suite:kv:start -->\nold table\n<!-- bench:suite:kv:end -->\n\n### Findings\n\nKept prose.\n';
  const updated = replaceBlock(document, 'suite:kv', 'new table', 'kv');
  t.is(updated, '# Benchmarks\n\nIntro.\n\n<!-- bench:suite:kv:start -->\nnew table\n<!-- bench:suite:kv:end -->\n\n### Findings\n\nKept prose.\n');
  t.is(replaceBlock(updated, 'suite:kv', 'new table', 'kv'), updated, 'rewriting is idempotent');
});

test('a suite without a block gets a section of its own at the end', (t) => {
  const updated = replaceBlock('# Benchmarks\n\nIntro.\n', 'suite:vdisk', 'rows', 'vdisk');
  t.is(updated, '# Benchmarks\n\nIntro.\n\n## vdisk\n\n<!-- bench:suite:vdisk:start -->\nrows\n<!-- bench:suite:vdisk:end -->\n');
});

test('the report names the machine and tabulates vstor against the anchor with the ratio', (t) => {
  const machine = { cores: 2, cpuModel: 'Test CPU', memoryGiB: 24, node: 'v20.20.2', date: '2026-11-22' };
  const document = updateReport('# Benchmarks\n\n<!-- bench:machine:start -->\n<!-- bench:machine:end -->\n', machine, [kvResult]);
  t.true(document.includes('Last run 2026-11-22 on 2 cores (Test CPU), 24 GiB, Node v20.20.2.'));
  t.true(document.includes('| workload | concurrency | vstor ops/s | p50 ms | p99 ms | vstor CPU ms/op (server + client) | etcd 3.4.23 ops/s | p50 ms | p99 ms | etcd CPU ms/op | vstor / etcd |'));
  t.true(document.includes('| write | 256 | 2,400 | 90.0 | 200 |  | 2,000 | 100 | 240 |  | 1.20 |'));
  t.true(document.includes('| read | 1 | 900 | 1.00 | 2.00 | 0.50 + 0.25 | 800 | 1.20 | 3.00 | 0.20 + 0.30 | 1.13 |'));
  t.true(document.includes('![kv: throughput and p99 against concurrency](bench/kv.svg)'));
  t.true(document.includes('ratio **1.20**'));
  t.true(document.includes('Elections during a measurement (its p99 includes the time without a leader): vstor write at 256: 1 new Raft term.'));
  const info = machineInfo(new Date('2026-01-02T03:04:05Z'));
  t.is(info.date, '2026-01-02');
  t.true(info.cores >= 1);
});

test('a suite without an anchor gets a table of vstor alone', (t) => {
  const markdown = suiteMarkdown({ ...kvResult, anchorName: undefined, rows: kvResult.rows.map(({ anchor: _anchor, ...row }) => row), headline: { ...kvResult.headline, anchor: null, ratio: null } }, 'bench/kv.svg');
  t.true(markdown.includes('| workload | concurrency | vstor ops/s | p50 ms | p99 ms | vstor CPU ms/op (server + client) |\n'));
  t.false(markdown.includes('ratio'));
  t.false(suiteMarkdown({ ...kvResult, rows: [kvResult.rows[0]!] }, 'bench/kv.svg').includes('Elections'), 'no line without an election');
});

test('the chart has a throughput and a p99 panel with one line per system and workload', (t) => {
  const chart = suiteChart(kvResult);
  t.deepEqual(chart.xValues, [1, 256]);
  t.deepEqual(chart.panels.map((panel) => panel.title), ['throughput', 'p99 latency']);
  t.deepEqual(chart.panels[0]!.series.map((series) => series.name), ['vstor write', 'etcd 3.4.23 write', 'vstor read', 'etcd 3.4.23 read']);
  t.deepEqual([...chart.panels[1]!.series[1]!.points], [[1, 10], [256, 240]]);
  // A workload at one concurrency has no line to draw: it is in the table only.
  t.false(chart.panels[0]!.series.some((series) => series.name.includes('via follower')));
  t.true(suiteMarkdown(kvResult, 'bench/kv.svg').includes('| write via follower | 1 | 250 | 4.00 | 12.0 |'));
  // A suite measured at one concurrency only keeps a point per workload.
  const single = suiteChart({ ...kvResult, anchorName: undefined, rows: kvResult.rows.filter((row) => row.concurrency === 1).map(({ anchor: _anchor, ...row }) => row) });
  t.deepEqual(single.panels[0]!.series.map((series) => series.name), ['vstor write', 'vstor read', 'vstor write via follower']);
  const svg = renderChart(chart);
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.true(svg.trimEnd().endsWith('</svg>'));
  // Two panels of four series, each drawn as one path.
  t.is(svg.match(/<path /g)?.length, 8);
  t.true(svg.includes('stroke-dasharray'), 'the anchor is dashed');
});

test('text in a chart is escaped and axis ceilings are round numbers', (t) => {
  const svg = renderChart({ title: 'a <b> & "c"', xLabel: 'x', xValues: [1], panels: [{ title: 't', yLabel: 'y', series: [] }] });
  t.true(svg.includes('a &lt;b&gt; &amp; &quot;c&quot;'));
  t.deepEqual([0, 0.7, 3, 20, 2400, 2_411_323, 4100].map(niceCeiling), [1, 0.8, 3, 20, 2500, 2_500_000, 5000]);
});
