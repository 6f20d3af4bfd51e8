/**
 * @module
 * `periscope stop ID…`: stops each experiment (its replicas get SIGTERM, then SIGKILL after the
 * grace period; its logs stay). One that cannot be stopped (finished, unknown) is reported and
 * the others are still stopped.
 */
import type { Command } from './command.ts'
import { forEachId } from './each-id.ts'

export const stop: Command = {
  name: 'stop',
  summary: 'Stop experiments, keeping their logs.',
  usage: 'stop ID [ID…]',
  help: 'Prints "<id> stopped" for each; exits 1 if any could not be stopped (a finished one is a 409).',
  options: {},
  positionals: [1, Number.POSITIVE_INFINITY],
  async run(ctx, _values, ids) {
    return forEachId(ctx, ids, 'stopped', (path, id) => ctx.api.call('POST', `${path}/stop`, { subject: id }))
  },
}
