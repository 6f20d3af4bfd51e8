/**
 * @module
 * `periscope submit -f FILE` (or `--template NAME --param k=v …`): creates the experiment and prints its id; `--wait`
 * waits for it to end and `--follow` prints its logs until then, both exiting 0 when
 * it Succeeded and 1 when it Failed.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { ApiError, CliError, UsageError } from './cli-errors.ts'
import { type Command, durationFlag, stringFlag, type Values } from './command.ts'
import { isFinal } from './experiment-view.ts'
import { printLogs } from './logs.ts'
import { fileLabel, readSpecFile } from './spec-file.ts'
import { describe } from './status-line.ts'
import { exitCodeOf, waitWithProgress } from './wait.ts'

/** `--param k=v` flags as the submission's `params` (a later one of a name wins). */
function templateParams(given: Values[string], command: string): Record<string, string> {
  const list = Array.isArray(given) ? given : given === undefined ? [] : [given]
  const entries = list.map((item) => {
    const text = String(item)
    const eq = text.indexOf('=')
    if (eq <= 0) throw new UsageError(`invalid --param "${text}": expected NAME=VALUE`, command)
    return [text.slice(0, eq), text.slice(eq + 1)] as const
  })
  // fromEntries: a parameter named `__proto__` is a key like any other.
  return Object.fromEntries(entries)
}

export const submit: Command = {
  name: 'submit',
  summary: 'Create an experiment from a JSON or YAML spec, or from a template, and print its id.',
  usage: 'submit -f FILE | --template NAME [--param K=V]... [--wait [--timeout D] | --follow]',
  help: `The spec is Submarine's experiment spec (meta, environment, spec, code); or the
experiment is made from a stored template ("periscope template get NAME" lists its parameters).

Flags:
  -f, --file FILE   the spec, JSON or YAML ("-" reads stdin)
  --template NAME   make the experiment from this template instead
  --param K=V       with --template: a parameter's value (repeat for more), e.g. --param spec.Worker.replicas=3
  --wait            wait for the experiment to end: exit 0 when it Succeeded, 1 when it Failed
  --timeout D       with --wait: give up after D (e.g. 30m) and exit 124
  --follow          print its logs until it ends; exit as --wait does
  --idempotency-key K  send K as the Idempotency-Key (default: a new one; sending the same spec
                    with the same key again answers the first experiment instead of making another)`,
  options: {
    file: { type: 'string', short: 'f' },
    template: { type: 'string' },
    param: { type: 'string', multiple: true },
    wait: { type: 'boolean' },
    follow: { type: 'boolean' },
    timeout: { type: 'string' },
    'idempotency-key': { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx, values) {
    const file = stringFlag(values, 'file')
    const template = stringFlag(values, 'template')
    if (file !== undefined && template !== undefined)
      throw new UsageError('give -f FILE or --template NAME, not both', this.name)
    if (file === undefined && template === undefined)
      throw new UsageError('missing -f FILE (the experiment spec; "-" for stdin) or --template NAME', this.name)
    if (template === undefined && values.param !== undefined)
      throw new UsageError('--param needs --template', this.name)
    const timeoutMs = durationFlag(values, 'timeout', this.name)
    if (timeoutMs !== undefined && values.wait !== true) throw new UsageError('--timeout needs --wait', this.name)
    // A key of its own on every submission, so that sending it again after a connection
    // dropped cannot make a second experiment: the server answers the first.
    const headers = { 'idempotency-key': stringFlag(values, 'idempotency-key') ?? crypto.randomUUID() }
    const request =
      template !== undefined
        ? {
            path: `/api/v1/experiment/${encodeURIComponent(template)}`,
            body: { params: templateParams(values.param, this.name) },
            subject: `template ${template}`,
          }
        : { path: '/api/v1/experiment', body: await readSpecFile(file!, ctx.io), subject: fileLabel(file!) }
    const created = await withRetries(() =>
      ctx.api.call<Experiment>('POST', request.path, { body: request.body, subject: request.subject, headers }),
    )
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

/** Tries a request up to three times while the server cannot be reached (an API error is final). */
async function withRetries<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send()
    } catch (err) {
      if (attempt >= 3 || !(err instanceof CliError) || err instanceof ApiError) throw err
      await Bun.sleep(250 * attempt)
    }
  }
}
