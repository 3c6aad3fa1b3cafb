// What vstorctl prints, without a cluster: how keys and values are shown (JSON: UTF-8 text
// when valid, else base64, with the encoding named; table: escaped so that one shown form
// means one byte string and nothing breaks the line), aligned tables, each command's JSON
// document and table, watch lines, and cluster status rows built from several members'
// answers, one of them unreachable.
import test from 'ava';
import type { KeyValue__Output } from '../../proto/gen/vstor/v1/KeyValue.ts';
import type { Member__Output } from '../../proto/gen/vstor/v1/Member.ts';
import type { StatusResponse__Output } from '../../proto/gen/vstor/v1/StatusResponse.ts';
import { encodeForJson, escapeForTable } from '../../daemon/vstorctl-bytes.ts';
import type { CommandResult, EndpointStatus } from '../../daemon/vstorctl-render.ts';
import { renderResult, renderWatchEvent, resultJson, statusRows } from '../../daemon/vstorctl-render.ts';
import { formatTable } from '../../daemon/vstorctl-table.ts';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

test('JSON: valid UTF-8 is text with encoding utf8, anything else base64', (t) => {
  t.deepEqual(encodeForJson(Buffer.from('a/b', 'utf8')), { text: 'a/b', encoding: 'utf8' });
  t.deepEqual(encodeForJson(Buffer.from('ключ ✓ \u{1F600}', 'utf8')), { text: 'ключ ✓ \u{1F600}', encoding: 'utf8' });
  t.deepEqual(encodeForJson(Buffer.alloc(0)), { text: '', encoding: 'utf8' });
  // Control characters are valid UTF-8: JSON escapes them itself.
  t.deepEqual(encodeForJson(bytes(0, 10, 0x41)), { text: '\u0000\nA', encoding: 'utf8' });
  // A byte order mark is kept, not swallowed.
  t.deepEqual(encodeForJson(bytes(0xef, 0xbb, 0xbf, 0x41)), { text: '\uFEFFA', encoding: 'utf8' });
  t.deepEqual(encodeForJson(bytes(0xff, 0x00, 0x80)), { text: '/wCA', encoding: 'base64' });
  // Overlong forms and UTF-16 surrogates are not valid UTF-8.
  t.is(encodeForJson(bytes(0xc0, 0xaf)).encoding, 'base64');
  t.is(encodeForJson(bytes(0xed, 0xa0, 0x80)).encoding, 'base64');
  // A view into a larger buffer encodes only its own bytes.
  t.deepEqual(encodeForJson(bytes(1, 0xff, 0xfe, 2).subarray(1, 3)), { text: '//4=', encoding: 'base64' });
});

test('table: printable text as is; backslash, controls, format characters and bad bytes escaped', (t) => {
  t.is(escapeForTable(Buffer.from('plain text / ключ ✓', 'utf8')), 'plain text / ключ ✓');
  t.is(escapeForTable(Buffer.from('a\\b', 'utf8')), 'a\\\\b');
  t.is(escapeForTable(Buffer.from('line\nnext\r\tend', 'utf8')), 'line\\nnext\\r\\tend');
  t.is(escapeForTable(bytes(0x61, 0x00, 0x1b, 0x7f)), 'a\\u{0}\\u{1B}\\u{7F}');
  // A bidirectional override would reorder what the terminal shows.
  t.is(escapeForTable(Buffer.from('a\u202Eb\u2028', 'utf8')), 'a\\u{202E}b\\u{2028}');
  t.is(escapeForTable(bytes(0xff, 0x61, 0xfe)), '\\xFFa\\xFE');
  // Valid sequences between bad bytes are kept; a truncated sequence is bad bytes.
  t.is(escapeForTable(Buffer.concat([bytes(0x80), Buffer.from('✓', 'utf8'), bytes(0xe2, 0x9c)])), '\\x80✓\\xE2\\x9C');
  t.is(escapeForTable(bytes(0xc0, 0xaf)), '\\xC0\\xAF');
  // The escaped forms of different byte strings differ: "\x00" typed as text is not a NUL.
  t.not(escapeForTable(Buffer.from('\\x00', 'utf8')), escapeForTable(bytes(0)));
});

test('tables align every column but the last, without trailing blanks', (t) => {
  t.is(formatTable(['A', 'LONGER', 'LAST'], [['x', 'y', 'z'], ['wide-cell', '', 'last value']]),
    'A          LONGER  LAST\n' +
    'x          y       z\n' +
    'wide-cell          last value\n');
  t.is(formatTable(['KEY', 'VALUE'], []), 'KEY  VALUE\n');
  t.is(formatTable(['K', 'V'], [['ключ', '1'], ['k', '2']]), 'K     V\nключ  1\nk     2\n');
});

