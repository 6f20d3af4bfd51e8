/**
 * @module
 * Doing one thing to each experiment named on the command line (`delete`, `stop`): one that
 * fails is reported and the others are still done.
 */
import type { Context } from './command.ts'
import { reportError } from './report-error.ts'

/** Runs `act` for every id, printing `<id> <done>` for each that succeeded; 1 when any failed. */
export async function forEachId(
  ctx: Context,
  ids: readonly string[],
  done: string,
  act: (path: string, id: string) => Promise<unknown>,
): Promise<number> {
  let failed = false
  for (const id of ids) {
    try {
      await act(`/api/v1/experiment/${encodeURIComponent(id)}`, id)
      await ctx.io.out(`${id} ${done}\n`)
    } catch (err) {
      failed = true
      await reportError(ctx.io, ctx.err, err)
    }
  }
  return failed ? 1 : 0
}
