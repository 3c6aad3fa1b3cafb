// Starting a net.Server on an address, with a failure (EADDRINUSE, EACCES, a bad host) as
// one UNAVAILABLE error naming the server and the address. The NBD server and the Raft peer
// listener both start this way.

import type { Server } from 'node:net';
import { VstorError } from '../storage-engine/errors.ts';

/** Listens on host:port; `refusal` begins the error's message, before the reason. */
export async function listenOn(server: Server, host: string, port: number, refusal: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new VstorError('UNAVAILABLE', `${refusal}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
