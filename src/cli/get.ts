/**
 * @module
 * `periscope get ID`: one experiment, as a table row or as the API's object.
 */
import type { Experiment } from '../experiments/experiment.ts'
import type { Command } from './command.ts'
import { experimentRow, HEADERS, WIDE_HEADERS } from './experiment-view.ts'
import { isStructured, OUTPUT_OPTION, outputFormat, structured } from './output-format.ts'
import { renderTable } from './table.ts'

export const get: Command = {
  name: 'get',
  summary: 'Show one experiment.',
  usage: 'get ID [-o table|wide|json|yaml]',
  help: `Flags:
  -o, --output F    table (default), wide (adds REPLICAS and MESSAGE), json or yaml (the whole experiment)`,
  options: { ...OUTPUT_OPTION },
  positionals: [1, 1],
  async run(ctx, values, [id]) {
    const format = outputFormat(values, this.name)
    const e = await ctx.api.call<Experiment>('GET', `/api/v1/experiment/${encodeURIComponent(id!)}`, { subject: id })
    if (isStructured(format)) {
      await ctx.io.out(structured(e, format))
      return 0
    }
    const wide = format === 'wide'
    await ctx.io.out(renderTable(wide ? WIDE_HEADERS : HEADERS, [experimentRow(e, ctx.io.now(), wide, ctx.out)]))
    return 0
  },
}
