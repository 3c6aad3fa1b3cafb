// Waiting for a channel to be connected before sending a call that must not be sent twice
// blindly (a vDisk write): if the channel does not connect, the caller knows that nothing
// was sent and may try elsewhere. grpc-js's own waitForReady would wait through failed
// connection attempts until the deadline; this gives up as soon as the channel reports a
// failure, so a dead member costs one failed connect, not a whole deadline.
import type { ChannelInterface } from '@grpc/grpc-js';
import { connectivityState } from '@grpc/grpc-js';
import { VstorError } from './errors.ts';

/** Resolves once `channel` is READY; UNAVAILABLE (retryable, nothing sent) if it fails or
 * is not ready by `deadline` (ms since the epoch). */
export function whenConnected(channel: ChannelInterface, deadline: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const notConnected = (why: string): void => reject(new VstorError('UNAVAILABLE', `${address} is not reachable (${why}); nothing was sent`, { retryable: true }));
    const check = (): void => {
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY) return resolve();
      if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) return notConnected(`the connection ${state === connectivityState.SHUTDOWN ? 'is closed' : 'failed'}`);
      if (Date.now() >= deadline) return notConnected('not connected before the deadline');
      channel.watchConnectivityState(state, deadline, (error) => {
        if (error !== undefined) notConnected('not connected before the deadline');
        else check();
      });
    };
    check();
  });
}
