// Proves that openDatabase() gives the same Database behaviour on both engines: atomic
// batches (with sync), point reads that answer undefined for a missing key, range scans in
// byte order that respect their bounds, close() twice, and clear coded errors for an
// unknown engine name and for a database another handle holds.

import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { ENGINE_NAMES, openDatabase } from '../../storage-engine/engine.ts';
import type { EngineName } from '../../storage-engine/engine.ts';
import { VstorError } from '../../storage-engine/errors.ts';
import { temporaryDirectory } from './temp-dir.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);

test('an unknown engine name is a coded error and touches no disk', async (t) => {
  const directory = await temporaryDirectory(t, 'engine');
  const location = path.join(directory, 'db');
  await t.throwsAsync(openDatabase({ path: location, engine: 'leveldb' as EngineName }), {
    instanceOf: VstorError,
    code: 'INVALID_ARGUMENT',
    message: /unknown storage engine "leveldb"; expected one of classic-level, rocksdb/,
  });
  await t.throwsAsync(fs.stat(location), { code: 'ENOENT' });
});

test('an empty path is a coded error', async (t) => {
  await t.throwsAsync(openDatabase({ path: '', engine: 'classic-level' }), { instanceOf: VstorError, code: 'INVALID_ARGUMENT' });
});

for (const engine of ENGINE_NAMES) {
  test(`${engine}: batches, reads, ordered scans and close`, async (t) => {
    const directory = await temporaryDirectory(t, 'engine');
    const db = await openDatabase({ path: path.join(directory, 'db'), engine });
    t.teardown(() => db.close());
    t.is(db.engine, engine);
    t.is(db.status, 'open');

    await db.batch(
      [
        { type: 'put', key: bytes(1, 0xff), value: bytes(10) },
        { type: 'put', key: bytes(1, 0x02), value: bytes(20) },
        { type: 'put', key: bytes(1, 0x10), value: bytes(30) },
        { type: 'put', key: bytes(2), value: bytes(40) },
        { type: 'put', key: bytes(0, 9), value: bytes(50) },
        { type: 'del', key: bytes(1, 0x10) },
      ],
      { sync: true },
    );
    t.deepEqual([...(await db.get(bytes(1, 0x02)))!], [20]);
    t.is(await db.get(bytes(1, 0x10)), undefined, 'deleted in the same batch');
    t.is(await db.get(bytes(7)), undefined, 'never written');

    const rows: Array<[number[], number[]]> = [];
    for await (const [key, value] of db.rows({ gte: bytes(1), lt: bytes(2) })) rows.push([[...key], [...value]]);
    t.deepEqual(rows, [
      [[1, 0x02], [20]],
      [[1, 0xff], [10]],
    ]);

    await db.close();
    await db.close();
    t.is(db.status, 'closed');
    await t.throwsAsync(db.batch([{ type: 'put', key: bytes(3), value: bytes(3) }], { sync: false }), { code: 'LEVEL_DATABASE_NOT_OPEN' });
  });

  test(`${engine}: a scan reads more rows than fit in one page`, async (t) => {
    const directory = await temporaryDirectory(t, 'engine');
    const db = await openDatabase({ path: path.join(directory, 'db'), engine });
    t.teardown(() => db.close());
    const rowCount = 1300;
    await db.batch(
      Array.from({ length: rowCount }, (_, i) => ({ type: 'put' as const, key: bytes(5, i >> 8, i & 0xff), value: bytes(i & 0xff) })),
      { sync: false },
    );
    let expected = 0;
    for await (const [key] of db.rows({ gte: bytes(5), lt: bytes(6) })) {
      t.is((key[1]! << 8) | key[2]!, expected);
      expected++;
    }
    t.is(expected, rowCount);
  });

  test(`${engine}: what was written survives closing and reopening`, async (t) => {
    const directory = await temporaryDirectory(t, 'engine');
    const location = path.join(directory, 'db');
    const first = await openDatabase({ path: location, engine });
    await first.batch([{ type: 'put', key: bytes(9), value: bytes(99) }], { sync: true });
    await first.close();
    const second = await openDatabase({ path: location, engine });
    t.teardown(() => second.close());
    t.deepEqual([...(await second.get(bytes(9)))!], [99]);
  });

  test(`${engine}: a database already open elsewhere is OPEN_FAILED`, async (t) => {
    const directory = await temporaryDirectory(t, 'engine');
    const location = path.join(directory, 'db');
    const holder = await openDatabase({ path: location, engine });
    t.teardown(() => holder.close());
    await t.throwsAsync(openDatabase({ path: location, engine }), { instanceOf: VstorError, code: 'OPEN_FAILED', message: /lock/i });
  });
}
