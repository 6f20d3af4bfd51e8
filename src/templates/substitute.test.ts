/**
 * Submarine 0.8's template rules (submarine-templates.md), one row each: create's appended
 * parameters and dry run, then submissions, each rule and error message in its order.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../errors.ts'
import { flatten, unflatten } from './flatten.ts'
import { normalizeTemplate } from './normalize-template.ts'
import { submitParams } from './submit-params.ts'
import { substitute } from './substitute.ts'

const DOCS_TEMPLATE = JSON.parse(
  readFileSync(join(import.meta.dir, '../../test/fixtures/templates/my-tf-mnist-template.json'), 'utf8'),
)

/** A template body: one Worker running `cmd`, with `parameters` declared. */
function template(cmd: string, parameters: object[], task: object = { replicas: 1, resources: 'cpu=1,memory=64M' }) {
  return {
    name: 't',
    parameters,
    experimentSpec: {
      meta: { name: 'job', framework: 'TensorFlow', cmd },
      environment: { image: 'busybox:1.36' },
      spec: { Worker: task },
    },
  }
}

/** What submitting `params` to `body` makes, or the error's message. */
function submit(body: object, params: object): any {
  const t = normalizeTemplate(body, 'default')
  try {
    return substitute({ spec: t.experimentSpec, declared: t.parameters, values: submitParams({ params }) })
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, reason: err.reason, message: err.message }
    throw err
  }
}

/** The error creating `body` makes, or null. */
function createError(body: object): { status: number; reason: string; message: string } | null {
  try {
    normalizeTemplate(body, 'default')
    return null
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, reason: err.reason, message: err.message }
    throw err
  }
}

