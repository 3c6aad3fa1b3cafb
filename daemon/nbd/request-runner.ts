// Runs one transmission request against an export and builds its reply. The connection
// starts requests in the order they arrive and writes each reply when it is ready, so
// replies may overtake each other (the spec allows it; the cookie says which is which).
//
// FLUSH: the spec requires that every write completed (replied to) before a FLUSH was
// received is durable when the FLUSH is answered. We go further and wait for every
// mutation that arrived before the FLUSH, finished or not, then call the export's flush,
// which covers all connections (what CAN_MULTI_CONN promises).
//
// run() never rejects: a refused request, a VstorError from the export and an unexpected
// exception all become an error reply with the matching errno, and the connection goes on.
import type { NbdAllocationExtent, NbdExport } from './backend.ts';
import { AllocationState, Command, CommandFlag, Errno } from './constants.ts';
import { errnoForError, isClientFault, protocolMessage } from './errno.ts';
import { checkRequest } from './request-check.ts';
import type { ExportSession } from './request-check.ts';
import { encodeBlockStatusChunk, encodeErrorChunk, encodeNoneChunk, encodeOffsetDataHeader, encodeSimpleReply } from './transmission.ts';
import type { Extent, NbdRequest } from './transmission.ts';
import type { NbdLogger, NbdServerStats } from './stats.ts';

/** The size of the zero buffer WRITE_ZEROES with NO_HOLE writes from, piece by piece. */
const ZERO_PIECE_BYTES = 1024 * 1024;
/** Extents in one BLOCK_STATUS reply at most (8 bytes each); a longer map is cut short. */
const BLOCK_STATUS_EXTENTS_MAX = 64 * 1024;

export interface RunnerContext {
  export: NbdExport;
  session: ExportSession;
  /** The id sent with base:allocation extents. */
  metaContextId: number;
  requestBytesMax: number;
  blockStatusBytesMax: number;
  stats: NbdServerStats;
  logger: NbdLogger;
  fields: object;
}

const MUTATIONS = new Set<number>([Command.WRITE, Command.TRIM, Command.WRITE_ZEROES]);

/** Thrown inside the runner for a reply the export's answer forces; never escapes run(). */
class ReplyError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

export class RequestRunner {
  private readonly mutationsInFlight = new Set<Promise<unknown>>();
  private zeroPiece: Uint8Array | undefined;

  constructor(private readonly context: RunnerContext) {}

  /** The reply to a request, as byte arrays to write in order. */
  run(request: NbdRequest): Promise<Uint8Array[]> {
    const check = checkRequest(request, this.context.session);
    if (!check.ok) return Promise.resolve(this.errorReply(request.cookie, check.errno, check.message));
    const reply = this.execute(request).catch((error: unknown) => this.failure(request, error));
    if (MUTATIONS.has(request.type)) {
      this.mutationsInFlight.add(reply);
      void reply.finally(() => this.mutationsInFlight.delete(reply));
    }
    return reply;
  }

  /** An error reply without running anything (an oversized WRITE, a request during shutdown). */
  refuse(cookie: bigint, errno: number, message: string): Uint8Array[] {
    return this.errorReply(cookie, errno, message);
  }

  private async execute(request: NbdRequest): Promise<Uint8Array[]> {
    const exported = this.context.export;
    const offsetBytes = Number(request.offset);
    const lengthBytes = request.lengthBytes;
    const fua = (request.flags & CommandFlag.FUA) !== 0;
    switch (request.type) {
      case Command.READ:
        return this.read(request.cookie, request.offset, lengthBytes);
      case Command.WRITE:
        if (lengthBytes > 0) await exported.write(offsetBytes, request.data!, fua);
        this.context.stats.bytesWritten += lengthBytes;
        return this.ok(request.cookie);
      case Command.TRIM:
        if (lengthBytes > 0) await exported.trim(offsetBytes, lengthBytes, fua);
        return this.ok(request.cookie);
      case Command.WRITE_ZEROES:
        if (lengthBytes > 0) await this.writeZeroes(request, offsetBytes, fua);
        return this.ok(request.cookie);
      case Command.FLUSH:
        await Promise.allSettled([...this.mutationsInFlight]);
        await exported.flush();
        return this.ok(request.cookie);
      case Command.BLOCK_STATUS:
        return this.blockStatus(request, offsetBytes);
      default:
        // checkRequest refuses every other command before we get here.
        throw new ReplyError(Errno.EINVAL, `command ${request.type} is not supported`);
    }
  }

  private async read(cookie: bigint, offset: bigint, lengthBytes: number): Promise<Uint8Array[]> {
    const structured = this.context.session.structuredReplies;
    if (lengthBytes === 0) return [structured ? encodeNoneChunk(cookie) : encodeSimpleReply(cookie, 0)];
    const data = await this.context.export.read(Number(offset), lengthBytes);
    // A wrong length would make the client lose the frame boundary: never send it.
    if (data.length !== lengthBytes) throw new ReplyError(Errno.EIO, `the export returned ${data.length} bytes for a read of ${lengthBytes}`);
    this.context.stats.bytesRead += lengthBytes;
    // Header and data go out as two writes, so the data is never copied.
    return structured ? [encodeOffsetDataHeader(cookie, offset, lengthBytes, true), data] : [encodeSimpleReply(cookie, 0), data];
  }

