// Proves that crc32c() computes CRC32C (Castagnoli) and not some other CRC: it matches the
// published check value and the iSCSI test vectors of RFC 3720 appendix B.4, a plain
// bit-at-a-time definition on many lengths and unaligned views, and it chains.

import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import { crc32c } from '../../storage-engine/crc32c.ts';

/** The definition, one bit at a time: slow and obviously right. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('the check value of "123456789" is 0xE3069283', (t) => {
  t.is(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('the empty input has the checksum 0', (t) => {
  t.is(crc32c(new Uint8Array(0)), 0);
});

test('RFC 3720 B.4 vectors: 32 zero bytes, 32 0xFF bytes, ascending and descending bytes', (t) => {
  t.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  t.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  t.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  t.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

test('RFC 3720 B.4 vector: an iSCSI read command PDU', (t) => {
  const pdu = new Uint8Array(48);
  pdu.set([0x01, 0xc0], 0);
  pdu.set([0x14], 16);
  pdu.set([0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28], 20);
  pdu.set([0x02], 40);
  t.is(crc32c(pdu), 0xd9963a56);
});

test('4 KiB blocks and odd lengths around the 16-byte steps agree with the bitwise definition at every alignment', (t) => {
  const random = new SeededRandom(20261123);
  const backing = Uint8Array.from({ length: 4096 + 64 }, () => random.nextInt(256));
  for (const length of [31, 32, 33, 47, 48, 49, 4096, 4096 + 5, 4096 + 17]) {
    for (const offset of [0, 1, 2, 3, 4, 5, 13]) {
      const view = backing.subarray(offset, offset + length);
      t.is(crc32c(view), crc32cBitwise(view), `length ${length}, offset ${offset}`);
      t.is(crc32c(view.subarray(7), crc32c(view.subarray(0, 7))), crc32cBitwise(view), `chained, length ${length}, offset ${offset}`);
    }
  }
});

test('the table-driven version agrees with the bitwise definition on every length 0..100 and unaligned views', (t) => {
  const random = new SeededRandom(20240601);
  const backing = Uint8Array.from({ length: 160 }, () => random.nextInt(256));
  for (let length = 0; length <= 100; length++) {
    for (const offset of [0, 1, 3, 7]) {
      const view = backing.subarray(offset, offset + length);
      t.is(crc32c(view), crc32cBitwise(view), `length ${length}, offset ${offset}`);
    }
  }
});

test('a checksum continues across pieces: crc32c(b, crc32c(a)) = crc32c(a ‖ b)', (t) => {
  const random = new SeededRandom(7);
  const whole = Uint8Array.from({ length: 4096 }, () => random.nextInt(256));
  for (const split of [0, 1, 8, 13, 4095, 4096]) {
    t.is(crc32c(whole.subarray(split), crc32c(whole.subarray(0, split))), crc32c(whole), `split at ${split}`);
  }
});

test('one flipped bit changes the checksum', (t) => {
  const block = new Uint8Array(4096).fill(0x5a);
  const before = crc32c(block);
  block[2048]! ^= 0x10;
  t.not(crc32c(block), before);
});
