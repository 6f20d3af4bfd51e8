/**
 * @module
 * `periscope stop ID…`: stops each experiment (its replicas get SIGTERM, then SIGKILL after the
 * grace period; its logs stay). One that cannot be stopped (finished, unknown) is reported and
 * the others are still stopped.
 */
import type { Command } from './command.ts'
import { reportError } from './report-error.ts'

export const stop: Command = {
  name: 'stop',
  summary: 'Stop experiments, keeping their logs.',
  usage: 'stop ID [ID…]',
  help: 'Prints "<id> stopped" for each; exits 1 if any could not be stopped (a finished one is a 409).',
  options: {},
  positionals: [1, Number.POSITIVE_INFINITY],
  async run(ctx, _values, ids) {
    let failed = false
    for (const id of ids) {
      try {
        // An empty JSON body: the server refuses writes that carry no content type.
        await ctx.api.call('POST', `/api/v1/experiment/${encodeURIComponent(id)}/stop`, { subject: id, body: {} })
        await ctx.io.out(`${id} stopped\n`)
      } catch (err) {
        failed = true
        await reportError(ctx.io, ctx.err, err)
      }
    }
    return failed ? 1 : 0
  },
}
