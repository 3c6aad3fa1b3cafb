// What the codec does with a client that gets it wrong. Fatal violations (bad magic,
// unknown client flags, a write too large to even discard, data after ABORT or DISC, too
// many unparsed bytes) are one protocol-error event, after which the decoder ignores
// input: the server drops the connection. Everything the spec lets us answer (an unknown
// option, a truncated or oversized payload, an oversized WRITE) is an event the server
// answers, and the conversation goes on.
import test from 'ava';
import { Option } from '../../daemon/nbd/constants.ts';
import { Handshake } from '../../daemon/nbd/handshake.ts';
import { decodeOptionRequest } from '../../daemon/nbd/option-request.ts';
import { TransmissionDecoder } from '../../daemon/nbd/transmission.ts';
import { ascii, hex, plain } from './helpers.ts';

const IHAVEOPT = '49484156454f5054';
const REQUEST = '25609513';
const small = { offerNoZeroes: false, optionBytesMax: 32, pendingBytesMax: 64 };

function negotiating(config = small): Handshake {
  const handshake = new Handshake(config);
  handshake.push(hex('00000001'));
  return handshake;
}

test('client flags the server did not offer end the connection', (t) => {
  const events = new Handshake(small).push(hex('00000002')); // NO_ZEROES, not offered
  t.is(events.length, 1);
  t.like(events[0], { kind: 'protocol-error', code: 'BAD_CLIENT_FLAGS' });
  const unknown = new Handshake().push(hex('00000004'));
  t.like(unknown[0], { kind: 'protocol-error', code: 'BAD_CLIENT_FLAGS' });
});

test('an option without IHAVEOPT ends the connection and later input is ignored', (t) => {
  const handshake = negotiating();
  const events = handshake.push(hex('4142434445464748 00000003 00000000'));
  t.like(events[0], { kind: 'protocol-error', code: 'BAD_MAGIC' });
  t.is(handshake.state, 'failed');
  t.deepEqual(handshake.push(hex(`${IHAVEOPT} 00000003 00000000`)), []);
});

test('an unknown option is "unsupported" and negotiation goes on', (t) => {
  const handshake = negotiating();
  const events = handshake.push(hex(`${IHAVEOPT} 0000002a 00000002 abcd ${IHAVEOPT} 00000003 00000000`));
  t.deepEqual(events.map((event) => (event.kind === 'option' ? event.request.kind : event.kind)), ['unsupported', 'list']);
  t.is(handshake.state, 'options');
});

test('an option longer than optionBytesMax is skipped and reported, then negotiation goes on', (t) => {
  const handshake = negotiating();
  const payload = '00'.repeat(40);
  const events = handshake.push(hex(`${IHAVEOPT} 00000007 00000028 ${payload.slice(0, 20)}`));
  t.deepEqual(events, []);
  const more = handshake.push(hex(`${payload.slice(20)} ${IHAVEOPT} 00000003 00000000`));
  t.deepEqual(plain(more), plain([
    { kind: 'option-too-big', option: Option.GO, lengthBytes: 40 },
    { kind: 'option', option: Option.LIST, data: new Uint8Array(0), request: { kind: 'list' } },
  ]));
});

test('more unparsed bytes than pendingBytesMax end the connection', (t) => {
  const handshake = negotiating();
  const events = handshake.push(new Uint8Array(65));
  t.like(events[0], { kind: 'protocol-error', code: 'BUFFER_FULL' });
});

test('data after ABORT is a protocol error', (t) => {
  const handshake = negotiating();
  const events = handshake.push(hex(`${IHAVEOPT} 00000002 00000000`));
  t.like(events[0], { kind: 'option', request: { kind: 'abort' } });
  t.is(handshake.state, 'aborted');
  t.like(handshake.push(hex('00'))[0], { kind: 'protocol-error', code: 'UNEXPECTED_DATA' });
});

