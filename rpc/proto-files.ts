// Where the .proto files live and how they are read. The runtime loader (rpc/proto.ts) and
// the type generator (rpc/proto-gen.ts) both take their options from here, so that the
// generated types describe exactly the objects the loader produces.
//
// The choices, made once for every file:
// - keepCase false: fields are camelCase (logTerm, rejectHint), as in consensus/ and the
//   rest of the TypeScript code; the wire and the .proto files keep snake_case.
// - longs Number: protobufjs turns a 64-bit integer into a double as lo + hi * 2^32, one
//   rounding of its magnitude, which is monotonic. So a value below 2^53 arrives exact,
//   and any larger one arrives as 2^53 or more, which Number.isSafeInteger rejects.
//   Readers check every 64-bit field that way (rpc/raft-codec.ts), so nothing is ever
//   silently rounded; our 64-bit fields are all uint64, and ids, terms, indexes and
//   revisions stay far below 2^53. Numbers also keep the peer hot path free of string or
//   BigInt conversions on decode.
// - enums String: readable in logs, JSON output and code; an unknown value arrives as its
//   number, which readers refuse.
// - defaults and oneofs: every field is present on decode (proto3 zero values, null for an
//   absent message), and a oneof names its set field, so readers never guess.
import { fileURLToPath } from 'node:url';
import type { Options } from '@grpc/proto-loader';

/** The directory that .proto imports are relative to. Resolved from this file, so that
 * loading works from any working directory. */
export const protoRoot = fileURLToPath(new URL('../proto/', import.meta.url));

/** Where the generated TypeScript types are committed. */
export const generatedTypesDirectory = fileURLToPath(new URL('../proto/gen/', import.meta.url));

/** Every .proto file we load, relative to protoRoot. */
export const protoFiles = [
  'vstor/v1/kv.proto',
  'vstor/v1/cluster.proto',
  'vstor/v1/vdisk.proto',
  'vstor/internal/raft.proto',
  'grpc/health/v1/health.proto',
] as const;

export const loaderOptions = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [protoRoot],
} as const satisfies Options;
