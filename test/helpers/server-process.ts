/**
 * @module
 * `periscope serve` as a real child process, for tests that kill it and for the benches.
 */
import { join } from 'node:path'
import { freePort } from '../../runtimes/process/ports.ts'
import { waitFor } from '../../runtimes/testing/wait-for.ts'

export interface ServerProcess {
  url: string
  proc: ReturnType<typeof Bun.spawn>
  /** SIGKILL, no clean-up: what a crash looks like. */
  crash(): Promise<void>
  stop(): Promise<void>
}

/** Starts `bun src/main.ts serve` on a free port and waits until it answers. */
export async function spawnServer(
  dataDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const proc = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, '../../src/main.ts'),
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...args,
    ],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdout: 'ignore',
      stderr: 'ignore',
    },
  )
  const up = () =>
    fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
  await waitFor('periscope serve to answer /healthz', up, 20_000, 20).catch((err) => {
    proc.kill('SIGKILL')
    throw err
  })
  return {
    url,
    proc,
    async crash() {
      proc.kill('SIGKILL')
      await proc.exited
    },
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}

/** POSTs an experiment spec as JSON; resolves with the parsed envelope. */
export function postExperiment(url: string, body: unknown): Promise<any> {
  return fetch(`${url}/api/v1/experiment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json())
}

/** GETs `path`; resolves with the parsed envelope. */
export function getJson(url: string, path: string): Promise<any> {
  return fetch(`${url}${path}`).then((r) => r.json())
}
