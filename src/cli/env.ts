/**
 * @module
 * `periscope env create|list|get|delete`: the stored environments
 * (`/api/v1/environment`) that experiments name in `environment.name`.
 */
import type { Environment } from '../storage/environment-repository.ts'
import { UsageError } from './cli-errors.ts'
import type { Command } from './command.ts'
import { stringFlag } from './command.ts'
import { oneLine } from './experiment-view.ts'
import { isStructured, OUTPUT_OPTION, outputFormat, structured } from './output-format.ts'
import { fileLabel, readSpecFile } from './spec-file.ts'
import { renderTable } from './table.ts'

const HEADERS = ['NAME', 'ID', 'IMAGE', 'KERNEL', 'DESCRIPTION'] as const

function row(e: Environment): string[] {
  const s = e.environmentSpec
  return [
    s.name ?? '',
    e.environmentId,
    s.image ?? s.dockerImage ?? '',
    s.kernelSpec?.name ?? '',
    oneLine(s.description ?? ''),
  ]
}

const path = (name: string) => `/api/v1/environment/${encodeURIComponent(name)}`

export const envCreate: Command = {
  name: 'env create',
  summary: 'Create an environment from a JSON or YAML spec.',
  usage: 'env create -f FILE',
  help: `Flags:
  -f, --file FILE   the environment spec (name, image or dockerImage, kernelSpec, description); "-" reads stdin`,
  options: { file: { type: 'string', short: 'f' } },
  positionals: [0, 0],
  async run(ctx, values) {
    const file = stringFlag(values, 'file')
    if (file === undefined) throw new UsageError('missing -f FILE (the environment spec; "-" for stdin)', this.name)
    const spec = await readSpecFile(file, ctx.io)
    const e = await ctx.api.call<Environment>('POST', '/api/v1/environment', { body: spec, subject: fileLabel(file) })
    await ctx.io.out(`environment ${e.environmentSpec.name} created\n`)
    return 0
  },
}

export const envList: Command = {
  name: 'env list',
  summary: 'List environments.',
  usage: 'env list [-o table|json|yaml]',
  help: `Flags:
  -o, --output F    table (default; wide is the same), json or yaml`,
  options: { ...OUTPUT_OPTION },
  positionals: [0, 0],
  async run(ctx, values) {
    const format = outputFormat(values, this.name)
    const items = await ctx.api.call<Environment[]>('GET', '/api/v1/environment')
    if (isStructured(format)) await ctx.io.out(structured(items, format))
    else if (items.length === 0) await ctx.io.err('No environments.\n')
    else await ctx.io.out(renderTable(HEADERS, items.map(row)))
    return 0
  },
}

export const envGet: Command = {
  name: 'env get',
  summary: 'Show one environment.',
  usage: 'env get NAME [-o table|json|yaml]',
  help: `Flags:
  -o, --output F    table (default; wide is the same), json or yaml`,
  options: { ...OUTPUT_OPTION },
  positionals: [1, 1],
  async run(ctx, values, [name]) {
    const format = outputFormat(values, this.name)
    const e = await ctx.api.call<Environment>('GET', path(name!), { subject: name })
    await ctx.io.out(isStructured(format) ? structured(e, format) : renderTable(HEADERS, [row(e)]))
    return 0
  },
}

export const envDelete: Command = {
  name: 'env delete',
  summary: 'Delete an environment.',
  usage: 'env delete NAME',
  help: 'Prints "environment NAME deleted".',
  options: {},
  positionals: [1, 1],
  async run(ctx, _values, [name]) {
    await ctx.api.call('DELETE', path(name!), { subject: name })
    await ctx.io.out(`environment ${name} deleted\n`)
    return 0
  },
}
