/**
 * @module
 * `periscope serve` as a child process on a free loopback port, for figures measured over
 * real sockets (the bench process is then only the client).
 */
import { join } from 'node:path'
import { freePort } from '../../runtimes/process/ports.ts'
import { waitFor } from '../../runtimes/testing/wait-for.ts'

/** A running `periscope serve`. */
export interface ChildServer {
  url: string
  stop(): Promise<void>
}

/** Starts `bun src/main.ts serve --data-dir <dataDir> <args>` and waits for `/healthz`. */
export async function startChildServer(
  dataDir: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ChildServer> {
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
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdout: 'ignore', stderr: 'ignore' },
  )
  const up = () =>
    fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
  await waitFor('periscope serve to answer /healthz', up, 20_000, 20)
  return {
    url,
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}
