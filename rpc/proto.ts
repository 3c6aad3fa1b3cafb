// The .proto files of proto/, loaded once with @grpc/proto-loader when this module is first
// imported, and exported with the types that proto-loader-gen-types generated from the same
// files with the same options (rpc/proto-files.ts). Everything else in rpc/ takes its
// service definitions, client constructors and message shapes from here or from proto/gen/,
// so that no message type is ever written twice by hand.
import * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, PackageDefinition } from '@grpc/proto-loader';
import { loadSync } from '@grpc/proto-loader';
import type { ProtoGrpcType as ClusterProto } from '../proto/gen/cluster.ts';
import type { ProtoGrpcType as HealthProto } from '../proto/gen/health.ts';
import type { ProtoGrpcType as KvProto } from '../proto/gen/kv.ts';
import type { ProtoGrpcType as RaftProto } from '../proto/gen/raft.ts';
import type { ProtoGrpcType as VDiskProto } from '../proto/gen/vdisk.ts';
import { loaderOptions, protoFiles } from './proto-files.ts';

export { loaderOptions, protoFiles, protoRoot } from './proto-files.ts';

/** Every file of proto/ in proto-loader's form: what a server reflection service needs. */
export const packageDefinition: PackageDefinition = loadSync([...protoFiles], loaderOptions);

type ProtoGrpcType = KvProto & ClusterProto & VDiskProto & RaftProto & HealthProto;

const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;

/** The public API: message and enum definitions, and the KV, Cluster and VDisks client constructors. */
export const vstorV1: ProtoGrpcType['vstor']['v1'] = loaded.vstor.v1;
/** The gRPC part of the peer protocol (Raft snapshots): the RaftPeer client constructor and its messages. */
export const vstorInternal: ProtoGrpcType['vstor']['internal'] = loaded.vstor.internal;
/** The standard health checking protocol. */
export const grpcHealthV1: ProtoGrpcType['grpc']['health']['v1'] = loaded.grpc.health.v1;

/** Service definitions, for grpc.Server#addService and for serializing by hand. */
export const kvService = vstorV1.KV.service;
export const clusterService = vstorV1.Cluster.service;
export const vdisksService = vstorV1.VDisks.service;
export const raftPeerService = vstorInternal.RaftPeer.service;
export const healthService = grpcHealthV1.Health.service;

/** Client constructors, `new KVClient(address, credentials, options)`, and under the same
 * names the types of the clients they make, as a class would give. */
export const KVClient = vstorV1.KV;
export type KVClient = InstanceType<typeof KVClient>;
export const ClusterClient = vstorV1.Cluster;
export type ClusterClient = InstanceType<typeof ClusterClient>;
export const VDisksClient = vstorV1.VDisks;
export type VDisksClient = InstanceType<typeof VDisksClient>;
export const RaftPeerClient = vstorInternal.RaftPeer;
export type RaftPeerClient = InstanceType<typeof RaftPeerClient>;
export const HealthClient = grpcHealthV1.Health;
export type HealthClient = InstanceType<typeof HealthClient>;

/** The numbered values of an enum, by name, e.g. enumValues('vstor.internal.MessageType'). */
export function enumValues(fullName: string): ReadonlyMap<string, number> {
  const definition = packageDefinition[fullName] as EnumTypeDefinition | undefined;
  if (definition === undefined || definition.format !== 'Protocol Buffer 3 EnumDescriptorProto') {
    throw new Error(`${fullName} is not an enum of proto/`);
  }
  const type = definition.type as { value: { name: string; number: number }[] };
  return new Map(type.value.map((value) => [value.name, value.number]));
}
