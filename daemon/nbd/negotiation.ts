// Option haggling with a backend behind it: takes the events of the pure Handshake
// (handshake.ts), asks the backend what it needs (list, open), and sends the replies that
// option-reply.ts encodes. It ends in one of two ways: an export granted by NBD_OPT_GO or
// NBD_OPT_EXPORT_NAME, which hands the export and what was agreed to the transmission
// phase, or a reason to close (NBD_OPT_ABORT, a protocol error, an EXPORT_NAME that
// cannot be served since that option has no error reply).
//
// Events are handled one batch at a time and in order: the caller chains handle() calls,
// and the client may not send an option before it has our final reply to the previous one,
// so at most one option is being decided at any time.
import type { NbdBackend, NbdExport } from './backend.ts';
import { BASE_ALLOCATION, Info, Option, Reply, STRING_BYTES_MAX, TransmissionFlag } from './constants.ts';
import { encodeString } from './bytes.ts';
import { optionErrorForList, optionErrorForOpen, protocolMessage } from './errno.ts';
import { Handshake } from './handshake.ts';
import type { HandshakeEvent } from './handshake.ts';
import { matchMetaContexts } from './meta-context.ts';
import {
  encodeAck, encodeExportNameReply, encodeInfoBlockSize, encodeInfoDescription, encodeInfoExport, encodeInfoName, encodeMetaContextReply,
  encodeOptionError, encodeServerReply,
} from './option-reply.ts';
import type { OptionRequest } from './option-request.ts';
import { PREFERRED_BLOCK_BYTES } from './limits.ts';
import type { NbdLogger } from './stats.ts';

/** The id base:allocation gets from NBD_OPT_SET_META_CONTEXT (any u32 would do). */
export const BASE_ALLOCATION_CONTEXT_ID = 1;

export interface Agreement {
  export: NbdExport;
  transmissionFlags: number;
  structuredReplies: boolean;
  /** Whether base:allocation was selected for this export, so BLOCK_STATUS may be used. */
  baseAllocation: boolean;
  /** Bytes received after the final option, which belong to the transmission phase. */
  leftover: Uint8Array;
}

export type NegotiationOutcome =
  | { kind: 'transmission'; agreement: Agreement }
  | { kind: 'close'; reason: string; protocolError: boolean };

export interface NegotiationContext {
  backend: NbdBackend;
  send(parts: readonly Uint8Array[]): void;
  requestBytesMax: number;
  logger: NbdLogger;
  fields: object;
  /** True once the server is closing: new exports are refused with NBD_REP_ERR_SHUTDOWN. */
  shuttingDown(): boolean;
}

export class Negotiation {
  readonly handshake = new Handshake();
  private structuredReplies = false;
  /** Contexts chosen by the last SET_META_CONTEXT, valid only for the export it named. */
  private selectedContexts: { exportName: string; contexts: string[] } | undefined;

  constructor(private readonly context: NegotiationContext) {}

  greeting(): Uint8Array {
    return this.handshake.greeting();
  }

  /** Handles one batch of handshake events; an outcome ends negotiation. */
  async handle(events: readonly HandshakeEvent[]): Promise<NegotiationOutcome | undefined> {
    for (const event of events) {
      switch (event.kind) {
        case 'client-flags':
          // Every client in use sets it; without it we could not answer unknown options.
          if (!event.fixedNewstyle) return close('the client does not speak fixed newstyle NBD', true);
          break;
        case 'option-too-big':
          if (event.option === Option.EXPORT_NAME) return close(`NBD_OPT_EXPORT_NAME of ${event.lengthBytes} bytes cannot be served`, true);
          this.context.send([encodeOptionError(event.option, Reply.ERR_TOO_BIG, `option ${event.option} carries ${event.lengthBytes} bytes, above the limit`)]);
          break;
        case 'protocol-error':
          return close(`${event.code}: ${event.message}`, true);
        case 'option': {
          const outcome = await this.option(event.option, event.request);
          if (outcome !== undefined) return outcome;
          break;
        }
      }
    }
    return undefined;
  }

