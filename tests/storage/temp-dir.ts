// Every storage test works in a directory of its own under the OS temp dir, removed when the
// test ends whether it passed or not.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';

export async function temporaryDirectory(t: ExecutionContext, label: string): Promise<string> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), `vstor-${label}-`));
  t.teardown(() => fs.rm(directory, { recursive: true, force: true }));
  return directory;
}
