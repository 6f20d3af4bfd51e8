/**
 * The compiled client against a real `periscope serve` (process runtime): submit from
 * JSON, YAML and stdin, --wait and wait exit codes, list/get formats, logs, delete.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { type CliOptions, cliBinary, runCli } from '../helpers/cli-binary.ts'
import { type ServerProcess, spawnServer } from '../helpers/server-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { experimentSpec, experimentYaml } from './cli-fixtures.ts'

let server: ServerProcess
const dir = tempDir('periscope-cli-')

beforeAll(async () => {
  await cliBinary()
  server = await spawnServer(join(dir, 'data'), ['--runtime', 'process', '--restart-backoff-ms', '50'])
}, 120_000)

afterAll(() => server?.stop())

/** `periscope <args>` talking to the test server through PERISCOPE_SERVER. */
const cli = (args: string[], opts: CliOptions = {}) =>
  runCli(args, { ...opts, env: { PERISCOPE_SERVER: server.url, ...opts.env } })

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const ID = /^experiment-\d{13}-\d{4,}$/

/** Submits and returns the id printed on stdout. */
async function submit(name: string, cmd: string, workers = 1): Promise<string> {
  const run = await cli(['submit', '-f', file(`${name}.json`, JSON.stringify(experimentSpec(name, cmd, workers)))])
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' })
  const id = run.stdout.trim()
  expect(id).toMatch(ID)
  return id
}

