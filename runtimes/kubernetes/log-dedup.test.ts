import { describe, expect, test } from 'bun:test'
import { LogDedup, parseLogLine, timeKey } from './log-dedup.ts'

describe('timeKey', () => {
  test('orders RFC3339Nano times whose fractions have different lengths', () => {
    const a = timeKey('2025-01-01T00:00:01.1Z')!
    const b = timeKey('2025-01-01T00:00:01.123Z')!
    const c = timeKey('2025-01-01T00:00:01Z')!
    expect(c < a).toBe(true)
    expect(a < b).toBe(true)
  })

  test('converts offsets to UTC and rejects text that is not a time', () => {
    expect(timeKey('2025-01-01T02:00:00.5+02:00')).toBe('2025-01-01T00:00:00.500000000')
    expect(timeKey('hello')).toBeNull()
  })
})

describe('parseLogLine', () => {
  test('splits the timestamp prefix from the text, keeping the rest verbatim', () => {
    expect(parseLogLine('2025-01-01T00:00:01.123456789Z hello  world ', 'x')).toEqual({ ts: '2025-01-01T00:00:01.123456789Z', text: 'hello  world ' })
    expect(parseLogLine('2025-01-01T00:00:01Z', 'x')).toEqual({ ts: '2025-01-01T00:00:01Z', text: '' })
    expect(parseLogLine('no time here', 'fallback')).toEqual({ ts: 'fallback', text: 'no time here' })
  })
})

describe('LogDedup', () => {
  const T1 = '2025-01-01T00:00:01.1Z'
  const T2 = '2025-01-01T00:00:02Z'
  const T3 = '2025-01-01T00:00:03.000000001Z'

  test('passes everything through when nothing is stored', () => {
    const d = new LogDedup({ lastTs: null, atLastTs: 0 })
    d.beginRead()
    expect(d.accept([`${T1} a`, `${T2} b`]).map((l) => l.text)).toEqual(['a', 'b'])
    expect(d.sinceTime).toBe(T2)
  })

  test('skips lines before the last stored time and the stored lines at it', () => {
    const d = new LogDedup({ lastTs: T2, atLastTs: 2 })
    d.beginRead()
    expect(d.accept([`${T1} old`, `${T2} stored-1`, `${T2} stored-2`, `${T2} new-at-same-time`, `${T3} newer`]).map((l) => l.text)).toEqual([
      'new-at-same-time',
      'newer',
    ])
  })

  test('repeats nothing across several re-reads of the same instance', () => {
    const d = new LogDedup({ lastTs: null, atLastTs: 0 })
    const stream = [`${T1} a`, `${T2} b`, `${T2} c`]
    d.beginRead()
    expect(d.accept(stream.slice(0, 2)).map((l) => l.text)).toEqual(['a', 'b'])
    d.beginRead() // reconnect with sinceTime = T2: the server resends from T2
    expect(d.accept(stream.slice(1)).map((l) => l.text)).toEqual(['c'])
    d.beginRead()
    expect(d.accept(stream.slice(1))).toEqual([])
  })

  test('takes a whole-second sinceTime re-read that starts earlier than the stored time', () => {
    const d = new LogDedup({ lastTs: '2025-01-01T00:00:01.5Z', atLastTs: 1 })
    d.beginRead()
    expect(d.accept(['2025-01-01T00:00:01.2Z x', '2025-01-01T00:00:01.5Z y', '2025-01-01T00:00:01.7Z z']).map((l) => l.text)).toEqual(['z'])
  })
})
