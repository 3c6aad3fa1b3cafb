// The node's Prometheus metrics (prom-client), all named vstor_* with units in the name and
// _total on counters. Gauges that mirror Raft state are read at scrape time from a status
// source, so the hot path never pays for them; counters and histograms are fed by the Raft
// loop's observer and the gRPC layer.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RaftStatus } from '../consensus/index.ts';
import type { RpcObserver } from '../rpc/observer.ts';
import type { RaftLoopObserver } from './raft-loop.ts';

export interface RaftStatusSource {
  status(): RaftStatus;
  /** Entries retained in the log (last index - first index + 1). */
  logEntries(): number;
}

const SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly registry = new Registry();
  readonly leaderChangesTotal: Counter;
  readonly proposalsTotal: Counter;
  readonly proposalFailuresTotal: Counter;
  readonly fsyncDurationSeconds: Histogram;
  readonly raftSnapshotsTotal: Counter;
  readonly grpcRequestsTotal: Counter<'method' | 'code'>;
  readonly grpcRequestDurationSeconds: Histogram<'method'>;
  readonly kvOperationsTotal: Counter<'operation'>;
  private lastLead = -1;

  constructor(source: RaftStatusSource, labels: { node: string; cluster: string }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: 'vstor_' });
    // prom-client also exports these gauges under names ending in _total, which Prometheus
    // reserves for counters (promtool rejects them); vstor_nodejs_active_resources{type}
    // carries the same counts under a correct name.
    for (const kind of ['handles', 'requests', 'resources']) this.registry.removeSingleMetric(`vstor_nodejs_active_${kind}_total`);

    const gauge = (name: string, help: string, read: (status: RaftStatus) => number): void => {
      new Gauge({ name, help, registers, collect() { this.set(read(source.status())); } });
    };
    gauge('vstor_raft_term', 'The current Raft term.', (s) => s.hardState.term);
    gauge('vstor_raft_commit_index', 'The highest log index known to be committed.', (s) => s.hardState.commit);
    gauge('vstor_raft_applied_index', 'The highest log index applied to the state machine.', (s) => s.applied);
    gauge('vstor_raft_is_leader', '1 if this node is the Raft leader, else 0.', (s) => (s.softState.state === 'leader' ? 1 : 0));
    gauge('vstor_raft_has_leader', '1 if this node knows a leader, else 0.', (s) => (s.softState.lead !== 0 ? 1 : 0));
    new Gauge({ name: 'vstor_raft_log_entries', help: 'Entries retained in the Raft log.', registers, collect() { this.set(source.logEntries()); } });

    this.leaderChangesTotal = new Counter({ name: 'vstor_raft_leader_changes_total', help: 'Times this node saw the leader change.', registers });
    this.proposalsTotal = new Counter({ name: 'vstor_raft_proposals_total', help: 'Proposals submitted through this node.', registers });
    this.proposalFailuresTotal = new Counter({ name: 'vstor_raft_proposal_failures_total', help: 'Proposals refused (no leader, limits).', registers });
    this.fsyncDurationSeconds = new Histogram({
      name: 'vstor_raft_fsync_duration_seconds', help: 'Time to persist a Ready with fsync.', buckets: SECONDS_BUCKETS, registers,
    });
    this.raftSnapshotsTotal = new Counter({ name: 'vstor_raft_snapshots_total', help: 'Raft snapshots taken for log compaction.', registers });
    this.grpcRequestsTotal = new Counter({
      name: 'vstor_grpc_requests_total', help: 'gRPC requests served, by method and status code.', labelNames: ['method', 'code'], registers,
    });
    this.grpcRequestDurationSeconds = new Histogram({
      name: 'vstor_grpc_request_duration_seconds', help: 'gRPC request latency by method.', labelNames: ['method'], buckets: SECONDS_BUCKETS, registers,
    });
    this.kvOperationsTotal = new Counter({
      name: 'vstor_kv_operations_total', help: 'Key-value operations, by kind.', labelNames: ['operation'], registers,
    });
  }

  /** The Raft loop's observer feeding these metrics. */
  raftObserver(): RaftLoopObserver {
    return {
      persisted: (durationMs, _entries, synced) => {
        if (synced) this.fsyncDurationSeconds.observe(durationMs / 1000);
      },
      softStateChanged: (softState) => {
        if (softState.lead !== this.lastLead) {
          if (this.lastLead !== -1) this.leaderChangesTotal.inc();
          this.lastLead = softState.lead;
        }
      },
      proposalFailed: () => this.proposalFailuresTotal.inc(),
      raftSnapshotTaken: () => this.raftSnapshotsTotal.inc(),
    };
  }

  /** The gRPC services' observer feeding these metrics. A Watch's duration is the life of
   * its stream, not a latency, so streaming calls stay out of the histogram. */
  rpcObserver(): RpcObserver {
    return {
      callFinished: (record) => {
        this.grpcRequestsTotal.inc({ method: record.method, code: record.code });
        if (!record.streaming) this.grpcRequestDurationSeconds.observe({ method: record.method }, record.durationSeconds);
      },
      kvOperation: (operation) => this.kvOperationsTotal.inc({ operation }),
    };
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
