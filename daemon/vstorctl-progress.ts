// The progress bar of `vstorctl vdisk import` and `vdisk export-file`: one line on a
// terminal's stderr, redrawn in place at most a few times a second, and nothing at all when
// stderr is not a terminal (a script or a log gets no carriage returns).
//
// formatProgress is pure so that its output is tested on its own; ProgressBar only decides
// when to draw.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 → "1.5 KiB": binary units, three significant digits at most. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${String(Number(text))} ${UNITS[unit]!}`;
}

function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export interface ProgressState {
  doneBytes: number;
  totalBytes: number;
  elapsedMs: number;
}

/** "[########------------]  40%  4 GiB / 10 GiB  120 MiB/s  ETA 0:51", `barWidth` cells wide. */
export function formatProgress(state: ProgressState, barWidth = 24): string {
  const fraction = state.totalBytes === 0 ? 1 : Math.min(1, state.doneBytes / state.totalBytes);
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const parts = [bar, percent, `${formatBytes(state.doneBytes)} / ${formatBytes(state.totalBytes)}`];
  if (state.elapsedMs > 0) {
    const bytesPerSecond = (state.doneBytes * 1000) / state.elapsedMs;
    parts.push(`${formatBytes(Math.round(bytesPerSecond))}/s`);
    if (fraction < 1 && bytesPerSecond > 0) parts.push(`ETA ${formatDuration((state.totalBytes - state.doneBytes) / bytesPerSecond)}`);
  }
  return parts.join('  ');
}

/** Where a progress bar draws: stderr when it is a terminal. */
export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

/** The longest a bar waits between redraws; each redraw is one short write. */
const REDRAW_INTERVAL_MS = 200;

export class ProgressBar {
  private readonly sink: ProgressSink | undefined;
  private readonly totalBytes: number;
  private readonly startedAt: number;
  private readonly now: () => number;
  private lastDrawnAt = -Infinity;
  private doneBytes = 0;

  constructor(sink: ProgressSink | undefined, totalBytes: number, now: () => number = () => performance.now()) {
    this.sink = sink?.isTTY === true ? sink : undefined;
    this.totalBytes = totalBytes;
    this.now = now;
    this.startedAt = now();
  }

  /** Counts `bytes` more as done, and redraws if the last redraw is old enough. */
  advance(bytes: number): void {
    this.doneBytes += bytes;
    const at = this.now();
    if (this.sink === undefined || at - this.lastDrawnAt < REDRAW_INTERVAL_MS) return;
    this.lastDrawnAt = at;
    this.sink.write(`\r${formatProgress({ doneBytes: this.doneBytes, totalBytes: this.totalBytes, elapsedMs: at - this.startedAt })}`);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.sink === undefined) return;
    this.sink.write(`\r${formatProgress({ doneBytes: this.doneBytes, totalBytes: this.totalBytes, elapsedMs: this.now() - this.startedAt })}\n`);
  }
}
