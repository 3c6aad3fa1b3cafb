// Seeded fuzzing of the NBD decoders (STYLE 9). Whatever a client sends, the codec must
// answer with events, never an exception: the only failures allowed are the documented
// protocol-error codes, after which the decoder is silent. And because TCP may split a
// stream anywhere, the same bytes cut into random chunks must give exactly the events
// they give in one piece. Inputs mix pure garbage with frames that carry the right magic
// and random fields, so the parsers get past their first check. A failure names its seed;
// NBD_FUZZ_SEED=<seed> replays just that one.
import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import { concatBytes } from '../../storage-engine/model/bytes.ts';
import { Option } from '../../daemon/nbd/constants.ts';
import type { ProtocolErrorCode } from '../../daemon/nbd/errors.ts';
import { decodeOptionRequest } from '../../daemon/nbd/option-request.ts';
import { converse, hex, plain } from './helpers.ts';
import type { Conversation } from './helpers.ts';

const SEEDS = process.env.NBD_FUZZ_SEED === undefined ? Array.from({ length: 300 }, (_, i) => i + 1) : [Number(process.env.NBD_FUZZ_SEED)];
const PROTOCOL_ERROR_CODES: ReadonlySet<ProtocolErrorCode> = new Set(['BAD_MAGIC', 'BAD_CLIENT_FLAGS', 'BUFFER_FULL', 'PAYLOAD_TOO_BIG', 'UNEXPECTED_DATA']);
const OPTION_CODES = Object.values(Option);

const handshakeConfig = { offerNoZeroes: true, optionBytesMax: 48, pendingBytesMax: 1 << 20 };
const transmissionConfig = { writePayloadBytesMax: 64, writeDiscardBytesMax: 512, pendingBytesMax: 1 << 20 };
// A deterministic server decision, so every chunking sees the same one.
const refuse = (exportName: string): boolean => exportName.length % 2 === 1;

function randomBytes(random: SeededRandom, lengthBytes: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes);
  for (let i = 0; i < lengthBytes; i++) bytes[i] = random.nextInt(256);
  return bytes;
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0);
  return bytes;
}

/** A small length, sometimes a huge or off-by-a-little one. */
function fuzzLength(random: SeededRandom, typical: number): number {
  if (random.chance(0.1)) return random.nextUint32();
  return random.nextInt(typical + 1);
}

function randomOption(random: SeededRandom): Uint8Array {
  const code = random.chance(0.8) ? OPTION_CODES[random.nextInt(OPTION_CODES.length)]! : random.nextUint32();
  const body = random.chance(0.5) ? lengthPrefixedPayload(random) : randomBytes(random, random.nextInt(80));
  const declared = random.chance(0.9) ? body.length : fuzzLength(random, 80);
  return concatBytes(hex('49484156454f5054'), u32(code), u32(declared), body);
}

/** Something shaped like a GO or META_CONTEXT payload, with lengths that may lie. */
function lengthPrefixedPayload(random: SeededRandom): Uint8Array {
  const name = randomBytes(random, random.nextInt(8)).map((byte) => 0x61 + (byte % 26));
  const parts = [u32(random.chance(0.9) ? name.length : fuzzLength(random, 16)), name];
  const count = random.nextInt(4);
  if (random.chance(0.5)) {
    parts.push(Uint8Array.of(0, count));
    for (let i = 0; i < count; i++) parts.push(Uint8Array.of(0, random.nextInt(5)));
  } else {
    parts.push(u32(random.chance(0.9) ? count : fuzzLength(random, 8)));
    for (let i = 0; i < count; i++) {
      const query = randomBytes(random, random.nextInt(20));
      parts.push(u32(random.chance(0.9) ? query.length : fuzzLength(random, 20)), query);
    }
  }
  return concatBytes(...parts);
}

function randomRequest(random: SeededRandom): Uint8Array {
  const header = new Uint8Array(28);
  const view = new DataView(header.buffer);
  view.setUint32(0, random.chance(0.95) ? 0x25609513 : random.nextUint32());
  view.setUint16(4, random.nextInt(32));
  view.setUint16(6, random.chance(0.9) ? random.nextInt(9) : random.nextInt(0x10000));
  view.setUint32(8, random.nextUint32());
  view.setUint32(12, random.nextUint32());
  view.setUint32(16, random.nextUint32());
  view.setUint32(20, random.nextUint32());
  const lengthBytes = fuzzLength(random, 600);
  view.setUint32(24, lengthBytes);
  const isWrite = view.getUint16(6) === 1;
  return concatBytes(header, isWrite ? randomBytes(random, Math.min(lengthBytes, 600)) : new Uint8Array(0));
}

