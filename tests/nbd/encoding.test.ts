// Byte-exact encodings of what the server sends, each expected value written out field by
// field from the tables of the NBD protocol specification (doc/proto.md), not produced by
// the code under test. A wrong byte here is a client that cannot talk to us.
import test from 'ava';
import { AllocationState, Errno, Option, Reply, TransmissionFlag } from '../../daemon/nbd/constants.ts';
import { NbdAssertionError } from '../../daemon/nbd/errors.ts';
import {
  encodeAck, encodeExportNameReply, encodeGreeting, encodeInfoBlockSize, encodeInfoExport, encodeInfoName, encodeMetaContextReply, encodeOptionError, encodeServerReply,
} from '../../daemon/nbd/option-reply.ts';
import {
  encodeBlockStatusChunk, encodeErrorChunk, encodeErrorOffsetChunk, encodeNoneChunk, encodeOffsetDataChunk, encodeOffsetDataHeader, encodeOffsetHoleChunk, encodeSimpleReply,
} from '../../daemon/nbd/transmission.ts';
import { ascii, hex, toHex } from './helpers.ts';

const REPLY_MAGIC = '0003e889045565a9';
const COOKIE = 0x0102030405060708n;
const COOKIE_HEX = '0102030405060708';

test('greeting: NBDMAGIC, IHAVEOPT, handshake flags FIXED_NEWSTYLE | NO_ZEROES', (t) => {
  t.is(toHex(encodeGreeting(true)), toHex(hex('4e42444d41474943 49484156454f5054 0003')));
  t.is(toHex(encodeGreeting(false)), toHex(hex('4e42444d41474943 49484156454f5054 0001')));
});

test('a GO reply sequence: INFO export (size, flags), INFO block size, ACK', (t) => {
  const flags = TransmissionFlag.HAS_FLAGS | TransmissionFlag.SEND_FLUSH | TransmissionFlag.SEND_FUA;
  const replies = [
    encodeInfoExport(Option.GO, 1n << 30n, flags),
    encodeInfoBlockSize(Option.GO, 1, 4096, 32 * 1024 * 1024),
    encodeAck(Option.GO),
  ];
  t.deepEqual(replies.map(toHex), [
    // magic, option 7, NBD_REP_INFO 3, length 12 | NBD_INFO_EXPORT 0, size 1 GiB, flags 0x000d
    `${REPLY_MAGIC} 00000007 00000003 0000000c 0000 0000000040000000 000d`,
    // length 14 | NBD_INFO_BLOCK_SIZE 3, minimum 1, preferred 4096, maximum 32 MiB
    `${REPLY_MAGIC} 00000007 00000003 0000000e 0003 00000001 00001000 02000000`,
    `${REPLY_MAGIC} 00000007 00000001 00000000`,
  ].map((text) => toHex(hex(text))));
});

test('INFO name, SERVER for LIST, META_CONTEXT and error replies with a message', (t) => {
  t.is(toHex(encodeInfoName(Option.INFO, 'vd1')), `${REPLY_MAGIC}0000000600000003000000050001${ascii('vd1')}`);
  t.is(toHex(encodeServerReply('vd1')), `${REPLY_MAGIC}000000030000000200000007 00000003${ascii('vd1')}`.replace(/ /g, ''));
  t.is(toHex(encodeMetaContextReply(Option.SET_META_CONTEXT, 1, 'base:allocation')),
    `${REPLY_MAGIC}0000000a0000000400000013 00000001${ascii('base:allocation')}`.replace(/ /g, ''));
  t.is(toHex(encodeOptionError(Option.GO, Reply.ERR_UNKNOWN, 'no such vdisk')),
    `${REPLY_MAGIC}0000000780000006 0000000d${ascii('no such vdisk')}`.replace(/ /g, ''));
  t.is(toHex(encodeOptionError(99, Reply.ERR_UNSUP)), `${REPLY_MAGIC}000000638000000100000000`);
});

test('EXPORT_NAME reply: size, flags, then 124 zero bytes unless NO_ZEROES was agreed', (t) => {
  const flags = TransmissionFlag.HAS_FLAGS | TransmissionFlag.READ_ONLY;
  t.is(toHex(encodeExportNameReply(4096n, flags, true)), '00000000000010000003');
  const withZeroes = encodeExportNameReply(4096n, flags, false);
  t.is(withZeroes.length, 8 + 2 + 124);
  t.is(toHex(withZeroes), `00000000000010000003${'00'.repeat(124)}`);
});

