/**
 * @module
 * Experiment templates as the API shows them (Submarine 0.8's `ExperimentTemplate`):
 * a named experiment spec with `{{placeholders}}` and the parameters that fill them.
 */
import type { ExperimentSpec, TaskSpec } from '../experiments/experiment.ts'

/** One declared parameter. Every field is text, as Submarine writes them. */
export interface TemplateParam {
  name: string
  /** `"true"` or `"false"` (the web UI compares with the string `"true"`). */
  required: 'true' | 'false'
  description: string | null
  /** The default, used when the parameter is not required and not submitted. */
  value: string | null
}

/**
 * A template's experiment spec, written out like an experiment's but unsubstituted:
 * placeholders kept, task keys as given, nothing checked beyond its shape.
 */
export interface TemplateExperimentSpec extends Omit<ExperimentSpec, 'spec'> {
  spec: Record<string, TaskSpec>
}

export interface ExperimentTemplateSpec {
  name: string
  author: string | null
  description: string | null
  /** As declared, then three per task (`spec.<Task>.replicas`, `….resourceMap.cpu`, `….resourceMap.memory`). */
  parameters: TemplateParam[]
  experimentSpec: TemplateExperimentSpec
}

/** Submarine's template id, which (unlike its other ids) it writes as an object. */
export interface TemplateId {
  id: number
  /** The server's start time, epoch milliseconds. */
  serverTimestamp: number
}

/** The API's template object; the id is set only in create and patch answers, as Submarine does. */
export interface ExperimentTemplate {
  experimentTemplateId: TemplateId | null
  experimentTemplateSpec: ExperimentTemplateSpec
}

/** Longest template name (Submarine's column is `varchar(32)`). */
export const MAX_TEMPLATE_NAME = 32
