// vstord: one member of a vstor cluster. `vstord --config cluster.yaml --node n1` validates
// the config (any problem: one line naming the field, exit status 2), opens the node's
// storage, joins or founds the Raft group, opens its vDisks (daemon/vdisks/), and serves
// Raft messages from its peers (TCP, on `peer`), gRPC (public API, Raft snapshots, health,
// reflection), NBD and the admin HTTP endpoint. SIGTERM or SIGINT shuts it down
// gracefully: stop taking requests, hand leadership over if leader, finish what is in
// flight, close the engine. A broken invariant (an assertion) stops the process at once:
// a replica that cannot trust its own state must not serve.

import { join as joinPath } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { HealthService } from '../rpc/health.ts';
import { createGrpcServer } from '../rpc/server.ts';
import { AdminServer } from './admin.ts';
import type { ClusterConfig, NodeConfig } from './config.ts';
import { ConfigError, formatHostPort, loadClusterConfig, selectNode } from './config.ts';
import { Metrics } from './metrics.ts';
import { REQUEST_BYTES_LIMIT as NBD_REQUEST_BYTES_CEILING } from './nbd/limits.ts';
import { NbdServer } from './nbd/server.ts';
import { peerMessageBytesMax, VstorNode } from './node.ts';
import { PeerListener } from './peer-listener.ts';
import { VDiskManager } from './vdisks/manager.ts';
import { VDiskNbdBackend } from './vdisks/nbd-backend.ts';

const USAGE = 'usage: vstord --config cluster.yaml --node ID [--join] [--log-level info]';

interface Arguments {
  configPath: string;
  nodeId: string;
  join: boolean;
  logLevel: string;
}