test('truncated, padded or oversized option payloads decode to "invalid", never a throw', (t) => {
  const cases: [number, string][] = [
    [Option.GO, ''], // no name length
    [Option.GO, '00000004 6469'], // name cut short
    [Option.GO, `00000004 ${ascii('disk')}`], // no request count
    [Option.GO, `00000004 ${ascii('disk')} 0002 0003`], // one request of two
    [Option.INFO, `00000004 ${ascii('disk')} 0000 ff`], // a byte left over
    [Option.GO, `00001001 ${'61'.repeat(4097)} 0000`], // name above 4096 bytes
    [Option.GO, '00000002 ff fe 0000'], // not UTF-8
    [Option.GO, '00000002 6100 0000'], // contains NUL
    [Option.SET_META_CONTEXT, `00000004 ${ascii('disk')}`], // no query count
    [Option.SET_META_CONTEXT, `00000004 ${ascii('disk')} ffffffff`], // a count that cannot fit
    [Option.LIST_META_CONTEXT, `00000004 ${ascii('disk')} 00000001 00000010 ${ascii('base:')}`], // query cut short
    [Option.LIST, '00'],
    [Option.STRUCTURED_REPLY, '00'],
    [Option.EXPORT_NAME, 'ff'],
  ];
  for (const [option, dataHex] of cases) {
    t.is(decodeOptionRequest(option, hex(dataHex)).kind, 'invalid', `option ${option} with ${dataHex.slice(0, 40)}`);
  }
});

test('valid option payloads decode to their parts', (t) => {
  t.deepEqual(decodeOptionRequest(Option.EXPORT_NAME, hex(ascii('vd@snap'))), { kind: 'export-name', exportName: 'vd@snap' });
  t.deepEqual(decodeOptionRequest(Option.GO, hex('00000000 0000')), { kind: 'go', exportName: '', infoRequests: [] });
  t.deepEqual(decodeOptionRequest(Option.LIST_META_CONTEXT, hex(`00000004 ${ascii('disk')} 00000000`)),
    { kind: 'list-meta-context', exportName: 'disk', queries: [] });
  t.deepEqual(decodeOptionRequest(Option.STARTTLS, new Uint8Array(0)), { kind: 'unsupported' });
});

const txSmall = { writePayloadBytesMax: 8, writeDiscardBytesMax: 16, pendingBytesMax: 128 };

test('a request without the request magic ends the connection', (t) => {
  const decoder = new TransmissionDecoder(txSmall);
  const events = decoder.push(hex(`67446698 0000 0000 0000000000000001 0000000000000000 00000200`));
  t.like(events[0], { kind: 'protocol-error', code: 'BAD_MAGIC' });
  t.deepEqual(decoder.push(hex(`${REQUEST} 0000 0000 0000000000000001 0000000000000000 00000200`)), []);
});

test('a WRITE above writePayloadBytesMax is discarded and reported; the next request parses', (t) => {
  const decoder = new TransmissionDecoder(txSmall);
  const events = decoder.push(hex(`${REQUEST} 0000 0001 0000000000000009 0000000000000400 0000000c ${'ee'.repeat(12)}
    ${REQUEST} 0000 0003 000000000000000a 0000000000000000 00000000`));
  t.deepEqual(plain(events), plain([
    { kind: 'oversized-write', cookie: 9n, offset: 1024n, lengthBytes: 12 },
    { kind: 'request', request: { flags: 0, type: 3, cookie: 10n, offset: 0n, lengthBytes: 0 } },
  ]));
});

test('a WRITE above writeDiscardBytesMax ends the connection', (t) => {
  const decoder = new TransmissionDecoder(txSmall);
  const events = decoder.push(hex(`${REQUEST} 0000 0001 0000000000000009 0000000000000000 00000011`));
  t.like(events[0], { kind: 'protocol-error', code: 'PAYLOAD_TOO_BIG' });
});

test('data after DISC is a protocol error; READ lengths carry no payload', (t) => {
  const decoder = new TransmissionDecoder(txSmall);
  const events = decoder.push(hex(`${REQUEST} 0000 0000 0000000000000001 ffffffffffffffff ffffffff
    ${REQUEST} 0000 0002 0000000000000002 0000000000000000 00000000`));
  t.deepEqual(plain(events), plain([
    { kind: 'request', request: { flags: 0, type: 0, cookie: 1n, offset: 0xffffffffffffffffn, lengthBytes: 0xffffffff } },
    { kind: 'request', request: { flags: 0, type: 2, cookie: 2n, offset: 0n, lengthBytes: 0 } },
  ]));
  t.is(decoder.state, 'disconnected');
  t.like(decoder.push(hex('00'))[0], { kind: 'protocol-error', code: 'UNEXPECTED_DATA' });
});
