// Runs the real vstorctl (bin/vstorctl.js) as a child process, the way an operator does,
// and collects its exit status and output. Every run is bounded: past its time limit the
// child is killed by its pid and the run fails with what it had printed. Runs are
// asynchronous, so a test process may serve the gRPC services the CLI calls.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const vstorctlPath = fileURLToPath(new URL('../../bin/vstorctl.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  cwd?: string;
  /** Default 60 s: the CLI itself gives up after --timeout-ms, so this only catches a hang. */
  timeoutMs?: number;
}

/** A running vstorctl: its output so far, and its end. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<CliResult>;
}

export function startVstorctl(args: readonly string[], options: CliOptions = {}): CliProcess {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [vstorctlPath, ...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin!.on('error', () => {});
  child.stdin!.end(options.input ?? '');
  const exited = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vstorctl ${args.join(' ')}: still running after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' comes after the output streams ended, so nothing printed is missed.
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export function vstorctl(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startVstorctl(args, options).exited;
}

/** The JSON document a successful run printed; fails with the run's output otherwise. */
export function documentOf<T = Record<string, unknown>>(result: CliResult): T {
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
