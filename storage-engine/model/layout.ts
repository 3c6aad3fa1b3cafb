// Where the model keeps things inside its database (or sublevel). Everything that makes
// up one image of the model lives under one generation, so that restore() can write a new
// image beside the current one and switch to it with a single write of the meta key:
//
//   M                                  meta: layout version, current generation
//   D gen S                            state: appliedIndex, revision, historyStartRevision
//   D gen K key                        a key: its revisions, version and value
//   D gen C clientId                   a client session: last sequence, index it was touched,
//                                      and the response to that sequence
//   D gen E revision subIndex          one event of the watch history
//
// `gen` is a 4-byte and `revision` an 8-byte big-endian integer, `subIndex` 4 bytes, so
// that byte order is numeric order and events iterate in revision order.
//
// The layout version, in the meta record, names the format of every record (records.ts,
// events.ts); a database of another version is refused, not read. Version 2 keeps a
// session and its response in one record (version 1 had a second record for the response,
// under R) and stores an event's previous value without its key (the event's own key), so
// that an applied put costs one LevelDB operation fewer.
//
// Events older than the state's historyStartRevision are dead: trimming the history only
// moves that start (in the state record, with the batch that adds the new events), and
// the dead events are cleared later, many at a time (kv-state-machine.ts). Every reader of
// the events section starts at historyStartRevision or skips what lies before it.

import { assert } from './errors.ts';
import { concatBytes } from './bytes.ts';

export const LAYOUT_VERSION = 2;

const META = 0x4d;
const DATA = 0x44;
const GENERATION_BYTES = 4;
const GENERATION_MAX = 0xffff_fffe;

export const Section = {
  state: 0x53,
  keys: 0x4b,
  sessions: 0x43,
  events: 0x45,
} as const;
export type Section = (typeof Section)[keyof typeof Section];

export const META_KEY: Uint8Array = Uint8Array.of(META);

/** The length of `D gen`, the part of every data key that names its generation. */
export const GENERATION_PREFIX_BYTES = 1 + GENERATION_BYTES;

export interface KeyBounds {
  gte: Uint8Array;
  lt: Uint8Array;
}

export function generationPrefix(generation: number): Uint8Array {
  const prefix = new Uint8Array(GENERATION_PREFIX_BYTES);
  writeGenerationPrefix(prefix, generation);
  return prefix;
}

/** `D gen` at the start of `key`. Every key of every apply is made here, so no temporary. */
function writeGenerationPrefix(key: Uint8Array, generation: number): void {
  if (!(Number.isInteger(generation) && generation >= 0 && generation <= GENERATION_MAX)) assert(false, `generation ${generation}`);
  key[0] = DATA;
  key[1] = generation >>> 24;
  key[2] = (generation >>> 16) & 0xff;
  key[3] = (generation >>> 8) & 0xff;
  key[4] = generation & 0xff;
}

/** Every data key of one generation. */
export function generationBounds(generation: number): KeyBounds {
  return { gte: generationPrefix(generation), lt: generationPrefix(generation + 1) };
}

/** Every data key of every generation below `generation`, and of every one above it. */
export function otherGenerationsBounds(generation: number): KeyBounds[] {
  return [
    { gte: Uint8Array.of(DATA), lt: generationPrefix(generation) },
    { gte: generationPrefix(generation + 1), lt: Uint8Array.of(DATA + 1) },
  ];
}

export function sectionKey(generation: number, section: Section, suffix?: Uint8Array): Uint8Array {
  const key = new Uint8Array(GENERATION_PREFIX_BYTES + 1 + (suffix?.length ?? 0));
  writeGenerationPrefix(key, generation);
  key[GENERATION_PREFIX_BYTES] = section;
  if (suffix !== undefined) key.set(suffix, GENERATION_PREFIX_BYTES + 1);
  return key;
}

export function sectionBounds(generation: number, section: Section): KeyBounds {
  const gte = sectionKey(generation, section);
  const lt = gte.slice();
  lt[GENERATION_PREFIX_BYTES] = section + 1;
  return { gte, lt };
}

/** The events of a generation older than `historyStartRevision`: trimmed, not yet cleared. */
export function deadEventBounds(generation: number, historyStartRevision: number): KeyBounds {
  return { gte: sectionKey(generation, Section.events), lt: eventKey(generation, historyStartRevision, 0) };
}

/** `D gen C clientId`, the client id written as UTF-8 straight into the key: an ASCII id
 * (the usual) character by character, which beats any encoder call for a few dozen. */
export function sessionKey(generation: number, clientId: string): Uint8Array {
  const offset = GENERATION_PREFIX_BYTES + 1;
  let ascii = true;
  for (let index = 0; index < clientId.length && ascii; index++) ascii = clientId.charCodeAt(index) < 0x80;
  const key = new Uint8Array(offset + (ascii ? clientId.length : Buffer.byteLength(clientId, 'utf8')));
  writeGenerationPrefix(key, generation);
  key[GENERATION_PREFIX_BYTES] = Section.sessions;
  if (ascii) {
    for (let index = 0; index < clientId.length; index++) key[offset + index] = clientId.charCodeAt(index);
  } else {
    Buffer.from(key.buffer, key.byteOffset, key.byteLength).write(clientId, offset, 'utf8');
  }
  return key;
}

export function stateKey(generation: number): Uint8Array {
  return sectionKey(generation, Section.state);
}

export function eventKey(generation: number, revision: number, subIndex: number): Uint8Array {
  const key = new Uint8Array(GENERATION_PREFIX_BYTES + 1 + EVENT_SUFFIX_BYTES);
  writeGenerationPrefix(key, generation);
  key[GENERATION_PREFIX_BYTES] = Section.events;
  const offset = GENERATION_PREFIX_BYTES + 1;
  writeUint32BigEndian(key, offset, Math.floor(revision / 0x1_0000_0000));
  writeUint32BigEndian(key, offset + 4, revision % 0x1_0000_0000);
  writeUint32BigEndian(key, offset + 8, subIndex);
  return key;
}

function writeUint32BigEndian(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}

/** The part of a data key after its section byte: a user key, a client id, a position. */
export function keySuffix(dataKey: Uint8Array): Uint8Array {
  return dataKey.subarray(GENERATION_PREFIX_BYTES + 1);
}

/** The bytes after the section byte of an event key. */
export const EVENT_SUFFIX_BYTES = 12;

export function eventPosition(dataKey: Uint8Array): { revision: number; subIndex: number } {
  const suffix = keySuffix(dataKey);
  assert(suffix.length === EVENT_SUFFIX_BYTES, () => `event key of ${suffix.length} bytes`);
  return eventPositionOfSuffix(suffix);
}

export function eventPositionOfSuffix(suffix: Uint8Array): { revision: number; subIndex: number } {
  const view = new DataView(suffix.buffer, suffix.byteOffset, EVENT_SUFFIX_BYTES);
  return { revision: view.getUint32(0) * 0x1_0000_0000 + view.getUint32(4), subIndex: view.getUint32(8) };
}

/** A data key without its generation, as it travels in a snapshot: section and suffix. */
export function relativeKey(dataKey: Uint8Array): Uint8Array {
  return dataKey.subarray(GENERATION_PREFIX_BYTES);
}

export function absoluteKey(generation: number, relative: Uint8Array): Uint8Array {
  return concatBytes(generationPrefix(generation), relative);
}