describe('submit', () => {
  test('from a JSON file with --wait: prints only the id on stdout, exits 0 when it Succeeded', async () => {
    const path = file('ok.json', JSON.stringify(experimentSpec('json-ok', 'echo from json', 2)))
    const run = await cli(['submit', '-f', path, '--wait'])
    expect(run.code).toBe(0)
    const id = run.stdout.trim()
    expect(run.stdout).toBe(`${id}\n`)
    expect(id).toMatch(ID)
    // Piped stderr: one line per status on the way (no rewriting in place), the final one last.
    expect(run.stderr).not.toContain('\x1b')
    expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^${id} Succeeded \\d+s$`))
    const got = await cli(['get', id, '-o', 'json'])
    expect(JSON.parse(got.stdout)).toMatchObject({ experimentId: id, status: 'Succeeded' })
  }, 30_000)

  test('from a YAML file, then wait: exit 0 and the final status on stdout', async () => {
    const run = await cli(['submit', '-f', file('ok.yaml', experimentYaml('yaml-ok', 'echo from yaml'))])
    expect(run.code).toBe(0)
    const id = run.stdout.trim()
    expect(id).toMatch(ID)
    const waited = await cli(['wait', id])
    expect(waited.code).toBe(0)
    expect(waited.stdout).toMatch(new RegExp(`^${id} Succeeded \\d+s\\n$`))
    const got = JSON.parse((await cli(['get', id, '-o', 'json'])).stdout)
    expect(got.spec.meta.name).toBe('yaml-ok')
    expect(got.spec.meta.cmd).toBe('echo from yaml')
  }, 30_000)

  test('from stdin (-f -), YAML or JSON', async () => {
    for (const text of [
      experimentYaml('stdin-yaml', 'echo from stdin'),
      JSON.stringify(experimentSpec('stdin-json', 'echo from stdin')),
    ]) {
      const run = await cli(['submit', '-f', '-', '--wait'], { stdin: text })
      expect({ code: run.code, stderr: run.stderr.split('\n').at(-2) }).toEqual({
        code: 0,
        stderr: expect.stringMatching(/ Succeeded \d+s$/),
      })
      const logs = await cli(['logs', run.stdout.trim()])
      expect(logs.stdout).toBe('from stdin\n')
    }
  }, 30_000)

  test('--wait exits 1 when the experiment Failed, saying so', async () => {
    const path = file('fail.json', JSON.stringify(experimentSpec('fails', 'echo about to fail; exit 3')))
    const run = await cli(['submit', '-f', path, '--wait'])
    expect(run.code).toBe(1)
    const id = run.stdout.trim()
    expect(run.stderr).toContain(`${id} Failed`)
    const waited = await cli(['wait', id])
    expect(waited.code).toBe(1)
    expect(waited.stdout).toStartWith(`${id} Failed`)
  }, 30_000)

  test('--follow prints the logs as they come and exits with the status', async () => {
    const cmd = 'echo one; sleep 1; echo two'
    const path = file('follow.json', JSON.stringify(experimentSpec('follows', cmd)))
    const run = await cli(['submit', '-f', path, '--follow'])
    expect(run.code).toBe(0)
    const [id, ...lines] = run.stdout.trimEnd().split('\n')
    expect(id).toMatch(ID)
    expect(lines).toEqual(['one', 'two'])
    expect(run.stderr).toMatch(new RegExp(`^${id} Succeeded`))
    const failing = await cli([
      'submit',
      '-f',
      file('follow-fail.json', JSON.stringify(experimentSpec('ff', 'exit 1'))),
      '--follow',
    ])
    expect(failing.code).toBe(1)
  }, 30_000)
})

describe('wait', () => {
  test('--timeout passes first: exit 124, and it took about that long', async () => {
    const id = await submit('sleeper', 'sleep 60')
    const started = Date.now()
    const run = await cli(['wait', id, '--timeout', '1s'])
    const took = Date.now() - started
    expect(run.code).toBe(124)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      new RegExp(`periscope: timed out after 1s waiting for ${id} to end \\(it is (Accepted|Created|Running)\\)\\n$`),
    )
    expect(took).toBeGreaterThanOrEqual(1000)
    expect(took).toBeLessThan(10_000)
    expect((await cli(['delete', id])).code).toBe(0)
  }, 30_000)
})

describe('list and get', () => {
  let ok = ''
  let failed = ''
  beforeAll(async () => {
    ok = await submit('list-ok', 'echo listed', 2)
    failed = await submit('list-failed', 'exit 2')
    for (const id of [ok, failed]) await cli(['wait', id])
  }, 30_000)

  test('a table with NAME, ID, FRAMEWORK, STATUS, AGE, DURATION, aligned, not coloured when piped', async () => {
    const run = await cli(['list'])
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain('\x1b')
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^NAME +ID +FRAMEWORK +STATUS +AGE +DURATION$/)
    const row = lines.find((l) => l.includes(ok))!
    expect(row).toMatch(new RegExp(`^list-ok +${ok} +TensorFlow +Succeeded +\\d+s +\\d+s$`))
    // Aligned: every row's ID starts in the header's ID column.
    const col = lines[0]!.indexOf('ID')
    for (const line of lines.slice(1)) expect(line.slice(col)).toMatch(/^experiment-/)
  })

  test('-o wide adds REPLICAS and MESSAGE', async () => {
    const lines = (await cli(['list', '-o', 'wide'])).stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^NAME +ID +FRAMEWORK +STATUS +AGE +DURATION +REPLICAS +MESSAGE$/)
    expect(lines.find((l) => l.includes(ok))).toMatch(/ Succeeded +\d+s +\d+s +Worker:2$/)
    const failedRow = lines.find((l) => l.includes(failed))!
    expect(failedRow).toMatch(/ Failed +\d+s +\d+s +Worker:1 +\S/)
  })

  test('-o json and -o yaml give the API objects, the same in both', async () => {
    const json = JSON.parse((await cli(['list', '-o', 'json'])).stdout)
    expect(Array.isArray(json)).toBe(true)
    expect(json.find((e: any) => e.experimentId === ok)).toMatchObject({ status: 'Succeeded' })
    const yaml = await cli(['list', '-o', 'yaml'])
    expect(yaml.code).toBe(0)
    expect(Bun.YAML.parse(yaml.stdout)).toEqual(json)
  })

  test('--status and --limit go to the server', async () => {
    const onlyFailed = JSON.parse((await cli(['list', '--status', 'failed', '-o', 'json'])).stdout)
    expect(onlyFailed.length).toBeGreaterThan(0)
    expect(onlyFailed.every((e: any) => e.status === 'Failed')).toBe(true)
    expect(onlyFailed.map((e: any) => e.experimentId)).toContain(failed)
    const one = await cli(['list', '--limit', '1'])
    expect(one.stdout.trimEnd().split('\n')).toHaveLength(2)
  })

  test('get shows one row, or the whole experiment as JSON or YAML', async () => {
    const table = (await cli(['get', ok])).stdout.trimEnd().split('\n')
    expect(table).toHaveLength(2)
    expect(table[1]).toMatch(new RegExp(`^list-ok +${ok} +TensorFlow +Succeeded `))
    const json = JSON.parse((await cli(['get', ok, '-o', 'json'])).stdout)
    expect(json.spec.spec.Worker.replicas).toBe(2)
    expect(Bun.YAML.parse((await cli(['get', ok, '-o', 'yaml'])).stdout)).toEqual(json)
  })
})

describe('logs', () => {
  let id = ''
  beforeAll(async () => {
    id = await submit('logs', 'for i in 1 2 3; do echo "$HOSTNAME line $i"; done', 2)
    expect((await cli(['wait', id])).code).toBe(0)
  }, 30_000)

  test('every replica, each line prefixed with its pod', async () => {
    const run = await cli(['logs', id])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(6)
    for (const pod of [`${id}-worker-0`, `${id}-worker-1`])
      expect(lines.filter((l) => l.startsWith(`[${pod}] `))).toEqual([1, 2, 3].map((i) => `[${pod}] ${pod} line ${i}`))
  })

  test('--pod picks one replica (no prefix) and --tail the last lines', async () => {
    const pod = `${id}-worker-1`
    expect((await cli(['logs', id, '--pod', pod])).stdout).toBe(`${pod} line 1\n${pod} line 2\n${pod} line 3\n`)
    expect((await cli(['logs', id, '--pod', pod, '--tail', '2'])).stdout).toBe(`${pod} line 2\n${pod} line 3\n`)
    const tailed = (await cli(['logs', id, '--tail', '1'])).stdout.trimEnd().split('\n')
    expect(tailed.sort()).toEqual([`[${id}-worker-0] ${id}-worker-0 line 3`, `[${pod}] ${pod} line 3`])
  })

  test('an unknown pod is the API message', async () => {
    const run = await cli(['logs', id, '--pod', 'nope'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      `periscope: ${id}: Experiment ${id} has no replica nope; it has ${id}-worker-0, ${id}-worker-1\n`,
    )
  })

  test('-f follows a running experiment to its end, each line once', async () => {
    const running = await submit('logs-follow', 'echo first; sleep 1.5; echo second; sleep 0.5; echo third')
    const run = await cli(['logs', running, '-f', '--tail', '10'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('first\nsecond\nthird\n')
  }, 30_000)
})

describe('delete', () => {
  test('several ids: each deleted, an unknown one reported by id, exit 1', async () => {
    const a = await submit('del-a', 'sleep 30')
    const b = await submit('del-b', 'true')
    const missing = 'experiment-1000000000000-0001'
    const run = await cli(['delete', a, missing, b])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(`${a} deleted\n${b} deleted\n`)
    expect(run.stderr).toBe(`periscope: ${missing}: Not found experiment.\n`)
    for (const id of [a, b]) {
      const got = await cli(['get', id])
      expect({ code: got.code, stderr: got.stderr }).toEqual({
        code: 1,
        stderr: `periscope: ${id}: Not found experiment.\n`,
      })
    }
    const both = await cli(['delete', await submit('del-c', 'true'), await submit('del-d', 'true')])
    expect(both.code).toBe(0)
    expect(both.stdout.trimEnd().split('\n')).toHaveLength(2)
  }, 30_000)
})

describe('stop', () => {
  test('stops a running experiment (Failed, its logs kept); a finished one is refused, exit 1', async () => {
    const running = await submit('stop-me', 'echo before-stop; sleep 60')
    await waitFor('its first line', async () => (await cli(['logs', running])).stdout.includes('before-stop'))
    const run = await cli(['stop', running])
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: `${running} stopped\n` })
    const got = JSON.parse((await cli(['get', running, '-o', 'json'])).stdout)
    expect(got.status).toBe('Failed')
    expect(got.statusMessage).toStartWith('Stopped by request at ')
    expect((await cli(['logs', running])).stdout).toContain('before-stop')
    const again = await cli(['stop', running])
    expect(again.code).toBe(1)
    expect(again.stderr).toStartWith(`periscope: ${running}: Experiment ${running} has finished: it is Failed`)
  }, 30_000)
})

describe('submit and idempotency', () => {
  test('one --idempotency-key makes one experiment of the same spec; without it each submit makes one', async () => {
    const path = file('once.json', JSON.stringify(experimentSpec('once', 'true')))
    const first = await cli(['submit', '-f', path, '--idempotency-key', 'ci-retry-1'])
    const again = await cli(['submit', '-f', path, '--idempotency-key', 'ci-retry-1'])
    expect(first.code).toBe(0)
    expect(again.stdout).toBe(first.stdout)
    const fresh = await cli(['submit', '-f', path])
    expect(fresh.code).toBe(0)
    expect(fresh.stdout).not.toBe(first.stdout)
  }, 30_000)
})
