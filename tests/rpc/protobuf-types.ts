// Serialization of single messages that no service carries (HardState, RaftSnapshot) and a
// baseline for the codec cost: the same .proto files read by protobufjs directly, with the
// conversion options proto-loader uses, so that results match what gRPC would produce.
// (This is our protobufjs 8; proto-loader bundles its own protobufjs 7. The wire format
// and these conversions are the same in both.)
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { loaderOptions, protoFiles, protoRoot } from '../../rpc/proto-files.ts';

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoRoot, target);
root.loadSync([...protoFiles], { keepCase: loaderOptions.keepCase });

export function protobufType(fullName: string): protobuf.Type {
  return root.lookupType(fullName);
}

/** Encodes `object` as `fullName` and decodes it the way proto-loader would. */
export function roundTrip(fullName: string, object: Record<string, unknown>): Record<string, unknown> {
  const type = protobufType(fullName);
  const bytes = type.encode(type.fromObject(object)).finish();
  return type.toObject(type.decode(bytes), loaderOptions);
}
