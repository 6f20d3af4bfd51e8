/**
 * @module
 * `periscope serve` as a real child process, for tests that kill it.
 */
import { join } from 'node:path'
import { freePort } from '../../runtimes/process/ports.ts'

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
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
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
    await Bun.sleep(50)
  }
  proc.kill('SIGKILL')
  throw new Error('periscope serve did not answer within 10 s')
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
