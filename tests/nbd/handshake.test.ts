// The Handshake's life cycle around the server's decisions: it stops after GO and
// EXPORT_NAME because only the server knows whether the export exists, resumes after a
// refusal, hands over the transmission bytes after a grant, and treats calls in the wrong
// state as bugs.
import test from 'ava';
import { Option } from '../../daemon/nbd/constants.ts';
import { NbdAssertionError } from '../../daemon/nbd/errors.ts';
import { Handshake } from '../../daemon/nbd/handshake.ts';
import { encodeExportNameReply } from '../../daemon/nbd/option-reply.ts';
import { ascii, hex, toHex } from './helpers.ts';

const IHAVEOPT = '49484156454f5054';
const config = { offerNoZeroes: true, optionBytesMax: 16, pendingBytesMax: 4096 };

test('EXPORT_NAME stops negotiation; finish() returns the bytes that followed it', (t) => {
  const handshake = new Handshake(config);
  const events = handshake.push(hex(`00000001 ${IHAVEOPT} 00000001 00000004 ${ascii('disk')} 25609513`));
  t.like(events[1], { kind: 'option', option: Option.EXPORT_NAME, request: { kind: 'export-name', exportName: 'disk' } });
  t.is(handshake.state, 'deciding');
  t.false(handshake.noZeroes);
  // Without NO_ZEROES the reply carries the 124 reserved zero bytes.
  t.is(encodeExportNameReply(1n << 30n, 1, handshake.noZeroes).length, 134);
  t.deepEqual(handshake.push(hex('0000')), []);
  t.is(toHex(handshake.finish()), '256095130000');
  t.is(handshake.state, 'transmission');
  t.deepEqual(handshake.push(hex('00')), []);
});

test('a refused GO resumes negotiation with the options already received', (t) => {
  const handshake = new Handshake(config);
  const events = handshake.push(hex(`00000003 ${IHAVEOPT} 00000007 00000008 00000002 ${ascii('no')} 0000 ${IHAVEOPT} 00000003 00000000`));
  t.is(events.length, 2);
  t.true(handshake.noZeroes);
  t.is(handshake.state, 'deciding');
  const resumed = handshake.resume();
  t.like(resumed[0], { kind: 'option', request: { kind: 'list' } });
  t.is(handshake.state, 'options');
});

test('an invalid GO is answered, not decided: negotiation goes on', (t) => {
  const handshake = new Handshake(config);
  const events = handshake.push(hex(`00000001 ${IHAVEOPT} 00000007 00000002 0000`));
  t.like(events[1], { kind: 'option', request: { kind: 'invalid' } });
  t.is(handshake.state, 'options');
});

test('an oversized EXPORT_NAME cannot be answered, so the handshake waits for the server to close', (t) => {
  const handshake = new Handshake(config);
  const events = handshake.push(hex(`00000001 ${IHAVEOPT} 00000001 00000011 ${'61'.repeat(17)}`));
  t.like(events[1], { kind: 'option-too-big', option: Option.EXPORT_NAME, lengthBytes: 17 });
  t.is(handshake.state, 'deciding');
});

test('resume() or finish() outside a decision, and impossible limits, are assertions', (t) => {
  const handshake = new Handshake(config);
  t.throws(() => handshake.resume(), { instanceOf: NbdAssertionError });
  t.throws(() => handshake.finish(), { instanceOf: NbdAssertionError });
  t.throws(() => new Handshake({ offerNoZeroes: false, optionBytesMax: 100, pendingBytesMax: 100 }), { instanceOf: NbdAssertionError });
});