  /**
   * Without NO_HOLE the export may punch a hole (the block store always does). With it,
   * the range must stay allocated, so zeroes are written as data; FAST_ZERO asks us to
   * refuse when zeroing is slow, which that is.
   */
  private async writeZeroes(request: NbdRequest, offsetBytes: number, fua: boolean): Promise<void> {
    const exported = this.context.export;
    if ((request.flags & CommandFlag.NO_HOLE) === 0) {
      await exported.writeZeroes(offsetBytes, request.lengthBytes, fua);
      return;
    }
    if ((request.flags & CommandFlag.FAST_ZERO) !== 0) throw new ReplyError(Errno.ENOTSUP, 'zeroing without holes writes data and is not fast');
    const pieceBytes = Math.min(ZERO_PIECE_BYTES, this.context.requestBytesMax);
    this.zeroPiece ??= new Uint8Array(pieceBytes);
    const endBytes = offsetBytes + request.lengthBytes;
    for (let position = offsetBytes; position < endBytes; position += pieceBytes) {
      const length = Math.min(pieceBytes, endBytes - position);
      // FUA on the last piece is enough: a synced batch makes every earlier one durable.
      await exported.write(position, this.zeroPiece.subarray(0, length), fua && position + length === endBytes);
    }
  }

  private async blockStatus(request: NbdRequest, offsetBytes: number): Promise<Uint8Array[]> {
    if (request.lengthBytes === 0) throw new ReplyError(Errno.EINVAL, 'BLOCK_STATUS of zero bytes');
    // The spec lets the answer cover less than asked; the client asks again from its end.
    const lengthBytes = Math.min(request.lengthBytes, this.context.blockStatusBytesMax);
    const found = await this.context.export.blockStatus(offsetBytes, lengthBytes);
    const extents = toWireExtents(found, offsetBytes, lengthBytes, (request.flags & CommandFlag.REQ_ONE) !== 0);
    return [encodeBlockStatusChunk(request.cookie, this.context.metaContextId, extents, true)];
  }

  private ok(cookie: bigint): Uint8Array[] {
    // A simple reply is allowed for anything but READ even with structured replies.
    return [encodeSimpleReply(cookie, 0)];
  }

  private failure(request: NbdRequest, error: unknown): Uint8Array[] {
    const errno = error instanceof ReplyError ? error.errno : errnoForError(error, MUTATIONS.has(request.type));
    const fields = { ...this.context.fields, command: request.type, offset: request.offset.toString(), lengthBytes: request.lengthBytes, errno, error: protocolMessage(error) };
    // Refusals of bad input are the client's business; anything else is ours to look at.
    const clientFault = error instanceof ReplyError ? errno !== Errno.EIO : isClientFault(error);
    if (clientFault) this.context.logger.debug?.(fields, 'nbd: request refused');
    else this.context.logger.error(fields, 'nbd: request failed');
    return this.errorReply(request.cookie, errno, protocolMessage(error));
  }

  private errorReply(cookie: bigint, errno: number, message: string): Uint8Array[] {
    this.context.stats.errorReplies++;
    return [this.context.session.structuredReplies ? encodeErrorChunk(cookie, errno, message) : encodeSimpleReply(cookie, errno)];
  }
}

/**
 * The export's extents as base:allocation descriptors: they must start at the request's
 * offset and follow each other without gaps; the last is clipped to the range. An answer
 * that breaks this is the backend's bug, reported as EIO rather than sent on.
 */
function toWireExtents(found: readonly NbdAllocationExtent[], offsetBytes: number, lengthBytes: number, one: boolean): Extent[] {
  const endBytes = offsetBytes + lengthBytes;
  const extents: Extent[] = [];
  let position = offsetBytes;
  for (const extent of found) {
    if (extent.offsetBytes !== position || !Number.isSafeInteger(extent.lengthBytes) || extent.lengthBytes <= 0) {
      throw new ReplyError(Errno.EIO, `the export's allocation map has a gap or overlap at byte ${position}`);
    }
    const length = Math.min(extent.lengthBytes, endBytes - position);
    const flags = extent.kind === 'hole' ? AllocationState.HOLE | AllocationState.ZERO : 0;
    const last = extents[extents.length - 1];
    if (last !== undefined && last.flags === flags) last.lengthBytes += length;
    else extents.push({ lengthBytes: length, flags });
    position += length;
    if (position >= endBytes || (one && extents.length === 1) || extents.length >= BLOCK_STATUS_EXTENTS_MAX) break;
  }
  if (extents.length === 0) throw new ReplyError(Errno.EIO, 'the export returned no allocation extents');
  return extents;
}
