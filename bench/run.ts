// `npm run bench -- [--suite NAME] [--quick] [--json] [--seconds S] [--no-anchor] [--write-docs]`
//
// Runs the benchmark suites (bench/suites.ts) and prints what they measured. Without
// --suite it runs every suite and rewrites the generated parts of docs/BENCHMARKS.md and
// the charts in docs/bench/ (bench/report.ts); --write-docs does that for one suite too.
// With --json the last line printed is the headline of the (last) suite as one JSON
// object, issue 5's shape:
// {"suite":"kv","vstor":{opsPerSec,p50Ms,p99Ms},"anchor":{name,opsPerSec,p50Ms,p99Ms}|null,"ratio":n|null}.
// Progress goes to stderr, so stdout holds only results.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo, suiteChartSvg, updateReport } from './report.ts';
import type { SuiteResult } from './suite.ts';
import { headlineJson } from './suite.ts';
import { suiteNamed, suites } from './suites.ts';

const usage = `usage: npm run bench -- [--suite ${suites.map((suite) => suite.name).join('|')}] [--quick] [--json] [--seconds S] [--no-anchor] [--write-docs]`;

function fail(message: string): never {
  console.error(`bench: ${message}\n${usage}`);
  process.exit(2);
}

let values: { suite?: string; quick?: boolean; json?: boolean; seconds?: string; 'no-anchor'?: boolean; 'write-docs'?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      suite: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      'no-anchor': { type: 'boolean', default: false },
      'write-docs': { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}

const chosen = values.suite === undefined ? suites : [suiteNamed(values.suite) ?? fail(`unknown suite '${values.suite}'`)];
const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
if (seconds !== undefined && !(seconds > 0 && seconds <= 600)) fail('--seconds must be a number of seconds above 0 and at most 600');

const results: SuiteResult[] = [];
for (const suite of chosen) {
  const result = await suite.run({
    quick: values.quick === true,
    seconds,
    anchor: values['no-anchor'] !== true,
    log: (line) => console.error(line),
  });
  results.push(result);
  if (!values.json) printTable(result);
  else console.log(headlineJson(result));
}

if (values['write-docs'] === true || (values.suite === undefined && values.json !== true)) {
  const docs = fileURLToPath(new URL('../docs/', import.meta.url));
  mkdirSync(`${docs}bench`, { recursive: true });
  for (const result of results) writeFileSync(`${docs}bench/${result.suite}.svg`, suiteChartSvg(result));
  const reportPath = `${docs}BENCHMARKS.md`;
  writeFileSync(reportPath, updateReport(readFileSync(reportPath, 'utf8'), machineInfo(), results));
  console.error(`bench: wrote ${reportPath} and ${results.map((result) => `docs/bench/${result.suite}.svg`).join(', ')}`);
}

function printTable(result: SuiteResult): void {
  const format = (m: { opsPerSec: number; p50Ms: number; p99Ms: number }): string =>
    `${String(Math.round(m.opsPerSec)).padStart(8)} ${result.unit}  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms`;
  console.log(`${result.suite}${result.anchorName === undefined ? '' : ` (anchor: ${result.anchorName})`}`);
  for (const row of result.rows) {
    const anchor = row.anchor === undefined ? '' : `   anchor ${format(row.anchor)}   ratio ${(row.vstor.opsPerSec / row.anchor.opsPerSec).toFixed(2)}`;
    console.log(`  ${row.workload.padEnd(6)} ${String(row.concurrency).padStart(4)}: vstor ${format(row.vstor)}${anchor}`);
  }
  console.log(headlineJson(result));
}
