// Every benchmark suite the bench command knows, in the order `npm run bench` runs them.
// The vdisk and snapshot suites of issue 5 join here as they land (a Suite each, with fio
// and nbdkit as their anchors).

import { consensusSuite } from './consensus.ts';
import { kvSuite } from './kv.ts';
import type { Suite } from './suite.ts';

export const suites: readonly Suite[] = [consensusSuite, kvSuite];

export function suiteNamed(name: string): Suite | undefined {
  return suites.find((suite) => suite.name === name);
}