const kv = (key: string | Buffer, value: string | Buffer, modRevision = 5): KeyValue__Output => ({
  key: Buffer.isBuffer(key) ? key : Buffer.from(key), value: Buffer.isBuffer(value) ? value : Buffer.from(value),
  createRevision: 3, modRevision, version: 2,
});

const header = (revision: number) => ({ clusterId: 'c', memberId: 1, revision, raftTerm: 2 });

// Member 3 stands for one recorded before members had a peer address.
const member = (id: number, isLearner = false): Member__Output => ({
  id, name: `n${id}`, grpcAddress: `127.0.0.1:710${id}`, peerAddress: id === 3 ? '' : `127.0.0.1:730${id}`, adminAddress: `127.0.0.1:720${id}`,
  nbdAddress: `127.0.0.1:1080${id}`, isLearner,
});

test('kv results: JSON documents and tables', (t) => {
  const get: CommandResult = { name: 'kv get', kv: kv('a', bytes(0xff, 1)) };
  t.deepEqual(resultJson(get), { key: 'a', keyEncoding: 'utf8', value: '/wE=', valueEncoding: 'base64', createRevision: 3, modRevision: 5, version: 2 });
  t.is(renderResult(get, 'table'), 'KEY  VERSION  CREATE-REV  MOD-REV  VALUE\na    2        3           5        \\xFF\\u{1}\n');
  t.is(renderResult(get, 'json'), `${JSON.stringify(resultJson(get), null, 2)}\n`);

  const put: CommandResult = { name: 'kv put', key: 'a', revision: 9 };
  t.deepEqual(resultJson(put), { key: 'a', keyEncoding: 'utf8', revision: 9 });
  t.is(renderResult(put, 'table'), 'put a (revision 9)\n');

  const deleted: CommandResult = { name: 'kv delete', deleted: 1, revision: 10 };
  t.deepEqual(resultJson(deleted), { deleted: 1, revision: 10 });
  t.is(renderResult(deleted, 'table'), 'deleted 1 key (revision 10)\n');
  t.is(renderResult({ name: 'kv delete', deleted: 0, revision: 10 }, 'table'), 'deleted 0 keys (revision 10)\n');

  const list: CommandResult = { name: 'kv list', keysOnly: false, response: { header: header(12), kvs: [kv('d/a', '1'), kv('d/b', 'two', 7)], more: true, count: 3 } };
  t.deepEqual(resultJson(list), {
    revision: 12, count: 3, more: true,
    kvs: [
      { key: 'd/a', keyEncoding: 'utf8', value: '1', valueEncoding: 'utf8', createRevision: 3, modRevision: 5, version: 2 },
      { key: 'd/b', keyEncoding: 'utf8', value: 'two', valueEncoding: 'utf8', createRevision: 3, modRevision: 7, version: 2 },
    ],
  });
  t.is(renderResult(list, 'table'),
    'KEY  VERSION  CREATE-REV  MOD-REV  VALUE\n' +
    'd/a  2        3           5        1\n' +
    'd/b  2        3           7        two\n' +
    '(2 of 3 keys shown; raise --limit for more)\n');
  const keysOnly: CommandResult = { name: 'kv list', keysOnly: true, response: { header: header(12), kvs: [kv('d/a', '')], more: false, count: 1 } };
  t.deepEqual(resultJson(keysOnly), { revision: 12, count: 1, more: false, kvs: [{ key: 'd/a', keyEncoding: 'utf8', createRevision: 3, modRevision: 5, version: 2 }] });
  t.is(renderResult(keysOnly, 'table'), 'KEY  VERSION  CREATE-REV  MOD-REV\nd/a  2        3           5\n');
  t.is(renderResult({ name: 'kv list', keysOnly: false, response: { header: header(12), kvs: [], more: false, count: 0 } }, 'table'), 'no keys\n');

  const txn: CommandResult = {
    name: 'kv txn',
    response: { header: header(14), succeeded: true, responses: [
      { response: 'responsePut', responsePut: { header: header(14), prevKv: null } },
      { response: 'responseDeleteRange', responseDeleteRange: { header: header(14), deleted: 2, prevKvs: [] } },
    ] },
  };
  t.deepEqual(resultJson(txn), { succeeded: true, revision: 14, responses: [{ type: 'put' }, { type: 'delete', deleted: 2 }] });
  t.is(renderResult(txn, 'table'), 'succeeded: every comparison held, the success operations were applied (revision 14)\n  1. put\n  2. deleted 2 keys\n');
  const failed: CommandResult = { name: 'kv txn', response: { header: header(14), succeeded: false, responses: [] } };
  t.is(renderResult(failed, 'table'), 'failed: a comparison did not hold, the failure operations were applied (revision 14)\n');
});

