import { expect, test } from 'bun:test'
import { createAnswerCache, MAX_ANSWER_BYTES, MAX_ENTRIES } from './answer-cache.ts'
import { okKept } from './envelope.ts'

const bytes = (s: string) => new TextEncoder().encode(s)

test('kept answers last until the version moves', () => {
  let version = 1
  const cache = createAnswerCache(() => version)
  cache.set('a', bytes('one'))
  expect(cache.get('a')).toEqual(bytes('one'))
  version++
  expect(cache.get('a')).toBeUndefined()
  cache.set('a', bytes('two'))
  expect(cache.get('a')).toEqual(bytes('two'))
})

test('an answer over the size limit is not kept, and the oldest go first past the count', () => {
  const cache = createAnswerCache(() => 0)
  cache.set('big', new Uint8Array(MAX_ANSWER_BYTES + 1))
  expect(cache.get('big')).toBeUndefined()
  for (let i = 0; i <= MAX_ENTRIES; i++) cache.set(`k${i}`, bytes(String(i)))
  expect(cache.get('k0')).toBeUndefined()
  expect(cache.get('k1')).toEqual(bytes('1'))
  expect(cache.get(`k${MAX_ENTRIES}`)).toEqual(bytes(String(MAX_ENTRIES)))
})

test('okKept keeps a short answer whole and streams a long one, start included, the same text either way', async () => {
  const items = () => ['[', '"a"', ',', '"b"', ',', '"c"', ']']
  let kept: Uint8Array | null = null
  const short = await okKept(items(), 1000, (b) => {
    kept = b
  }).text()
  expect(new TextDecoder().decode(kept!)).toBe(short)
  let keptLong = false
  const long = await okKept(items(), 70, () => {
    keptLong = true
  }).text()
  expect(keptLong).toBe(false)
  expect(long).toBe(short)
  expect(JSON.parse(long).result).toEqual(['a', 'b', 'c'])
})