describe('create', () => {
  test("the docs page's template: parameters as text, three appended per task in task order", () => {
    const t = normalizeTemplate(DOCS_TEMPLATE, 'default')
    expect(t.parameters.map((p) => [p.name, p.value, p.required, p.description])).toEqual([
      ['learning_rate', '0.1', 'true', 'The parameter of train mnist.'],
      ['batch_size', '150', 'true', 'The parameter of train mnist.'],
      ['experiment_name', 'tf-mnist1', 'true', 'experiment name'],
      ['spec.Ps.replicas', '1', 'false', ''],
      ['spec.Ps.resourceMap.cpu', '1', 'false', ''],
      ['spec.Ps.resourceMap.memory', '1024M', 'false', ''],
      ['spec.Worker.replicas', '1', 'false', ''],
      ['spec.Worker.resourceMap.cpu', '1', 'false', ''],
      ['spec.Worker.resourceMap.memory', '1024M', 'false', ''],
    ])
  })

  test('the experiment spec is kept unsubstituted, written out like an experiment spec', () => {
    const t = normalizeTemplate(DOCS_TEMPLATE, 'team-a')
    expect(t.experimentSpec.meta).toEqual({
      experimentId: null,
      name: '{{experiment_name}}',
      namespace: 'team-a',
      framework: 'TensorFlow',
      cmd: DOCS_TEMPLATE.experimentSpec.meta.cmd,
      envVars: { ENV1: 'ENV1' },
      tags: [],
    })
    expect(Object.keys(t.experimentSpec)).toEqual(['meta', 'environment', 'spec', 'experimentHandlerSpec', 'code'])
    expect(t.experimentSpec.spec.Ps).toEqual({
      replicas: 1,
      resources: 'cpu=1,memory=1024M',
      name: null,
      image: null,
      cmd: null,
      envVars: null,
      resourceMap: { memory: '1024M', cpu: '1' },
    })
  })

  test('defaults of a task without cpu or memory are "1"; `required` is true only for "true" in any case', () => {
    const t = normalizeTemplate(
      template(
        'echo {{a}} {{b}} {{c}}',
        [
          { name: 'a', value: 'x', required: 'TRUE' },
          { name: 'b', value: 'y', required: 'yes' },
          { name: 'c', value: false },
        ],
        { replicas: 2 },
      ),
      'default',
    )
    expect(t.parameters.map((p) => [p.name, p.value, p.required])).toEqual([
      ['a', 'x', 'true'],
      ['b', 'y', 'false'],
      ['c', 'false', 'false'],
      ['spec.Worker.replicas', '2', 'false'],
      ['spec.Worker.resourceMap.cpu', '1', 'false'],
      ['spec.Worker.resourceMap.memory', '1', 'false'],
    ])
  })

  test('experimentTemplateParamSpec is another name for parameters; the answer says parameters', () => {
    const body = {
      ...template('echo {{a}}', []),
      parameters: undefined,
      experimentTemplateParamSpec: [{ name: 'a', value: '1' }],
    }
    expect(normalizeTemplate(body, 'default').parameters[0]).toEqual({
      name: 'a',
      required: 'false',
      description: null,
      value: '1',
    })
  })

  test('a template read back and sent again does not pile up appended parameters; they follow the spec', () => {
    const first = normalizeTemplate(DOCS_TEMPLATE, 'default')
    const again = structuredClone(first) as any
    again.experimentSpec.spec.Worker.replicas = 3
    const second = normalizeTemplate(again, 'default')
    expect(second.parameters.map((p) => p.name)).toEqual(first.parameters.map((p) => p.name))
    expect(second.parameters.find((p) => p.name === 'spec.Worker.replicas')?.value).toBe('3')
  })

  const cases: Array<[string, object, { status: number; reason: string; message: string | RegExp } | null]> = [
    ['the docs page’s template', DOCS_TEMPLATE, null],
    ['an empty body', {}, { status: 400, reason: 'INVALID_SPEC', message: 'Invalid experimentTemplate spec.' }],
    [
      'a declared parameter used nowhere (unused)',
      template('echo hi', [{ name: 'lr', value: '0.1' }]),
      { status: 400, reason: 'TEMPLATE_PARAMETERS', message: /^Parameters contains unused key: \[lr\]; / },
    ],
    [
      'a {{x}} with no declared x (unmapped, named by its path)',
      template('echo {{x}}', []),
      { status: 400, reason: 'TEMPLATE_PARAMETERS', message: /^Template contains unmapped value: \[meta\.cmd:x\]; / },
    ],
    [
      'unused is reported before unmapped',
      template('echo {{x}}', [{ name: 'lr', value: '0.1' }]),
      { status: 400, reason: 'TEMPLATE_PARAMETERS', message: /^Parameters contains unused key: \[lr\]/ },
    ],
    [
      'defaults that make no experiment spec (mapping fail)',
      {
        ...template('echo hi', [{ name: 'code.git.trustCerts', value: 'maybe' }]),
        experimentSpec: {
          ...template('echo hi', []).experimentSpec,
          code: { git: { url: 'https://example.com/x.git', trustCerts: true } },
        },
      },
      {
        status: 400,
        reason: 'TEMPLATE_PARAMETERS',
        message: /^Template mapping fail: code\.git\.trustCerts: expected true or false/,
      },
    ],
    [
      'a name over 32 characters',
      { ...template('echo hi', []), name: 'x'.repeat(33) },
      {
        status: 400,
        reason: 'INVALID_SPEC',
        message: /^Invalid experimentTemplate spec: name: must be at most 32 characters/,
      },
    ],
    [
      'a parameter declared twice',
      template('echo {{a}}', [{ name: 'a' }, { name: 'a' }]),
      {
        status: 400,
        reason: 'INVALID_SPEC',
        message: 'Invalid experimentTemplate spec: parameters[1].name: "a" is declared twice',
      },
    ],
    [
      'an unknown field',
      { ...template('echo hi', []), owner: 'me' },
      { status: 400, reason: 'INVALID_SPEC', message: /^Invalid experimentTemplate spec: owner is not a known field/ },
    ],
    [
      'an experiment spec without meta',
      { name: 't', experimentSpec: { spec: {} } },
      {
        status: 400,
        reason: 'INVALID_SPEC',
        message: /^Invalid experimentTemplate spec: experimentSpec\.meta is required/,
      },
    ],
  ]
  for (const [what, body, expected] of cases) {
    test(`refuses ${what}`.replace(/^refuses the docs/, 'takes the docs'), () => {
      const got = createError(body)
      if (expected === null) return expect(got).toBeNull()
      expect(got).toMatchObject({ status: expected.status, reason: expected.reason })
      if (typeof expected.message === 'string') expect(got!.message).toBe(expected.message)
      else expect(got!.message).toMatch(expected.message)
    })
  }
})

