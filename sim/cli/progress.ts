/**
 * A progress bar for long runs: shown on a terminal (or when forced) once a run has taken a second,
 * so short runs print nothing extra. Uses cli-progress rather than a hand-made bar.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(now: number, completed: number, total: number): void;
  stop(): void;
}

export function makeProgress(mode: 'auto' | 'on' | 'off', stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = mode === 'on' || (mode === 'auto' && stream.isTTY === true && process.env.CI === undefined);
  if (!enabled) return { update() {}, stop() {} };
  const startedAt = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(now, completed, total) {
      if (bar === undefined) {
        if (Date.now() - startedAt < 1000) return;
        bar = new cliProgress.SingleBar(
          {
            format: 'simulating [{bar}] {value}/{total} requests | t={time}s | {duration_formatted}',
            stream,
            hideCursor: true,
            noTTYOutput: mode === 'on',
            notTTYSchedule: 2000,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, completed, { time: now.toFixed(0) });
      }
      bar.update(completed, { time: now.toFixed(0) });
    },
    stop() {
      bar?.stop();
    },
  };
}
