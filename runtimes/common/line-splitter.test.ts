import { describe, expect, test } from 'bun:test'
import { LineSplitter, readLines } from './line-splitter.ts'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('LineSplitter', () => {
  test('emits each line once it ends, and holds the partial rest', () => {
    const s = new LineSplitter()
    expect(s.push(bytes('a\nb'))).toEqual(['a'])
    expect(s.buffered).toBe(1)
    expect(s.push(bytes('c\n\nd\r\n'))).toEqual(['bc', '', 'd\r'])
    expect(s.buffered).toBe(0)
    expect(s.end()).toEqual([])
  })

  test('an unterminated last line comes out at the end', () => {
    const s = new LineSplitter()
    expect(s.push(bytes('x\ntail'))).toEqual(['x'])
    expect(s.end()).toEqual(['tail'])
    expect(s.end()).toEqual([])
  })

  test('a UTF-8 character split across chunks is decoded whole', () => {
    const s = new LineSplitter()
    const all = bytes('é€\n')
    expect(s.push(all.subarray(0, 1))).toEqual([])
    expect(s.push(all.subarray(1, 4))).toEqual([])
    expect(s.push(all.subarray(4))).toEqual(['é€'])
  })

  test('an overlong line is cut at the limit, within a chunk and across chunks', () => {
    const s = new LineSplitter(4)
    expect(s.push(bytes('abcdefghij\n'))).toEqual(['abcd', 'efgh', 'ij'])
    expect(s.push(bytes('ab'))).toEqual([])
    expect(s.push(bytes('cdef'))).toEqual(['abcd'])
    expect(s.buffered).toBe(2)
    expect(s.push(bytes('\n'))).toEqual(['ef'])
  })
})

describe('readLines', () => {
  const streamOf = (chunks: string[], fail = false) => {
    const rest = [...chunks]
    return new ReadableStream<Uint8Array>({
      pull(c) {
        const next = rest.shift()
        if (next !== undefined) c.enqueue(bytes(next))
        else if (fail) c.error(new Error('cut'))
        else c.close()
      },
    })
  }

  test('yields lines per chunk and the rest of a stream that ended cleanly', async () => {
    const got: string[][] = []
    for await (const lines of readLines(streamOf(['a\nb', 'c\nd']))) got.push(lines)
    expect(got).toEqual([['a'], ['bc'], ['d']])
  })

  test('never yields the half line of a broken stream', async () => {
    const got: string[] = []
    await expect(
      (async () => {
        for await (const lines of readLines(streamOf(['a\nhalf'], true))) got.push(...lines)
      })(),
    ).rejects.toThrow('cut')
    expect(got).toEqual(['a'])
  })
})
