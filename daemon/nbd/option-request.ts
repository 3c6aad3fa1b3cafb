// The payloads of the options a client sends during fixed newstyle negotiation, decoded
// into what the server has to decide. Decoding never throws: a payload that is truncated,
// has bytes left over, or carries a string that is too long or not UTF-8 becomes
// { kind: 'invalid' }, which the server answers with NBD_REP_ERR_INVALID (or, for
// NBD_OPT_EXPORT_NAME, which has no error reply, with a hard disconnect). An option we
// do not implement becomes { kind: 'unsupported' }, answered with NBD_REP_ERR_UNSUP, and
// negotiation goes on.
import { ByteCursor, decodeString } from './bytes.ts';
import { Option, STRING_BYTES_MAX } from './constants.ts';

export type OptionRequest =
  | { kind: 'export-name'; exportName: string }
  | { kind: 'abort' }
  | { kind: 'list' }
  | { kind: 'structured-reply' }
  /** NBD_OPT_INFO and NBD_OPT_GO: infoRequests are NBD_INFO_* codes, possibly unknown ones. */
  | { kind: 'info' | 'go'; exportName: string; infoRequests: number[] }
  /** For LIST an empty queries list asks for every context; for SET it selects none. */
  | { kind: 'list-meta-context' | 'set-meta-context'; exportName: string; queries: string[] }
  | { kind: 'unsupported' }
  | { kind: 'invalid'; message: string };

export function decodeOptionRequest(option: number, data: Uint8Array): OptionRequest {
  switch (option) {
    case Option.EXPORT_NAME: {
      const exportName = decodeProtocolString(data);
      return exportName === undefined ? invalid('export name is longer than 4096 bytes or not UTF-8') : { kind: 'export-name', exportName };
    }
    case Option.ABORT:
      // The spec asks for no data, but a client that wants to leave should be let go.
      return { kind: 'abort' };
    case Option.LIST:
      return data.length === 0 ? { kind: 'list' } : invalid('NBD_OPT_LIST carries no data');
    case Option.STRUCTURED_REPLY:
      return data.length === 0 ? { kind: 'structured-reply' } : invalid('NBD_OPT_STRUCTURED_REPLY carries no data');
    case Option.INFO:
    case Option.GO:
      return decodeExportInfoRequest(option === Option.GO ? 'go' : 'info', data);
    case Option.LIST_META_CONTEXT:
    case Option.SET_META_CONTEXT:
      return decodeMetaContextRequest(option === Option.SET_META_CONTEXT ? 'set-meta-context' : 'list-meta-context', data);
    default:
      // STARTTLS included: we run without TLS, and NOTLS mode may answer it ERR_UNSUP.
      return { kind: 'unsupported' };
  }
}

/** NBD_OPT_INFO/GO: u32 name length, name, u16 number of requests, u16 each. */
function decodeExportInfoRequest(kind: 'info' | 'go', data: Uint8Array): OptionRequest {
  const cursor = new ByteCursor(data);
  const exportName = readLengthPrefixedString(cursor);
  if (exportName === undefined) return invalid('export name is truncated, longer than 4096 bytes or not UTF-8');
  const infoCount = cursor.u16();
  if (infoCount === undefined) return invalid('number of information requests is missing');
  if (cursor.remainingBytes !== infoCount * 2) return invalid(`expected ${infoCount} information requests, got ${cursor.remainingBytes} bytes`);
  const infoRequests: number[] = [];
  for (let i = 0; i < infoCount; i++) infoRequests.push(cursor.u16()!);
  return { kind, exportName, infoRequests };
}

/** NBD_OPT_LIST/SET_META_CONTEXT: u32 name length, name, u32 query count, queries. */
function decodeMetaContextRequest(kind: 'list-meta-context' | 'set-meta-context', data: Uint8Array): OptionRequest {
  const cursor = new ByteCursor(data);
  const exportName = readLengthPrefixedString(cursor);
  if (exportName === undefined) return invalid('export name is truncated, longer than 4096 bytes or not UTF-8');
  const queryCount = cursor.u32();
  if (queryCount === undefined) return invalid('number of queries is missing');
  // Each query takes at least its 4-byte length, so a count beyond that is a lie we can
  // refuse before looping over it.
  if (queryCount > cursor.remainingBytes / 4) return invalid(`${queryCount} queries cannot fit in ${cursor.remainingBytes} bytes`);
  const queries: string[] = [];
  for (let i = 0; i < queryCount; i++) {
    const query = readLengthPrefixedString(cursor);
    if (query === undefined) return invalid(`query ${i} is truncated, longer than 4096 bytes or not UTF-8`);
    queries.push(query);
  }
  if (cursor.remainingBytes !== 0) return invalid(`${cursor.remainingBytes} bytes after the last query`);
  return { kind, exportName, queries };
}

function readLengthPrefixedString(cursor: ByteCursor): string | undefined {
  const lengthBytes = cursor.u32();
  if (lengthBytes === undefined || lengthBytes > STRING_BYTES_MAX) return undefined;
  const raw = cursor.raw(lengthBytes);
  return raw === undefined ? undefined : decodeString(raw);
}

function decodeProtocolString(data: Uint8Array): string | undefined {
  return data.length > STRING_BYTES_MAX ? undefined : decodeString(data);
}

function invalid(message: string): OptionRequest {
  return { kind: 'invalid', message };
}
