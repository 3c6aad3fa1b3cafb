// From vstor's operating errors to what NBD can say. The protocol has a handful of errno
// values for transmission replies and a handful of NBD_REP_ERR_* codes for option replies;
// clients show them to users (qemu prints strerror, nbdinfo the message), so the mapping
// picks the one a user of a local disk would expect: ENOSPC for a write past the end,
// EPERM for a read-only target, EIO for damaged data, ESHUTDOWN while the engine closes.
import { isVstorError } from '../../storage-engine/errors.ts';
import { Errno, Reply } from './constants.ts';

/** The errno for an error thrown by an export method; `writing` for WRITE, TRIM, WRITE_ZEROES. */
export function errnoForError(error: unknown, writing: boolean): number {
  if (!isVstorError(error)) return Errno.EIO;
  switch (error.code) {
    case 'OUT_OF_RANGE':
      // The spec: a write beyond the end is ENOSPC, a read beyond it EINVAL.
      return writing ? Errno.ENOSPC : Errno.EINVAL;
    case 'INVALID_ARGUMENT':
      return Errno.EINVAL;
    case 'FAILED_PRECONDITION':
      return Errno.EPERM;
    case 'RESOURCE_EXHAUSTED':
      return Errno.ENOMEM;
    case 'UNIMPLEMENTED':
      return Errno.ENOTSUP;
    case 'NOT_OPEN':
      return Errno.ESHUTDOWN;
    default:
      // CORRUPTION, DATA_LOSS, UNAVAILABLE, INTERNAL, …: the data could not be served.
      return Errno.EIO;
  }
}

/** True when the error is expected input or state, not a fault worth an error log line. */
export function isClientFault(error: unknown): boolean {
  return isVstorError(error) && (error.code === 'OUT_OF_RANGE' || error.code === 'INVALID_ARGUMENT' || error.code === 'FAILED_PRECONDITION');
}

/** The option reply for a failed NbdBackend.open(). */
export function optionErrorForOpen(error: unknown): number {
  if (!isVstorError(error)) return Reply.ERR_UNKNOWN;
  switch (error.code) {
    case 'UNAVAILABLE':
    case 'NOT_OPEN':
      return Reply.ERR_SHUTDOWN;
    case 'FAILED_PRECONDITION':
      return Reply.ERR_POLICY;
    default:
      // NOT_FOUND and INVALID_ARGUMENT (a name that cannot exist) above all.
      return Reply.ERR_UNKNOWN;
  }
}

/** The option reply for a failed NbdBackend.list(). */
export function optionErrorForList(error: unknown): number {
  return isVstorError(error) && (error.code === 'UNAVAILABLE' || error.code === 'NOT_OPEN') ? Reply.ERR_SHUTDOWN : Reply.ERR_PLATFORM;
}

/**
 * A message short enough for any protocol string (4096 bytes): a UTF-16 code unit takes at
 * most 3 bytes of UTF-8, so 1000 units always fit.
 */
export function protocolMessage(error: unknown): string {
  // Protocol strings must not hold NUL.
  const text = (error instanceof Error ? error.message : String(error)).replaceAll('\0', ' ');
  return text.length <= 1000 ? text : `${text.slice(0, 999)}…`;
}
