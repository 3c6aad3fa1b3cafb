// The client library's contract, against two real servers in front of fake members of one
// group (one shared model): it sticks to a member that works and fails over when that
// member stops, answers UNAVAILABLE or does not answer in time; a write whose answer was
// lost is retried on the next member with the same (client id, sequence) and so applied
// once; what a retry cannot fix is not retried; retries are bounded, and the final error
// says what was tried; concurrent writes on one client take turns with increasing
// sequences; each client has its own id unless given one.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { VstorClient } from '../../rpc/client.ts';
import { VstorError } from '../../rpc/errors.ts';
import { FakeNode, SharedModel } from './fake-node.ts';
import { bounded, connect, serve } from './serving.ts';

async function twoMembers(t: ExecutionContext) {
  const shared = await SharedModel.open(t);
  const firstNode = new FakeNode(shared, 1);
  const secondNode = new FakeNode(shared, 2);
  const first = await serve(t, firstNode);
  const second = await serve(t, secondNode);
  return { shared, firstNode, secondNode, first, second };
}

const pairs = (node: FakeNode): string[] => node.writes.map((write) => `${write.clientId}#${write.sequence}`);

test('the client sticks to a working member and fails over when it stops', async (t) => {
  const { shared, first, second, firstNode, secondNode } = await twoMembers(t);
  const client = connect(t, [first.address, second.address]);

  await client.put('a', '1');
  await client.get('a');
  t.is(client.currentEndpoint, first.address);

  await first.server.close();
  const response = await client.put('b', '2');
  t.is(response.header?.memberId, 2);
  t.is(client.currentEndpoint, second.address);
  await client.put('c', '3');

  t.deepEqual(pairs(firstNode), [`${client.clientId}#1`]);
  t.deepEqual(pairs(secondNode), [`${client.clientId}#2`, `${client.clientId}#3`]);
  t.is(shared.model.revision, 4);
});

test('a write whose answer was lost is retried elsewhere with the same pair and applied once', async (t) => {
  const { shared, first, second, firstNode, secondNode } = await twoMembers(t);
  const client = connect(t, [first.address, second.address]);
  firstNode.onWrite = () => 'fail-after-apply';

  const response = await client.put('k', 'v');

  t.deepEqual(pairs(firstNode), [`${client.clientId}#1`]);
  t.deepEqual(pairs(secondNode), [`${client.clientId}#1`], 'the retry reused the pair');
  t.is(shared.model.revision, 2, 'applied once');
  t.is(response.header?.revision, 2, 'the retry got the first application\'s answer');
  t.is((await client.get('k'))?.version, 1);
});

test('a write that timed out is retried with the same pair and applied once', async (t) => {
  const { shared, first, second, firstNode, secondNode } = await twoMembers(t);
  const client = connect(t, [first.address, second.address], { attemptTimeoutMs: 1_500 });
  // Connected first, so that the attempt's time goes to the hanging write and not to
  // setting up the connection; and the member the client uses hangs, whichever it is (on a
  // busy machine even the warm-up may have failed over).
  await client.get('warm-up');
  const [hanging, answering] = client.currentEndpoint === first.address ? [[first, firstNode], [second, secondNode]] as const : [[second, secondNode], [first, firstNode]] as const;
  hanging[1].onWrite = () => 'hang-after-apply';

  const response = await client.put('k', 'v');

  t.deepEqual(pairs(hanging[1]), [`${client.clientId}#1`]);
  t.deepEqual(pairs(answering[1]), pairs(hanging[1]), 'the retry reused the pair');
  t.is(shared.model.revision, 2, 'applied once');
  t.is(response.header?.revision, 2);
  // The abandoned attempt is not cancelled on the member: a call on a KV session has no
  // stream of its own to cancel, and a write goes on through Raft whoever waits for it.
  t.false(hanging[0].observer.outcomes.some((outcome) => outcome.startsWith('vstor.v1.KV/Put')), 'the hanging attempt never answered');
});

test('what a retry cannot fix is not retried', async (t) => {
  const { first, second, firstNode, secondNode } = await twoMembers(t);
  const client = connect(t, [first.address, second.address]);

  const error = await t.throwsAsync(client.put('', 'v'), { instanceOf: VstorError });
  t.is(error?.code, 'INVALID_ARGUMENT');
  t.is(error?.message, 'Put: key: must not be empty');
  t.deepEqual(first.observer.outcomes, ['vstor.v1.KV/Put INVALID_ARGUMENT']);
  t.deepEqual(second.observer.outcomes, []);
  t.deepEqual([firstNode.writes, secondNode.writes], [[], []]);
});

