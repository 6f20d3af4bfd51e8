/**
 * @module
 * A replica's resource requests as Docker limits (see README.md, "Resources"), built
 * on the shared quantity parser (`src/runtime/quantity.ts`). Pure. Submarine asks
 * Kubernetes for `limits.memory = 2 × requests.memory` (SUBMARINE-948), so the hard
 * `Memory` limit is twice the request and the request itself becomes the soft
 * `MemoryReservation`.
 */
import { RuntimeRejectedError } from '../../src/errors.ts'
import type { Resources } from '../../src/runtime/job.ts'
import { isQuantity, parseRequest, type Quantity, scaledCeil } from '../../src/runtime/quantity.ts'

/** The `HostConfig` fields one replica's resources set; absent requests set nothing. */
export interface DockerLimits {
  NanoCpus?: number
  Memory?: number
  MemoryReservation?: number
  DeviceRequests?: Array<{ Driver: string; Count: number; Capabilities: string[][] }>
}

/**
 * The Engine API takes JSON numbers; above 2^53 they lose precision (and 2^63 overflows
 * Go's int64), so larger values are clamped here. A limit of 8 PiB or 9 million CPUs
 * is no limit on any host, so nothing observable changes.
 */
const MAX_ENGINE_NUMBER = BigInt(Number.MAX_SAFE_INTEGER)
const engineNumber = (n: bigint): number => Number(n > MAX_ENGINE_NUMBER ? MAX_ENGINE_NUMBER : n)

function request(name: string, text: string): Quantity {
  const q = parseRequest(text)
  if (!isQuantity(q)) throw new RuntimeRejectedError(`${name} "${text}" ${q.error}`)
  return q
}

/** Bytes in a memory quantity, rounded up as Kubernetes does: `1024M` → 1_024_000_000, `1Gi` → 2^30. */
export function memoryBytes(quantity: string): bigint {
  return scaledCeil(request('memory', quantity), 0)
}

/** Billionths of a CPU in a CPU quantity: `1` → 1e9, `0.5` and `500m` → 5e8. */
export function nanoCpus(quantity: string): bigint {
  return scaledCeil(request('cpu', quantity), 9)
}

/**
 * Docker limits for one replica's requests.
 * @throws RuntimeRejectedError when a quantity is not one the API accepts (never for a stored spec)
 */
export function dockerLimits(resources: Resources): DockerLimits {
  const limits: DockerLimits = {}
  if (resources.cpu !== undefined) limits.NanoCpus = engineNumber(nanoCpus(resources.cpu))
  if (resources.memory !== undefined) {
    const bytes = memoryBytes(resources.memory)
    limits.Memory = engineNumber(2n * bytes)
    limits.MemoryReservation = engineNumber(bytes)
  }
  if (resources.gpu !== undefined && resources.gpu > 0) {
    limits.DeviceRequests = [{ Driver: 'nvidia', Count: resources.gpu, Capabilities: [['gpu']] }]
  }
  return limits
}
