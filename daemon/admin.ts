// The admin HTTP endpoint (Koa): /healthz (the process answers), /readyz (the node knows a
// leader and has applied everything committed), /status (JSON for people and scripts) and
// /metrics (Prometheus). It only reads; nothing here changes the cluster.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { RaftStatus } from '../consensus/index.ts';
import type { Metrics } from './metrics.ts';

export interface MemberInfo {
  id: string;
  raftId: number;
  grpc: string;
}

export interface AdminSource {
  nodeId: string;
  raftId: number;
  cluster: string;
  status(): RaftStatus;
  members(): MemberInfo[];
  /** False while starting or shutting down. */
  serving(): boolean;
}

export interface StatusDocument {
  cluster: string;
  node: string;
  raftId: number;
  role: string;
  term: number;
  leader: string | null;
  leaderRaftId: number;
  commitIndex: number;
  appliedIndex: number;
  members: { id: string; raftId: number; grpc: string; voter: boolean; matchIndex: number | null; lag: number | null; state: string | null }[];
}

export function statusDocument(source: AdminSource): StatusDocument {
  const status = source.status();
  const members = source.members();
  const nameOf = (raftId: number): string | null => members.find((m) => m.raftId === raftId)?.id ?? null;
  const learners = new Set(status.confState.learners);
  return {
    cluster: source.cluster,
    node: source.nodeId,
    raftId: source.raftId,
    role: status.softState.state,
    term: status.hardState.term,
    leader: status.softState.lead === 0 ? null : nameOf(status.softState.lead),
    leaderRaftId: status.softState.lead,
    commitIndex: status.hardState.commit,
    appliedIndex: status.applied,
    members: members.map((member) => {
      // Match indexes are known on the leader only.
      const progress = status.progress?.get(member.raftId);
      return {
        id: member.id,
        raftId: member.raftId,
        grpc: member.grpc,
        voter: !learners.has(member.raftId),
        matchIndex: progress?.match ?? null,
        lag: progress === undefined ? null : Math.max(0, status.hardState.commit - progress.match),
        state: progress?.state ?? null,
      };
    }),
  };
}

export class AdminServer {
  private readonly server: Server;
  private state: 'new' | 'listening' | 'closed' = 'new';

  constructor(source: AdminSource, metrics: Metrics) {
    const app = new Koa();
    app.use(async (ctx) => {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        ctx.status = 405;
        ctx.set('Allow', 'GET, HEAD');
        ctx.body = { error: `method ${ctx.method} not allowed` };
        return;
      }
      switch (ctx.path) {
        case '/healthz':
          ctx.body = { status: 'ok' };
          return;
        case '/readyz': {
          const status = source.status();
          const reasons: string[] = [];
          if (!source.serving()) reasons.push('not serving (starting or shutting down)');
          if (status.softState.lead === 0) reasons.push('no leader known');
          if (status.applied < status.hardState.commit) reasons.push(`applied ${status.applied} < commit ${status.hardState.commit}`);
          ctx.status = reasons.length === 0 ? 200 : 503;
          ctx.body = reasons.length === 0 ? { status: 'ready' } : { status: 'not ready', reasons };
          return;
        }
        case '/status':
          ctx.body = statusDocument(source);
          return;
        case '/metrics':
          ctx.type = metrics.contentType;
          ctx.body = await metrics.text();
          return;
        default:
          ctx.status = 404;
          ctx.body = { error: `no such endpoint ${ctx.path}; try /healthz, /readyz, /status, /metrics` };
      }
    });
    const handle = app.callback();
    this.server = createServer((request, response) => {
      void handle(request, response);
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.state = 'listening';
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting and closes idle connections. Safe twice. */
  close(): Promise<void> {
    if (this.state !== 'listening') return Promise.resolve();
    this.state = 'closed';
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