test('member results: JSON documents and tables, sorted by id', (t) => {
  const list: CommandResult = { name: 'member list', members: [member(2), member(1), member(3), member(4, true)] };
  t.deepEqual(resultJson(list), { members: [1, 2, 3, 4].map((id) => ({
    id, name: `n${id}`, isLearner: id === 4, grpcAddress: `127.0.0.1:710${id}`, peerAddress: id === 3 ? '' : `127.0.0.1:730${id}`,
    adminAddress: `127.0.0.1:720${id}`, nbdAddress: `127.0.0.1:1080${id}`,
  })) });
  const table =
    'ID  NAME  ROLE     GRPC            PEER            ADMIN           NBD\n' +
    '1   n1    voter    127.0.0.1:7101  127.0.0.1:7301  127.0.0.1:7201  127.0.0.1:10801\n' +
    '2   n2    voter    127.0.0.1:7102  127.0.0.1:7302  127.0.0.1:7202  127.0.0.1:10802\n' +
    '3   n3    voter    127.0.0.1:7103  -               127.0.0.1:7203  127.0.0.1:10803\n' +
    '4   n4    learner  127.0.0.1:7104  127.0.0.1:7304  127.0.0.1:7204  127.0.0.1:10804\n';
  t.is(renderResult(list, 'table'), table);
  t.is(renderResult({ name: 'member add', member: member(4, true), members: list.members }, 'table'), `added n4 (id 4) as a learner\n\n${table}`);
  t.is(renderResult({ name: 'member promote', member: member(4), members: list.members }, 'table').split('\n')[0], 'promoted n4 (id 4) to voter');
  t.is(renderResult({ name: 'member remove', member: member(2), members: list.members }, 'table').split('\n')[0], 'removed n2 (id 2)');
  t.deepEqual(resultJson({ name: 'member add', member: member(4, true), members: [member(1)] }), {
    member: { id: 4, name: 'n4', isLearner: true, grpcAddress: '127.0.0.1:7104', peerAddress: '127.0.0.1:7304', adminAddress: '127.0.0.1:7204', nbdAddress: '127.0.0.1:10804' },
    members: [{ id: 1, name: 'n1', isLearner: false, grpcAddress: '127.0.0.1:7101', peerAddress: '127.0.0.1:7301', adminAddress: '127.0.0.1:7201', nbdAddress: '127.0.0.1:10801' }],
  });
  t.deepEqual(resultJson({ name: 'leader transfer', leader: { id: 2, name: 'n2' } }), { leaderId: 2, leaderName: 'n2' });
  t.is(renderResult({ name: 'leader transfer', leader: { id: 2, name: 'n2' } }, 'table'), 'n2 (id 2) is the leader now\n');
  t.is(renderResult({ name: 'leader transfer', leader: { id: 9, name: undefined } }, 'table'), 'member 9 is the leader now\n');
});

test('watch: one line per event, in both formats', (t) => {
  const put = { type: 'PUT' as const, kv: kv('a', 'x\ny', 15), prevKv: null };
  const deleted = { type: 'DELETE' as const, kv: { key: Buffer.from('a'), value: Buffer.alloc(0), createRevision: 0, modRevision: 16, version: 0 }, prevKv: null };
  t.is(renderWatchEvent(15, put, 'table'), '15  PUT     a  x\\ny\n');
  t.is(renderWatchEvent(16, deleted, 'table'), '16  DELETE  a\n');
  t.deepEqual(JSON.parse(renderWatchEvent(15, put, 'json')), {
    revision: 15, type: 'put', key: 'a', keyEncoding: 'utf8', value: 'x\ny', valueEncoding: 'utf8', createRevision: 3, modRevision: 15, version: 2,
  });
  t.deepEqual(JSON.parse(renderWatchEvent(16, deleted, 'json')), { revision: 16, type: 'delete', key: 'a', keyEncoding: 'utf8', modRevision: 16 });
  t.is(renderWatchEvent(15, put, 'json').split('\n').length, 2, 'one line');
});

