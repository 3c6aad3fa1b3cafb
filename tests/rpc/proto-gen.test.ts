// The committed types in proto/gen/ are exactly what `npm run proto:gen` generates from
// proto/ today: nobody edited them by hand, and nobody changed a .proto file without
// regenerating. And the loaded definitions do not depend on the working directory.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { generatedTypesDirectory } from '../../rpc/proto-files.ts';
import { generateProtoTypes } from '../../rpc/proto-gen.ts';

function listFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

test('proto/gen/ is identical to freshly generated types (run `npm run proto:gen` if not)', (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'vstor-proto-gen-'));
  try {
    generateProtoTypes(directory);
    const fresh = listFiles(directory);
    const committed = listFiles(generatedTypesDirectory);
    t.deepEqual(committed, fresh, 'the same files');
    for (const file of fresh) {
      const expected = readFileSync(join(directory, file), 'utf8');
      const actual = readFileSync(join(generatedTypesDirectory, file), 'utf8');
      t.true(actual === expected, `proto/gen/${file} differs from what the generator writes`);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('the .proto files load from any working directory', (t) => {
  const protoModule = fileURLToPath(new URL('../../rpc/proto.ts', import.meta.url));
  const script = `import(${JSON.stringify(protoModule)}).then((m) => console.log(Object.keys(m.raftPeerService).join(',')))`;
  const output = execFileSync(process.execPath, [`--import=${import.meta.resolve('tsx')}`, '--input-type=module', '-e', script], {
    cwd: tmpdir(),
    encoding: 'utf8',
  });
  t.is(output.trim(), 'SendSnapshot');
});
