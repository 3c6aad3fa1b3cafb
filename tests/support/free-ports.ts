// Free TCP ports on loopback for processes a test or benchmark starts.
//
// Ports come from below the kernel's ephemeral range (net.ipv4.ip_local_port_range), never
// from it: a port the kernel hands out for listen(0) can be taken again, before the daemon
// that was given it binds it, as the source port of any outgoing connection on the machine
// (the daemons of every test file running at the time open many). Below the range only a
// deliberate bind takes a port. Each process walks the range from its own starting point
// (from its pid), so two test files running at once do not try the same ports, and every
// candidate is bound before it is given out. All the ports of one call are held open until
// every one is chosen.

import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { createServer } from 'node:net';

/** The lowest port handed out; below it lie well-known and registered services' ports. */
const RANGE_START = 20_000;

function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && Number.isInteger(low) && low > RANGE_START + 1000) return low;
  } catch {
    // Not Linux, or no /proc: the usual default.
  }
  return 32_768;
}

const rangeEnd = ephemeralStart();
const span = rangeEnd - RANGE_START;
let cursor = (process.pid * 7919) % span;

function tryListen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tried = 0; ports.length < count; tried++) {
      if (tried >= span) throw new Error(`no ${count} free loopback ports in ${RANGE_START}-${rangeEnd - 1}`);
      const port = RANGE_START + cursor;
      cursor = (cursor + 1) % span;
      const server = await tryListen(port);
      if (server === undefined) continue;
      held.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
