import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { normalizeSpec } from '../experiments/normalize-spec.ts'
import { openDatabase } from './database.ts'
import { createExperimentRepository, type ExperimentRepository } from './experiment-repository.ts'

/** The methods that only read: every other one must move `version()`, which kept answers rely on. */
const READS = new Set([
  'version',
  'get',
  'position',
  'iterate',
  'has',
  'status',
  'unsubmitted',
  'stopPending',
  'isStopPending',
  'unfinished',
  'finishedCount',
  'oldestFinished',
])

test('every write moves version(), so no answer kept from a row outlives a change to it', () => {
  const db = openDatabase(join(tempDir(), 'periscope.db'))
  const repo = createExperimentRepository(db)
  const spec = normalizeSpec(
    {
      meta: { name: 'v', framework: 'TensorFlow', cmd: 'true' },
      environment: { image: 'busybox' },
      spec: { Worker: { replicas: 1 } },
    },
    { namespace: 'default', findEnvironment: () => null, lowerCaseName: true },
  )
  const at = '2026-12-01T00:00:00.000Z'
  let n = 0
  const add = () => {
    const id = `experiment-1-${++n}`
    repo.insert({
      id,
      uid: crypto.randomUUID(),
      spec: { ...spec, meta: { ...spec.meta, experimentId: id } },
      acceptedTime: at,
    })
    return id
  }
  const finished = { status: 'Succeeded' as const, createdTime: at, runningTime: at, finishedTime: at }
  // Each write, on a row made before it is measured (insert makes its own).
  const writes: { [K in keyof ExperimentRepository]?: (id: string) => unknown } = {
    insert: () => add(),
    setStopped: (id) => repo.setStopped(id, { finishedTime: at, message: 'stopped', stoppedTime: at, pending: true }),
    setStopPending: (id) => repo.setStopPending(id, false),
    updateSpec: (id) => repo.updateSpec(id, spec),
    markSubmitted: (id) => repo.markSubmitted(id, at),
    setMessage: (id) => repo.setMessage(id, 'waiting'),
    setStatus: (id) => repo.setStatus(id, finished, null, null),
    remove: (id) => repo.remove(id),
    take: (id) => repo.take(id),
    takeFinished: (id) => repo.takeFinished(id),
  }
  const methods = Object.keys(repo).filter((m) => !READS.has(m))
  expect(methods.sort()).toEqual(Object.keys(writes).sort()) // a new method is classed here, read or write
  for (const [name, write] of Object.entries(writes)) {
    const id = add()
    repo.setStatus(id, finished, null, null) // takeFinished takes finished rows only
    const before = repo.version()
    write!(id)
    expect({ name, moved: repo.version() > before }).toEqual({ name, moved: true })
  }
  const id = add()
  for (const read of [() => repo.get(id), () => [...repo.iterate({ limit: 5 })], () => repo.status(id)]) {
    const before = repo.version()
    read()
    expect(repo.version()).toBe(before)
  }
  db.close()
})
