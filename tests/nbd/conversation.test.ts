// One whole client conversation, as qemu-nbd's client would send it (client flags,
// STRUCTURED_REPLY, SET_META_CONTEXT base:allocation, an option we do not know, a GO the
// server refuses, a GO it grants, then READ, WRITE with FUA, BLOCK_STATUS and DISC), fed
// in one chunk, one byte at a time and in odd-sized chunks: TCP may split a stream
// anywhere, so every split must give the same events.
import test from 'ava';
import { Command, CommandFlag, Option } from '../../daemon/nbd/constants.ts';
import { concatBytes } from '../../storage-engine/model/bytes.ts';
import { ascii, converse, hex, plain, splitEvery } from './helpers.ts';

const IHAVEOPT = '49484156454f5054';
const REQUEST = '25609513';

function option(code: number, dataHex: string): string {
  const data = hex(dataHex);
  return `${IHAVEOPT} ${code.toString(16).padStart(8, '0')} ${data.length.toString(16).padStart(8, '0')} ${dataHex}`;
}

const conversation = concatBytes(
  hex('00000003'), // client flags: FIXED_NEWSTYLE | NO_ZEROES
  hex(option(Option.STRUCTURED_REPLY, '')),
  // export name length 4, "disk", 1 query of 15 bytes: "base:allocation"
  hex(option(Option.SET_META_CONTEXT, `00000004 ${ascii('disk')} 00000001 0000000f ${ascii('base:allocation')}`)),
  hex(option(99, ascii('xyz'))),
  // GO for "gone": name length 4, name, no information requests; the server refuses it
  hex(option(Option.GO, `00000004 ${ascii('gone')} 0000`)),
  // GO for "disk" asking for NBD_INFO_BLOCK_SIZE
  hex(option(Option.GO, `00000004 ${ascii('disk')} 0001 0003`)),
  // READ cookie 1, offset 0, 4096 bytes
  hex(`${REQUEST} 0000 0000 0000000000000001 0000000000000000 00001000`),
  // WRITE with FUA, cookie 2, offset 512, 4 bytes of payload
  hex(`${REQUEST} 0001 0001 0000000000000002 0000000000000200 00000004 deadbeef`),
  // BLOCK_STATUS with REQ_ONE, cookie 3, offset 0, 1 MiB
  hex(`${REQUEST} 0008 0007 0000000000000003 0000000000000000 00100000`),
  hex(`${REQUEST} 0000 0002 0000000000000004 0000000000000000 00000000`),
);

const refuse = (exportName: string): boolean => exportName === 'gone';

test('the conversation decodes to the events a server acts on', (t) => {
  const result = converse([conversation], { refuse });
  const requests = result.handshake.map((event): unknown => (event.kind === 'option' ? event.request : event));
  t.deepEqual(requests, [
    { kind: 'client-flags', flags: 3, fixedNewstyle: true, noZeroes: true },
    { kind: 'structured-reply' },
    { kind: 'set-meta-context', exportName: 'disk', queries: ['base:allocation'] },
    { kind: 'unsupported' },
    { kind: 'go', exportName: 'gone', infoRequests: [] },
    { kind: 'go', exportName: 'disk', infoRequests: [3] },
  ]);
  t.deepEqual(plain(result.transmission), plain([
    { kind: 'request', request: { flags: 0, type: Command.READ, cookie: 1n, offset: 0n, lengthBytes: 4096 } },
    { kind: 'request', request: { flags: CommandFlag.FUA, type: Command.WRITE, cookie: 2n, offset: 512n, lengthBytes: 4, data: hex('deadbeef') } },
    { kind: 'request', request: { flags: CommandFlag.REQ_ONE, type: Command.BLOCK_STATUS, cookie: 3n, offset: 0n, lengthBytes: 1 << 20 } },
    { kind: 'request', request: { flags: 0, type: Command.DISC, cookie: 4n, offset: 0n, lengthBytes: 0 } },
  ]));
});

test('one chunk, one byte at a time and odd splits give identical events', (t) => {
  const whole = plain(Object.values(converse([conversation], { refuse })).flat());
  for (const size of [1, 2, 3, 7, 16, 27, 29, 100]) {
    t.deepEqual(plain(Object.values(converse(splitEvery(conversation, size), { refuse })).flat()), whole, `chunks of ${size} bytes`);
  }
});

test('a WRITE payload within one chunk is a view, not a copy', (t) => {
  const result = converse([conversation], { refuse });
  const write = result.transmission.find((event) => event.kind === 'request' && event.request.type === Command.WRITE);
  t.true(write?.kind === 'request' && write.request.data?.buffer === conversation.buffer);
});
