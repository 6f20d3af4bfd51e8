/**
 * Long-running work is never lost: an experiment that got a 200 survives `kill -9`
 * of the server, and a restarted server picks its running job up again.
 */
import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { getJson as get, postExperiment as post, spawnServer } from './helpers/server-process.ts'
import { tempDir } from './helpers/temp-dir.ts'

test('a job running when the server is killed -9 finishes, with its whole log, after a restart', async () => {
  const dataDir = tempDir()
  const first = await spawnServer(dataDir, ['--runtime', 'process'])
  const created = await post(first.url, {
    meta: {
      name: 'survivor',
      framework: 'TensorFlow',
      cmd: 'for i in 1 2 3 4 5 6 7 8; do echo step-$i; sleep 0.25; done',
    },
    environment: { image: 'ignored' },
    spec: { Worker: { replicas: 1 } },
  })
  const id: string = created.result.experimentId
  await waitFor(
    'the first line',
    async () => (await get(first.url, `/api/v1/experiment/logs/${id}`)).result.logContent[0].podLog.length > 0,
  )
  await first.crash()

  const second = await spawnServer(dataDir, ['--runtime', 'process'])
  try {
    const e = await waitFor('the experiment to finish', async () => {
      const r = (await get(second.url, `/api/v1/experiment/${id}`)).result
      return r.status === 'Succeeded' || r.status === 'Failed' ? r : null
    })
    expect(e.status).toBe('Succeeded')
    expect(e.finishedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const logs = await get(second.url, `/api/v1/experiment/logs/${id}`)
    expect(logs.result.logContent[0].podLog).toEqual([
      'step-1',
      'step-2',
      'step-3',
      'step-4',
      'step-5',
      'step-6',
      'step-7',
      'step-8',
    ])
  } finally {
    await second.stop()
  }
}, 60_000)

test('every experiment acknowledged before a kill -9 is still there after it', async () => {
  const dataDir = tempDir()
  const server = await spawnServer(dataDir, ['--runtime', 'process'])
  const ids: string[] = []
  for (let i = 0; i < 20; i++) {
    const r = await post(server.url, {
      meta: { name: `n${i}`, framework: 'PyTorch', cmd: 'sleep 30' },
      environment: { image: 'x' },
      spec: { Master: {} },
    })
    ids.push(r.result.experimentId)
  }
  await server.crash()
  const again = await spawnServer(dataDir, ['--runtime', 'process'])
  try {
    const list = await get(again.url, '/api/v1/experiment')
    expect(list.result.map((e: any) => e.experimentId)).toEqual(ids)
    // New ids never reuse old ones.
    const next = await post(again.url, {
      meta: { name: 'after', framework: 'PyTorch', cmd: 'true' },
      environment: { image: 'x' },
      spec: { Master: {} },
    })
    expect(ids).not.toContain(next.result.experimentId)
    for (const id of ids) await fetch(`${again.url}/api/v1/experiment/${id}`, { method: 'DELETE' })
  } finally {
    await again.stop()
  }
}, 60_000)

test('a replica printing when the server is killed -9 goes on; after a restart each line is stored once', async () => {
  const dataDir = tempDir()
  const first = await spawnServer(dataDir, ['--runtime', 'process'])
  // 3,000 lines in bursts of 100, 30 ms apart: about a second of printing, killed in the middle.
  const cmd = 'i=1; while [ $i -le 3000 ]; do echo "n-$i"; [ $((i % 100)) -eq 0 ] && sleep 0.03; i=$((i+1)); done'
  const created = await post(first.url, {
    meta: { name: 'chatty', framework: 'TensorFlow', cmd },
    environment: { image: 'ignored' },
    spec: { Worker: { replicas: 1 } },
  })
  const id: string = created.result.experimentId
  const stored = async (url: string) =>
    ((await get(url, `/api/v1/experiment/logs/${id}`)).result.logContent[0]?.podLog ?? []) as string[]
  await waitFor('some lines stored', async () => (await stored(first.url)).length >= 200, 10_000, 5)
  await first.crash()
  const atCrash = (await readLog(dataDir, id)).length
  // The replica outlived the server: its output keeps growing with nobody reading it.
  await waitFor('the replica prints on', async () => (await readLog(dataDir, id)).length > atCrash, 5000)

  const second = await spawnServer(dataDir, ['--runtime', 'process'])
  try {
    await waitFor(
      'Succeeded',
      async () => (await get(second.url, `/api/v1/experiment/${id}`)).result.status === 'Succeeded',
      20_000,
    )
    const lines = await stored(second.url)
    expect(lines.length).toBe(3000)
    expect(lines).toEqual(Array.from({ length: 3000 }, (_, i) => `n-${i + 1}`))
  } finally {
    await second.stop()
  }
}, 60_000)

/** The replica's raw output file (the process runtime's durable copy), or '' before it exists. */
async function readLog(dataDir: string, id: string): Promise<string> {
  const file = Bun.file(join(dataDir, 'runs', id, '.replicas', `${id}-worker-0.log`))
  return (await file.exists()) ? file.text() : ''
}
