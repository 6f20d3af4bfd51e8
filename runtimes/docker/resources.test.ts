import { describe, expect, test } from 'bun:test'
import { RuntimeRejectedError } from '../../src/errors.ts'
import { dockerLimits, memoryBytes, nanoCpus } from './resources.ts'

describe('resources', () => {
  test('reads memory in decimal and binary units', () => {
    expect(memoryBytes('1024M')).toBe(1_024_000_000)
    expect(memoryBytes('2G')).toBe(2_000_000_000)
    expect(memoryBytes('512Mi')).toBe(512 * 2 ** 20)
    expect(memoryBytes('1Gi')).toBe(2 ** 30)
    expect(memoryBytes('64k')).toBe(64_000)
    expect(memoryBytes('1.5Gi')).toBe(1.5 * 2 ** 30)
    expect(memoryBytes('4096')).toBe(4096)
  })

  test('reads CPUs as whole, fractional or milli', () => {
    expect(nanoCpus('1')).toBe(1e9)
    expect(nanoCpus('0.5')).toBe(5e8)
    expect(nanoCpus('500m')).toBe(5e8)
    expect(nanoCpus('2.25')).toBe(2.25e9)
  })

  test('refuses quantities it cannot read, naming them', () => {
    expect(() => memoryBytes('1 GB')).toThrow(RuntimeRejectedError)
    expect(() => memoryBytes('lots')).toThrow('memory "lots" is not a size')
    expect(() => nanoCpus('1Gi')).toThrow('cpu "1Gi" is not a number of CPUs')
  })

  test('maps requests to limits: memory limit twice the request (as Submarine on Kubernetes), request reserved', () => {
    expect(dockerLimits({ cpu: '500m', memory: '1024M', gpu: 2 })).toEqual({
      NanoCpus: 500_000_000,
      Memory: 2_048_000_000,
      MemoryReservation: 1_024_000_000,
      DeviceRequests: [{ Driver: 'nvidia', Count: 2, Capabilities: [['gpu']] }],
    })
  })

  test('sets nothing for what is not requested', () => {
    expect(dockerLimits({})).toEqual({})
    expect(dockerLimits({ gpu: 0 })).toEqual({})
  })
})
