// The numbers of the NBD protocol (NetworkBlockDevice/nbd, doc/proto.md), in one place so
// that the codec, the server and the tests speak of them by name. Every value is sent in
// network byte order. Option, reply and command codes are plain objects rather than enums
// so that a code received from the wire that we do not know stays a number we can answer.

/** 'NBDMAGIC': the first eight bytes the server sends. */
export const NBD_MAGIC = 0x4e42444d41474943n;
/** 'IHAVEOPT': second greeting word and the magic of every option the client sends. */
export const IHAVEOPT_MAGIC = 0x49484156454f5054n;
/** The magic of every fixed newstyle option reply. */
export const OPTION_REPLY_MAGIC = 0x3e889045565a9n;
export const REQUEST_MAGIC = 0x25609513;
export const SIMPLE_REPLY_MAGIC = 0x67446698;
export const STRUCTURED_REPLY_MAGIC = 0x668e33ef;

/** Handshake flags, 16 bits, sent by the server in the greeting. */
export const HandshakeFlag = {
  FIXED_NEWSTYLE: 1 << 0,
  NO_ZEROES: 1 << 1,
} as const;

/** Client flags, 32 bits, the client's answer to the greeting. */
export const ClientFlag = {
  FIXED_NEWSTYLE: 1 << 0,
  NO_ZEROES: 1 << 1,
} as const;

export const Option = {
  EXPORT_NAME: 1,
  ABORT: 2,
  LIST: 3,
  PEEK_EXPORT: 4,
  STARTTLS: 5,
  INFO: 6,
  GO: 7,
  STRUCTURED_REPLY: 8,
  LIST_META_CONTEXT: 9,
  SET_META_CONTEXT: 10,
  EXTENDED_HEADERS: 11,
} as const;

/** Error replies have bit 31 set; `>>> 0` keeps them unsigned 32-bit numbers. */
const REPLY_ERROR_BIT = 0x80000000;

export const Reply = {
  ACK: 1,
  SERVER: 2,
  INFO: 3,
  META_CONTEXT: 4,
  ERR_UNSUP: (REPLY_ERROR_BIT + 1) >>> 0,
  ERR_POLICY: (REPLY_ERROR_BIT + 2) >>> 0,
  ERR_INVALID: (REPLY_ERROR_BIT + 3) >>> 0,
  ERR_PLATFORM: (REPLY_ERROR_BIT + 4) >>> 0,
  ERR_TLS_REQD: (REPLY_ERROR_BIT + 5) >>> 0,
  ERR_UNKNOWN: (REPLY_ERROR_BIT + 6) >>> 0,
  ERR_SHUTDOWN: (REPLY_ERROR_BIT + 7) >>> 0,
  ERR_BLOCK_SIZE_REQD: (REPLY_ERROR_BIT + 8) >>> 0,
  ERR_TOO_BIG: (REPLY_ERROR_BIT + 9) >>> 0,
} as const;

export function isErrorReply(replyType: number): boolean {
  return replyType >= REPLY_ERROR_BIT;
}

/** Information types inside NBD_REP_INFO and requested by NBD_OPT_INFO/GO. */
export const Info = {
  EXPORT: 0,
  NAME: 1,
  DESCRIPTION: 2,
  BLOCK_SIZE: 3,
} as const;

/** Transmission flags, 16 bits, sent with the export's size. */
export const TransmissionFlag = {
  HAS_FLAGS: 1 << 0,
  READ_ONLY: 1 << 1,
  SEND_FLUSH: 1 << 2,
  SEND_FUA: 1 << 3,
  ROTATIONAL: 1 << 4,
  SEND_TRIM: 1 << 5,
  SEND_WRITE_ZEROES: 1 << 6,
  SEND_DF: 1 << 7,
  CAN_MULTI_CONN: 1 << 8,
  SEND_RESIZE: 1 << 9,
  SEND_CACHE: 1 << 10,
  SEND_FAST_ZERO: 1 << 11,
} as const;

export const Command = {
  READ: 0,
  WRITE: 1,
  DISC: 2,
  FLUSH: 3,
  TRIM: 4,
  CACHE: 5,
  WRITE_ZEROES: 6,
  BLOCK_STATUS: 7,
} as const;

export const CommandFlag = {
  FUA: 1 << 0,
  NO_HOLE: 1 << 1,
  DF: 1 << 2,
  REQ_ONE: 1 << 3,
  FAST_ZERO: 1 << 4,
} as const;

/** The only error values the protocol allows in replies (not the host's errno). */
export const Errno = {
  EPERM: 1,
  EIO: 5,
  ENOMEM: 12,
  EINVAL: 22,
  ENOSPC: 28,
  EOVERFLOW: 75,
  ENOTSUP: 95,
  ESHUTDOWN: 108,
} as const;

export const ReplyFlag = {
  DONE: 1 << 0,
} as const;

/** Structured reply chunk types; error chunk types have bit 15 set. */
export const ChunkType = {
  NONE: 0,
  OFFSET_DATA: 1,
  OFFSET_HOLE: 2,
  BLOCK_STATUS: 5,
  ERROR: (1 << 15) + 1,
  ERROR_OFFSET: (1 << 15) + 2,
} as const;

/** Status flags of the base:allocation metadata context. */
export const AllocationState = {
  HOLE: 1 << 0,
  ZERO: 1 << 1,
} as const;

export const BASE_ALLOCATION = 'base:allocation';

/** The spec's upper bound for any string (export names, messages, queries). */
export const STRING_BYTES_MAX = 4096;
/** Bytes of zeroes after an NBD_OPT_EXPORT_NAME reply, unless NO_ZEROES was agreed. */
export const EXPORT_NAME_ZEROES_BYTES = 124;
export const REQUEST_HEADER_BYTES = 28;
