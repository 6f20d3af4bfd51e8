/**
 * The quantity table through everything that reads it: the API's validation (POST an
 * experiment), then each runtime's translation of the job the API built (Docker
 * HostConfig numbers, the Kubernetes pod template's `resources`).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { dockerLimits } from '../../runtimes/docker/resources.ts'
import { containerResources } from '../../runtimes/kubernetes/backend-spec.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { INVALID_QUANTITIES, VALID_QUANTITIES } from '../tables/quantities.ts'
import { EXPERIMENTS, expectError, tfBody } from './fixtures.ts'

/** Takes every job and runs nothing; keeps what it was given. */
function recordingRuntime(jobs: Map<string, JobSpec>): Runtime {
  return {
    name: 'process',
    start: async () => {},
    submit: async (job) => void jobs.set(job.id, job),
    update: async () => {},
    delete: async () => {},
    owned: async () => [...jobs.keys()],
    unavailable: () => null,
    dispose: async () => {},
  }
}

const jobs = new Map<string, JobSpec>()
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ makeRuntime: async () => recordingRuntime(jobs) })
})
afterAll(() => server.stop())

const post = (resources: string) =>
  server.json('POST', EXPERIMENTS, tfBody('q', { Worker: { replicas: 1, resources } }))
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const clamp = (n: bigint) => Number(n > SAFE ? SAFE : n)

describe('accepted quantities', () => {
  for (const row of VALID_QUANTITIES) {
    test(`cpu=${row.text.slice(0, 24)},memory=${row.text.slice(0, 24)}`, async () => {
      const res = await post(`cpu=${row.text},memory=${row.text}`)
      expect(res.http).toBe(200)
      expect(res.body.result.spec.spec.Worker.resourceMap).toEqual({ memory: row.text, cpu: row.text })
      const job = jobs.get(res.body.result.experimentId)!
      const resources = job.replicaSpecs[0]!.resources
      expect(dockerLimits(resources)).toEqual({
        NanoCpus: clamp(row.nano),
        Memory: clamp(2n * row.value),
        MemoryReservation: clamp(row.value),
      })
      expect(containerResources(resources)).toEqual({
        requests: { cpu: row.text, memory: row.text },
        limits: { cpu: row.text, memory: row.doubled },
      })
    })
  }
})

describe('refused quantities name the field and the reason', () => {
  for (const row of INVALID_QUANTITIES) {
    for (const key of ['cpu', 'memory']) {
      test(`${key}=${row.text.slice(0, 24)}`, async () => {
        const before = jobs.size
        const res = await post(`${key}=${row.text}`)
        expectError(res, 400, 'INVALID_SPEC')
        expect(res.body.message).toContain(`spec.Worker.resources: ${key}="${row.text}"`)
        expect(res.body.message).toContain(row.why)
        expect(jobs.size).toBe(before)
        expect(() => dockerLimits({ [key]: row.text })).toThrow(row.why)
        expect(() => containerResources({ [key]: row.text })).toThrow(row.why)
      })
    }
  }
})
