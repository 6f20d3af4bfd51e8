import { describe, expect, test } from 'bun:test'
import { applyJsonPatch, applyMergePatch, PatchError } from './json-patch.ts'

describe('JSON merge patch (RFC 7386)', () => {
  test('merges objects, null deletes, arrays and scalars replace', () => {
    const target = { a: { b: 1, c: [1, 2] }, d: 'x', keep: true }
    expect(applyMergePatch(target, { a: { b: null, c: [3] }, d: 'y', e: { f: 1 } })).toEqual({
      a: { c: [3] },
      d: 'y',
      keep: true,
      e: { f: 1 },
    })
    expect(target).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x', keep: true })
  })
})

describe('JSON patch (RFC 6902)', () => {
  const doc = { spec: { replicas: 1, list: ['a', 'b'], 'a/b': { '~k': 1 } } }

  test('add, remove, replace, move, copy and test', () => {
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/list/-', value: 'c' },
      { op: 'add', path: '/spec/list/0', value: 'z' },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'copy', from: '/spec/replicas', path: '/spec/copied' },
      { op: 'move', from: '/spec/a~1b/~0k', path: '/spec/moved' },
    ])
    expect(out).toEqual({ spec: { replicas: 3, list: ['z', 'b', 'c'], 'a/b': {}, copied: 3, moved: 1 } })
    expect(doc.spec.replicas).toBe(1)
  })

  test('a failed test aborts the whole patch', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }])).toThrow(
      new PatchError('testing value /spec/replicas failed: test failed'),
    )
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/nothing', value: 1 }])).toThrow(PatchError)
  })

  test('operations on missing paths fail', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'remove', path: '/spec/nothing' }])).toThrow(PatchError)
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/nothing', value: 1 }])).toThrow(PatchError)
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/missing/parent', value: 1 }])).toThrow(PatchError)
  })
})
