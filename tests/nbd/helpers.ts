// Shared by the NBD codec tests: hex in and out, so expected bytes read as the spec's
// field tables, and a driver that runs one client conversation through the handshake and
// then the transmission decoder, however its bytes are split.
import { Option } from '../../daemon/nbd/constants.ts';
import { Handshake } from '../../daemon/nbd/handshake.ts';
import type { HandshakeConfig, HandshakeEvent } from '../../daemon/nbd/handshake.ts';
import { TransmissionDecoder } from '../../daemon/nbd/transmission.ts';
import type { TransmissionConfig, TransmissionEvent } from '../../daemon/nbd/transmission.ts';

/** Bytes from hex; spaces and line breaks are ignored so fields can be grouped. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) throw new Error(`bad hex: ${text}`);
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function ascii(text: string): string {
  return Buffer.from(text, 'latin1').toString('hex');
}

/** Events with byte arrays replaced by hex, so views and copies compare equal. */
export function plain(events: readonly (HandshakeEvent | TransmissionEvent)[]): unknown[] {
  return JSON.parse(JSON.stringify(events, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return `hex:${toHex(value)}`;
    if (typeof value === 'bigint') return `big:${value.toString()}`;
    return value;
  })) as unknown[];
}

export function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  // Copies, as a socket would deliver them, so no chunk aliases another.
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.slice(offset, offset + size));
  return chunks;
}

export interface Conversation {
  handshake: HandshakeEvent[];
  transmission: TransmissionEvent[];
}

/**
 * Feeds chunks to a Handshake; grants every GO and EXPORT_NAME (finish()) unless the
 * refuse(exportName) says so (resume()), then feeds the rest to a TransmissionDecoder.
 */
export function converse(
  chunks: readonly Uint8Array[],
  options: { handshake?: HandshakeConfig; transmission?: TransmissionConfig; refuse?: (exportName: string) => boolean } = {},
): Conversation {
  const handshake = new Handshake(options.handshake);
  const transmission = new TransmissionDecoder(options.transmission);
  const result: Conversation = { handshake: [], transmission: [] };
  const onHandshakeEvents = (events: HandshakeEvent[]): void => {
    for (const event of events) {
      result.handshake.push(event);
      // Only GO and EXPORT_NAME stop the handshake; it is the last event of its batch.
      if (event.kind !== 'option' || (event.request.kind !== 'go' && event.option !== Option.EXPORT_NAME)) continue;
      const request = event.request;
      if (request.kind === 'go' && options.refuse?.(request.exportName) === true) {
        onHandshakeEvents(handshake.resume());
      } else {
        result.transmission.push(...transmission.push(handshake.finish()));
      }
    }
  };
  for (const chunk of chunks) {
    if (handshake.state === 'transmission') result.transmission.push(...transmission.push(chunk));
    else onHandshakeEvents(handshake.push(chunk));
  }
  return result;
}
