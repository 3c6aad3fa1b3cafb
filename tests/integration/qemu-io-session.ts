// One qemu-io process kept open on an export, driven command by command through its
// standard input: for tests that need one NBD connection to live across something done
// elsewhere (a snapshot between two writes of the same connection). qemu-io prints its
// prompt "qemu-io> " before it reads each command, so the output of a command is what
// comes before the next prompt. Every wait is bounded; close() ends the process by its own
// pid if `quit` does not.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

const PROMPT = 'qemu-io> ';
const COMMAND_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;

export class QemuIoSession {
  private output = '';
  private prompts = 0;
  private exited = false;
  private readonly exit: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      this.prompts = this.output.split(PROMPT).length - 1;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stdin!.on('error', () => {});
    this.exit = new Promise((resolve) => child.once('close', (code) => {
      this.exited = true;
      resolve(code);
    }));
  }

  /** Opens `uri` as a raw image; resolves once qemu-io waits for its first command. */
  static async open(uri: string, options: { readOnly?: boolean } = {}): Promise<QemuIoSession> {
    const child = spawn('qemu-io', ['-f', 'raw', ...(options.readOnly === true ? ['-r'] : []), uri], { stdio: ['pipe', 'pipe', 'pipe'] });
    const session = new QemuIoSession(child);
    try {
      await session.waitForPrompt(1, 'qemu-io to open the export');
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Runs one command; resolves with what it printed. A failure shows in that text. */
  async run(command: string): Promise<string> {
    const before = this.output.length;
    const prompts = this.prompts;
    this.child.stdin!.write(`${command}\n`);
    await this.waitForPrompt(prompts + 1, `qemu-io to finish "${command}"`);
    return this.output.slice(before, this.output.lastIndexOf(PROMPT));
  }

  /** Everything the process printed so far, for a failure message. */
  transcript(): string {
    return this.output;
  }

  async close(): Promise<void> {
    if (!this.exited) {
      this.child.stdin!.end('quit\n');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
      await this.exit;
      clearTimeout(timer);
    }
  }

  private async waitForPrompt(count: number, what: string): Promise<void> {
    const deadline = Date.now() + COMMAND_TIMEOUT_MS;
    while (this.prompts < count) {
      if (this.exited) throw new Error(`${what}: qemu-io exited\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${what}: no prompt within ${COMMAND_TIMEOUT_MS} ms\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
