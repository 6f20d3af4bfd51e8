/**
 * @module
 * `periscope submit -f FILE`: creates the experiment and prints its id; `--wait`
 * waits for it to end and `--follow` prints its logs until then, both exiting 0 when
 * it Succeeded and 1 when it Failed.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { UsageError } from './cli-errors.ts'
import { type Command, durationFlag, stringFlag } from './command.ts'
import { isFinal } from './experiment-view.ts'
import { printLogs } from './logs.ts'
import { fileLabel, readSpecFile } from './spec-file.ts'
import { describe } from './status-line.ts'
import { exitCodeOf, waitWithProgress } from './wait.ts'

export const submit: Command = {
  name: 'submit',
  summary: 'Create an experiment from a JSON or YAML spec and print its id.',
  usage: 'submit -f FILE [--wait [--timeout D] | --follow]',
  help: `The spec is Submarine's experiment spec (meta, environment, spec, code).

Flags:
  -f, --file FILE   the spec, JSON or YAML ("-" reads stdin)
  --wait            wait for the experiment to end: exit 0 when it Succeeded, 1 when it Failed
  --timeout D       with --wait: give up after D (e.g. 30m) and exit 124
  --follow          print its logs until it ends; exit as --wait does`,
  options: {
    file: { type: 'string', short: 'f' },
    wait: { type: 'boolean' },
    follow: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx, values) {
    const file = stringFlag(values, 'file')
    if (file === undefined) throw new UsageError('missing -f FILE (the experiment spec; "-" for stdin)', this.name)
    const timeoutMs = durationFlag(values, 'timeout', this.name)
    if (timeoutMs !== undefined && values.wait !== true) throw new UsageError('--timeout needs --wait', this.name)
    const spec = await readSpecFile(file, ctx.io)
    const created = await ctx.api.call<Experiment>('POST', '/api/v1/experiment', {
      body: spec,
      subject: fileLabel(file),
    })
    const id = created.experimentId
    await ctx.io.out(`${id}\n`)
    if (values.follow === true) {
      const end = await printLogs(ctx, id, { follow: true, timestamps: false }, created)
      const final = await ctx.api.call<Experiment>('GET', `/api/v1/experiment/${encodeURIComponent(id)}`, {
        subject: id,
      })
      const status = end.status && isFinal(end.status) ? end.status : final.status
      await ctx.io.err(`${describe({ ...final, status: status as Experiment['status'] }, ctx.io.now(), ctx.err)}\n`)
      return exitCodeOf(status)
    }
    if (values.wait === true) return waitWithProgress(ctx, id, timeoutMs, 'err')
    return 0
  },
}
