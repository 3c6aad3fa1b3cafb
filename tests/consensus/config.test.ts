// validateRaftConfig: a valid config gets its documented defaults, and every invalid field
// is refused at start-up with RaftError INVALID_CONFIG whose message names the field, so an
// operator can fix cluster.yaml from the error alone. RawNode runs the same validation.
import test from 'ava';
import type { RaftConfig } from '../../consensus/index.ts';
import { MemoryStorage, RaftError, RawNode, SeededRandom, validateRaftConfig } from '../../consensus/index.ts';

const base = (): RaftConfig => ({
  id: 1, electionTicks: 10, heartbeatTicks: 1, storage: new MemoryStorage(), random: new SeededRandom(1),
});

test('a minimal config gets the documented defaults', (t) => {
  const valid = validateRaftConfig(base());
  t.is(valid.applied, 0);
  t.is(valid.messageBytesMax, 1 << 20);
  t.is(valid.committedBytesPerReadyMax, 16 << 20);
  t.is(valid.uncommittedBytesMax, 64 << 20);
  t.is(valid.inflightMessagesMax, 256);
  t.is(valid.inflightBytesMax, 0);
  t.false(valid.checkQuorum);
  t.false(valid.preVote);
  t.is(valid.readOnlyOption, 'safe');
  t.false(valid.disableProposalForwarding);
  t.true(valid.stepDownOnRemoval);
});

test('given values override the defaults', (t) => {
  const valid = validateRaftConfig({ ...base(), messageBytesMax: 4096, checkQuorum: true, readOnlyOption: 'lease-based' });
  t.is(valid.messageBytesMax, 4096);
  t.is(valid.readOnlyOption, 'lease-based');
});

const invalid: { field: string; change: Partial<Record<keyof RaftConfig, unknown>> }[] = [
  { field: 'id', change: { id: 0 } },
  { field: 'id', change: { id: -3 } },
  { field: 'id', change: { id: 1.5 } },
  { field: 'id', change: { id: Number.NaN } },
  { field: 'heartbeatTicks', change: { heartbeatTicks: 0 } },
  { field: 'heartbeatTicks', change: { heartbeatTicks: 0.5 } },
  { field: 'electionTicks', change: { electionTicks: 0 } },
  { field: 'electionTicks', change: { electionTicks: -10 } },
  { field: 'electionTicks', change: { electionTicks: 5, heartbeatTicks: 5 } },
  { field: 'electionTicks', change: { electionTicks: 3, heartbeatTicks: 5 } },
  { field: 'applied', change: { applied: -1 } },
  { field: 'applied', change: { applied: 2.5 } },
  { field: 'messageBytesMax', change: { messageBytesMax: 0 } },
  { field: 'committedBytesPerReadyMax', change: { committedBytesPerReadyMax: 0 } },
  { field: 'uncommittedBytesMax', change: { uncommittedBytesMax: -1 } },
  { field: 'inflightMessagesMax', change: { inflightMessagesMax: 0 } },
  { field: 'inflightMessagesMax', change: { inflightMessagesMax: Number.POSITIVE_INFINITY } },
  { field: 'inflightBytesMax', change: { inflightBytesMax: -1 } },
  { field: 'inflightBytesMax', change: { inflightBytesMax: 100, messageBytesMax: 1000 } },
  { field: 'readOnlyOption', change: { readOnlyOption: 'fast' } },
  { field: 'readOnlyOption', change: { readOnlyOption: 'lease-based', checkQuorum: false } },
];

for (const row of invalid) {
  test(`INVALID_CONFIG names ${row.field} for ${JSON.stringify(row.change)}`, (t) => {
    const config = { ...base(), ...row.change } as RaftConfig;
    const error = t.throws(() => validateRaftConfig(config), { instanceOf: RaftError, code: 'INVALID_CONFIG' });
    t.true(error.message.includes(row.field), error.message);
    t.false(error.retryable, 'a bad config stays bad');
  });
}

test('lease-based reads are refused without checkQuorum, with the reason', (t) => {
  const error = t.throws(() => validateRaftConfig({ ...base(), readOnlyOption: 'lease-based' }), { instanceOf: RaftError, code: 'INVALID_CONFIG' });
  t.regex(error.message, /checkQuorum/);
});

test('RawNode refuses an invalid config before touching storage', (t) => {
  t.throws(() => new RawNode({ ...base(), electionTicks: 1, heartbeatTicks: 1 }), { instanceOf: RaftError, code: 'INVALID_CONFIG' });
});

test('inflightBytesMax equal to messageBytesMax is the smallest accepted', (t) => {
  t.notThrows(() => validateRaftConfig({ ...base(), inflightBytesMax: 4096, messageBytesMax: 4096 }));
});
