/**
 * @module
 * `periscope template create|list|get|delete`: stored experiment templates
 * (`/api/v1/template`), which `periscope submit --template NAME --param k=v` fills in.
 */
import type { ExperimentTemplate, TemplateParam } from '../templates/template.ts'
import { oneLine } from './experiment-view.ts'
import { createCommand, deleteCommand, getCommand, listCommand, type StoredResource } from './stored-resource.ts'
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

const TEMPLATE: StoredResource<ExperimentTemplate> = {
  command: 'template',
  noun: 'template',
  collection: '/api/v1/template',
  nameOf: (t) => t.experimentTemplateSpec.name,
  headers: LIST_HEADERS,
  row,
}

export const templateCreate = createCommand(TEMPLATE, {
  summary: 'Create an experiment template from a JSON or YAML spec.',
  spec: 'the template spec',
  help: `The spec is Submarine's template spec: name, author, description, parameters
([{name, value, required, description}]) and experimentSpec, whose values hold
{{parameter}} placeholders.`,
})

export const templateList = listCommand(TEMPLATE, {
  summary: 'List experiment templates (required parameters starred).',
  none: 'No templates.',
})

export const templateGet = getCommand(TEMPLATE, {
  summary: "Show one template's parameters (what --param takes).",
  help: `The table lists every parameter submit --param takes, spec.<Task>.replicas and
spec.<Task>.resourceMap.cpu|memory included.`,
  table(t) {
    const params = t.experimentTemplateSpec.parameters.map((p) => [
      p.name,
      p.required === 'true' ? 'yes' : 'no',
      p.value ?? '',
      oneLine(p.description ?? ''),
    ])
    return `${renderTable(LIST_HEADERS, [row(t)])}\n${renderTable(PARAM_HEADERS, params)}`
  },
})

export const templateDelete = deleteCommand(TEMPLATE, 'Delete an experiment template.')

/** The template commands, in help order. */
export const TEMPLATE_COMMANDS = [templateCreate, templateList, templateGet, templateDelete] as const
