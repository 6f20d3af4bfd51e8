/**
 * Retention on a real server (SQLite file, process runtime, real sockets for streams):
 * finished experiments beyond the count or the age go with their logs, events and run
 * dirs; unfinished ones stay whatever their age; a pass runs at start and every interval;
 * a log over the size limit keeps its end behind one cut line, and a follow from a cursor
 * inside the dropped part goes on from the first kept line.
 */
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { create, EXPERIMENTS, shutdown, singleBody, waitForStatus } from './api/fixtures.ts'
import { openStream } from './helpers/stream-client.ts'
import { tempDir } from './helpers/temp-dir.ts'
import { startTestServer, type TestServer, type TestServerOptions } from './helpers/test-server.ts'

const NDJSON = { accept: 'application/x-ndjson' }
let servers: TestServer[] = []
afterEach(async () => {
  for (const s of servers) await shutdown(s)
  servers = []
})

async function start(opts: TestServerOptions): Promise<TestServer> {
  const server = await startTestServer({ heartbeatMs: 100, ...opts })
  servers.push(server)
  return server
}
async function stopServer(server: TestServer): Promise<void> {
  servers = servers.filter((s) => s !== server)
  await server.stop()
}

/** Creates an experiment running `cmd` and waits until it has finished. */
async function finished(server: TestServer, name: string, cmd = `echo ${name}-output`): Promise<string> {
  const id = (await create(server, singleBody(name, cmd))).experimentId
  await waitForStatus(server, id, ['Succeeded', 'Failed'], 20_000)
  return id
}
const status = async (server: TestServer, id: string) => (await server.json('GET', `${EXPERIMENTS}/${id}`)).http
const gone = (server: TestServer, id: string) => async () => (await status(server, id)) === 404
const logLines = async (server: TestServer, id: string): Promise<string[]> => {
  const res = await server.json('GET', `${EXPERIMENTS}/logs/${id}`)
  return res.http === 200 ? res.body.result.logContent.flatMap((p: any) => p.podLog) : []
}

/** The stored events of an experiment, read from the event stream until its first heartbeat. */
async function eventsOf(server: TestServer, id: string): Promise<any[]> {
  const s = await openStream(`${server.url}${EXPERIMENTS}/events?experimentId=${id}`, NDJSON)
  await s.until('the first heartbeat', (frames) => frames.some((f) => f.kind === 'heartbeat'))
  s.close()
  return s.records()
}

/** What a user checks of a removed experiment: 404, no logs, no events, no run dir. */
async function expectRemoved(server: TestServer, id: string): Promise<void> {
  expect(await status(server, id)).toBe(404)
  expect((await server.json('GET', `${EXPERIMENTS}/logs/${id}`)).http).toBe(404)
  expect(await eventsOf(server, id)).toEqual([])
  // The runtime's part of a removal (the run dir) follows the store's, a moment later.
  await waitFor('the run dir removed', () => !existsSync(join(server.dataDir, 'runs', id)), 10_000)
}
async function expectKept(server: TestServer, id: string, line?: string): Promise<void> {
  expect(await status(server, id)).toBe(200)
  if (line !== undefined) expect(await logLines(server, id)).toContain(line)
  expect((await eventsOf(server, id)).length).toBeGreaterThan(0)
}

describe('--retention-max-experiments', () => {
  test('keeps the last N to finish, removes the rest with logs, events, run dirs; never unfinished ones', async () => {
    const server = await start({ retentionMaxExperiments: 2, retentionIntervalMs: 100 })
    // The oldest of all, still running: not counted and never removed.
    const running = (await create(server, singleBody('still-running', 'echo up; sleep 60'))).experimentId
    await waitForStatus(server, running, ['Running'])
    const ids: string[] = []
    for (const name of ['first', 'second', 'third', 'fourth']) ids.push(await finished(server, name))
    const [first, second, third, fourth] = ids as [string, string, string, string]
    expect(existsSync(join(server.dataDir, 'runs', third))).toBe(true)
    await waitFor(
      'the two first to finish to be removed',
      async () => (await gone(server, first)()) && gone(server, second)(),
    )
    await expectRemoved(server, first)
    await expectRemoved(server, second)
    await expectKept(server, third, 'third-output')
    await expectKept(server, fourth, 'fourth-output')
    expect(await status(server, running)).toBe(200)
    expect(existsSync(join(server.dataDir, 'runs', running))).toBe(true)
    expect((await server.json('GET', EXPERIMENTS)).body.result.map((e: any) => e.experimentId)).toEqual([
      running,
      third,
      fourth,
    ])
    expect(server.logged.some((l) => l.includes('retention: removed'))).toBe(true)
  }, 60_000)
})

