// The model's operating errors are vstor's one VstorError (../errors.ts). Broken invariants
// are not VstorErrors: they are assertions (consensus/errors.ts) that stop the replica.

export { assert, AssertionError } from '../../consensus/errors.ts';
export { isVstorError, VstorError } from '../errors.ts';
export type { VstorErrorCode } from '../errors.ts';
import { VstorError } from '../errors.ts';

export function invalidArgument(field: string, problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `${field}: ${problem}`);
}
