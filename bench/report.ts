// docs/BENCHMARKS.md as `npm run bench` rewrites it. The generated parts sit between marker
// comments — the machine line, and for each suite its table and chart — and everything
// outside the markers (what was found, the profiles, the changes) is written by people and
// kept as it is. A suite whose markers are not in the document yet gets a section appended
// at the end. Charts go to docs/bench/<suite>.svg.

import { cpus, totalmem } from 'node:os';
import type { Chart, ChartSeries } from './svg-chart.ts';
import { renderChart } from './svg-chart.ts';
import type { Measurement, SuiteResult } from './suite.ts';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  date: string;
}

export function machineInfo(now = new Date()): MachineInfo {
  const cores = cpus();
  return {
    cores: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: now.toISOString().slice(0, 10),
  };
}

export function machineMarkdown(machine: MachineInfo): string {
  return `Last run ${machine.date} on ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}.`;
}

const SERIES_COLORS = ['#1f6feb', '#d9480f', '#2f9e44', '#9c36b5'];

/** Throughput and p99 against concurrency, one line per workload and system. */
export function suiteChart(result: SuiteResult): Chart {
  const xValues = [...new Set(result.rows.map((row) => row.concurrency))].sort((left, right) => left - right);
  // Where the chart has several concurrencies, a workload measured at one of them only
  // (kv's "via follower" rows) has no line to draw: it stays in the table. A suite measured
  // at one concurrency (snapshot) keeps its points.
  const workloads = [...new Set(result.rows.map((row) => row.workload))]
    .filter((workload) => xValues.length === 1 || new Set(result.rows.filter((row) => row.workload === workload).map((row) => row.concurrency)).size > 1);
  const systems: { name: string; pick: (row: SuiteResult['rows'][number]) => Measurement | undefined; dashed: boolean }[] = [
    { name: 'vstor', pick: (row) => row.vstor, dashed: false },
  ];
  if (result.rows.some((row) => row.anchor !== undefined)) {
    systems.push({ name: result.anchorName ?? 'anchor', pick: (row) => row.anchor, dashed: true });
  }
  const seriesOf = (value: (m: Measurement) => number): ChartSeries[] =>
    workloads.flatMap((workload, workloadIndex) =>
      systems.map((system) => ({
        name: workloads.length > 1 ? `${system.name} ${workload}` : system.name,
        color: SERIES_COLORS[workloadIndex % SERIES_COLORS.length]!,
        dashed: system.dashed,
        points: new Map(
          result.rows
            .filter((row) => row.workload === workload && system.pick(row) !== undefined)
            .map((row) => [row.concurrency, value(system.pick(row)!)]),
        ),
      })),
    );
  return {
    title: `${result.suite}: vstor${systems.length > 1 ? ` vs ${systems[1]!.name}` : ''}`,
    xLabel: result.suite === 'consensus' ? 'entries per proposal' : 'concurrent clients',
    xValues,
    panels: [
      { title: 'throughput', yLabel: result.unit, series: seriesOf((m) => m.opsPerSec) },
      { title: 'p99 latency', yLabel: 'ms', series: seriesOf((m) => m.p99Ms) },
    ],
  };
}

export function suiteChartSvg(result: SuiteResult): string {
  return renderChart(suiteChart(result));
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function ops(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** The generated part of a suite's section: headline, table and chart. */
/** Server + client CPU ms per operation, or empty when not measured. */
function cpu(m: Measurement | undefined): string {
  if (m?.serverCpuMsPerOp === undefined) return '';
  return `${m.serverCpuMsPerOp.toFixed(2)} + ${(m.clientCpuMsPerOp ?? 0).toFixed(2)}`;
}

export function suiteMarkdown(result: SuiteResult, chartPath: string): string {
  const withAnchor = result.rows.some((row) => row.anchor !== undefined);
  const withCpu = result.rows.some((row) => row.vstor.serverCpuMsPerOp !== undefined);
  const anchorName = result.anchorName ?? 'anchor';
  const anchorShort = anchorName.split(' ')[0]!;
  const columns = ['workload', 'concurrency', `vstor ${result.unit}`, 'p50 ms', 'p99 ms'];
  if (withCpu) columns.push('vstor CPU ms/op (server + client)');
  if (withAnchor) {
    columns.push(`${anchorName} ${result.unit}`, 'p50 ms', 'p99 ms');
    if (withCpu) columns.push(`${anchorShort} CPU ms/op`);
    columns.push(`vstor / ${anchorShort}`);
  }
  const header = [`| ${columns.join(' | ')} |`, `| --- | ${columns.slice(1).map(() => '---:').join(' | ')} |`];
  const rows = result.rows.map((row) => {
    const cells = [row.workload, String(row.concurrency), ops(row.vstor.opsPerSec), ms(row.vstor.p50Ms), ms(row.vstor.p99Ms)];
    if (withCpu) cells.push(cpu(row.vstor));
    if (withAnchor) {
      const anchor = row.anchor;
      cells.push(anchor === undefined ? '' : ops(anchor.opsPerSec), anchor === undefined ? '' : ms(anchor.p50Ms), anchor === undefined ? '' : ms(anchor.p99Ms));
      if (withCpu) cells.push(cpu(anchor));
      cells.push(anchor === undefined ? '' : (row.vstor.opsPerSec / anchor.opsPerSec).toFixed(2));
    }
    return `| ${cells.join(' | ')} |`;
  });
  const { headline } = result;
  const ratio = headline.ratio === null ? '' : `; ${headline.anchor!.name} ${ops(headline.anchor!.opsPerSec)} ${result.unit} (p99 ${ms(headline.anchor!.p99Ms)} ms): ratio **${headline.ratio.toFixed(2)}**`;
  const elections = result.rows.flatMap((row) =>
    [['vstor', row.vstor] as const, [anchorShort, row.anchor] as const]
      .filter(([, m]) => (m?.termsStarted ?? 0) > 0)
      .map(([name, m]) => `${name} ${row.workload} at ${row.concurrency}: ${m!.termsStarted} new Raft term${m!.termsStarted === 1 ? '' : 's'}`));
  return [
    result.description,
    '',
    `Headline (${headline.label}): vstor ${ops(headline.vstor.opsPerSec)} ${result.unit} (p99 ${ms(headline.vstor.p99Ms)} ms)${ratio}.`,
    '',
    ...header,
    ...rows,
    '',
    ...(elections.length === 0 ? [] : [`Elections during a measurement (its p99 includes the time without a leader): ${elections.join('; ')}.`, '']),
    `![${result.suite}: throughput and p99 against concurrency](${chartPath})`,
  ].join('\n');
}

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

/** Replaces the text between the markers of `name`, or appends a section holding them. */
export function replaceBlock(document: string, name: string, content: string, sectionTitle: string): string {
  const { start, end } = markers(name);
  const block = `${start}\n${content}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from >= 0 && to > from) return document.slice(0, from) + block + document.slice(to + end.length);
  return `${document.trimEnd()}\n\n## ${sectionTitle}\n\n${block}\n`;
}

/** The report with every generated block brought up to date. */
export function updateReport(document: string, machine: MachineInfo, results: readonly SuiteResult[]): string {
  let updated = replaceBlock(document, 'machine', machineMarkdown(machine), 'Machine');
  for (const result of results) {
    updated = replaceBlock(updated, `suite:${result.suite}`, suiteMarkdown(result, `bench/${result.suite}.svg`), result.suite);
  }
  return updated;
}