describe('--retention-days', () => {
  test('removes experiments that finished longer ago than the age; a running one older than it stays', async () => {
    const server = await start({ retentionMs: 3000, retentionIntervalMs: 100 })
    const running = (await create(server, singleBody('old-but-running', 'echo up; sleep 60'))).experimentId
    await waitForStatus(server, running, ['Running'])
    /** Waits for the experiment to go, and checks it went no sooner than the age after it finished. */
    const expectAged = async (id: string) => {
      const finishedAt = Date.parse((await server.json('GET', `${EXPERIMENTS}/${id}`)).body.result.finishedTime)
      await waitFor('the experiment past the age to be removed', gone(server, id), 15_000)
      expect(Date.now() - finishedAt).toBeGreaterThanOrEqual(3000)
      await expectRemoved(server, id)
    }
    await expectAged(await finished(server, 'early'))
    await expectAged(await finished(server, 'late'))
    expect(await status(server, running)).toBe(200)
    expect(
      Date.now() - Date.parse((await server.json('GET', `${EXPERIMENTS}/${running}`)).body.result.acceptedTime),
    ).toBeGreaterThan(3000)
  }, 60_000)
})

describe('when a pass runs', () => {
  test('at start: a server with a policy on an existing data dir removes what is beyond it at once', async () => {
    const dataDir = tempDir()
    const before = await start({ dataDir })
    const ids: string[] = []
    for (const name of ['a', 'b', 'c']) ids.push(await finished(before, name))
    await stopServer(before)
    // The interval is long: only the pass at start can remove them within the wait.
    const after = await start({ dataDir, retentionMaxExperiments: 1, retentionIntervalMs: 600_000 })
    await waitFor('the pass at start', async () => (await gone(after, ids[0]!)()) && gone(after, ids[1]!)(), 10_000)
    await expectRemoved(after, ids[0]!)
    await expectRemoved(after, ids[1]!)
    await expectKept(after, ids[2]!, 'c-output')
  }, 60_000)

  test('every interval: experiments finishing after the start are removed by a later pass', async () => {
    const server = await start({ retentionMaxExperiments: 1, retentionIntervalMs: 200 })
    const one = await finished(server, 'one')
    const two = await finished(server, 'two')
    await waitFor('a periodic pass to remove the first', gone(server, one), 10_000)
    expect(await status(server, two)).toBe(200)
    const three = await finished(server, 'three')
    await waitFor('a later pass to remove the second', gone(server, two), 10_000)
    await expectKept(server, three, 'three-output')
  }, 60_000)

  test('with every limit off nothing is removed', async () => {
    const server = await start({ retentionIntervalMs: 100 })
    const id = await finished(server, 'kept')
    // A window in which nothing may happen: several intervals pass without a removal.
    await Bun.sleep(500)
    await expectKept(server, id, 'kept-output')
  }, 30_000)
})

