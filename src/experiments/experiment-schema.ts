/**
 * @module
 * The shape of an experiment spec in a request body (JSON or YAML), as valibot
 * schemas. Structure only; `normalize-spec.ts` checks meaning (framework, task
 * types, resources) and fills defaults.
 */
import * as v from 'valibot'

const text = v.string('expected a string')
/** valibot's object and record schemas take arrays too; a list where an object belongs is an error. */
function notList<S extends v.GenericSchema>(schema: S) {
  return v.pipe(
    v.custom<unknown>((x) => !Array.isArray(x), 'expected an object, not a list'),
    schema,
  )
}
/**
 * An object of `key: value` entries, like `v.record`, keeping every key. valibot's record
 * drops `__proto__`, `constructor` and `prototype` without a word; here they are ordinary
 * keys (own properties of the output), accepted or refused like any other.
 */
function ownRecord<K extends v.GenericSchema<string, string>, V extends v.GenericSchema>(
  key: K,
  value: V,
  message: string,
) {
  return v.pipe(
    v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), message),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const input = dataset.value
      const entries: Array<[string, v.InferOutput<V>]> = []
      for (const k of Object.keys(input)) {
        const path = (issueKey: string): [v.IssuePathItem] => [
          { type: 'object', origin: 'value', input, key: issueKey, value: input[k] },
        ]
        const parsedKey = v.safeParse(key, k)
        if (!parsedKey.success) addIssue({ message: parsedKey.issues[0].message, input: k, path: path(k) })
        const parsedValue = v.safeParse(value, input[k])
        if (!parsedValue.success) {
          for (const issue of parsedValue.issues)
            addIssue({
              message: issue.message,
              input: issue.input,
              expected: issue.expected ?? undefined,
              path: [...path(k), ...(issue.path ?? [])] as [v.IssuePathItem, ...v.IssuePathItem[]],
            })
        } else entries.push([k, parsedValue.output])
      }
      return dataset.issues ? NEVER : (Object.fromEntries(entries) as Record<string, v.InferOutput<V>>)
    }),
    // No effect on parsing: tells `src/openapi/json-schema.ts` the shape the checks above accept.
    v.metadata({ ownRecord: { key, value } }),
  )
}
const optionalText = v.nullish(text)
/** Env values: strings, or scalars written as strings (as Submarine's Jackson does). */
const envVars = v.nullish(
  notList(
    ownRecord(
      v.pipe(text, v.regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected an environment variable name')),
      v.pipe(v.union([text, v.number(), v.boolean()], 'expected a string value'), v.transform(String)),
      'expected an object of NAME: value pairs',
    ),
  ),
)
const replicas = v.union(
  [
    v.pipe(v.number(), v.integer('expected a whole number')),
    v.pipe(text, v.regex(/^\d+$/, 'expected a whole number'), v.transform(Number)),
  ],
  'expected a whole number of replicas',
)

/** Largest `meta.activeDeadlineSeconds`: 2^31 - 1 (68 years; the CRD's field is an int64). */
export const MAX_DEADLINE_SECONDS = 2_147_483_647
const deadlineSeconds = v.pipe(
  v.number('expected a positive whole number of seconds'),
  v.integer('expected a positive whole number of seconds'),
  v.minValue(1, 'expected a positive whole number of seconds'),
  v.maxValue(MAX_DEADLINE_SECONDS, `expected at most ${MAX_DEADLINE_SECONDS} seconds`),
)

export const TaskInput = notList(
  v.strictObject(
    {
      replicas: v.nullish(replicas),
      resources: optionalText,
      name: optionalText,
      image: optionalText,
      cmd: optionalText,
      envVars,
      /** Derived on output; accepted and ignored so a GET result can be sent back. */
      resourceMap: v.nullish(v.unknown()),
    },
    'expected an object with replicas, resources, image, cmd, envVars',
  ),
)

export const MetaInput = notList(
  v.strictObject(
    {
      experimentId: v.nullish(v.unknown()),
      name: v.pipe(text, v.trim(), v.nonEmpty('must not be empty'), v.maxLength(253, 'must be at most 253 characters')),
      namespace: optionalText,
      framework: v.pipe(text, v.nonEmpty('must not be empty')),
      cmd: optionalText,
      envVars,
      tags: v.nullish(v.array(text, 'expected a list of strings')),
      activeDeadlineSeconds: v.nullish(deadlineSeconds),
    },
    'expected an object with name, framework, cmd, envVars, tags, activeDeadlineSeconds',
  ),
)

const KernelInput = notList(
  v.strictObject(
    {
      name: optionalText,
      channels: v.nullish(v.array(text, 'expected a list of strings')),
      condaDependencies: v.nullish(v.array(text, 'expected a list of strings')),
      pipDependencies: v.nullish(v.array(text, 'expected a list of strings')),
    },
    'expected an object with name, channels, condaDependencies, pipDependencies',
  ),
)

export const EnvironmentInput = notList(
  v.strictObject(
    {
      name: optionalText,
      dockerImage: optionalText,
      kernelSpec: v.nullish(KernelInput),
      description: optionalText,
      image: optionalText,
    },
    'expected an object with name, dockerImage, kernelSpec, description, image',
  ),
)

const CodeInput = notList(
  v.strictObject(
    {
      syncMode: optionalText,
      git: v.nullish(
        notList(
          v.strictObject(
            {
              url: v.pipe(text, v.nonEmpty('must not be empty')),
              branch: optionalText,
              username: optionalText,
              password: optionalText,
              trustCerts: v.nullish(v.boolean('expected true or false')),
            },
            'expected an object with url, branch, username, password, trustCerts',
          ),
        ),
      ),
    },
    'expected an object with syncMode and git',
  ),
)

export const ExperimentInput = notList(
  v.strictObject(
    {
      meta: MetaInput,
      environment: v.nullish(EnvironmentInput),
      spec: notList(ownRecord(text, TaskInput, 'is required: an object mapping task types (e.g. Ps, Worker) to tasks')),
      /** Submarine 0.8's prehandler settings: accepted (a map of strings) and not acted on. */
      experimentHandlerSpec: v.nullish(
        notList(
          ownRecord(
            text,
            v.pipe(v.union([text, v.number(), v.boolean()], 'expected a string value'), v.transform(String)),
            'expected an object of NAME: value pairs',
          ),
        ),
      ),
      code: v.nullish(CodeInput),
    },
    'expected an object with meta, environment, spec, experimentHandlerSpec, code',
  ),
)

export type ExperimentInput = v.InferOutput<typeof ExperimentInput>
export type TaskInput = v.InferOutput<typeof TaskInput>
