import { describe, expect, test } from 'bun:test'
import { ApiError } from './api-error.ts'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts'

const labels = { app: 'train', tier: 'gpu', 'training.kubeflow.org/replica-index': '2' }
const match = (selector: string, l: Record<string, string> | undefined = labels) =>
  matchesLabels(parseLabelSelector(selector), l)

describe('label selectors', () => {
  test('equality and inequality', () => {
    expect(match('app=train')).toBe(true)
    expect(match('app==train')).toBe(true)
    expect(match('app!=train')).toBe(false)
    expect(match('app!=serve')).toBe(true)
    expect(match('missing!=x')).toBe(true)
  })

  test('set membership', () => {
    expect(match('tier in (cpu, gpu)')).toBe(true)
    expect(match('tier in (cpu)')).toBe(false)
    expect(match('tier notin (cpu)')).toBe(true)
    expect(match('tier notin (gpu,cpu)')).toBe(false)
    expect(match('missing notin (x)')).toBe(true)
    expect(match('missing in (x)')).toBe(false)
  })

  test('existence, and comma as AND', () => {
    expect(match('tier')).toBe(true)
    expect(match('!tier')).toBe(false)
    expect(match('!missing')).toBe(true)
    expect(match('app=train,tier in (gpu),!missing')).toBe(true)
    expect(match('app=train,tier=cpu')).toBe(false)
    expect(match('')).toBe(true)
    expect(matchesLabels(parseLabelSelector('app'), undefined)).toBe(false)
  })

  test('prefixed keys and numeric comparisons', () => {
    expect(match('training.kubeflow.org/replica-index=2')).toBe(true)
    expect(match('training.kubeflow.org/replica-index>1')).toBe(true)
    expect(match('training.kubeflow.org/replica-index<2')).toBe(false)
  })

  test('garbage is a 400', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow(ApiError)
    try {
      parseLabelSelector('a b c')
    } catch (err) {
      expect((err as ApiError).status.code).toBe(400)
    }
  })
})

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, status: { phase: 'Running' } }
  test('metadata.name and metadata.namespace for every resource, = and !=', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=p', 'tfjobs', true), 'tfjobs', pod)).toBe(true)
    expect(matchesFields(parseFieldSelector('metadata.name!=p', 'tfjobs', true), 'tfjobs', pod)).toBe(false)
    expect(
      matchesFields(parseFieldSelector('metadata.namespace==ns,metadata.name=p', 'pods', false), 'pods', pod),
    ).toBe(true)
    expect(matchesFields(parseFieldSelector('status.phase=Running', 'pods', false), 'pods', pod)).toBe(true)
  })

  test('events select on involvedObject.name', () => {
    const event = { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { name: 'dist', kind: 'TFJob' } }
    expect(matchesFields(parseFieldSelector('involvedObject.name=dist', 'events', false), 'events', event)).toBe(true)
    expect(matchesFields(parseFieldSelector('involvedObject.name=other', 'events', false), 'events', event)).toBe(false)
  })

  test('unsupported fields are refused in the API server words', () => {
    expect(() => parseFieldSelector('spec.x=1', 'tfjobs', true)).toThrow(
      '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    )
    expect(() => parseFieldSelector('spec.x=1', 'pods', false)).toThrow('field label not supported: spec.x')
  })
})