describe('submission', () => {
  test("the docs page's submission: name and cmd substituted", () => {
    const out = submit(DOCS_TEMPLATE, { learning_rate: '0.01', batch_size: '150', experiment_name: 'newexperiment1' })
    expect(out.meta.name).toBe('newexperiment1')
    expect(out.meta.cmd.endsWith('--learning_rate=0.01 --batch_size=150')).toBe(true)
    expect(out.spec.Ps.resources).toBe('cpu=1,memory=1024M')
  })

  test("Submarine's own test: numbers as text, a parameter not required takes its default", () => {
    const body = structuredClone(DOCS_TEMPLATE)
    body.parameters[1].required = false
    const out = submit(body, { experiment_name: 'new-test', learning_rate: 0.2 })
    expect(out.meta.name).toBe('new-test')
    expect(out.meta.cmd).toEndWith('--learning_rate=0.2 --batch_size=150')
  })

  const rows: Array<[string, object, object, (out: any) => void]> = [
    [
      'a key not declared is illegal, before anything else',
      DOCS_TEMPLATE,
      { learning_rate: '1', batch_size: '1', experiment_name: 'e', nope: '1', other: '2' },
      (out) => {
        expect(out.reason).toBe('TEMPLATE_PARAMETERS')
        expect(out.message).toStartWith(
          'Parameters contains illegal key: [nope, other]; the template declares learning_rate, ',
        )
      },
    ],
    [
      'a required parameter must be given even with a default (unmapped, and so is its placeholder)',
      DOCS_TEMPLATE,
      { learning_rate: '1', experiment_name: 'e' },
      (out) =>
        expect(out.message).toBe(
          'Template contains unmapped value: [batch_size, meta.cmd:batch_size]; ' +
            'the required parameters batch_size must be given',
        ),
    ],
    [
      'spec.<Task>.replicas scales that task',
      DOCS_TEMPLATE,
      { learning_rate: '1', batch_size: '1', experiment_name: 'e', 'spec.Worker.replicas': '3' },
      (out) => expect([out.spec.Worker.replicas, out.spec.Ps.replicas]).toEqual(['3', '1']),
    ],
    [
      'spec.<Task>.resourceMap.cpu and .memory rebuild its resources',
      DOCS_TEMPLATE,
      {
        learning_rate: '1',
        batch_size: '1',
        experiment_name: 'e',
        'spec.Ps.resourceMap.memory': '2G',
        'spec.Ps.resourceMap.cpu': '0.5',
      },
      (out) =>
        expect([out.spec.Ps.resources, out.spec.Worker.resources]).toEqual(['cpu=0.5,memory=2G', 'cpu=1,memory=1024M']),
    ],
    [
      'a value for the placeholder at one path (`<path>:x`) wins over `x` there',
      {
        ...template('echo {{x}}', [
          { name: 'x', value: 'plain' },
          { name: 'meta.cmd:x', value: 'at-cmd' },
        ]),
        experimentSpec: {
          meta: { name: 'job-{{x}}', framework: 'TensorFlow', cmd: 'echo {{x}}' },
          environment: { image: 'busybox:1.36' },
          spec: { Worker: { replicas: 1 } },
        },
      },
      {},
      (out) => expect([out.meta.cmd, out.meta.name]).toEqual(['echo at-cmd', 'job-plain']),
    ],
    [
      'a parameter named after a path replaces the whole value where no placeholder was replaced',
      template('echo hi', [{ name: 'meta.cmd', value: 'echo default' }]),
      { 'meta.cmd': 'echo replaced' },
      (out) => expect(out.meta.cmd).toBe('echo replaced'),
    ],
    [
      'placeholders anywhere: env values, the image, tags, several in one value',
      {
        name: 't',
        parameters: [
          { name: 'who', value: 'w' },
          { name: 'img', value: 'busybox' },
        ],
        experimentSpec: {
          meta: {
            name: 'job-{{who}}',
            framework: 'TensorFlow',
            cmd: 'echo {{who}} {{who}}',
            envVars: { 'A.B': '{{who}}' },
            tags: ['{{who}}'],
          },
          environment: { image: '{{img}}:1.36' },
          spec: { Worker: { replicas: 1 } },
        },
      },
      { who: 'me' },
      (out) => {
        expect(out.meta).toMatchObject({ name: 'job-me', cmd: 'echo me me', envVars: { 'A.B': 'me' }, tags: ['me'] })
        expect(out.environment.image).toBe('busybox:1.36')
      },
    ],
    [
      'a GPU item is kept through substitution (Submarine drops it)',
      template('echo hi', [], { replicas: 1, resources: 'cpu=2,memory=1G,nvidia.com/gpu=1' }),
      { 'spec.Worker.resourceMap.cpu': '4' },
      (out) => expect(out.spec.Worker.resources).toBe('cpu=4,memory=1G,nvidia.com/gpu=1'),
    ],
    [
      'a task without memory gets none (not the appended default "1", one byte)',
      template('echo hi', [], { replicas: 1, resources: 'cpu=2' }),
      {},
      (out) => expect(out.spec.Worker.resources).toBe('cpu=2'),
    ],
    [
      'a result that is no experiment spec is a mapping fail',
      DOCS_TEMPLATE,
      { learning_rate: '1', batch_size: '1', experiment_name: 'e', 'spec.Worker.replicas': 'three' },
      (out) =>
        expect(out.message).toBe('Template mapping fail: spec.Worker.replicas: expected a whole number of replicas'),
    ],
  ]
  for (const [what, body, params, check] of rows) test(what, () => check(submit(body, params)))

  const badBodies: Array<[unknown, string]> = [
    [null, 'Invalid ExperimentTemplateSubmit spec.'],
    [{ name: 'x' }, 'Invalid ExperimentTemplateSubmit spec: params is required'],
    [{ params: ['a'] }, 'Invalid ExperimentTemplateSubmit spec: params: expected an object'],
    [
      { params: { a: null } },
      'Invalid ExperimentTemplateSubmit spec: params.a: expected a string, a number or true/false, got null',
    ],
    [{ param: {} }, 'Invalid ExperimentTemplateSubmit spec: param is not a known field'],
    [[], 'Invalid ExperimentTemplateSubmit spec: expected a JSON or YAML object'],
  ]
  for (const [body, message] of badBodies)
    test(`the submit body ${JSON.stringify(body)} is a 400 saying so`, () => {
      expect(() => submitParams(body)).toThrow(message)
    })

  test('`__proto__` as a parameter name is data, like any name', () => {
    const body = template('echo {{__proto__}}', [{ name: '__proto__', value: 'd' }])
    expect(submit(body, JSON.parse('{"__proto__": "given"}')).meta.cmd).toBe('echo given')
  })
})

describe('flatten', () => {
  const rows: Array<[unknown, Array<[string, unknown]>]> = [
    [
      { meta: { cmd: 'x', tags: [] } },
      [
        ['meta.cmd', 'x'],
        ['meta.tags', []],
      ],
    ],
    [{ a: { 'nvidia.com/gpu': '1' } }, [['a["nvidia.com/gpu"]', '1']]],
    [
      { a: [1, { b: true }], c: null, d: {} },
      [
        ['a[0]', 1],
        ['a[1].b', true],
        ['d', {}],
      ],
    ],
  ]
  for (const [value, flat] of rows)
    test(`${JSON.stringify(value)} ↔ ${flat.map(([p]) => p).join(', ')}`, () => {
      const entries = flatten(value)
      expect(entries.map((e): [string, unknown] => [e.path, e.value])).toEqual(flat)
      const back = JSON.parse(JSON.stringify(value, (_k, v) => (v === null ? undefined : v)))
      expect(unflatten(entries)).toEqual(back)
    })
})