function randomStream(random: SeededRandom): Uint8Array {
  if (random.chance(0.1)) return randomBytes(random, random.nextInt(400));
  const parts = [u32(random.chance(0.9) ? random.nextInt(4) : random.nextUint32())];
  const optionCount = random.nextInt(6);
  for (let i = 0; i < optionCount; i++) parts.push(randomOption(random));
  // End negotiation with a GO for an even-length (granted) name most of the time.
  if (random.chance(0.8)) parts.push(concatBytes(hex('49484156454f5054 00000007 00000008 00000002 6464 0000')));
  const requestCount = random.nextInt(8);
  for (let i = 0; i < requestCount; i++) parts.push(randomRequest(random));
  if (random.chance(0.2)) parts.push(randomBytes(random, random.nextInt(40)));
  return concatBytes(...parts);
}

function randomChunks(random: SeededRandom, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = 1 + random.nextInt(random.chance(0.3) ? 3 : 64);
    chunks.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return chunks;
}

/** Protocol errors only with documented codes, and nothing after one. */
function checkErrors(events: readonly { kind: string; code?: string }[]): string | undefined {
  const index = events.findIndex((event) => event.kind === 'protocol-error');
  if (index === -1) return undefined;
  const code = events[index]!.code as ProtocolErrorCode;
  if (!PROTOCOL_ERROR_CODES.has(code)) return `undocumented protocol error code ${code}`;
  if (index !== events.length - 1) return `${events.length - 1 - index} events after a protocol error`;
  return undefined;
}

test('garbage and near-valid streams never throw, and every chunking gives the same events', (t) => {
  let protocolErrors = 0;
  let requests = 0;
  for (const seed of SEEDS) {
    const random = new SeededRandom(seed);
    const stream = randomStream(random);
    let whole: Conversation;
    let split: Conversation;
    try {
      whole = converse([stream], { handshake: handshakeConfig, transmission: transmissionConfig, refuse });
      split = converse(randomChunks(random, stream), { handshake: handshakeConfig, transmission: transmissionConfig, refuse });
    } catch (error) {
      t.fail(`seed ${seed} threw: ${String(error)}`);
      return;
    }
    const problem = checkErrors(whole.handshake) ?? checkErrors(whole.transmission);
    if (problem !== undefined) {
      t.fail(`seed ${seed}: ${problem}`);
      return;
    }
    if (JSON.stringify(plain([...whole.handshake, ...whole.transmission])) !== JSON.stringify(plain([...split.handshake, ...split.transmission]))) {
      t.deepEqual(plain([...split.handshake, ...split.transmission]), plain([...whole.handshake, ...whole.transmission]), `seed ${seed}: chunking changed the events`);
      return;
    }
    protocolErrors += [...whole.handshake, ...whole.transmission].filter((event) => event.kind === 'protocol-error').length;
    requests += whole.transmission.filter((event) => event.kind === 'request').length;
  }
  // The generator must reach both the error paths and the transmission phase, or it tests little.
  if (SEEDS.length > 1) {
    t.true(protocolErrors > 10, `only ${protocolErrors} protocol errors`);
    t.true(requests > 100, `only ${requests} requests decoded`);
  } else {
    t.pass();
  }
});

test('decodeOptionRequest never throws on any payload for any option', (t) => {
  for (const seed of SEEDS) {
    const random = new SeededRandom(seed);
    for (let i = 0; i < 50; i++) {
      const option = random.chance(0.9) ? OPTION_CODES[random.nextInt(OPTION_CODES.length)]! : random.nextUint32();
      const data = random.chance(0.5) ? lengthPrefixedPayload(random) : randomBytes(random, random.nextInt(64));
      try {
        const request = decodeOptionRequest(option, data);
        if (typeof request.kind !== 'string') throw new Error('no kind');
      } catch (error) {
        t.fail(`seed ${seed}, case ${i}, option ${option}: threw ${String(error)}`);
        return;
      }
    }
  }
  t.pass();
});
