import { expect, test } from 'bun:test'
import { ValidationError } from '../errors.ts'
import { parseResources } from './resources.ts'

test('builds resourceMap in Submarine order whatever the input order', () => {
  const r = parseResources('nvidia.com/gpu=1,cpu=1,memory=1024M', 'spec.Worker.resources')
  expect(Object.entries(r.resourceMap)).toEqual([
    ['memory', '1024M'],
    ['cpu', '1'],
    ['nvidia.com/gpu', '1'],
  ])
  expect(r.resources).toEqual({ cpu: '1', memory: '1024M', gpu: 1 })
})

test('takes gpu=N as a GPU request too', () => {
  expect(parseResources('gpu=2', 'f').resources).toEqual({ gpu: 2 })
  expect(parseResources('gpu=2', 'f').resourceMap).toEqual({ gpu: '2' })
})

// Every quantity of the shared table (test/tables/quantities.ts) is posted in test/api/quantities.test.ts.
test('accepts k/M/G and Ki/Mi/Gi memory, millicores, and an empty string', () => {
  for (const m of ['512k', '1024M', '2G', '512Ki', '256Mi', '1Gi', '1073741824'])
    expect(parseResources(`memory=${m}`, 'f').resources.memory).toBe(m)
  expect(parseResources('cpu=500m', 'f').resources.cpu).toBe('500m')
  expect(parseResources('', 'f')).toEqual({ resourceMap: {}, resources: {} })
})

test('rejects a bad item, naming the field and what was expected', () => {
  const bad = (s: string) => {
    try {
      parseResources(s, 'spec.Ps.resources')
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      return (err as Error).message
    }
    throw new Error(`accepted ${s}`)
  }
  expect(bad('cpu')).toContain('spec.Ps.resources: "cpu" is not a key=value item')
  expect(bad('cpu=lots')).toContain(
    'cpu="lots" is not a number with an optional suffix; expected a Kubernetes quantity of CPUs',
  )
  expect(bad('memory=1X')).toContain('memory="1X" has an unknown suffix "X"')
  expect(bad('disk=1')).toContain('unknown resource "disk"; expected one of cpu, memory, nvidia.com/gpu, gpu')
  expect(bad('gpu=0.5')).toContain('a whole number of GPUs')
})
