// host:port addresses, as members advertise them and clients dial them: a host name, an
// IPv4 address or a bracketed IPv6 address, then a port from 1 to 65535.
import { VstorError } from './errors.ts';

/** Longer than any DNS name (253) with a port. */
export const ADDRESS_LENGTH_MAX = 270;

const addressPattern = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** Whether `address` is host:port with a port in 1..65535. */
export function isHostPort(address: string): boolean {
  if (address.length > ADDRESS_LENGTH_MAX) return false;
  const match = addressPattern.exec(address);
  if (match === null) return false;
  const port = Number(match[1]);
  return port >= 1 && port <= 65535;
}

/** Throws INVALID_ARGUMENT naming `field` unless `address` is host:port. */
export function checkHostPort(field: string, address: unknown): string {
  if (typeof address !== 'string' || !isHostPort(address)) {
    throw new VstorError('INVALID_ARGUMENT', `${field}: must be host:port with a port from 1 to 65535, got ${JSON.stringify(address)}`);
  }
  return address;
}

/** host and port joined for grpc-js (brackets around an IPv6 host). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
