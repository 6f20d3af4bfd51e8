/**
 * @module
 * `periscope delete ID…`: deletes each experiment (stopping what still runs); one
 * that cannot be deleted is reported and the others are still deleted.
 */
import type { Command } from './command.ts'
import { reportError } from './report-error.ts'

export const del: Command = {
  name: 'delete',
  summary: 'Delete experiments, stopping their replicas.',
  usage: 'delete ID [ID…]',
  help: 'Prints "<id> deleted" for each; exits 1 if any could not be deleted.',
  options: {},
  positionals: [1, Number.POSITIVE_INFINITY],
  async run(ctx, _values, ids) {
    let failed = false
    for (const id of ids) {
      try {
        await ctx.api.call('DELETE', `/api/v1/experiment/${encodeURIComponent(id)}`, { subject: id })
        await ctx.io.out(`${id} deleted\n`)
      } catch (err) {
        failed = true
        await reportError(ctx.io, ctx.err, err)
      }
    }
    return failed ? 1 : 0
  },
}
