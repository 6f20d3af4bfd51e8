import { describe, expect, test } from 'bun:test'
import type { LogLine } from '../../src/runtime/runtime.ts'
import { LogResume } from './log-resume.ts'
import { compareTimestamps, epochNanos, splitTimestamp } from './timestamps.ts'

const T1 = '2025-01-01T00:00:01.1Z'
const T2 = '2025-01-01T00:00:02Z'
const T3 = '2025-01-01T00:00:03.000000001Z'
const line = (ts: string, text: string): LogLine => ({ ts, text })
const accepted = (r: LogResume, lines: LogLine[]) => lines.filter((l) => r.accept(l)).map((l) => l.text)

describe('timestamps', () => {
  test('orders RFC3339Nano times whose fractions have different lengths, and offsets by the instant', () => {
    expect(compareTimestamps('2025-01-01T00:00:01Z', '2025-01-01T00:00:01.1Z')).toBe(-1)
    expect(compareTimestamps('2025-01-01T00:00:01.1Z', '2025-01-01T00:00:01.123Z')).toBe(-1)
    expect(compareTimestamps('2025-01-01T02:00:00.5+02:00', '2025-01-01T00:00:00.500Z')).toBe(0)
    expect(epochNanos('hello')).toBeNull()
  })

  test('splits the time prefix from the text, keeping the rest verbatim', () => {
    expect(splitTimestamp('2025-01-01T00:00:01.123456789Z hello  world ')).toEqual({
      ts: '2025-01-01T00:00:01.123456789Z',
      text: 'hello  world ',
    })
    expect(splitTimestamp('2025-01-01T00:00:01Z')).toEqual({ ts: '2025-01-01T00:00:01Z', text: '' })
    expect(splitTimestamp('no time here')).toEqual({ ts: null, text: 'no time here' })
  })
})

describe('LogResume', () => {
  test('passes everything through when nothing is stored, and moves the cursor', () => {
    const r = new LogResume({ lastTs: null, atLastTs: 0 })
    expect(accepted(r, [line(T1, 'a'), line(T2, 'b')])).toEqual(['a', 'b'])
    expect(r.sinceTime).toBe(T2)
  })

  test('drops lines before the stored time and the stored lines at it', () => {
    const r = new LogResume({ lastTs: T2, atLastTs: 2 })
    const lines = [
      line(T1, 'old'),
      line(T2, 'stored-1'),
      line(T2, 'stored-2'),
      line(T2, 'new-at-same-time'),
      line(T3, 'newer'),
    ]
    expect(accepted(r, lines)).toEqual(['new-at-same-time', 'newer'])
  })

  test('repeats nothing across several re-reads from the cursor', () => {
    const r = new LogResume({ lastTs: null, atLastTs: 0 })
    const stream = [line(T1, 'a'), line(T2, 'b'), line(T2, 'c')]
    expect(accepted(r, stream.slice(0, 2))).toEqual(['a', 'b'])
    r.beginRead() // reconnect with sinceTime = T2: the backend resends from T2
    expect(accepted(r, stream.slice(1))).toEqual(['c'])
    r.beginRead()
    expect(accepted(r, stream.slice(1))).toEqual([])
  })

  test('takes a whole-second re-read that starts earlier than the stored time', () => {
    const r = new LogResume({ lastTs: '2025-01-01T00:00:01.5Z', atLastTs: 1 })
    const lines = [
      line('2025-01-01T00:00:01.2Z', 'x'),
      line('2025-01-01T00:00:01.5Z', 'y'),
      line('2025-01-01T00:00:01.7Z', 'z'),
    ]
    expect(accepted(r, lines)).toEqual(['z'])
  })

  test('keeps a line slightly older than the one before it in the same read (stdout and stderr interleave)', () => {
    const r = new LogResume({ lastTs: T1, atLastTs: 1 })
    expect(accepted(r, [line(T3, 'stdout'), line(T2, 'stderr, a little earlier')])).toEqual([
      'stdout',
      'stderr, a little earlier',
    ])
    r.beginRead()
    expect(accepted(r, [line(T2, 'stderr, a little earlier'), line(T3, 'stdout')])).toEqual([])
  })
})
