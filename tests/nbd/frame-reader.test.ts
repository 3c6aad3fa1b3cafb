// The FrameReader hands out frames whatever the chunking: a frame inside one chunk is a
// view of it (no copy), a frame across chunks is assembled once, and the reader never
// holds more than its configured maximum.
import test from 'ava';
import { NbdAssertionError } from '../../daemon/nbd/errors.ts';
import { FrameReader } from '../../daemon/nbd/frame-reader.ts';
import { hex, toHex } from './helpers.ts';

test('a frame within one chunk is a view of that chunk', (t) => {
  const reader = new FrameReader(64);
  const chunk = hex('0102030405060708');
  t.true(reader.push(chunk));
  const frame = reader.take(4);
  t.is(frame?.buffer, chunk.buffer);
  t.is(toHex(frame!), '01020304');
  t.is(reader.pendingBytes, 4);
});

test('a frame across chunks, fed one byte at a time, is assembled in order', (t) => {
  const reader = new FrameReader(64);
  for (const byte of hex('0a0b0c0d0e')) {
    t.is(reader.take(5), undefined);
    t.true(reader.push(Uint8Array.of(byte)));
  }
  t.is(toHex(reader.take(5)!), '0a0b0c0d0e');
  t.is(reader.pendingBytes, 0);
  t.is(reader.take(1), undefined);
});

test('skip discards what is there and says how much', (t) => {
  const reader = new FrameReader(64);
  reader.push(hex('0102'));
  reader.push(hex('030405'));
  t.is(reader.discard(3), 3);
  t.is(reader.discard(10), 2);
  t.is(reader.pendingBytes, 0);
});

test('push refuses, and keeps nothing of, a chunk that would exceed pendingBytesMax', (t) => {
  const reader = new FrameReader(4);
  t.true(reader.push(hex('010203')));
  t.false(reader.push(hex('0405')));
  t.is(reader.pendingBytes, 3);
  t.true(reader.push(hex('04')));
  t.is(toHex(reader.takeAll()), '01020304');
});

test('many one-byte chunks stay linear and correct', (t) => {
  const reader = new FrameReader(1 << 20);
  const count = 100_000;
  for (let i = 0; i < count; i++) reader.push(Uint8Array.of(i & 0xff));
  for (let i = 0; i < count; i += 4) {
    const frame = reader.take(4)!;
    t.is(frame[0], i & 0xff);
    if (frame[0] !== (i & 0xff)) return;
  }
  t.is(reader.pendingBytes, 0);
});

test('misuse is an assertion', (t) => {
  t.throws(() => new FrameReader(0), { instanceOf: NbdAssertionError });
  t.throws(() => new FrameReader(8).take(-1), { instanceOf: NbdAssertionError });
});
