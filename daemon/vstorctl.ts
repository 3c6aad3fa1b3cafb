// vstorctl: the operator's command line for a vstor cluster, a gRPC client of any member.
// `vstorctl [--endpoints a,b,c] [--config cluster.yaml] [--output table|json]
// [--timeout-ms N] COMMAND ...`; `vstorctl --help` lists the commands and docs/vstorctl.md
// shows each with its output.
//
// This module is the process around the command: it parses argv (vstorctl-args.ts), runs
// the command (vstorctl-run.ts) with stdout, stdin and Ctrl-C, and turns the outcome into
// an exit status. Every failure is one line on stderr, `vstorctl: <message>`: status 2 for
// a usage error (what was typed or pointed at is wrong), 1 for an operational one (with
// the vstor code: UNAVAILABLE, NOT_FOUND, ...). Anything else is a bug and keeps its
// stack trace.

import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { isVstorError } from '../rpc/errors.ts';
import { parseArguments, UsageError } from './vstorctl-args.ts';
import type { CtlEnvironment } from './vstorctl-run.ts';

const EXIT_OK = 0;
const EXIT_OPERATIONAL = 1;
const EXIT_USAGE = 2;

function writeTo(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error === null || error === undefined ? resolve() : reject(error)));
  });
}

/** All of `stream` as UTF-8, refusing more than `bytesMax` bytes. */
async function readBounded(stream: Readable, bytesMax: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    if (bytes > bytesMax) {
      stream.destroy();
      throw new UsageError(`${what} is over ${bytesMax} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readFileBounded(path: string, bytesMax: number): Promise<string> {
  try {
    return await readBounded(createReadStream(path), bytesMax, 'the document');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read: ${code ?? (error as Error).message}`);
  }
}

/** One line, whatever the message holds. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Runs vstorctl with `argv` (without node and the script); resolves with the exit status. */
export async function runVstorctl(argv: readonly string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (parsed.kind === 'help') {
    await writeTo(process.stdout, parsed.text);
    return EXIT_OK;
  }
  if (parsed.kind === 'usage-error') {
    process.stderr.write(`vstorctl: ${oneLine(parsed.message)}\n`);
    return EXIT_USAGE;
  }
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  // Only a watch runs until interrupted; any other command keeps the default (exit at once).
  if (parsed.command.name === 'kv watch') {
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
  }
  const environment: CtlEnvironment = {
    cwd: process.cwd(),
    write: (text) => writeTo(process.stdout, text),
    readStdin: (bytesMax) => readBounded(process.stdin, bytesMax, 'the document'),
    readFile: readFileBounded,
    signal: controller.signal,
    progress: process.stderr.isTTY ? { isTTY: true, write: (text) => process.stderr.write(text) } : undefined,
  };
  try {
    // Loaded only now: the client library and the .proto files take a few hundred
    // milliseconds to load, which help and usage errors need not wait for.
    const { execute } = await import('./vstorctl-run.ts');
    await execute(parsed.options, parsed.command, environment);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`vstorctl: ${oneLine(error.message)}\n`);
      return EXIT_USAGE;
    }
    if (isVstorError(error)) {
      // A watch cut short by Ctrl-C while it was starting is not a failure.
      if (controller.signal.aborted && error.code === 'CANCELLED') return EXIT_OK;
      process.stderr.write(`vstorctl: ${error.code}: ${oneLine(error.message)}\n`);
      return EXIT_OPERATIONAL;
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

/** The process entry point (bin/vstorctl.js). */
export async function main(): Promise<void> {
  // A reader that went away (`vstorctl kv watch k | head -1`) is the end of the output,
  // not an error to report.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_OK);
    throw error;
  });
  const status = await runVstorctl(process.argv.slice(2));
  // Everything printed has been handed to the OS (each write awaited its callback); exit
  // now rather than wait for gRPC's channels and timers to wind down.
  process.exit(status);
}
