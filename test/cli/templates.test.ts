/**
 * The compiled client's template commands against a real `periscope serve` (process
 * runtime): template create|list|get|delete with the repository's example template, and
 * submit --template NAME --param K=V, whose experiment runs to the end with those values.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type CliOptions, cliBinary, runCli } from '../helpers/cli-binary.ts'
import { type ServerProcess, spawnServer } from '../helpers/server-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const EXAMPLE = join(import.meta.dir, '../../examples/template-hello.json')

let server: ServerProcess
const dir = tempDir('periscope-cli-templates-')

beforeAll(async () => {
  await cliBinary()
  server = await spawnServer(join(dir, 'data'), ['--runtime', 'process'])
}, 120_000)

afterAll(() => server?.stop())

const cli = (args: string[], opts: CliOptions = {}) => runCli([...args, '--server', server.url], opts)

describe('template', () => {
  test('create (the example, and YAML on stdin), list, get, delete', async () => {
    expect(await cli(['template', 'create', '-f', EXAMPLE])).toEqual({
      code: 0,
      stdout: 'template hello-template created\n',
      stderr: '',
    })
    const yaml = Bun.YAML.stringify(
      { ...JSON.parse(readFileSync(EXAMPLE, 'utf8')), name: 'from-stdin', author: null },
      null,
      2,
    )
    expect(yaml).toStartWith('name: from-stdin\n')
    expect((await cli(['template', 'create', '-f', '-'], { stdin: yaml })).code).toBe(0)

    const table = (await cli(['template', 'list'])).stdout.trimEnd().split('\n')
    expect(table[0]).toMatch(/^NAME +FRAMEWORK +PARAMETERS +AUTHOR +DESCRIPTION$/)
    expect(table[1]).toMatch(
      /^hello-template +TensorFlow +experiment_name, greeting\*, seconds +periscope +TensorFlow workers that print/,
    )
    expect(table[2]).toMatch(/^from-stdin +TensorFlow +experiment_name, greeting\*, seconds +TensorFlow workers/)

    const got = (await cli(['template', 'get', 'hello-template'])).stdout
    expect(got).toMatch(/\nPARAMETER +REQUIRED +DEFAULT +DESCRIPTION\n/)
    expect(got).toMatch(/\ngreeting +yes +hello +what each worker prints\n/)
    expect(got).toMatch(/\nspec\.Worker\.replicas +no +1\n/)
    const json = JSON.parse((await cli(['template', 'get', 'hello-template', '-o', 'json'])).stdout)
    expect(json.experimentTemplateSpec.parameters[2]).toEqual({
      name: 'seconds',
      required: 'false',
      description: 'how long each worker sleeps',
      value: '2',
    })
    const listed = JSON.parse((await cli(['template', 'list', '-o', 'json'])).stdout)
    expect(listed.map((t: any) => t.experimentTemplateSpec.name)).toEqual(['hello-template', 'from-stdin'])

    // The API's 400, as the API words it.
    const again = await cli(['template', 'create', '-f', EXAMPLE])
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `periscope: ${EXAMPLE}: ExperimentTemplate "hello-template" already ` +
        'exists; PATCH /api/v1/template/hello-template to change it\n',
    })
    expect(await cli(['template', 'delete', 'from-stdin'])).toEqual({
      code: 0,
      stdout: 'template from-stdin deleted\n',
      stderr: '',
    })
    expect(await cli(['template', 'get', 'from-stdin'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'periscope: from-stdin: ExperimentTemplate not found.\n',
    })
  })

  test('submit --template --param runs the experiment the template makes, with the values given', async () => {
    const run = await cli([
      'submit',
      '--template',
      'hello-template',
      '--param',
      'greeting=hi there',
      '--param',
      'seconds=0',
      '--param',
      'spec.Worker.replicas=2',
      '--wait',
    ])
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('Succeeded'),
    })
    const id = run.stdout.trim()
    expect(id).toMatch(/^experiment-\d{13}-\d{4,}$/)
    const e = JSON.parse((await cli(['get', id, '-o', 'json'])).stdout)
    expect([e.spec.meta.name, e.spec.spec.Worker.replicas]).toEqual(['hello-from-template', 2])
    expect((await cli(['logs', id])).stdout).toBe(
      `[${id}-worker-0] ${id}-worker-0 says hi there\n[${id}-worker-1] ${id}-worker-1 says hi there\n`,
    )
  }, 60_000)

  test("the API's 4xx for a bad submission, one line; bad usage exits 2", async () => {
    const missing = await cli(['submit', '--template', 'hello-template'])
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'periscope: template hello-template: Template contains unmapped value: ' +
        '[greeting, meta.cmd:greeting, meta.envVars.GREETING:greeting]; the ' +
        'required parameters greeting must be given\n',
    })
    const illegal = await cli(['submit', '--template', 'hello-template', '--param', 'greeting=x', '--param', 'lr=1'])
    expect(illegal.stderr).toStartWith('periscope: template hello-template: Parameters contains illegal key: [lr]; ')
    const file = join(dir, 'x.json')
    writeFileSync(file, '{}')
    for (const [args, message] of [
      [
        ['submit', '--template', 'hello-template', '--param', 'nonsense'],
        'invalid --param "nonsense": expected NAME=VALUE',
      ],
      [['submit', '--template', 'hello-template', '-f', file], 'give -f FILE or --template NAME, not both'],
      [['submit', '-f', file, '--param', 'a=b'], '--param needs --template'],
      [['template', 'rename'], 'unknown command "template rename"; expected create, list, get or delete'],
    ] as const) {
      const r = await cli([...args])
      expect({ args, code: r.code, first: r.stderr.split('\n')[0] }).toEqual({
        args,
        code: 2,
        first: `periscope: ${message}`,
      })
    }
  })
})
