// The import/export-file progress bar (daemon/vstorctl-progress.ts): what one line shows,
// and that it draws only on a terminal and not more often than its redraw interval.
import test from 'ava';
import { formatBytes, formatProgress, ProgressBar } from '../../daemon/vstorctl-progress.ts';

test('sizes are shown in binary units with at most three significant digits', (t) => {
  t.is(formatBytes(0), '0 B');
  t.is(formatBytes(1023), '1023 B');
  t.is(formatBytes(1536), '1.5 KiB');
  t.is(formatBytes(10 * 2 ** 30), '10 GiB');
  t.is(formatBytes(123.4 * 2 ** 20), '123 MiB');
  t.is(formatBytes(16 * 2 ** 40), '16 TiB');
});

test('a progress line shows the bar, percent, bytes, rate and time left', (t) => {
  t.is(
    formatProgress({ doneBytes: 4 * 2 ** 30, totalBytes: 10 * 2 ** 30, elapsedMs: 32_000 }, 10),
    '[####------]   40%  4 GiB / 10 GiB  128 MiB/s  ETA 0:48',
  );
  t.is(formatProgress({ doneBytes: 2 ** 20, totalBytes: 2 ** 20, elapsedMs: 1000 }, 4), '[####]  100%  1 MiB / 1 MiB  1 MiB/s');
  t.is(formatProgress({ doneBytes: 0, totalBytes: 0, elapsedMs: 0 }, 4), '[####]  100%  0 B / 0 B');
});

test('the bar draws only on a terminal, at most once per redraw interval, and ends its line', (t) => {
  let clock = 0;
  const drawn: string[] = [];
  const bar = new ProgressBar({ isTTY: true, write: (text) => drawn.push(text) }, 100, () => clock);
  clock = 300;
  bar.advance(10);
  clock = 350;
  bar.advance(10); // too soon after the last redraw
  clock = 600;
  bar.advance(80);
  bar.finish();
  t.is(drawn.length, 3);
  t.true(drawn.every((line) => line.startsWith('\r')));
  t.regex(drawn[0]!, / 10%/);
  t.regex(drawn[1]!, /100%/);
  t.true(drawn[2]!.endsWith('\n'));

  const silent: string[] = [];
  const pipe = new ProgressBar({ isTTY: false, write: (text) => silent.push(text) }, 100, () => clock);
  pipe.advance(100);
  pipe.finish();
  t.deepEqual(silent, []);
});
