/**
 * The compiled client against a real `periscope serve`: environments, --help, and
 * how failures read: an unreachable server, the API's 4xx message, bad usage (exit 2).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../../runtimes/process/ports.ts'
import { type CliOptions, cliBinary, runCli } from '../helpers/cli-binary.ts'
import { type ServerProcess, spawnServer } from '../helpers/server-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'

let server: ServerProcess
const dir = tempDir('periscope-cli-')

beforeAll(async () => {
  await cliBinary()
  server = await spawnServer(join(dir, 'data'), ['--runtime', 'process'])
}, 120_000)

afterAll(() => server?.stop())

const cli = (args: string[], opts: CliOptions = {}) => runCli([...args, '--server', server.url], opts)

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('env', () => {
  test('create (YAML and JSON), list, get, delete', async () => {
    const yaml = file('env.yaml', 'name: my-env\nimage: busybox:1.36\ndescription: for tests\n')
    const created = await cli(['env', 'create', '-f', yaml])
    expect(created).toEqual({ code: 0, stdout: 'environment my-env created\n', stderr: '' })
    const json = file(
      'env2.json',
      JSON.stringify({ name: 'other-env', dockerImage: 'python:3', kernelSpec: { name: 'py3' } }),
    )
    expect((await cli(['env', 'create', '-f', json])).code).toBe(0)

    const table = (await cli(['env', 'list'])).stdout.trimEnd().split('\n')
    expect(table[0]).toMatch(/^NAME +ID +IMAGE +KERNEL +DESCRIPTION$/)
    expect(table.find((l) => l.startsWith('my-env '))).toMatch(/^my-env +environment\S+ +busybox:1\.36 +for tests$/)
    expect(table.find((l) => l.startsWith('other-env '))).toMatch(/^other-env +environment\S+ +python:3 +py3$/)

    const got = JSON.parse((await cli(['env', 'get', 'my-env', '-o', 'json'])).stdout)
    expect(got.environmentSpec).toMatchObject({ name: 'my-env', image: 'busybox:1.36', description: 'for tests' })
    expect(Bun.YAML.parse((await cli(['env', 'get', 'my-env', '-o', 'yaml'])).stdout)).toEqual(got)
    const listed = JSON.parse((await cli(['env', 'list', '-o', 'json'])).stdout)
    expect(listed.map((e: any) => e.environmentSpec.name).sort()).toEqual(['my-env', 'other-env'])

    // The API's 409, as the API words it.
    const again = await cli(['env', 'create', '-f', yaml])
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(
      `periscope: ${yaml}: Environment "my-env" already exists; PATCH /api/v1/environment/my-env to change it\n`,
    )

    expect(await cli(['env', 'delete', 'my-env'])).toEqual({
      code: 0,
      stdout: 'environment my-env deleted\n',
      stderr: '',
    })
    const gone = await cli(['env', 'get', 'my-env'])
    expect(gone).toEqual({ code: 1, stdout: '', stderr: 'periscope: my-env: Environment not found.\n' })
  })
})

describe('failures', () => {
  test('an unreachable server: one line naming it, exit 1', async () => {
    const url = `http://127.0.0.1:${freePort()}`
    for (const args of [['list'], ['get', 'x'], ['logs', 'x', '-f'], ['wait', 'x'], ['env', 'list']]) {
      const run = await runCli([...args, '--server', url])
      expect({ args, ...run }).toEqual({
        args,
        code: 1,
        stdout: '',
        stderr: `periscope: cannot reach ${url}: connection refused\n`,
      })
    }
    // PERISCOPE_SERVER is the default; the default server is named when nothing is set.
    const byEnv = await runCli(['list'], { env: { PERISCOPE_SERVER: url } })
    expect(byEnv.stderr).toBe(`periscope: cannot reach ${url}: connection refused\n`)
  })

  test("a 4xx: the API's own message, exit 1", async () => {
    const bad = file(
      'bad.json',
      JSON.stringify({ meta: { framework: 'TensorFlow' }, spec: { Worker: { replicas: 1 } } }),
    )
    const run = await cli(['submit', '-f', bad])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `periscope: ${bad}: Invalid experiment spec: meta.name is required (expected ` +
        'an object with name, framework, cmd, envVars, tags, activeDeadlineSeconds)\n',
    )
    const missing = await cli(['get', 'experiment-1000000000000-0001'])
    expect(missing.stderr).toBe('periscope: experiment-1000000000000-0001: Not found experiment.\n')
  })

  test('a spec file that cannot be read or parsed is named, exit 1', async () => {
    const missing = join(dir, 'nope.yaml')
    expect(await cli(['submit', '-f', missing])).toEqual({
      code: 1,
      stdout: '',
      stderr: `periscope: cannot read ${missing}: no such file\n`,
    })
    const broken = file('broken.json', '{"meta": {')
    const run = await cli(['submit', '-f', broken])
    expect(run.code).toBe(1)
    expect(run.stderr).toStartWith(`periscope: ${broken} is not valid JSON: `)
    const notYaml = await cli(['submit', '-f', '-'], { stdin: 'meta: [unclosed\n' })
    expect(notYaml.code).toBe(1)
    expect(notYaml.stderr).toStartWith('periscope: stdin is not valid YAML: ')
    mkdirSync(join(dir, 'a-dir'), { recursive: true })
    expect((await cli(['submit', '-f', join(dir, 'a-dir')])).stderr).toBe(
      `periscope: cannot read ${join(dir, 'a-dir')}: it is a directory\n`,
    )
  })

  test('bad usage: the problem and a hint, exit 2, nothing sent', async () => {
    const cases: [string[], string, string][] = [
      [['frobnicate'], 'unknown command "frobnicate"', 'periscope --help'],
      [['list', '--bogus'], 'unknown flag --bogus', 'periscope list --help'],
      [['list', '--limit'], '--limit needs a value', 'periscope list --help'],
      [['submit', '--wait=yes', '-f', 'x'], '--wait takes no value', 'periscope submit --help'],
      [
        ['list', '--limit', 'ten'],
        'invalid --limit "ten": expected a whole number (0 or more)',
        'periscope list --help',
      ],
      [
        ['list', '--status', 'done'],
        'invalid --status "done": expected one of Accepted, Created, Running, Succeeded, Failed',
        'periscope list --help',
      ],
      [
        ['list', '-o', 'xml'],
        'invalid --output "xml": expected one of table, wide, json, yaml',
        'periscope list --help',
      ],
      [['get'], 'missing an argument: periscope get ID [-o table|wide|json|yaml]', 'periscope get --help'],
      [['get', 'a', 'b'], 'unexpected argument "b"', 'periscope get --help'],
      [
        ['submit'],
        'missing -f FILE (the experiment spec; "-" for stdin) or --template NAME',
        'periscope submit --help',
      ],
      [['submit', '-f', 'x.json', '--timeout', '5m'], '--timeout needs --wait', 'periscope submit --help'],
      [
        ['wait', 'x', '--timeout', 'soon'],
        'invalid --timeout "soon": expected a duration such as 90s, 10m or 1h30m',
        'periscope wait --help',
      ],
      [
        ['logs', 'x', '--tail', '-1'],
        '--tail needs a value (write --tail=VALUE for one starting with "-")',
        'periscope logs --help',
      ],
      [['logs', 'x', '--tail=-1'], 'invalid --tail "-1": expected a whole number (0 or more)', 'periscope logs --help'],
      [
        ['logs', 'x', '--since', '10'],
        'invalid --since "10": expected a duration such as 90s, 10m or 1h30m',
        'periscope logs --help',
      ],
      [['delete'], 'missing an argument: periscope delete ID [ID…]', 'periscope delete --help'],
      [['env', 'frob'], 'unknown command "env frob"; expected create, list, get or delete', 'periscope env --help'],
      [['env', 'get'], 'missing an argument: periscope env get NAME [-o table|json|yaml]', 'periscope env get --help'],
      [
        ['list', '--server', 'ftp://x'],
        'invalid --server "ftp://x": expected an http:// or https:// URL',
        'periscope list --help',
      ],
    ]
    for (const [args, message, help] of cases) {
      const run = await runCli(args)
      expect({ args, ...run }).toEqual({ args, code: 2, stdout: '', stderr: `periscope: ${message}\nSee "${help}".\n` })
    }
  })
})

describe('--help', () => {
  test('periscope --help lists every command', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    for (const cmd of ['serve', 'submit', 'list', 'get', 'logs', 'wait', 'delete', 'env create|list|get|delete'])
      expect(run.stdout).toContain(`\n  periscope ${cmd} `)
  })

  test('each command has --help: its usage and flags, exit 0, no server needed', async () => {
    const commands: [string[], string[]][] = [
      [['submit'], ['--file', '--wait', '--follow', '--timeout']],
      [['list'], ['--status', '--limit', '--output']],
      [['get'], ['--output']],
      [['logs'], ['--follow', '--pod', '--tail', '--since', '--timestamps']],
      [['wait'], ['--timeout', '124']],
      [['delete'], []],
      [['env'], ['periscope env create', 'periscope env delete']],
      [['env', 'create'], ['--file']],
      [['env', 'list'], ['--output']],
      [['env', 'get'], ['--output']],
      [['env', 'delete'], []],
    ]
    for (const [words, flags] of commands) {
      const run = await runCli([...words, '--help'], { env: { PERISCOPE_SERVER: 'http://127.0.0.1:1' } })
      expect({ words, code: run.code, stderr: run.stderr }).toEqual({ words, code: 0, stderr: '' })
      expect(run.stdout).toStartWith(`Usage: periscope ${words.join(' ')} `)
      for (const flag of flags) expect(run.stdout).toContain(flag)
      if (words[0] !== 'env' || words.length > 1) expect(run.stdout).toContain('--server URL')
    }
  })
})
