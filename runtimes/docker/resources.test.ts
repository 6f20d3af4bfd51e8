import { describe, expect, test } from 'bun:test'
import { RuntimeRejectedError } from '../../src/errors.ts'
import { dockerLimits, memoryBytes, nanoCpus } from './resources.ts'

// Every quantity of the shared table goes through dockerLimits in test/api/quantities.test.ts.
describe('resources', () => {
  test('reads memory in decimal and binary units, and CPUs whole, fractional or milli', () => {
    expect(memoryBytes('1024M')).toBe(1_024_000_000n)
    expect(memoryBytes('1.5Gi')).toBe(3n * 2n ** 29n)
    expect(nanoCpus('500m')).toBe(500_000_000n)
    expect(nanoCpus('2.25')).toBe(2_250_000_000n)
  })

  test('refuses quantities the API refuses, naming them', () => {
    expect(() => memoryBytes('1 GB')).toThrow(RuntimeRejectedError)
    expect(() => memoryBytes('1K')).toThrow('memory "1K" has an unknown suffix "K"')
    expect(() => nanoCpus('-1')).toThrow('cpu "-1" is negative')
  })

  test('maps requests to limits: memory limit twice the request (as Submarine on Kubernetes), request reserved', () => {
    expect(dockerLimits({ cpu: '500m', memory: '1024M', gpu: 2 })).toEqual({
      NanoCpus: 500_000_000,
      Memory: 2_048_000_000,
      MemoryReservation: 1_024_000_000,
      DeviceRequests: [{ Driver: 'nvidia', Count: 2, Capabilities: [['gpu']] }],
    })
  })

  test('clamps numbers the Engine API cannot take exactly to 2^53-1 (no limit on any host)', () => {
    expect(dockerLimits({ cpu: '9223372036854775807', memory: '7Ei' })).toEqual({
      NanoCpus: Number.MAX_SAFE_INTEGER,
      Memory: Number.MAX_SAFE_INTEGER,
      MemoryReservation: Number.MAX_SAFE_INTEGER,
    })
  })

  test('sets nothing for what is not requested', () => {
    expect(dockerLimits({})).toEqual({})
    expect(dockerLimits({ gpu: 0 })).toEqual({})
  })
})