function status(id: number, role: StatusResponse__Output['role'], members: Member__Output[], leaderId = 1): StatusResponse__Output {
  const leads = role === 'ROLE_LEADER';
  return {
    header: header(20), id, name: `n${id}`, role, isLearner: false, raftTerm: 4, leaderId,
    commitIndex: 30, appliedIndex: id === 2 ? 28 : 30, firstIndex: 1, lastIndex: 30,
    members: members.map((entry) => ({
      member: entry, progressKnown: leads, matchIndex: leads ? 30 - entry.id + 1 : 0, lagEntries: leads ? entry.id - 1 : 0,
      progressState: leads ? 'PROGRESS_STATE_REPLICATE' as const : 'PROGRESS_STATE_UNSPECIFIED' as const, recentActive: leads,
    })),
  };
}

test('cluster status: each member its own row; lag from the leader, also of the unreachable, named from the others', (t) => {
  const members = [member(1), member(2), member(3)];
  const endpoints: EndpointStatus[] = [
    { endpoint: '127.0.0.1:7101', name: undefined, id: undefined, status: status(1, 'ROLE_LEADER', members), error: undefined },
    { endpoint: '127.0.0.1:7102', name: undefined, id: undefined, status: status(2, 'ROLE_FOLLOWER', members), error: undefined },
    { endpoint: '127.0.0.1:7103', name: undefined, id: undefined, status: undefined, error: { code: 'UNAVAILABLE', message: 'Status: connect ECONNREFUSED' } },
  ];
  const rows = statusRows(endpoints);
  t.deepEqual(rows.map((row) => [row.name, row.id, row.role, row.leaderName, row.lagEntries, row.reachable]), [
    ['n1', 1, 'leader', 'n1', 0, true],
    ['n2', 2, 'follower', 'n1', 1, true],
    ['n3', 3, null, null, 2, false],
  ]);
  t.is(renderResult({ name: 'cluster status', endpoints }, 'table'),
    'ENDPOINT        NAME  ID  ROLE         TERM  LEADER  COMMIT  APPLIED  LAG  ERROR\n' +
    '127.0.0.1:7101  n1    1   leader       4     n1      30      30       0\n' +
    '127.0.0.1:7102  n2    2   follower     4     n1      30      28       1\n' +
    '127.0.0.1:7103  n3    3   unreachable  -     -       -       -        2    UNAVAILABLE: Status: connect ECONNREFUSED\n');
  const document = resultJson({ name: 'cluster status', endpoints }) as { members: unknown[] };
  t.deepEqual(document.members[2], {
    endpoint: '127.0.0.1:7103', reachable: false, name: 'n3', id: 3, role: null, isLearner: null, term: null, leaderId: null, leaderName: null,
    commitIndex: null, appliedIndex: null, firstIndex: null, lastIndex: null, lagEntries: 2,
    error: { code: 'UNAVAILABLE', message: 'Status: connect ECONNREFUSED' },
  });
  t.deepEqual(document.members[1], {
    endpoint: '127.0.0.1:7102', reachable: true, name: 'n2', id: 2, role: 'follower', isLearner: false, term: 4, leaderId: 1, leaderName: 'n1',
    commitIndex: 30, appliedIndex: 28, firstIndex: 1, lastIndex: 30, lagEntries: 1, error: null,
  });
});

test('cluster status: without a leader there is no lag, and no ERROR column when all answered', (t) => {
  const members = [member(1), member(2)];
  const endpoints: EndpointStatus[] = [
    { endpoint: 'a:1', name: 'n1', id: 1, status: status(1, 'ROLE_CANDIDATE', members, 0), error: undefined },
    { endpoint: 'a:2', name: 'n2', id: 2, status: { ...status(2, 'ROLE_FOLLOWER', members, 0), isLearner: true }, error: undefined },
  ];
  t.is(renderResult({ name: 'cluster status', endpoints }, 'table'),
    'ENDPOINT  NAME  ID  ROLE                TERM  LEADER  COMMIT  APPLIED  LAG\n' +
    'a:1       n1    1   candidate           4     -       30      30       -\n' +
    'a:2       n2    2   follower (learner)  4     -       30      28       -\n');
  // A member that did not answer keeps the name the config gave it.
  const rows = statusRows([{ endpoint: 'b:9', name: 'n9', id: 9, status: undefined, error: { code: 'DEADLINE_EXCEEDED', message: 'slow' } }]);
  t.deepEqual([rows[0]!.name, rows[0]!.id, rows[0]!.error], ['n9', 9, { code: 'DEADLINE_EXCEEDED', message: 'slow' }]);
});
