/**
 * @module
 * The commands every stored, named resource has (`env`, `template`): create from a spec
 * file, list as a table, show one, delete. Each resource says its paths, words and table.
 */
import { UsageError } from './cli-errors.ts'
import { type Command, stringFlag } from './command.ts'
import { isStructured, OUTPUT_OPTION, outputFormat, structured } from './output-format.ts'
import { fileLabel, readSpecFile } from './spec-file.ts'
import { renderTable } from './table.ts'

/** What the commands of one resource need to know about it. */
export interface StoredResource<T> {
  /** The command word: `env`. */
  command: string
  /** What it is called in messages: `environment`. */
  noun: string
  /** Its collection: `/api/v1/environment`. */
  collection: string
  /** The name of a stored one. */
  nameOf(item: T): string
  headers: readonly string[]
  row(item: T): string[]
}

const OUTPUT_HELP = `Flags:
  -o, --output F    table (default; wide is the same), json or yaml`

const itemPath = (r: StoredResource<unknown>, name: string) => `${r.collection}/${encodeURIComponent(name)}`

/** `<command> create -f FILE`; `spec` says what the file holds, `help` what comes before the flags. */
export function createCommand<T>(
  r: StoredResource<T>,
  text: { summary: string; spec: string; help?: string },
): Command {
  return {
    name: `${r.command} create`,
    summary: text.summary,
    usage: `${r.command} create -f FILE`,
    help: `${text.help ? `${text.help}\n\n` : ''}Flags:
  -f, --file FILE   ${text.spec}; "-" reads stdin`,
    options: { file: { type: 'string', short: 'f' } },
    positionals: [0, 0],
    async run(ctx, values) {
      const file = stringFlag(values, 'file')
      if (file === undefined) throw new UsageError(`missing -f FILE (the ${r.noun} spec; "-" for stdin)`, this.name)
      const spec = await readSpecFile(file, ctx.io)
      const made = await ctx.api.call<T>('POST', r.collection, { body: spec, subject: fileLabel(file) })
      await ctx.io.out(`${r.noun} ${r.nameOf(made)} created\n`)
      return 0
    },
  }
}

/** `<command> list [-o …]`: a row per stored one; `none` is said on stderr when there are none. */
export function listCommand<T>(r: StoredResource<T>, text: { summary: string; none: string }): Command {
  return {
    name: `${r.command} list`,
    summary: text.summary,
    usage: `${r.command} list [-o table|json|yaml]`,
    help: OUTPUT_HELP,
    options: { ...OUTPUT_OPTION },
    positionals: [0, 0],
    async run(ctx, values) {
      const format = outputFormat(values, this.name)
      const items = await ctx.api.call<T[]>('GET', r.collection)
      if (isStructured(format)) await ctx.io.out(structured(items, format))
      else if (items.length === 0) await ctx.io.err(`${text.none}\n`)
      else
        await ctx.io.out(
          renderTable(
            r.headers,
            items.map((i) => r.row(i)),
          ),
        )
      return 0
    },
  }
}

/** `<command> get NAME [-o …]`; `table` renders it (default: its row under the headers). */
export function getCommand<T>(
  r: StoredResource<T>,
  text: { summary: string; help?: string; table?: (item: T) => string },
): Command {
  const table = text.table ?? ((item: T) => renderTable(r.headers, [r.row(item)]))
  return {
    name: `${r.command} get`,
    summary: text.summary,
    usage: `${r.command} get NAME [-o table|json|yaml]`,
    help: `${text.help ? `${text.help}\n\n` : ''}${OUTPUT_HELP}`,
    options: { ...OUTPUT_OPTION },
    positionals: [1, 1],
    async run(ctx, values, [name]) {
      const format = outputFormat(values, this.name)
      const item = await ctx.api.call<T>('GET', itemPath(r, name!), { subject: name })
      await ctx.io.out(isStructured(format) ? structured(item, format) : table(item))
      return 0
    },
  }
}

/** `<command> delete NAME`. */
export function deleteCommand<T>(r: StoredResource<T>, summary: string): Command {
  return {
    name: `${r.command} delete`,
    summary,
    usage: `${r.command} delete NAME`,
    help: `Prints "${r.noun} NAME deleted".`,
    options: {},
    positionals: [1, 1],
    async run(ctx, _values, [name]) {
      await ctx.api.call('DELETE', itemPath(r, name!), { subject: name })
      await ctx.io.out(`${r.noun} ${name} deleted\n`)
      return 0
    },
  }
}
