/**
 * A finished job costs the process runtime nothing: once every replica has exited
 * and its log is stored, the run dir is marked `finished`, its control files go,
 * and neither a PATCH nor a restart brings it back to life. The working
 * directories and job.json stay until the experiment is deleted.
 */
import { expect, test } from 'bun:test'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { EXPERIMENTS, expectOk, poll, shutdown, waitForLogs, waitForStatus } from './api/fixtures.ts'
import { tempDir } from './helpers/temp-dir.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'

const body = (cmd: string) => ({
  meta: { name: 'history', framework: 'TensorFlow', cmd },
  environment: { image: 'ignored' },
  spec: { Worker: { replicas: 1 } },
})

test('a finished job is put away: marked, control files gone, not restarted by PATCH or a server restart', async () => {
  const dataDir = tempDir()
  let server: TestServer | undefined = await startTestServer({ dataDir })
  try {
    const id: string = expectOk(await server.json('POST', EXPERIMENTS, body('echo out; echo err >&2'))).experimentId
    const run = join(dataDir, 'runs', id)
    const done = (await waitForStatus(server, id, ['Succeeded', 'Failed'])).result
    expect(done.status).toBe('Succeeded')
    await poll(
      async () => existsSync(join(run, 'finished')) && !existsSync(join(run, '.replicas')),
      (ok) => ok,
      5000,
    )
    expect(existsSync(join(run, 'job.json'))).toBe(true)
    expect(existsSync(join(run, `${id}-worker-0`))).toBe(true)
    const logs = await waitForLogs(server, id)
    expect([...logs[0].podLog].sort()).toEqual(['err', 'out'])

    // A new spec for a finished job is refused (409), and nothing runs again.
    expect((await server.json('PATCH', `${EXPERIMENTS}/${id}`, body('echo again'))).http).toBe(409)
    await Bun.sleep(300) // a window in which nothing may happen: no replica starts again
    expect(existsSync(join(run, '.replicas'))).toBe(false)
    expect((await server.json('GET', `${EXPERIMENTS}/logs/${id}`)).body.result.logContent).toEqual(logs)

    // A run dir from before the marker existed is put away at the next start, with no line repeated…
    await server.stop()
    rmSync(join(run, 'finished'))
    server = await startTestServer({ dataDir })
    await poll(
      async () => existsSync(join(run, 'finished')),
      (ok) => ok,
      5000,
    )
    // …and a marked one is not even opened.
    await server.stop()
    server = await startTestServer({ dataDir })
    await Bun.sleep(300) // a window in which nothing may happen: the finished run dir stays untouched
    expect(existsSync(join(run, '.replicas'))).toBe(false)
    const again = expectOk(await server.json('GET', `${EXPERIMENTS}/${id}`))
    for (const key of ['status', 'createdTime', 'runningTime', 'finishedTime']) expect(again[key]).toEqual(done[key])
    expect((await server.json('GET', `${EXPERIMENTS}/logs/${id}`)).body.result.logContent).toEqual(logs)

    expectOk(await server.json('DELETE', `${EXPERIMENTS}/${id}`))
    expect(existsSync(run)).toBe(false)
  } finally {
    await shutdown(server)
  }
}, 30_000)
