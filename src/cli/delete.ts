/**
 * @module
 * `periscope delete ID…`: deletes each experiment (stopping what still runs); one
 * that cannot be deleted is reported and the others are still deleted.
 */
import type { Command } from './command.ts'
import { forEachId } from './each-id.ts'

export const del: Command = {
  name: 'delete',
  summary: 'Delete experiments, stopping their replicas.',
  usage: 'delete ID [ID…]',
  help: 'Prints "<id> deleted" for each; exits 1 if any could not be deleted.',
  options: {},
  positionals: [1, Number.POSITIVE_INFINITY],
  async run(ctx, _values, ids) {
    return forEachId(ctx, ids, 'deleted', (path, id) => ctx.api.call('DELETE', path, { subject: id }))
  },
}
