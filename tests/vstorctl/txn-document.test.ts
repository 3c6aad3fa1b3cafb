// The JSON document of `vstorctl kv txn` (daemon/vstorctl-txn.ts): a well-formed document
// becomes the client library's TxnOptions, and every kind of mistake is refused before
// anything is sent, with the path of the field that is wrong.
import test from 'ava';
import { UsageError } from '../../daemon/vstorctl-args.ts';
import { parseTxnDocument } from '../../daemon/vstorctl-txn.ts';

test('a document with every kind of comparison and operation', (t) => {
  const document = JSON.stringify({
    compare: [
      { key: 'a', result: '=', value: '1' },
      { key: 'b', result: '=', version: 0 },
      { key: 'c', result: '<', createRevision: 9 },
      { key: 'd', result: '!=', modRevision: 4 },
      { key: 'e', result: '>', value: '' },
    ],
    success: [{ type: 'put', key: 'a', value: '2' }, { type: 'delete', key: 'x' }],
    failure: [{ type: 'delete', key: 'lock/', prefix: true }, { type: 'delete', key: '', prefix: true }, { type: 'put', key: 'k', value: '' }],
  });
  t.deepEqual(parseTxnDocument(document), {
    compare: [
      { key: 'a', result: '=', target: 'value', value: '1' },
      { key: 'b', result: '=', target: 'version', version: 0 },
      { key: 'c', result: '<', target: 'createRevision', createRevision: 9 },
      { key: 'd', result: '!=', target: 'modRevision', modRevision: 4 },
      { key: 'e', result: '>', target: 'value', value: '' },
    ],
    success: [{ type: 'put', key: 'a', value: '2' }, { type: 'delete', key: 'x', prefix: false }],
    failure: [{ type: 'delete', key: 'lock/', prefix: true }, { type: 'delete', key: '', prefix: true }, { type: 'put', key: 'k', value: '' }],
  });
});

test('absent lists are empty', (t) => {
  t.deepEqual(parseTxnDocument('{"success":[{"type":"put","key":"a","value":"1"}]}'), { compare: [], success: [{ type: 'put', key: 'a', value: '1' }], failure: [] });
  t.deepEqual(parseTxnDocument('{}'), { compare: [], success: [], failure: [] });
});

const mistakes: [string, string][] = [
  ['', 'not valid JSON: Unexpected end of JSON input'],
  ['[]', 'the document: must be an object, got a list'],
  ['{"sucess":[]}', 'sucess: unknown field (expected one of: compare, success, failure)'],
  ['{"compare":{}}', 'compare: must be a list, got an object'],
  ['{"compare":[1]}', 'compare[0]: must be an object, got number 1'],
  ['{"compare":[{"result":"=","value":"1"}]}', 'compare[0].key: is required'],
  ['{"compare":[{"key":"","result":"=","value":"1"}]}', 'compare[0].key: must not be empty'],
  ['{"compare":[{"key":7,"result":"=","value":"1"}]}', 'compare[0].key: must be a string, got number 7'],
  ['{"compare":[{"key":"a","value":"1"}]}', 'compare[0].result: is required (one of = != < >)'],
  ['{"compare":[{"key":"a","result":"==","value":"1"}]}', 'compare[0].result: must be one of = != < >, got string "=="'],
  ['{"compare":[{"key":"a","result":"="}]}', 'compare[0]: must have exactly one of value, version, createRevision, modRevision'],
  ['{"compare":[{"key":"a","result":"=","value":"1","version":1}]}', 'compare[0]: must have exactly one of value, version, createRevision, modRevision, got value and version'],
  ['{"compare":[{"key":"a","result":"=","version":-1}]}', 'compare[0].version: must be an integer of at least 0, got number -1'],
  ['{"compare":[{"key":"a","result":"=","modRevision":"3"}]}', 'compare[0].modRevision: must be an integer of at least 0, got string "3"'],
  ['{"compare":[{"key":"a","result":"=","value":1}]}', 'compare[0].value: must be a string, got number 1'],
  ['{"compare":[{"key":"a","result":"=","value":"1","target":"value"}]}', 'compare[0].target: unknown field (expected one of: key, result, value, version, createRevision, modRevision)'],
  ['{"success":[{"key":"a","value":"1"}]}', 'success[0].type: is required (put or delete)'],
  ['{"success":[{"type":"get","key":"a"}]}', 'success[0].type: must be put or delete, got string "get"'],
  ['{"success":[{"type":"put","key":"a"}]}', 'success[0].value: is required'],
  ['{"success":[{"type":"put","key":"a","value":"1","prefix":true}]}', 'success[0].prefix: unknown field (expected one of: type, key, value)'],
  ['{"failure":[{"type":"delete","key":""}]}', 'failure[0].key: must not be empty'],
  ['{"failure":[{"type":"delete","key":"a","prefix":"yes"}]}', 'failure[0].prefix: must be true or false, got string "yes"'],
  ['{"failure":[{"type":"delete","key":"a","value":"v"}]}', 'failure[0].value: unknown field (expected one of: type, key, prefix)'],
  ['{"failure":["delete a"]}', 'failure[0]: must be an object, got string "delete a"'],
];

test('every mistake names the field that is wrong', (t) => {
  for (const [document, message] of mistakes) {
    const error = t.throws(() => parseTxnDocument(document), { instanceOf: UsageError }, document);
    t.is(error?.message, message, document);
  }
});