function parseArguments(argv: string[]): Arguments {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', default: 'cluster.yaml' },
        node: { type: 'string' },
        join: { type: 'boolean', default: false },
        'log-level': { type: 'string', default: process.env.VSTOR_LOG_LEVEL ?? 'info' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError('arguments', `${(error as Error).message}; ${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.node === undefined) throw new ConfigError('--node', `is required; ${USAGE}`);
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(values['log-level'])) throw new ConfigError('--log-level', `must be one of ${levels.join(', ')}`);
  return { configPath: values.config, nodeId: values.node, join: values.join, logLevel: values['log-level'] };
}

export interface RunningDaemon {
  node: VstorNode;
  vdisks: VDiskManager;
  /** The vDisks as NBD exports, for the NBD server. */
  nbdBackend: VDiskNbdBackend;
  shutdown(reason: string): Promise<void>;
}

export async function startDaemon(config: ClusterConfig, self: NodeConfig, join: boolean, logger: Logger): Promise<RunningDaemon> {
  const log = logger.child({ component: 'daemon' });
  let serving = false;
  // The metrics read the node's state at scrape time; the node feeds their counters.
  const source = { node: undefined as VstorNode | undefined };
  const metrics = new Metrics({
    status: () => source.node!.raftStatus(),
    logEntries: () => source.node?.logEntries() ?? 0,
  }, { node: self.id, cluster: config.cluster });
  const node = new VstorNode({ config, self, join, logger, metrics });
  source.node = node;
  await node.open();
  const vdisks = new VDiskManager({
    model: node, cluster: node, directory: joinPath(config.dataDir, self.id), requestBytesMax: config.limits.requestBytesMax,
    readCacheBytes: config.vdisks.readCacheBytes, logger, observer: metrics.vdiskObserver(),
  });
  await vdisks.open();
  metrics.observeVDisks({
    ownedCount: () => vdisks.owned().length,
    scrubStatus: () => vdisks.scrubStatus(),
    corruptBlocks: () => (vdisks.status === 'open' ? vdisks.engine.counters.corruptBlocks : 0),
    readCache: () => (vdisks.status === 'open' ? vdisks.readCache : undefined),
  });
  const nbdBackend = new VDiskNbdBackend(vdisks);
  // NBD requests are served through the same engine calls as gRPC ones, so they share the
  // cluster's per-request limit (the NBD server's own ceiling is 32 MiB).
  const nbd = new NbdServer({
    backend: nbdBackend,
    logger: logger.child({ component: 'nbd' }),
    requestBytesMax: Math.min(config.limits.requestBytesMax, NBD_REQUEST_BYTES_CEILING),
  });
  metrics.observeNbd(nbd.stats);

  const receiver = node.raftPeerReceiver();
  const transportLogger = logger.child({ component: 'transport' });
  const peers = new PeerListener({
    clusterId: config.cluster,
    memberId: self.raftId,
    frameBytesMax: peerMessageBytesMax(config),
    receiveMessages: receiver.receiveMessages,
    logger: {
      warn: (fields, message) => transportLogger.warn(fields, message),
      debug: (fields, message) => transportLogger.debug(fields, message),
    },
  });
  await peers.listen(self.peer.host, self.peer.port);

  const health = new HealthService({ watchersMax: 64 });
  const server = createGrpcServer({
    node, raftPeer: receiver, health, observer: metrics.rpcObserver(),
    requestBytesMax: config.limits.requestBytesMax,
    peerMessageBytesMax: peerMessageBytesMax(config),
    modelLimits: node.modelLimits(),
    vdisks: { node: vdisks, limits: { requestBytesMax: config.limits.requestBytesMax, vdiskBytesMax: config.limits.vdiskBytesMax } },
    shutdownGraceMs: 3000,
  });
  await server.listen(self.grpc.host, self.grpc.port);

  const admin = new AdminServer({
    nodeId: self.id, raftId: self.raftId, cluster: config.cluster,
    status: () => node.raftStatus(),
    members: () => node.members().map((member) => ({ id: member.name, raftId: member.raftId, grpc: member.grpc })),
    serving: () => serving,
  }, metrics);
  await admin.listen(self.admin.host, self.admin.port);
  await nbd.start(self.nbd.host, self.nbd.port);
  serving = true;
  health.setStatus('', 'SERVING');
  for (const service of ['vstor.v1.KV', 'vstor.v1.Cluster', 'vstor.v1.VDisks']) health.setStatus(service, 'SERVING');
  log.info({ grpc: formatHostPort(self.grpc), peer: formatHostPort(self.peer), admin: `http://${formatHostPort(self.admin)}`, nbd: formatHostPort(self.nbd) }, 'vstord serving');

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      log.info({ reason }, 'shutting down');
      serving = false;
      // Hand leadership over while the peers can still reach us, so the cluster does not
      // wait out an election timeout; then stop taking calls, let those in flight finish
      // (bounded: the server cuts what is left), and close the engine.
      await node.handOverLeadership(2000);
      await Promise.all([server.close(), nbd.close(), peers.close()]);
      await vdisks.close();
      await node.close();
      await admin.close();
      log.info('stopped');
    })();
    return shuttingDown;
  };
  return { node, vdisks, nbdBackend, shutdown };
}

/** The process entry point (bin/vstord.js). */
export async function main(): Promise<void> {
  let args: Arguments;
  let config: ClusterConfig;
  let self: NodeConfig;
  try {
    args = parseArguments(process.argv.slice(2));
    config = loadClusterConfig(args.configPath);
    self = selectNode(config, args.nodeId);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`vstord: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: args.logLevel, base: { cluster: config.cluster, node: self.id } });
  const log = logger.child({ component: 'daemon' });
  // Anything unexpected is a bug; a replica with a broken invariant must stop, not serve.
  const die = (kind: string) => (error: unknown): void => {
    log.fatal({ error: error instanceof Error ? error.stack : String(error) }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled rejection'));

  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon(config, self, args.join, logger);
  } catch (error) {
    log.fatal({ error: error instanceof Error ? error.message : String(error) }, 'could not start');
    process.stderr.write(`vstord: could not start ${self.id}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void daemon.shutdown(signal).then(() => process.exit(0));
    });
  }
}
