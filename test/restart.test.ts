/**
 * Long-running work is never lost: an experiment that got a 200 survives `kill -9`
 * of the server, and a restarted server picks its running job up again.
 */
import { expect, test } from 'bun:test'
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