test('a busy member is tried again after a backoff; one without a leader is left for another', async (t) => {
  const { first, second, firstNode, secondNode } = await twoMembers(t);
  const client = connect(t, [first.address, second.address]);
  let refusals = 1;
  firstNode.onWrite = () => {
    if (refusals-- > 0) throw new VstorError('RESOURCE_EXHAUSTED', 'too many proposals waiting');
  };
  await client.put('k', '1');
  t.deepEqual(first.observer.outcomes, ['vstor.v1.KV/Put RESOURCE_EXHAUSTED', 'vstor.v1.KV/Put OK']);

  firstNode.onWrite = () => {
    throw new VstorError('UNAVAILABLE', 'no leader');
  };
  await client.put('k', '2');
  t.is(client.currentEndpoint, second.address);
  t.is(secondNode.writes.length, 1);
});

test('retries are bounded, and the last error says what was tried', async (t) => {
  const { first, second, firstNode, secondNode } = await twoMembers(t);
  const client = connect(t, [first.address, second.address], { retries: 3 });
  for (const node of [firstNode, secondNode]) {
    node.onWrite = () => {
      throw new VstorError('UNAVAILABLE', `${node.name} has no leader`);
    };
  }

  const error = await t.throwsAsync(bounded(client.put('k', 'v'), 'put'), { instanceOf: VstorError });
  t.is(error?.code, 'UNAVAILABLE');
  t.true(error?.retryable);
  t.regex(error!.message, new RegExp(`^Put: n\\d has no leader \\(after 4 attempts; endpoints ${first.address}, ${second.address}\\)$`));
  t.is(firstNode.writes.length + secondNode.writes.length, 4);
  t.is(new Set(pairs(firstNode).concat(pairs(secondNode))).size, 1, 'every attempt carried the same pair');
});

test('no member reachable: UNAVAILABLE once the call deadline ends the retries', async (t) => {
  const client = connect(t, ['127.0.0.1:1', '127.0.0.1:2'], { timeoutMs: 1_000, retries: 50 });
  const error = await t.throwsAsync(client.get('k'), { instanceOf: VstorError });
  t.is(error?.code, 'UNAVAILABLE');
  t.regex(error!.message, /^Range: .*ECONNREFUSED.* \(no answer within 1000 ms, after \d+ attempts; endpoints 127\.0\.0\.1:1, 127\.0\.0\.1:2\)$/);
  // The message says the deadline, not the 50 retries, ended the call; ava's timeout
  // catches a call that never ends. How long it took is no business of a test.
  t.false(error!.message.includes('\n'), 'one line');
});

test('concurrent writes on one client take turns, with increasing sequences', async (t) => {
  const { first, firstNode, shared } = await twoMembers(t);
  const client = connect(t, [first.address]);

  const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => client.put(`k${index}`, 'v')));

  t.deepEqual(responses.map((response) => response.header?.revision), Array.from({ length: 10 }, (_, index) => index + 2));
  t.deepEqual(firstNode.writes.map((write) => write.sequence), Array.from({ length: 10 }, (_, index) => index + 1));
  t.is(shared.model.revision, 11);
});

test('each client has its own id unless given one; a closed client refuses calls', async (t) => {
  const { first } = await twoMembers(t);
  const one = connect(t, [first.address]);
  const other = connect(t, [first.address]);
  const named = connect(t, [first.address], { clientId: 'vstorctl-42' });
  t.not(one.clientId, other.clientId);
  t.is(named.clientId, 'vstorctl-42');

  named.close();
  named.close();
  const error = await t.throwsAsync(named.put('k', 'v'), { instanceOf: VstorError });
  t.is(error?.code, 'NOT_OPEN');
});

test('bad client options are INVALID_ARGUMENT naming the option', (t) => {
  const invalid = (options: ConstructorParameters<typeof VstorClient>[0]): string | undefined =>
    t.throws(() => new VstorClient(options), { instanceOf: VstorError })?.message;
  t.is(invalid({ endpoints: [] }), 'endpoints: at least one host:port is needed');
  t.is(invalid({ endpoints: ['localhost'] }), 'endpoints: "localhost" is not host:port');
  t.is(invalid({ endpoints: ['localhost:1'], retries: -1 }), 'retries: must be an integer of at least 0, got -1');
});