test('simple reply: magic 0x67446698, error, cookie, then read data', (t) => {
  t.is(toHex(encodeSimpleReply(COOKIE, 0)), `67446698 00000000 ${COOKIE_HEX}`.replace(/ /g, ''));
  t.is(toHex(encodeSimpleReply(COOKIE, Errno.EINVAL)), `67446698 00000016 ${COOKIE_HEX}`.replace(/ /g, ''));
  t.is(toHex(encodeSimpleReply(COOKIE, 0, hex('cafe'))), `67446698 00000000 ${COOKIE_HEX} cafe`.replace(/ /g, ''));
  t.throws(() => encodeSimpleReply(COOKIE, Errno.EIO, hex('00')), { instanceOf: NbdAssertionError });
});

test('structured read reply: OFFSET_DATA, OFFSET_HOLE, then NONE with DONE', (t) => {
  const chunks = [
    encodeOffsetDataChunk(COOKIE, 0x1000n, hex('61626364'), false),
    encodeOffsetHoleChunk(COOKIE, 0x1004n, 0x1000, false),
    encodeNoneChunk(COOKIE),
  ];
  t.deepEqual(chunks.map(toHex), [
    // magic, flags 0, type 1, cookie, length 8 + 4 | offset, data
    `668e33ef 0000 0001 ${COOKIE_HEX} 0000000c 0000000000001000 61626364`,
    // type 2, length 12 | offset, hole size
    `668e33ef 0000 0002 ${COOKIE_HEX} 0000000c 0000000000001004 00001000`,
    `668e33ef 0001 0000 ${COOKIE_HEX} 00000000`,
  ].map((text) => toHex(hex(text))));
  t.is(toHex(encodeOffsetDataHeader(COOKIE, 0x1000n, 4, true)), toHex(hex(`668e33ef 0001 0001 ${COOKIE_HEX} 0000000c 0000000000001000`)));
  // The READ reply header is written field by field: the top bits of cookie and offset, a
  // large length, and no chunk of zero bytes.
  t.is(toHex(encodeOffsetDataHeader(2n ** 64n - 1n, 2n ** 63n + 5n, 0xfffffff0, false)),
    toHex(hex('668e33ef 0000 0001 ffffffffffffffff fffffff8 8000000000000005')));
  t.throws(() => encodeOffsetDataHeader(COOKIE, 0n, 0, true), { instanceOf: NbdAssertionError });
});

test('error chunks: errno, u16 message length, message (and offset for ERROR_OFFSET)', (t) => {
  t.is(toHex(encodeErrorChunk(COOKIE, Errno.EIO, 'bad')), toHex(hex(`668e33ef 0001 8001 ${COOKIE_HEX} 00000009 00000005 0003 626164`)));
  t.is(toHex(encodeErrorOffsetChunk(COOKIE, Errno.EIO, '', 0x200n, true)),
    toHex(hex(`668e33ef 0001 8002 ${COOKIE_HEX} 0000000e 00000005 0000 0000000000000200`)));
});

test('block status reply: context id, then length and HOLE|ZERO flags per extent', (t) => {
  const chunk = encodeBlockStatusChunk(COOKIE, 1, [
    { lengthBytes: 4096, flags: AllocationState.HOLE | AllocationState.ZERO },
    { lengthBytes: 8192, flags: 0 },
  ], true);
  t.is(toHex(chunk), toHex(hex(`668e33ef 0001 0005 ${COOKIE_HEX} 00000014 00000001 00001000 00000003 00002000 00000000`)));
});

test('encoders assert on values no correct server passes', (t) => {
  t.throws(() => encodeInfoExport(Option.GO, 1n, 0), { instanceOf: NbdAssertionError });
  t.throws(() => encodeInfoExport(Option.GO, -1n, TransmissionFlag.HAS_FLAGS), { instanceOf: NbdAssertionError });
  t.throws(() => encodeInfoBlockSize(Option.GO, 3, 4096, 8192), { instanceOf: NbdAssertionError });
  t.throws(() => encodeOptionError(Option.GO, Reply.ACK), { instanceOf: NbdAssertionError });
  t.throws(() => encodeBlockStatusChunk(COOKIE, 1, [], true), { instanceOf: NbdAssertionError });
  t.throws(() => encodeErrorChunk(COOKIE, 0, 'x'), { instanceOf: NbdAssertionError });
  t.throws(() => encodeServerReply('x'.repeat(4097)), { instanceOf: NbdAssertionError });
});
