// The node's Prometheus metrics (prom-client), all named vstor_* with units in the name and
// _total on counters. Gauges that mirror Raft state are read at scrape time from a status
// source, so the hot path never pays for them; counters and histograms are fed by the Raft
// loop's observer and the gRPC layer. The vDisk metrics (vstor_vdisk*) are registered once
// the vDisk manager exists (observeVDisks), read from it at scrape time, except the I/O
// byte counter and the snapshot histogram, which its observer feeds.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RaftStatus } from '../consensus/index.ts';
import type { RpcObserver } from '../rpc/observer.ts';
import type { RaftLoopObserver } from './raft-loop.ts';
import type { VDiskIoOperation, VDiskObserver } from './vdisks/owner.ts';
import type { BlockCache } from '../storage-engine/vdisk/block-cache.ts';
import type { ScrubProgress } from '../storage-engine/vdisk/scrubber.ts';
import type { NbdServerStats } from './nbd/stats.ts';
import { emptyStats as emptyNbdStats } from './nbd/stats.ts';

/** What the vDisk metrics read at scrape time (VDiskManager). */
export interface VDiskMetricsSource {
  /** vDisks this member owns. */
  ownedCount(): number;
  scrubStatus(): { progress: ScrubProgress; runsCompleted: number; active: boolean };
  /** Blocks whose checksum failed on a read, since start. */
  corruptBlocks(): number;
  /** The block read cache, if there is one. */
  readCache(): BlockCache | undefined;
}

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
  readonly vdiskIoBytesTotal: Counter<'op'>;
  readonly vdiskSnapshotCreateDurationSeconds: Histogram;
  private vdiskSource: VDiskMetricsSource | undefined;
  /**
   * vDisk I/O bytes by operation, as plain sums that the counter reads when scraped: a
   * labelled inc() hashes its labels on every call, and this is counted on every I/O.
   */
  private readonly vdiskIoBytes: Record<VDiskIoOperation, number> = { read: 0, write: 0, trim: 0, write_zeroes: 0 };
  private nbdStats: NbdServerStats | undefined;
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
    const ioBytes = this.vdiskIoBytes;
    this.vdiskIoBytesTotal = new Counter({
      name: 'vstor_vdisk_io_bytes_total', help: 'Bytes of vDisk I/O served by this member as owner, by operation.', labelNames: ['op'], registers,
      collect() {
        this.reset();
        for (const [op, bytes] of Object.entries(ioBytes)) if (bytes > 0) this.inc({ op }, bytes);
      },
    });
    this.vdiskSnapshotCreateDurationSeconds = new Histogram({
      name: 'vstor_vdisk_snapshot_create_duration_seconds', help: 'Time to make a snapshot on the owner: the block engine flush and the model change that moves the head epoch, which run together.',
      buckets: SECONDS_BUCKETS, registers,
    });
    this.registerVDiskMetrics();
    this.registerNbdMetrics();
  }

  /** Makes the vDisk gauges and counters read `source` (before it is set they read 0). */
  observeVDisks(source: VDiskMetricsSource): void {
    this.vdiskSource = source;
  }

  /** The NBD server's running counters, read at scrape time. */
  observeNbd(stats: NbdServerStats): void {
    this.nbdStats = stats;
  }

  private registerNbdMetrics(): void {
    const registers = [this.registry];
    const stats = (): NbdServerStats | undefined => this.nbdStats;
    new Gauge({ name: 'vstor_nbd_connections', help: 'Open NBD connections.', registers, collect() { this.set(stats()?.connectionsOpen ?? 0); } });
    const total = (name: string, help: string, value: (from: NbdServerStats) => number): void => {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(value(stats() ?? emptyNbdStats())); } });
    };
    total('vstor_nbd_connections_accepted_total', 'NBD connections taken on.', (from) => from.connectionsAccepted);
    total('vstor_nbd_connections_refused_total', 'NBD connections refused (connectionsMax open, or shutting down).', (from) => from.connectionsRefused);
    total('vstor_nbd_read_bytes_total', 'Bytes served to NBD READ requests.', (from) => from.bytesRead);
    total('vstor_nbd_written_bytes_total', 'Bytes taken from NBD WRITE requests.', (from) => from.bytesWritten);
    total('vstor_nbd_error_replies_total', 'NBD requests answered with an error.', (from) => from.errorReplies);
    total('vstor_nbd_protocol_errors_total', 'NBD connections closed for breaking the protocol.', (from) => from.protocolErrors);
    new Counter({
      name: 'vstor_nbd_requests_total', help: 'NBD requests received, by command.', labelNames: ['command'], registers,
      collect() {
        this.reset();
        for (const [command, count] of Object.entries(stats()?.requests ?? {})) if (count > 0) this.inc({ command }, count);
      },
    });
  }

  /** The vDisk manager's observer feeding these metrics. */
  vdiskObserver(): VDiskObserver {
    return {
      ioBytes: (operation, bytes) => {
        this.vdiskIoBytes[operation] += bytes;
      },
      snapshotCreated: (durationSeconds) => this.vdiskSnapshotCreateDurationSeconds.observe(durationSeconds),
    };
  }

  private registerVDiskMetrics(): void {
    const registers = [this.registry];
    const read = <T>(pick: (source: VDiskMetricsSource) => T, otherwise: T): T => (this.vdiskSource === undefined ? otherwise : pick(this.vdiskSource));
    new Gauge({ name: 'vstor_vdisks', help: 'vDisks this member owns.', registers, collect() { this.set(read((source) => source.ownedCount(), 0)); } });
    // Running totals kept by the engine and the scrubber since start: a counter set from them.
    const total = (name: string, help: string, value: () => number): void => {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(value()); } });
    };
    const progress = (field: keyof ScrubProgress): number => read((source) => source.scrubStatus().progress[field], 0);
    total('vstor_vdisk_corrupt_blocks_total', 'Block reads whose checksum did not match.', () => read((source) => source.corruptBlocks(), 0));
    total('vstor_vdisk_scrub_blocks_scanned_total', 'Blocks the scrubber examined.', () => progress('blocksScanned'));
    total('vstor_vdisk_scrub_versions_scanned_total', 'Block versions the scrubber read.', () => progress('versionsScanned'));
    total('vstor_vdisk_scrub_versions_reclaimed_total', 'Block versions the scrubber deleted because nothing can read them.', () => progress('versionsReclaimed'));
    total('vstor_vdisk_scrub_corrupt_versions_total', 'Block versions the scrubber found with a bad checksum.', () => progress('corruptVersions'));
    total('vstor_vdisk_scrub_passes_total', 'Scrub passes (each under one vDisk\'s lock).', () => progress('passes'));
    total('vstor_vdisk_scrub_runs_total', 'Complete scrub runs over every owned vDisk.', () => read((source) => source.scrubStatus().runsCompleted, 0));
    const cache = (pick: (from: BlockCache) => number): number => read((source) => { const c = source.readCache(); return c === undefined ? 0 : pick(c); }, 0);
    total('vstor_vdisk_read_cache_hits_total', 'Block reads answered from the read cache.', () => cache((c) => c.stats.hits));
    total('vstor_vdisk_read_cache_misses_total', 'Head block reads the read cache could not answer.', () => cache((c) => c.stats.misses));
    total('vstor_vdisk_read_cache_evictions_total', 'Blocks the read cache let go to make room.', () => cache((c) => c.stats.evictions));
    new Gauge({ name: 'vstor_vdisk_read_cache_bytes', help: 'Block bytes held by the read cache.', registers, collect() { this.set(cache((c) => c.bytes)); } });
    new Gauge({ name: 'vstor_vdisk_read_cache_capacity_bytes', help: 'Memory the read cache may fill (vdisks.readCacheBytes).', registers, collect() { this.set(cache((c) => c.capacityBlocks * 4096)); } });
    new Gauge({ name: 'vstor_vdisk_scrub_running', help: '1 while a scrub run is under way, else 0.', registers, collect() { this.set(read((source) => (source.scrubStatus().active ? 1 : 0), 0)); } });
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
