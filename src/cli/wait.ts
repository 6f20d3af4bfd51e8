/**
 * @module
 * `periscope wait ID`: blocks until the experiment ends. Exit 0 Succeeded, 1 Failed,
 * 124 when `--timeout` passes first (as timeout(1) does).
 */
import type { Command, Context } from './command.ts'
import { durationFlag } from './command.ts'
import { humanDuration } from './durations.ts'
import { waitForEnd } from './experiment-watch.ts'
import { describe, StatusLine } from './status-line.ts'

/** Exit code when the wait timed out. */
export const EXIT_TIMEOUT = 124

/** How a finished experiment maps to an exit code. */
export function exitCodeOf(status: string): number {
  return status === 'Succeeded' ? 0 : 1
}

/**
 * Waits for experiment `id` with a status line on stderr; the final line goes to
 * stdout (`wait`) or stderr (`submit`, whose stdout is the id). Returns the exit code.
 */
export async function waitWithProgress(
  ctx: Context,
  id: string,
  timeoutMs: number | undefined,
  finalTo: 'out' | 'err',
): Promise<number> {
  const line = new StatusLine(ctx.io, ctx.err, ctx.config.liveErr)
  let outcome: Awaited<ReturnType<typeof waitForEnd>>
  try {
    outcome = await waitForEnd(ctx.api, id, {
      timeoutMs,
      now: () => ctx.io.now(),
      onUpdate: (e, event) => line.update(e, event),
    })
  } finally {
    await line.stop()
  }
  const e = outcome.experiment
  if (outcome.timedOut) {
    await ctx.io.err(
      `${ctx.err.paint('red', 'periscope:')} timed out after ` +
        `${humanDuration(timeoutMs ?? 0)} waiting for ${id} to end (it is ${e.status})\n`,
    )
    return EXIT_TIMEOUT
  }
  if (finalTo === 'out') await ctx.io.out(`${describe(e, ctx.io.now(), ctx.out)}\n`)
  else await ctx.io.err(`${describe(e, ctx.io.now(), ctx.err)}\n`)
  return exitCodeOf(e.status)
}

export const wait: Command = {
  name: 'wait',
  summary: 'Wait for an experiment to end.',
  usage: 'wait ID [--timeout DURATION]',
  help: `Exits 0 when it Succeeded, 1 when it Failed, 124 when the timeout passed first.
On a terminal a status line on stderr shows where it is; the final status is printed on stdout.

Flags:
  --timeout D   give up after D (e.g. 90s, 30m, 1h30m; 0 checks once); default: no limit`,
  options: { timeout: { type: 'string' } },
  positionals: [1, 1],
  async run(ctx, values, [id]) {
    return waitWithProgress(ctx, id!, durationFlag(values, 'timeout', this.name), 'out')
  },
}