  private async option(option: number, request: OptionRequest): Promise<NegotiationOutcome | undefined> {
    const send = this.context.send;
    switch (request.kind) {
      case 'abort':
        send([encodeAck(Option.ABORT)]);
        return close('the client sent NBD_OPT_ABORT', false);
      case 'list':
        await this.list();
        return undefined;
      case 'structured-reply':
        this.structuredReplies = true;
        send([encodeAck(option)]);
        return undefined;
      case 'list-meta-context':
      case 'set-meta-context': {
        if (!this.structuredReplies) {
          send([encodeOptionError(option, Reply.ERR_INVALID, 'negotiate NBD_OPT_STRUCTURED_REPLY before metadata contexts')]);
          return undefined;
        }
        const contexts = matchMetaContexts(request.kind, request.queries);
        const set = request.kind === 'set-meta-context';
        if (set) this.selectedContexts = { exportName: request.exportName, contexts };
        const replies = contexts.map((name) => encodeMetaContextReply(option, set ? BASE_ALLOCATION_CONTEXT_ID : 0, name));
        send([...replies, encodeAck(option)]);
        return undefined;
      }
      case 'info':
      case 'go':
        return this.exportInfo(option, request.kind, request.exportName, request.infoRequests);
      case 'export-name':
        return this.exportName(request.exportName);
      case 'unsupported':
        send([encodeOptionError(option, Reply.ERR_UNSUP, `option ${option} is not supported`)]);
        return undefined;
      case 'invalid':
        // EXPORT_NAME has no error reply: the spec leaves only closing the connection.
        if (option === Option.EXPORT_NAME) return close(`NBD_OPT_EXPORT_NAME is invalid: ${request.message}`, true);
        send([encodeOptionError(option, Reply.ERR_INVALID, request.message)]);
        return undefined;
    }
  }

  private async list(): Promise<void> {
    let exports;
    try {
      exports = await this.context.backend.list();
    } catch (error) {
      this.context.logger.warn({ ...this.context.fields, error: protocolMessage(error) }, 'nbd: listing exports failed');
      this.context.send([encodeOptionError(Option.LIST, optionErrorForList(error), `listing exports failed: ${protocolMessage(error)}`)]);
      return;
    }
    const replies: Uint8Array[] = [];
    for (const info of exports) {
      // A name no client could ask for is left out rather than sent cut short.
      if (encodeString(info.name).length > STRING_BYTES_MAX) continue;
      replies.push(encodeServerReply(info.name, fitString(info.description ?? '', STRING_BYTES_MAX - encodeString(info.name).length)));
    }
    this.context.send([...replies, encodeAck(Option.LIST)]);
  }

  /** NBD_OPT_INFO and NBD_OPT_GO share their replies; only GO keeps the export. */
  private async exportInfo(option: number, kind: 'info' | 'go', exportName: string, infoRequests: readonly number[]): Promise<NegotiationOutcome | undefined> {
    const send = this.context.send;
    const opened = await this.open(exportName);
    if (!opened.ok) {
      send([encodeOptionError(option, opened.reply, opened.message)]);
      return kind === 'go' ? this.handle(this.handshake.resume()) : undefined;
    }
    const exported = opened.export;
    const flags = transmissionFlags(exported, this.structuredReplies);
    const replies = [encodeInfoExport(option, exported.sizeBytes, flags)];
    if (infoRequests.includes(Info.NAME)) replies.push(encodeInfoName(option, exportName));
    if (infoRequests.includes(Info.DESCRIPTION) && exported.description !== undefined) {
      replies.push(encodeInfoDescription(option, fitString(exported.description, STRING_BYTES_MAX)));
    }
    // Sent whether asked for or not (the spec allows it): any byte range works, 4 KiB is
    // what the block store stores, and the payload limit is ours.
    replies.push(encodeInfoBlockSize(option, 1, PREFERRED_BLOCK_BYTES, this.context.requestBytesMax));
    replies.push(encodeAck(option));
    send(replies);
    if (kind === 'info') {
      closeExport(exported, this.context);
      return undefined;
    }
    return { kind: 'transmission', agreement: this.agree(exported, flags, exportName) };
  }

