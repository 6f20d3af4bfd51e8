/**
 * @module
 * The shape of a template in a request body (Submarine's `ExperimentTemplateSpec`), as
 * valibot schemas. The experiment spec inside is checked for shape only: its values may
 * hold `{{placeholders}}`, and meaning is checked when an experiment is made from it.
 */
import * as v from 'valibot'
import { ExperimentInput } from '../experiments/experiment-schema.ts'
import { MAX_TEMPLATE_NAME } from './template.ts'

const text = v.string('expected a string')
/** Numbers and true/false written as text, as Submarine's Jackson does (`0.1` → `"0.1"`). */
const scalarText = v.pipe(
  v.union([text, v.number(), v.boolean()], 'expected a string, a number or true/false'),
  v.transform(String),
)

export const ParamInput = v.strictObject(
  {
    name: v.pipe(text, v.trim(), v.nonEmpty('must not be empty')),
    required: v.nullish(scalarText),
    description: v.nullish(scalarText),
    value: v.nullish(scalarText),
  },
  'expected an object with name, required, description, value',
)

const params = v.nullish(v.array(ParamInput, 'expected a list of parameters'))

export const TemplateInput = v.strictObject(
  {
    name: v.pipe(
      text,
      v.trim(),
      v.nonEmpty('must not be empty'),
      v.maxLength(MAX_TEMPLATE_NAME, `must be at most ${MAX_TEMPLATE_NAME} characters`),
      v.regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it is used in URLs)',
      ),
    ),
    author: v.nullish(text),
    description: v.nullish(text),
    parameters: params,
    /** Submarine's other name for `parameters`. */
    experimentTemplateParamSpec: params,
    experimentSpec: ExperimentInput,
  },
  'expected an object with name, author, description, parameters, experimentSpec',
)

export type TemplateInput = v.InferOutput<typeof TemplateInput>

/**
 * The body of a submission, for the OpenAPI document (`submit-params.ts` reads it, so that
 * parameter names stay data and each mistake is named).
 */
export const TemplateSubmitInput = v.strictObject(
  {
    name: v.pipe(v.nullish(text), v.description('Ignored: the path names the template')),
    params: v.pipe(
      v.record(text, v.union([text, v.number(), v.boolean()])),
      v.description('Values by parameter name; numbers and true/false are taken as text'),
    ),
  },
  'expected an object with params',
)
