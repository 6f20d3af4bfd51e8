/**
 * @module
 * `periscope logs ID`: what the experiment's replicas printed, each line prefixed
 * with its pod when there is more than one; `-f` follows until the experiment ends.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { UsageError } from './cli-errors.ts'
import { type Command, type Context, countFlag, durationFlag, stringFlag } from './command.ts'
import { podCount } from './experiment-view.ts'
import { BufferedWriter } from './io.ts'
import { type LogEnd, type LogLine, type LogRequest, readLogs } from './log-reader.ts'
import { podColours } from './style.ts'

/**
 * Prints experiment `id`'s logs on stdout as `req` asks; returns how the reading ended.
 * Lines carry a `[pod]` prefix unless one pod was asked for or the experiment has one.
 */
export async function printLogs(ctx: Context, id: string, req: LogRequest, experiment?: Experiment): Promise<LogEnd> {
  const e =
    experiment ??
    (await ctx.api.call<Experiment>('GET', `/api/v1/experiment/${encodeURIComponent(id)}`, { subject: id }))
  const prefixed = req.pod === undefined && podCount(e) > 1
  const colourOf = podColours()
  const out = new BufferedWriter((text) => ctx.io.out(text))
  const emit = (l: LogLine) => {
    const pod = prefixed ? `${ctx.out.paint(colourOf(l.podName), `[${l.podName}]`)} ` : ''
    const time = req.timestamps && l.time ? `${ctx.out.paint('dim', l.time)} ` : ''
    return out.add(`${pod}${time}${l.line}\n`)
  }
  try {
    return await readLogs(ctx.api, id, req, emit, () => ctx.io.now())
  } finally {
    await out.flush()
  }
}

export const logs: Command = {
  name: 'logs',
  summary: "Print an experiment's logs.",
  usage: 'logs ID [-f] [--pod POD] [--tail N] [--since 10m | --since-time TIME] [--timestamps]',
  help: `Flags:
  -f, --follow        keep printing new lines until the experiment ends
  --pod POD           only this replica (e.g. <id>-worker-0)
  --tail N            the last N lines of each replica
  --since D           only lines from the last D (e.g. 30s, 10m, 2h)
  --since-time TIME   only lines from TIME on (RFC 3339, e.g. 2026-01-02T15:04:05Z)
  --timestamps        start each line with the time it was printed
--since, --since-time and --timestamps need a server that streams logs.`,
  options: {
    follow: { type: 'boolean', short: 'f' },
    pod: { type: 'string' },
    tail: { type: 'string' },
    since: { type: 'string' },
    'since-time': { type: 'string' },
    timestamps: { type: 'boolean' },
  },
  positionals: [1, 1],
  async run(ctx, values, [id]) {
    const sinceMs = durationFlag(values, 'since', this.name)
    const sinceTime = stringFlag(values, 'since-time')
    if (sinceMs !== undefined && sinceTime !== undefined)
      throw new UsageError('--since and --since-time cannot be used together', this.name)
    if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime)))
      throw new UsageError(
        `invalid --since-time "${sinceTime}": expected an RFC 3339 time such as 2026-01-02T15:04:05Z`,
        this.name,
      )
    await printLogs(ctx, id!, {
      follow: values.follow === true,
      pod: stringFlag(values, 'pod'),
      tailLines: countFlag(values, 'tail', this.name),
      sinceSeconds: sinceMs === undefined ? undefined : Math.ceil(sinceMs / 1000),
      sinceTime: sinceTime === undefined ? undefined : new Date(sinceTime).toISOString(),
      timestamps: values.timestamps === true,
    })
    return 0
  },
}
