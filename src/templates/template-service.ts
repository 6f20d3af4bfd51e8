/**
 * @module
 * The template operations behind the API: create, list, get, patch, delete, and the
 * experiment body a submission makes (which the caller hands to the experiment service's
 * create, the same path as `POST /api/v1/experiment`).
 */
import { NotFoundError, TemplateExistsError } from '../errors.ts'
import type { TemplateRepository } from '../storage/template-repository.ts'
import { normalizeTemplate } from './normalize-template.ts'
import { submitParams } from './submit-params.ts'
import { substitute } from './substitute.ts'
import type { ExperimentTemplate, ExperimentTemplateSpec, TemplateId } from './template.ts'

export interface TemplateServiceDeps {
  templates: TemplateRepository
  ids: { template(): TemplateId & { text: string } }
  /** The server's namespace, which a template's `meta.namespace` shows. */
  namespace: string
}

const notFound = () => new NotFoundError('TEMPLATE_NOT_FOUND', 'ExperimentTemplate not found.')
const exists = (name: string) =>
  new TemplateExistsError(`ExperimentTemplate "${name}" already exists; PATCH /api/v1/template/${name} to change it`)
/** Reads answer `experimentTemplateId: null`, as Submarine's do. */
const read = (spec: ExperimentTemplateSpec): ExperimentTemplate => ({
  experimentTemplateId: null,
  experimentTemplateSpec: spec,
})

export type TemplateService = ReturnType<typeof createTemplateService>

/** Creates the service. */
export function createTemplateService(deps: TemplateServiceDeps) {
  const { templates } = deps
  const required = (name: string): ExperimentTemplateSpec =>
    templates.get(name) ??
    (() => {
      throw notFound()
    })()
  const newId = (): TemplateId & { text: string } => deps.ids.template()
  const answer = (id: TemplateId, spec: ExperimentTemplateSpec): ExperimentTemplate => ({
    experimentTemplateId: { id: id.id, serverTimestamp: id.serverTimestamp },
    experimentTemplateSpec: spec,
  })

  return {
    /** Validates (with a dry run of every default) and stores a new template. */
    create(body: unknown): ExperimentTemplate {
      const spec = normalizeTemplate(body, deps.namespace)
      const id = newId()
      if (!templates.insert(id.text, spec)) throw exists(spec.name)
      return answer(id, spec)
    },

    list(): ExperimentTemplate[] {
      return templates.list().map(read)
    },

    get(name: string): ExperimentTemplate {
      return read(required(name))
    },

    /** Replaces the whole template (the body may rename it); answers with a new id, as Submarine does. */
    patch(name: string, body: unknown): ExperimentTemplate {
      required(name)
      const spec = normalizeTemplate(body, deps.namespace)
      const id = newId()
      const outcome = templates.replace(name, id.text, spec)
      if (outcome === 'missing') throw notFound()
      if (outcome === 'taken') throw exists(spec.name)
      return answer(id, spec)
    },

    delete(name: string): ExperimentTemplate {
      const spec = templates.take(name)
      if (!spec) throw notFound()
      return read(spec)
    },

    /**
     * The experiment body that submitting `body` (`{"params": {…}}`) to template `name` makes,
     * not yet checked as an experiment: the caller creates it as any experiment is created.
     * @throws NotFoundError, ValidationError, TemplateParameterError
     */
    instantiate(name: string, body: unknown): Record<string, unknown> {
      const template = required(name)
      const values = submitParams(body)
      return substitute({ spec: template.experimentSpec, declared: template.parameters, values })
    },
  }
}
