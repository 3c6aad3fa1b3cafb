// The server side of the fixed newstyle handshake as a pure state machine: the server
// sends greeting(), then feeds whatever the socket delivers to push() and acts on the
// events it gets back, writing the replies built by option-reply.ts. Nothing here touches
// a socket, a timer or a Promise, so a whole negotiation is a list of byte arrays in and a
// list of events out, the same however the bytes are split.
//
// States: 'client-flags' (waiting for the client's 32-bit flags) → 'options' (option
// haggling) → 'deciding' after NBD_OPT_GO or NBD_OPT_EXPORT_NAME, where parsing stops
// until the server either refuses GO and calls resume(), or accepts and calls finish() to
// take the bytes that already belong to the transmission phase. NBD_OPT_ABORT ends in
// 'aborted'; a fatal protocol error ends in 'failed'. Both ignore further input.
//
// Why stop at GO: the client must not send anything until it has our final reply, so
// whatever follows a successful GO is transmission traffic, and only the server knows
// whether GO succeeded.
import { encodeGreeting } from './option-reply.ts';
import { ClientFlag, IHAVEOPT_MAGIC, Option } from './constants.ts';
import type { ProtocolError } from './errors.ts';
import { assert, protocolError } from './errors.ts';
import { FrameReader } from './frame-reader.ts';
import type { OptionRequest } from './option-request.ts';
import { decodeOptionRequest } from './option-request.ts';

const OPTION_HEADER_BYTES = 16;
const CLIENT_FLAGS_BYTES = 4;

export interface HandshakeConfig {
  /** Offer NBD_FLAG_NO_ZEROES in the greeting. */
  offerNoZeroes: boolean;
  /**
   * The largest option payload read into memory. A larger one is discarded as it arrives
   * and reported as 'option-too-big', answered with NBD_REP_ERR_TOO_BIG.
   */
  optionBytesMax: number;
  /** Unparsed bytes held at most; must leave room for an option header and payload. */
  pendingBytesMax: number;
}

export const DEFAULT_HANDSHAKE_CONFIG: HandshakeConfig = {
  offerNoZeroes: true,
  // GO carries a 4096-byte name plus info requests; meta-context queries are bounded too.
  optionBytesMax: 64 * 1024,
  pendingBytesMax: 64 * 1024 + OPTION_HEADER_BYTES + 256 * 1024,
};

export type HandshakeEvent =
  | { kind: 'client-flags'; flags: number; fixedNewstyle: boolean; noZeroes: boolean }
  /** data is the raw payload; request is what it decodes to. */
  | { kind: 'option'; option: number; data: Uint8Array; request: OptionRequest }
  | { kind: 'option-too-big'; option: number; lengthBytes: number }
  | ProtocolError;

export type HandshakeState = 'client-flags' | 'options' | 'deciding' | 'transmission' | 'aborted' | 'failed';

export class Handshake {
  readonly config: HandshakeConfig;
  private readonly reader: FrameReader;
  private stateValue: HandshakeState = 'client-flags';
  /** The option whose oversized payload is being discarded, and how much of it is left. */
  private discarding: { option: number; lengthBytes: number; remainingBytes: number } | undefined;
  /** The header of an option whose payload has not fully arrived. */
  private pendingOption: { option: number; lengthBytes: number } | undefined;
  private noZeroesAgreed = false;

  constructor(config: HandshakeConfig = DEFAULT_HANDSHAKE_CONFIG) {
    assert(Number.isSafeInteger(config.optionBytesMax) && config.optionBytesMax >= 0, 'optionBytesMax must be a non-negative integer');
    assert(config.pendingBytesMax >= config.optionBytesMax + OPTION_HEADER_BYTES, 'pendingBytesMax must hold the largest option with its header');
    this.config = config;
    this.reader = new FrameReader(config.pendingBytesMax);
  }

  get state(): HandshakeState {
    return this.stateValue;
  }

  /** True once the client agreed to NBD_FLAG_C_NO_ZEROES (for the EXPORT_NAME reply). */
  get noZeroes(): boolean {
    return this.noZeroesAgreed;
  }

  /** True when the input, if it ended now, would end inside an option (a truncated frame). */
  get framePending(): boolean {
    return this.reader.pendingBytes > 0 || this.pendingOption !== undefined || this.discarding !== undefined;
  }

  greeting(): Uint8Array {
    return encodeGreeting(this.config.offerNoZeroes);
  }

