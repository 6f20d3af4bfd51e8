/**
 * @module
 * A replica's resource requests as Docker limits (see README.md, "Resources").
 * Pure. Submarine asks Kubernetes for `limits.memory = 2 × requests.memory`
 * (SUBMARINE-948), so the hard `Memory` limit is twice the request and the
 * request itself becomes the soft `MemoryReservation`.
 */
import { RuntimeRejectedError } from '../../src/errors.ts'
import type { Resources } from '../../src/runtime/job.ts'

/** The `HostConfig` fields one replica's resources set; absent requests set nothing. */
export interface DockerLimits {
  NanoCpus?: number
  Memory?: number
  MemoryReservation?: number
  DeviceRequests?: Array<{ Driver: string; Count: number; Capabilities: string[][] }>
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

/**
 * Bytes in a Kubernetes memory quantity: `1024M` (10^6), `2Gi` (2^30), `1.5G`, `512` (bytes).
 * @throws RuntimeRejectedError when the text is not such a quantity
 */
export function memoryBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(k|K|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(quantity.trim())
  if (!m) throw new RuntimeRejectedError(`memory "${quantity}" is not a size such as 1024M, 2G, 512Mi or 1Gi`)
  return Math.round(Number(m[1]) * MEMORY_UNITS[m[2] ?? '']!)
}

/**
 * Billionths of a CPU in a Kubernetes CPU quantity: `1` → 1e9, `0.5` and `500m` → 5e8.
 * @throws RuntimeRejectedError when the text is not such a quantity
 */
export function nanoCpus(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m)?$/.exec(quantity.trim())
  if (!m) throw new RuntimeRejectedError(`cpu "${quantity}" is not a number of CPUs such as 1, 0.5 or 500m`)
  return Math.round(Number(m[1]) * (m[2] ? 1e6 : 1e9))
}

/** Docker limits for one replica's requests. */
export function dockerLimits(resources: Resources): DockerLimits {
  const limits: DockerLimits = {}
  if (resources.cpu !== undefined) limits.NanoCpus = nanoCpus(resources.cpu)
  if (resources.memory !== undefined) {
    const request = memoryBytes(resources.memory)
    limits.Memory = 2 * request
    limits.MemoryReservation = request
  }
  if (resources.gpu !== undefined && resources.gpu > 0) {
    limits.DeviceRequests = [{ Driver: 'nvidia', Count: resources.gpu, Capabilities: [['gpu']] }]
  }
  return limits
}
