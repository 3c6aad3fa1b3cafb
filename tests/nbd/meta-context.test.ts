// The spec's rules for metadata context queries, for the one context vstor serves
// (base:allocation): what LIST and SET select for each kind of query.
import test from 'ava';
import { matchMetaContexts } from '../../daemon/nbd/meta-context.ts';

test('LIST with no query, or with the "base:" namespace, lists base:allocation', (t) => {
  t.deepEqual(matchMetaContexts('list-meta-context', []), ['base:allocation']);
  t.deepEqual(matchMetaContexts('list-meta-context', ['base:']), ['base:allocation']);
});

test('SET selects exactly the contexts named, once, and none for no query', (t) => {
  t.deepEqual(matchMetaContexts('set-meta-context', ['base:allocation', 'base:allocation']), ['base:allocation']);
  t.deepEqual(matchMetaContexts('set-meta-context', ['base:']), []);
  t.deepEqual(matchMetaContexts('set-meta-context', []), []);
});

test('unknown namespaces and contexts select nothing', (t) => {
  t.deepEqual(matchMetaContexts('list-meta-context', ['qemu:dirty-bitmap:x', 'x-vstor:']), []);
  t.deepEqual(matchMetaContexts('set-meta-context', ['base:allocationx', 'BASE:allocation']), []);
});
