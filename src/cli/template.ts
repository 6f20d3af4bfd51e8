/**
 * @module
 * `periscope template create|list|get|delete`: stored experiment templates
 * (`/api/v1/template`), which `periscope submit --template NAME --param k=v` fills in.
 */
import type { ExperimentTemplate, TemplateParam } from '../templates/template.ts'
import { UsageError } from './cli-errors.ts'
import { type Command, stringFlag } from './command.ts'
import { oneLine } from './experiment-view.ts'
import { isStructured, OUTPUT_OPTION, outputFormat, structured } from './output-format.ts'
import { fileLabel, readSpecFile } from './spec-file.ts'
import { renderTable } from './table.ts'

const LIST_HEADERS = ['NAME', 'FRAMEWORK', 'PARAMETERS', 'AUTHOR', 'DESCRIPTION'] as const
const PARAM_HEADERS = ['PARAMETER', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'] as const

/** The parameters a person fills in: Submarine's UI hides the appended `spec.<Task>.*` ones too. */
const declared = (params: readonly TemplateParam[]) => params.filter((p) => !p.name.startsWith('spec.'))

/** `lr*, batch_size`: required ones starred. */
function paramSummary(params: readonly TemplateParam[]): string {
  return declared(params)
    .map((p) => `${p.name}${p.required === 'true' ? '*' : ''}`)
    .join(', ')
}

function row(t: ExperimentTemplate): string[] {
  const s = t.experimentTemplateSpec
  return [
    s.name,
    s.experimentSpec.meta.framework,
    paramSummary(s.parameters),
    s.author ?? '',
    oneLine(s.description ?? ''),
  ]
}

const path = (name: string) => `/api/v1/template/${encodeURIComponent(name)}`

export const templateCreate: Command = {
  name: 'template create',
  summary: 'Create an experiment template from a JSON or YAML spec.',
  usage: 'template create -f FILE',
  help: `The spec is Submarine's template spec: name, author, description, parameters
([{name, value, required, description}]) and experimentSpec, whose values hold
{{parameter}} placeholders.

Flags:
  -f, --file FILE   the template spec; "-" reads stdin`,
  options: { file: { type: 'string', short: 'f' } },
  positionals: [0, 0],
  async run(ctx, values) {
    const file = stringFlag(values, 'file')
    if (file === undefined) throw new UsageError('missing -f FILE (the template spec; "-" for stdin)', this.name)
    const spec = await readSpecFile(file, ctx.io)
    const t = await ctx.api.call<ExperimentTemplate>('POST', '/api/v1/template', {
      body: spec,
      subject: fileLabel(file),
    })
    await ctx.io.out(`template ${t.experimentTemplateSpec.name} created\n`)
    return 0
  },
}

export const templateList: Command = {
  name: 'template list',
  summary: 'List experiment templates (required parameters starred).',
  usage: 'template list [-o table|json|yaml]',
  help: `Flags:
  -o, --output F    table (default; wide is the same), json or yaml`,
  options: { ...OUTPUT_OPTION },
  positionals: [0, 0],
  async run(ctx, values) {
    const format = outputFormat(values, this.name)
    const items = await ctx.api.call<ExperimentTemplate[]>('GET', '/api/v1/template')
    if (isStructured(format)) await ctx.io.out(structured(items, format))
    else if (items.length === 0) await ctx.io.err('No templates.\n')
    else await ctx.io.out(renderTable(LIST_HEADERS, items.map(row)))
    return 0
  },
}

export const templateGet: Command = {
  name: 'template get',
  summary: "Show one template's parameters (what --param takes).",
  usage: 'template get NAME [-o table|json|yaml]',
  help: `The table lists every parameter submit --param takes, spec.<Task>.replicas and
spec.<Task>.resourceMap.cpu|memory included.

Flags:
  -o, --output F    table (default; wide is the same), json or yaml`,
  options: { ...OUTPUT_OPTION },
  positionals: [1, 1],
  async run(ctx, values, [name]) {
    const format = outputFormat(values, this.name)
    const t = await ctx.api.call<ExperimentTemplate>('GET', path(name!), { subject: name })
    if (isStructured(format)) {
      await ctx.io.out(structured(t, format))
      return 0
    }
    const params = t.experimentTemplateSpec.parameters.map((p) => [
      p.name,
      p.required === 'true' ? 'yes' : 'no',
      p.value ?? '',
      oneLine(p.description ?? ''),
    ])
    await ctx.io.out(`${renderTable(LIST_HEADERS, [row(t)])}\n${renderTable(PARAM_HEADERS, params)}`)
    return 0
  },
}

export const templateDelete: Command = {
  name: 'template delete',
  summary: 'Delete an experiment template.',
  usage: 'template delete NAME',
  help: 'Prints "template NAME deleted".',
  options: {},
  positionals: [1, 1],
  async run(ctx, _values, [name]) {
    await ctx.api.call('DELETE', path(name!), { subject: name })
    await ctx.io.out(`template ${name} deleted\n`)
    return 0
  },
}

/** The template commands, in help order. */
export const TEMPLATE_COMMANDS = [templateCreate, templateList, templateGet, templateDelete] as const
