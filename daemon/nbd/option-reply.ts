// Encoders for what the server sends during negotiation: the greeting, fixed newstyle
// option replies, and the reply to NBD_OPT_EXPORT_NAME. Each returns the exact bytes to
// write. Arguments come from the server, not the client, so out-of-range values are
// assertions (a bug), not protocol errors.
import { ByteWriter, encodeString } from './bytes.ts';
import {
  EXPORT_NAME_ZEROES_BYTES, HandshakeFlag, IHAVEOPT_MAGIC, Info, isErrorReply, NBD_MAGIC, Option, OPTION_REPLY_MAGIC, Reply, STRING_BYTES_MAX, TransmissionFlag,
} from './constants.ts';
import { assert } from './errors.ts';

const OPTION_REPLY_HEADER_BYTES = 20;

/** NBDMAGIC, IHAVEOPT, handshake flags: 18 bytes. */
export function encodeGreeting(offerNoZeroes: boolean): Uint8Array {
  const flags = HandshakeFlag.FIXED_NEWSTYLE | (offerNoZeroes ? HandshakeFlag.NO_ZEROES : 0);
  return new ByteWriter(18).u64(NBD_MAGIC).u64(IHAVEOPT_MAGIC).u16(flags).done();
}

/** One option reply: magic, option, reply type, length, data. */
export function encodeOptionReply(option: number, replyType: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return new ByteWriter(OPTION_REPLY_HEADER_BYTES + data.length)
    .u64(OPTION_REPLY_MAGIC).u32(option).u32(replyType).u32(data.length).raw(data).done();
}

export function encodeAck(option: number): Uint8Array {
  return encodeOptionReply(option, Reply.ACK);
}

/** An error reply; the message is shown to the user by clients such as qemu and nbdinfo. */
export function encodeOptionError(option: number, errorType: number, message = ''): Uint8Array {
  assert(isErrorReply(errorType), `reply type ${errorType} is not an error`);
  return encodeOptionReply(option, errorType, boundedString(message, 'error message'));
}

/** NBD_REP_SERVER for NBD_OPT_LIST: u32 name length, name, then optional details. */
export function encodeServerReply(exportName: string, details = ''): Uint8Array {
  const name = boundedString(exportName, 'export name');
  const detailBytes = boundedString(details, 'export details');
  const data = new ByteWriter(4 + name.length + detailBytes.length).u32(name.length).raw(name).raw(detailBytes).done();
  return encodeOptionReply(Option.LIST, Reply.SERVER, data);
}

/** NBD_REP_INFO with NBD_INFO_EXPORT: u16 type, u64 size, u16 transmission flags. */
export function encodeInfoExport(option: number, exportBytes: bigint | number, transmissionFlags: number): Uint8Array {
  assert((transmissionFlags & TransmissionFlag.HAS_FLAGS) !== 0, 'transmission flags must include HAS_FLAGS');
  const data = new ByteWriter(12).u16(Info.EXPORT).u64(exportBytes).u16(transmissionFlags).done();
  return encodeOptionReply(option, Reply.INFO, data);
}

export function encodeInfoName(option: number, exportName: string): Uint8Array {
  const name = boundedString(exportName, 'export name');
  return encodeOptionReply(option, Reply.INFO, new ByteWriter(2 + name.length).u16(Info.NAME).raw(name).done());
}

export function encodeInfoDescription(option: number, description: string): Uint8Array {
  const text = boundedString(description, 'description');
  return encodeOptionReply(option, Reply.INFO, new ByteWriter(2 + text.length).u16(Info.DESCRIPTION).raw(text).done());
}

/** Block sizes are powers of two with minimum ≤ preferred ≤ maximum (the spec's constraints). */
export function encodeInfoBlockSize(option: number, minimumBytes: number, preferredBytes: number, maximumBytes: number): Uint8Array {
  assert(isPowerOfTwo(minimumBytes) && isPowerOfTwo(preferredBytes), 'minimum and preferred block sizes must be powers of two');
  assert(minimumBytes <= preferredBytes && preferredBytes <= maximumBytes, 'block sizes must satisfy minimum ≤ preferred ≤ maximum');
  const data = new ByteWriter(14).u16(Info.BLOCK_SIZE).u32(minimumBytes).u32(preferredBytes).u32(maximumBytes).done();
  return encodeOptionReply(option, Reply.INFO, data);
}

/** NBD_REP_META_CONTEXT: u32 context id, name. For LIST_META_CONTEXT the id is 0. */
export function encodeMetaContextReply(option: number, contextId: number, contextName: string): Uint8Array {
  const name = boundedString(contextName, 'context name');
  return encodeOptionReply(option, Reply.META_CONTEXT, new ByteWriter(4 + name.length).u32(contextId).raw(name).done());
}

/**
 * The answer to NBD_OPT_EXPORT_NAME, which is not an option reply: u64 size, u16
 * transmission flags, then 124 zero bytes unless the client agreed to NO_ZEROES.
 */
export function encodeExportNameReply(exportBytes: bigint | number, transmissionFlags: number, noZeroes: boolean): Uint8Array {
  assert((transmissionFlags & TransmissionFlag.HAS_FLAGS) !== 0, 'transmission flags must include HAS_FLAGS');
  const zeroes = noZeroes ? 0 : EXPORT_NAME_ZEROES_BYTES;
  return new ByteWriter(10 + zeroes).u64(exportBytes).u16(transmissionFlags).zeroes(zeroes).done();
}

function boundedString(text: string, what: string): Uint8Array {
  const bytes = encodeString(text);
  assert(bytes.length <= STRING_BYTES_MAX, `${what} is ${bytes.length} bytes, above the protocol's ${STRING_BYTES_MAX}`);
  return bytes;
}

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && Number.isInteger(Math.log2(value));
}
