// checkRequest against the spec's error rules ("Error values" in doc/proto.md): what is
// refused, with which errno, before the vDisk is touched. Each case is one sentence of the
// spec or one line of issue 4 ("a request out of range gets EINVAL or ENOSPC").
import test from 'ava';
import { Command, CommandFlag, Errno, TransmissionFlag } from '../../daemon/nbd/constants.ts';
import { checkRequest } from '../../daemon/nbd/request-check.ts';
import type { ExportSession } from '../../daemon/nbd/request-check.ts';
import type { NbdRequest } from '../../daemon/nbd/transmission.ts';

const ALL = TransmissionFlag.HAS_FLAGS | TransmissionFlag.SEND_FLUSH | TransmissionFlag.SEND_FUA | TransmissionFlag.SEND_TRIM
  | TransmissionFlag.SEND_WRITE_ZEROES | TransmissionFlag.SEND_DF;

const session: ExportSession = { exportBytes: 1n << 20n, transmissionFlags: ALL, structuredReplies: true, metaContextCount: 1, readBytesMax: 1 << 16 };

function request(fields: Partial<NbdRequest>): NbdRequest {
  return { flags: 0, type: Command.READ, cookie: 1n, offset: 0n, lengthBytes: 4096, ...fields };
}

function errnoOf(fields: Partial<NbdRequest>, overrides: Partial<ExportSession> = {}): number {
  const result = checkRequest(request(fields), { ...session, ...overrides });
  return result.ok ? 0 : result.errno;
}

test('requests within the export with advertised flags are accepted', (t) => {
  t.is(errnoOf({}), 0);
  t.is(errnoOf({ type: Command.WRITE, flags: CommandFlag.FUA, offset: (1n << 20n) - 4096n }), 0);
  t.is(errnoOf({ type: Command.WRITE_ZEROES, flags: CommandFlag.NO_HOLE }), 0);
  t.is(errnoOf({ type: Command.BLOCK_STATUS, flags: CommandFlag.REQ_ONE, lengthBytes: 1 << 20 }), 0);
  t.is(errnoOf({ type: Command.FLUSH, lengthBytes: 0 }), 0);
  t.is(errnoOf({ type: Command.TRIM, offset: 1n << 20n, lengthBytes: 0 }), 0);
});

test('"The server SHOULD return EINVAL if it receives an unknown command"', (t) => {
  t.is(errnoOf({ type: 42 }), Errno.EINVAL);
  t.is(errnoOf({ type: Command.CACHE }), Errno.EINVAL);
});

test('"... or a flag not explicitly documented as applicable to the given request"', (t) => {
  t.is(errnoOf({ type: Command.WRITE, flags: CommandFlag.DF }), Errno.EINVAL);
  t.is(errnoOf({ type: Command.READ, flags: CommandFlag.REQ_ONE }), Errno.EINVAL);
  t.is(errnoOf({ flags: 1 << 12 }), Errno.EINVAL);
  t.is(errnoOf({ type: Command.WRITE, flags: CommandFlag.FUA }, { transmissionFlags: TransmissionFlag.HAS_FLAGS }), Errno.EINVAL);
  t.is(errnoOf({ type: Command.TRIM }, { transmissionFlags: TransmissionFlag.HAS_FLAGS }), Errno.EINVAL);
});

test('"ENOSPC if it receives a write request including sectors beyond the size of the device"', (t) => {
  t.is(errnoOf({ type: Command.WRITE, offset: (1n << 20n) - 1n, lengthBytes: 2 }), Errno.ENOSPC);
  t.is(errnoOf({ type: Command.WRITE_ZEROES, offset: 0xffffffffffffffffn, lengthBytes: 1 }), Errno.ENOSPC);
});

test('a read or block status beyond the end is EINVAL', (t) => {
  t.is(errnoOf({ offset: 1n << 20n, lengthBytes: 1 }), Errno.EINVAL);
  t.is(errnoOf({ type: Command.BLOCK_STATUS, lengthBytes: (1 << 20) + 1 }), Errno.EINVAL);
});

test('"EPERM if it receives a write or trim request on a read-only export"', (t) => {
  const readOnly = { transmissionFlags: ALL | TransmissionFlag.READ_ONLY };
  t.is(errnoOf({ type: Command.WRITE }, readOnly), Errno.EPERM);
  t.is(errnoOf({ type: Command.TRIM }, readOnly), Errno.EPERM);
  t.is(errnoOf({}, readOnly), 0);
});

test('BLOCK_STATUS without a selected metadata context is EINVAL', (t) => {
  t.is(errnoOf({ type: Command.BLOCK_STATUS }, { metaContextCount: 0 }), Errno.EINVAL);
  t.is(errnoOf({ type: Command.BLOCK_STATUS }, { structuredReplies: false }), Errno.EINVAL);
});

test('FLUSH with an offset or length, and over-long reads, are refused', (t) => {
  t.is(errnoOf({ type: Command.FLUSH, lengthBytes: 1 }), Errno.EINVAL);
  t.is(errnoOf({ lengthBytes: (1 << 16) + 1 }), Errno.EINVAL);
  t.is(errnoOf({ lengthBytes: (1 << 16) + 1, flags: CommandFlag.DF }), Errno.EOVERFLOW);
});
