/**
 * @module
 * The compiled `periscope` binary as a client: built once per test run into a temp
 * path (or taken from `$PERISCOPE_TEST_BINARY`, to reuse one build while iterating),
 * run as a subprocess with piped streams or on a pseudo-terminal.
 */
import { join } from 'node:path'
import { tempDir } from './temp-dir.ts'

let built: Promise<string> | undefined

/** The path of the compiled binary, building it the first time. */
export function cliBinary(): Promise<string> {
  built ??= (async () => {
    const given = process.env.PERISCOPE_TEST_BINARY
    if (given) return given
    const binary = join(tempDir('periscope-cli-dist-'), 'periscope')
    const build = Bun.spawn([process.execPath, 'scripts/build.ts', binary], {
      cwd: join(import.meta.dir, '../..'),
      stdout: 'pipe',
      stderr: 'pipe',
    })
    if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`)
    return binary
  })()
  return built
}

/** What a run printed and how it ended. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export interface CliOptions {
  /** Extra environment (the child gets only PATH, HOME and these). */
  env?: Record<string, string>
  stdin?: string
  timeoutMs?: number
}

/** A clean environment: nothing from the test's own (no NO_COLOR, PERISCOPE_SERVER, TERM). */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('periscope-cli-home-'), ...extra }
}

/** Runs `periscope <args>` with stdout and stderr piped. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const proc = Bun.spawn([await cliBinary(), ...args], {
    env: childEnv(opts.env),
    stdin: opts.stdin === undefined ? 'ignore' : new Blob([opts.stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** What a run on a terminal printed (stdout and stderr share it, as on a real one). */
export interface TtyRun {
  code: number
  output: string
}

/** Runs `periscope <args>` on a pseudo-terminal (Bun's `terminal` spawn option). */
export async function runCliOnTty(args: string[], opts: CliOptions = {}): Promise<TtyRun> {
  const decoder = new TextDecoder()
  let output = ''
  let closed!: () => void
  const eof = new Promise<void>((resolve) => (closed = resolve))
  const proc = Bun.spawn([await cliBinary(), ...args], {
    env: childEnv({ TERM: 'xterm-256color', ...opts.env }),
    terminal: {
      cols: 200,
      rows: 40,
      data: (_t, bytes) => {
        output += decoder.decode(bytes, { stream: true })
      },
      exit: () => closed(),
    },
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
  const code = await proc.exited
  // The terminal may still hold output the child wrote just before it exited.
  await eof
  clearTimeout(timer)
  proc.terminal?.close()
  return { code, output }
}
