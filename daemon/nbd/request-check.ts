// Whether a decoded request may be executed, and if not, which NBD error answers it. Pure:
// the server calls it with what it negotiated and the export's size before touching the
// vDisk, so a refused request never reaches the block engine (DESIGN.md: bad input never
// reaches the disk). The errors follow the spec's SHOULDs: EINVAL for an unknown command,
// a flag not valid for the command, or a read/status range beyond the end; ENOSPC for a
// write beyond the end; EPERM for a write to a read-only export. A refused request leaves
// the connection usable.
//
// Zero-length READ, WRITE, TRIM and WRITE_ZEROES are accepted as no-ops: the spec
// discourages them but does not let a server fail them, and nbdkit accepts them too.
import { Command, CommandFlag, Errno, TransmissionFlag } from './constants.ts';
import type { NbdRequest } from './transmission.ts';

export interface ExportSession {
  exportBytes: bigint;
  /** The transmission flags sent to the client for this export. */
  transmissionFlags: number;
  structuredReplies: boolean;
  /** Metadata contexts selected with NBD_OPT_SET_META_CONTEXT. */
  metaContextCount: number;
  /** The longest READ the server answers (it holds the data before sending it). */
  readBytesMax: number;
}

export type RequestCheck = { ok: true } | { ok: false; errno: number; message: string };

const OK: RequestCheck = { ok: true };

/** The command flags each command accepts, before transmission flags narrow them. */
const FLAGS_BY_COMMAND = new Map<number, number>([
  [Command.READ, CommandFlag.FUA | CommandFlag.DF],
  [Command.WRITE, CommandFlag.FUA],
  [Command.FLUSH, CommandFlag.FUA],
  [Command.TRIM, CommandFlag.FUA],
  [Command.WRITE_ZEROES, CommandFlag.FUA | CommandFlag.NO_HOLE | CommandFlag.FAST_ZERO],
  [Command.BLOCK_STATUS, CommandFlag.FUA | CommandFlag.REQ_ONE],
]);

/** The transmission flag that must have been advertised for a command to be used. */
const COMMAND_NEEDS = new Map<number, number>([
  [Command.FLUSH, TransmissionFlag.SEND_FLUSH],
  [Command.TRIM, TransmissionFlag.SEND_TRIM],
  [Command.WRITE_ZEROES, TransmissionFlag.SEND_WRITE_ZEROES],
]);

/** The transmission flag that must have been advertised for a command flag to be used. */
const FLAG_NEEDS = new Map<number, number>([
  [CommandFlag.FUA, TransmissionFlag.SEND_FUA],
  [CommandFlag.DF, TransmissionFlag.SEND_DF],
  [CommandFlag.FAST_ZERO, TransmissionFlag.SEND_FAST_ZERO],
]);

const WRITING = new Set<number>([Command.WRITE, Command.TRIM, Command.WRITE_ZEROES]);

/** DISC has no reply, so the server acts on it before asking; here it is "not supported". */
export function checkRequest(request: NbdRequest, session: ExportSession): RequestCheck {
  const allowedFlags = FLAGS_BY_COMMAND.get(request.type);
  if (allowedFlags === undefined) return refuse(Errno.EINVAL, `command ${request.type} is not supported`);
  const needed = COMMAND_NEEDS.get(request.type);
  if (needed !== undefined && (session.transmissionFlags & needed) === 0) return refuse(Errno.EINVAL, `command ${request.type} was not advertised`);
  if ((request.flags & ~allowedFlags) !== 0) return refuse(Errno.EINVAL, `flags 0x${request.flags.toString(16)} are not valid for command ${request.type}`);
  for (const [flag, transmissionFlag] of FLAG_NEEDS) {
    if ((request.flags & flag) !== 0 && (session.transmissionFlags & transmissionFlag) === 0) return refuse(Errno.EINVAL, `flag 0x${flag.toString(16)} was not advertised`);
  }
  if (request.type === Command.FLUSH) {
    return request.offset === 0n && request.lengthBytes === 0 ? OK : refuse(Errno.EINVAL, 'FLUSH takes a zero offset and length');
  }
  if (request.type === Command.BLOCK_STATUS && (!session.structuredReplies || session.metaContextCount === 0)) {
    return refuse(Errno.EINVAL, 'BLOCK_STATUS needs structured replies and a metadata context');
  }
  if (WRITING.has(request.type) && (session.transmissionFlags & TransmissionFlag.READ_ONLY) !== 0) {
    return refuse(Errno.EPERM, 'the export is read-only');
  }
  if (request.offset + BigInt(request.lengthBytes) > session.exportBytes) {
    const errno = WRITING.has(request.type) ? Errno.ENOSPC : Errno.EINVAL;
    return refuse(errno, `range ${request.offset}+${request.lengthBytes} ends beyond the export's ${session.exportBytes} bytes`);
  }
  if (request.type === Command.READ && request.lengthBytes > session.readBytesMax) {
    // With DF the client asked for one chunk; EOVERFLOW is the spec's answer for that.
    const errno = (request.flags & CommandFlag.DF) !== 0 ? Errno.EOVERFLOW : Errno.EINVAL;
    return refuse(errno, `a READ of ${request.lengthBytes} bytes is above the ${session.readBytesMax}-byte maximum`);
  }
  return OK;
}

function refuse(errno: number, message: string): RequestCheck {
  return { ok: false, errno, message };
}
