/**
 * @module
 * `periscope list`: the experiments, as a table or as the API's objects.
 */
import { type Experiment, STATUSES } from '../experiments/experiment.ts'
import { UsageError } from './cli-errors.ts'
import { type Command, countFlag, stringFlag } from './command.ts'
import { experimentRow, HEADERS, WIDE_HEADERS } from './experiment-view.ts'
import { isStructured, OUTPUT_OPTION, outputFormat, structured } from './output-format.ts'
import { renderTable } from './table.ts'

export const list: Command = {
  name: 'list',
  summary: 'List experiments, newest last.',
  usage: 'list [--status STATUS] [--limit N] [-o table|wide|json|yaml]',
  help: `Flags:
  --status STATUS   only experiments in this status (${STATUSES.join(', ')}; any case)
  --limit N         at most N experiments
  -o, --output F    table (default), wide (adds REPLICAS and MESSAGE), json or yaml`,
  options: { status: { type: 'string' }, limit: { type: 'string' }, ...OUTPUT_OPTION },
  positionals: [0, 0],
  async run(ctx, values) {
    const format = outputFormat(values, this.name)
    const limit = countFlag(values, 'limit', this.name)
    const raw = stringFlag(values, 'status')
    const status = raw === undefined ? undefined : STATUSES.find((s) => s.toLowerCase() === raw.toLowerCase())
    if (raw !== undefined && !status)
      throw new UsageError(`invalid --status "${raw}": expected one of ${STATUSES.join(', ')}`, this.name)
    const items = await ctx.api.call<Experiment[]>('GET', '/api/v1/experiment', { query: { status, limit } })
    if (isStructured(format)) {
      await ctx.io.out(structured(items, format))
      return 0
    }
    if (items.length === 0) {
      await ctx.io.err(status ? `No ${status} experiments.\n` : 'No experiments.\n')
      return 0
    }
    const now = ctx.io.now()
    const wide = format === 'wide'
    await ctx.io.out(
      renderTable(
        wide ? WIDE_HEADERS : HEADERS,
        items.map((e) => experimentRow(e, now, wide, ctx.out)),
      ),
    )
    return 0
  },
}