  push(chunk: Uint8Array): HandshakeEvent[] {
    if (this.stateValue === 'failed' || this.stateValue === 'transmission') return [];
    if (this.stateValue === 'aborted') {
      if (chunk.length === 0) return [];
      return [this.fail(protocolError('UNEXPECTED_DATA', 'the client sent data after NBD_OPT_ABORT'))];
    }
    if (!this.reader.push(chunk)) {
      return [this.fail(protocolError('BUFFER_FULL', `more than ${this.reader.pendingBytesMax} unparsed handshake bytes`))];
    }
    // While the server decides on GO, bytes are kept for whichever phase comes next.
    if (this.stateValue === 'deciding') return [];
    return this.parse();
  }

  /** After a GO the server refused: parse on (the client may try another export). */
  resume(): HandshakeEvent[] {
    assert(this.stateValue === 'deciding', `resume() in state ${this.stateValue}`);
    this.stateValue = 'options';
    return this.parse();
  }

  /**
   * After a successful GO or EXPORT_NAME: negotiation is over. Returns the bytes already
   * received that belong to the transmission phase.
   */
  finish(): Uint8Array {
    assert(this.stateValue === 'deciding', `finish() in state ${this.stateValue}`);
    this.stateValue = 'transmission';
    return this.reader.takeAll();
  }

  private parse(): HandshakeEvent[] {
    const events: HandshakeEvent[] = [];
    for (;;) {
      const event = this.step();
      if (event === undefined) return events;
      events.push(event);
      // Bytes after ABORT are an error however the stream was split, so check them here too.
      if (this.stateValue === 'aborted' && this.reader.pendingBytes > 0) {
        events.push(this.fail(protocolError('UNEXPECTED_DATA', 'the client sent data after NBD_OPT_ABORT')));
      }
      if (this.stateValue !== 'options' && this.stateValue !== 'client-flags') return events;
    }
  }

  /** Parses one thing if enough bytes are there; undefined when it needs more input. */
  private step(): HandshakeEvent | undefined {
    if (this.stateValue === 'client-flags') return this.readClientFlags();
    assert(this.stateValue === 'options', `parsing in state ${this.stateValue}`);
    if (this.discarding !== undefined) return this.discard(this.discarding);
    if (this.pendingOption === undefined) {
      const header = this.reader.take(OPTION_HEADER_BYTES);
      if (header === undefined) return undefined;
      const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
      if (view.getBigUint64(0) !== IHAVEOPT_MAGIC) return this.fail(protocolError('BAD_MAGIC', 'an option does not start with IHAVEOPT'));
      const option = view.getUint32(8);
      const lengthBytes = view.getUint32(12);
      if (lengthBytes > this.config.optionBytesMax) {
        this.discarding = { option, lengthBytes, remainingBytes: lengthBytes };
        return this.discard(this.discarding);
      }
      this.pendingOption = { option, lengthBytes };
    }
    const { option, lengthBytes } = this.pendingOption;
    const data = this.reader.take(lengthBytes);
    if (data === undefined) return undefined;
    this.pendingOption = undefined;
    const request = decodeOptionRequest(option, data);
    if (request.kind === 'abort') this.stateValue = 'aborted';
    if (request.kind === 'go' || option === Option.EXPORT_NAME) this.stateValue = 'deciding';
    return { kind: 'option', option, data, request };
  }

  private readClientFlags(): HandshakeEvent | undefined {
    const bytes = this.reader.take(CLIENT_FLAGS_BYTES);
    if (bytes === undefined) return undefined;
    const flags = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
    const known = ClientFlag.FIXED_NEWSTYLE | (this.config.offerNoZeroes ? ClientFlag.NO_ZEROES : 0);
    // The spec: the server MUST drop the connection on a flag it does not know or did not offer.
    if ((flags & ~known) !== 0) return this.fail(protocolError('BAD_CLIENT_FLAGS', `client flags 0x${flags.toString(16)} include bits the server did not offer`));
    this.noZeroesAgreed = (flags & ClientFlag.NO_ZEROES) !== 0;
    this.stateValue = 'options';
    return { kind: 'client-flags', flags, fixedNewstyle: (flags & ClientFlag.FIXED_NEWSTYLE) !== 0, noZeroes: this.noZeroesAgreed };
  }

  private discard(discarding: { option: number; lengthBytes: number; remainingBytes: number }): HandshakeEvent | undefined {
    discarding.remainingBytes -= this.reader.discard(discarding.remainingBytes);
    if (discarding.remainingBytes > 0) return undefined;
    this.discarding = undefined;
    // EXPORT_NAME has no error reply; the server has to disconnect, so it decides here too.
    if (discarding.option === Option.EXPORT_NAME) this.stateValue = 'deciding';
    return { kind: 'option-too-big', option: discarding.option, lengthBytes: discarding.lengthBytes };
  }

  private fail(error: ProtocolError): ProtocolError {
    this.stateValue = 'failed';
    return error;
  }
}
