/**
 * The compiled client on a pseudo-terminal (Bun's `terminal` spawn option) against a
 * real server: colour and the status line rewritten in place appear on a terminal,
 * and neither when piped, with NO_COLOR, or with -o json.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type CliOptions, cliBinary, runCli, runCliOnTty } from '../helpers/cli-binary.ts'
import { type ServerProcess, spawnServer } from '../helpers/server-process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { experimentSpec } from './cli-fixtures.ts'

let server: ServerProcess
const dir = tempDir('periscope-cli-tty-')
let succeeded = ''

const env = () => ({ PERISCOPE_SERVER: server.url })
const tty = (args: string[], opts: CliOptions = {}) => runCliOnTty(args, { ...opts, env: { ...env(), ...opts.env } })
const piped = (args: string[], opts: CliOptions = {}) => runCli(args, { ...opts, env: { ...env(), ...opts.env } })

/** A spec file whose experiment runs about `seconds`. */
function specFile(name: string, seconds: number): string {
  const path = join(dir, `${name}.json`)
  writeFileSync(path, JSON.stringify(experimentSpec(name, `echo start; sleep ${seconds}; echo done`)))
  return path
}

const GREEN_SUCCEEDED = '\x1b[32mSucceeded'
/** Back to the line's start and erase it: the status line rewritten in place. */
const REWRITE = '\r\x1b[2K'
const ESC = '\x1b'

beforeAll(async () => {
  await cliBinary()
  server = await spawnServer(join(dir, 'data'), ['--runtime', 'process'])
  const run = await piped(['submit', '-f', specFile('done', 0), '--wait'])
  expect(run.code).toBe(0)
  succeeded = run.stdout.trim()
}, 120_000)

afterAll(() => server?.stop())

test('list: coloured status on a terminal; plain when piped, with NO_COLOR, or as JSON', async () => {
  const onTty = await tty(['list'])
  expect(onTty.code).toBe(0)
  expect(onTty.output).toContain(GREEN_SUCCEEDED)
  // Colour does not break alignment: without its codes, every AGE sits under the header's.
  const lines = Bun.stripANSI(onTty.output).trimEnd().split('\r\n')
  const ageAt = lines[0]!.indexOf('AGE')
  for (const line of lines.slice(1)) expect(line.slice(ageAt)).toMatch(/^\d+s +\d+s$/)

  const plain = await piped(['list'])
  expect(plain.stdout).toContain('Succeeded')
  expect(plain.stdout).not.toContain(ESC)

  const noColor = await tty(['list'], { env: { NO_COLOR: '1' } })
  expect(noColor.output).toContain(succeeded)
  expect(noColor.output).not.toContain(ESC)

  const json = await tty(['get', succeeded, '-o', 'json'])
  expect(json.output).toContain(`"experimentId": "${succeeded}"`)
  expect(json.output).not.toContain(ESC)
}, 30_000)

test('wait: a status line rewritten in place on a terminal, then the final status', async () => {
  const id = (await piped(['submit', '-f', specFile('slow', 2.5)])).stdout.trim()
  const run = await tty(['wait', id])
  expect(run.code).toBe(0)
  // The line was drawn more than once (its clock ticks every second) and erased before the end.
  const rewrites = run.output.split(REWRITE).length - 1
  expect(rewrites).toBeGreaterThanOrEqual(3)
  expect(run.output).toContain(`${id} \x1b[33mRunning`)
  expect(run.output).toMatch(new RegExp(`\\r\\x1b\\[2K${id} \\x1b\\[32mSucceeded\\x1b\\[0m \\d+s\\r\\n$`))
}, 30_000)

test('submit --wait: no line rewritten, no colour when piped or with NO_COLOR; one line per status', async () => {
  const run = await piped(['submit', '-f', specFile('slow-piped', 1.5), '--wait'])
  expect(run.code).toBe(0)
  const id = run.stdout.trim()
  expect(run.stderr).not.toContain(ESC)
  expect(run.stderr).not.toContain('\r')
  const lines = run.stderr.trimEnd().split('\n')
  expect(lines.at(-1)).toMatch(new RegExp(`^${id} Succeeded \\d+s$`))
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${id} Running`)))
  // Each status once, in order.
  const statuses = lines.map((l) => l.split(' ')[1])
  expect(statuses).toEqual([...new Set(statuses)])

  const noColor = await tty(['submit', '-f', specFile('slow-nocolor', 1.5), '--wait'], { env: { NO_COLOR: '1' } })
  expect(noColor.code).toBe(0)
  expect(noColor.output).not.toContain(ESC)
  expect(noColor.output).toMatch(/ Succeeded \d+s\r\n$/)
}, 30_000)

test('errors: the "periscope:" label is red on a terminal only', async () => {
  const onTty = await tty(['get', 'experiment-1000000000000-0001'])
  expect(onTty.code).toBe(1)
  expect(onTty.output).toBe('\x1b[31mperiscope:\x1b[0m experiment-1000000000000-0001: Not found experiment.\r\n')
  const plain = await piped(['get', 'experiment-1000000000000-0001'])
  expect(plain.stderr).toBe('periscope: experiment-1000000000000-0001: Not found experiment.\n')
}, 30_000)
