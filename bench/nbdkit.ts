// nbdkit's file plugin serving a raw file: the anchor the vdisk suite compares vstor's NBD
// export with. It runs in the foreground as our child (and with --exit-with-parent, so it
// dies with us even if we are killed), on a free loopback port, and is stopped by its pid.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '../tests/support/free-ports.ts';

export interface NbdkitServer {
  uri: string;
  stop(): Promise<void>;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Serves `path` read-write; resolves once the port accepts connections (bounded). */
export async function startNbdkitFile(path: string): Promise<NbdkitServer> {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn('nbdkit', ['--exit-with-parent', '--foreground', '--ipaddr', '127.0.0.1', '--port', String(port), 'file', `file=${path}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer): void => {
    if (output.length < 100) output.push(chunk.toString());
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`nbdkit did not start serving on port ${port}: ${output.join('').trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { uri: `nbd://127.0.0.1:${port}/`, stop: () => stopChild(child) };
}
