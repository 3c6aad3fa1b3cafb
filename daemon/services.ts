// The public gRPC services a member serves, and server reflection so that generic tools
// (grpcurl, Postman) can discover and call them. Returns the fully qualified names of the
// services registered, for the health service to report on each.

import type * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { Logger } from 'pino';
import { packageDefinition } from '../rpc/proto.ts';
import type { ClusterConfig } from './config.ts';
import type { Metrics } from './metrics.ts';
import type { VstorNode } from './node.ts';

export interface PublicServiceOptions {
  metrics: Metrics;
  logger: Logger;
  config: ClusterConfig;
}

export function registerPublicServices(server: grpc.Server, _node: VstorNode, _options: PublicServiceOptions): string[] {
  new ReflectionService(packageDefinition).addToServer(server);
  return [];
}
