/**
 * @module
 * The body of `POST /api/v1/experiment/{templateName}` (Submarine's `ExperimentTemplateSubmit`,
 * `{"name": …, "params": {…}}`) read into the values to substitute. Pure.
 */
import { ValidationError } from '../errors.ts'

const invalid = (message: string) => new ValidationError(`Invalid ExperimentTemplateSubmit spec: ${message}`)

/**
 * The submitted values by parameter name. `name` is ignored (the path names the template);
 * numbers and true/false are taken as text (Submarine's own tests send `0.2`).
 * @throws ValidationError (400): Submarine answers an empty body or one without `params` with a bare 500
 */
export function submitParams(body: unknown): Map<string, string> {
  if (body === null || body === undefined) throw new ValidationError('Invalid ExperimentTemplateSubmit spec.')
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalid('expected a JSON or YAML object such as {"params": {"learning_rate": "0.01"}}')
  for (const key of Object.keys(body))
    if (key !== 'name' && key !== 'params') throw invalid(`${key} is not a known field (expected name and params)`)
  if (!Object.hasOwn(body, 'params') || (body as { params: unknown }).params == null)
    throw invalid('params is required (an object of parameter name: value, e.g. {"params": {"learning_rate": "0.01"}})')
  const params = (body as { params: unknown }).params
  if (typeof params !== 'object' || Array.isArray(params))
    throw invalid('params: expected an object of parameter name: value, not a list or a single value')
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      throw invalid(
        `params.${key}: expected a string, a number or true/false, got ${value === null ? 'null' : typeof value}`,
      )
    out.set(key, String(value))
  }
  return out
}