describe('--max-log-bytes-per-replica', () => {
  const LIMIT = 1000
  /** `seq 1 2000`: lines "1"…"2000", 8,893 bytes with their newlines. */
  const printed = Array.from({ length: 2000 }, (_, i) => String(i + 1))
  const bytesOf = (lines: string[]) => lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)
  const CUT = /^\[periscope\] (\d+) earlier lines \((\d+) bytes\) of this replica's log were dropped/

  /** The kept end of `printed` in `lines` after the cut line, checked whole and within the limit. */
  function expectCut(lines: string[]): { dropped: number; kept: string[] } {
    const [cut, ...kept] = lines
    const m = CUT.exec(cut ?? '')
    expect(m).not.toBeNull()
    const dropped = Number(m![1])
    expect(kept).toEqual(printed.slice(dropped))
    expect(Number(m![2])).toBe(bytesOf(printed.slice(0, dropped)))
    expect(bytesOf(kept)).toBeLessThanOrEqual(LIMIT)
    // Cut at whole lines, as close to the limit as the next line allows.
    expect(bytesOf(printed.slice(dropped - 1))).toBeGreaterThan(LIMIT)
    return { dropped, kept }
  }

  test('an oversized log keeps its end behind a cut line; following a dropped cursor resumes at the cut', async () => {
    const server = await start({ maxLogBytesPerReplica: LIMIT })
    const id = await finished(server, 'noisy', 'seq 1 2000')
    const { kept } = expectCut(await logLines(server, id))

    const follow = async (query: string) => {
      const s = await openStream(`${server.url}${EXPERIMENTS}/logs/${id}?follow=true${query}`, NDJSON)
      await s.closed
      return s.records()
    }
    const all = await follow('')
    const cutRecord = all[0]
    expect(cutRecord.line).toMatch(CUT)
    expect(all.slice(1, -1).map((r) => r.line)).toEqual(kept)
    const cursors = all.slice(0, -1).map((r) => Number(r.cursor))
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b))
    expect(all.at(-1)).toMatchObject({ end: true, status: 'Succeeded' })
    // The cut line sits where the last dropped line was: lines keep their cursors.
    expect(Number(cutRecord.cursor)).toBe(2000 - kept.length)

    // A follower that had read 10 lines before the cut: the cut line, then the first kept line.
    const resumed = await follow('&cursor=10')
    expect(resumed.map((r) => r.line ?? r.end)).toEqual([cutRecord.line, ...kept, true])
    // One that had read every dropped line: the kept lines only, no cut line.
    const past = await follow(`&cursor=${cutRecord.cursor}`)
    expect(past.map((r) => r.line ?? r.end)).toEqual([...kept, true])
    // Plain reads agree: tailLines counts the kept lines.
    const tail = await server.json('GET', `${EXPERIMENTS}/logs/${id}?tailLines=3`)
    expect(tail.body.result.logContent[0].podLog).toEqual(printed.slice(-3))
  }, 60_000)

  test('a log stored before the limit was set is trimmed by the pass, the next start', async () => {
    const dataDir = tempDir()
    const before = await start({ dataDir })
    const id = await finished(before, 'grown', 'seq 1 2000')
    expect(await logLines(before, id)).toEqual(printed)
    await stopServer(before)
    const after = await start({ dataDir, maxLogBytesPerReplica: LIMIT })
    await waitFor('the pass at start to trim the log', async () => CUT.test((await logLines(after, id))[0] ?? ''))
    expectCut(await logLines(after, id))
  }, 60_000)
})

describe('the command line', () => {
  const main = join(import.meta.dir, '../src/main.ts')
  const run = (...args: string[]) =>
    Bun.spawnSync([process.execPath, main, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } })

  test('serve --help lists the retention flags with their variables', () => {
    const help = run('serve', '--help').stdout.toString()
    for (const [flag, env] of [
      ['--retention-days', 'PERISCOPE_RETENTION_DAYS'],
      ['--retention-max-experiments', 'PERISCOPE_RETENTION_MAX_EXPERIMENTS'],
      ['--retention-interval', 'PERISCOPE_RETENTION_INTERVAL'],
      ['--max-log-bytes-per-replica', 'PERISCOPE_MAX_LOG_BYTES_PER_REPLICA'],
    ]) {
      expect(help).toContain(`  ${flag} `)
      expect(help).toContain(`env ${env}`)
    }
  })

  test('a bad size is one line naming the flag and what it expects, exit 2', () => {
    const r = run('serve', '--data-dir', tempDir(), '--runtime', 'process', '--max-log-bytes-per-replica', '10 megs')
    expect(r.exitCode).toBe(2)
    expect(r.stderr.toString()).toBe(
      'periscope: invalid --max-log-bytes-per-replica "10 megs" (or PERISCOPE_MAX_LOG_BYTES_PER_REPLICA): ' +
        'expected a size such as 65536, 512K, 10M or 1G (K, M, G: powers of 1024)\n',
    )
  })
})