  private async exportName(exportName: string): Promise<NegotiationOutcome> {
    const opened = await this.open(exportName);
    if (!opened.ok) return close(`NBD_OPT_EXPORT_NAME for '${exportName}' refused: ${opened.message}`, false);
    const flags = transmissionFlags(opened.export, this.structuredReplies);
    this.context.send([encodeExportNameReply(opened.export.sizeBytes, flags, this.handshake.noZeroes)]);
    return { kind: 'transmission', agreement: this.agree(opened.export, flags, exportName) };
  }

  private agree(exported: NbdExport, flags: number, exportName: string): Agreement {
    // Contexts set for another export name do not carry over (the spec: they are per export).
    const contexts = this.selectedContexts?.exportName === exportName ? this.selectedContexts.contexts : [];
    return {
      export: exported,
      transmissionFlags: flags,
      structuredReplies: this.structuredReplies,
      baseAllocation: this.structuredReplies && contexts.includes(BASE_ALLOCATION),
      leftover: this.handshake.finish(),
    };
  }

  private async open(exportName: string): Promise<{ ok: true; export: NbdExport } | { ok: false; reply: number; message: string }> {
    if (this.context.shuttingDown()) return { ok: false, reply: Reply.ERR_SHUTDOWN, message: 'the server is shutting down' };
    let exported: NbdExport;
    try {
      exported = await this.context.backend.open(exportName);
    } catch (error) {
      return { ok: false, reply: optionErrorForOpen(error), message: protocolMessage(error) };
    }
    // The server computes offsets in plain numbers, so a size must be a safe integer.
    if (!Number.isSafeInteger(exported.sizeBytes) || exported.sizeBytes < 0) {
      this.context.logger.error({ ...this.context.fields, export: exportName, sizeBytes: exported.sizeBytes }, 'nbd: backend opened an export with an invalid size');
      closeExport(exported, this.context);
      return { ok: false, reply: Reply.ERR_UNKNOWN, message: `export '${exportName}' has an invalid size` };
    }
    return { ok: true, export: exported };
  }
}

/**
 * What the server offers for an export. Read-only exports do not offer the commands that
 * write; CAN_MULTI_CONN is safe because the backend serialises mutations per vDisk and its
 * flush covers every connection; DF is honoured trivially, since a READ is always one chunk.
 */
export function transmissionFlags(exported: NbdExport, structuredReplies: boolean): number {
  let flags = TransmissionFlag.HAS_FLAGS | TransmissionFlag.SEND_FLUSH | TransmissionFlag.CAN_MULTI_CONN;
  if (exported.readOnly) flags |= TransmissionFlag.READ_ONLY;
  else flags |= TransmissionFlag.SEND_FUA | TransmissionFlag.SEND_TRIM | TransmissionFlag.SEND_WRITE_ZEROES | TransmissionFlag.SEND_FAST_ZERO;
  // The spec: SEND_DF must stay clear unless structured replies were negotiated.
  if (structuredReplies) flags |= TransmissionFlag.SEND_DF;
  return flags;
}

export function closeExport(exported: NbdExport, context: { logger: NbdLogger; fields: object }): void {
  try {
    exported.close();
  } catch (error) {
    context.logger.error({ ...context.fields, export: exported.name, error: protocolMessage(error) }, 'nbd: closing an export failed');
  }
}

function close(reason: string, protocolError: boolean): NegotiationOutcome {
  return { kind: 'close', reason, protocolError };
}

/** Cuts a string to at most maxBytes of UTF-8 without splitting a character. */
function fitString(text: string, maxBytes: number): string {
  if (encodeString(text).length <= maxBytes) return text;
  let result = '';
  let bytes = 0;
  for (const character of text) {
    const length = encodeString(character).length;
    if (bytes + length > maxBytes) break;
    result += character;
    bytes += length;
  }
  return result;
}
