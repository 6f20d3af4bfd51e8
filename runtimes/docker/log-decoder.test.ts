import { describe, expect, test } from 'bun:test'
import type { LogLine } from '../../src/runtime/runtime.ts'
import { MAX_LINE_BYTES } from '../common/line-splitter.ts'
import { compareTimestamps } from '../common/timestamps.ts'
import { LogDecoder } from './log-decoder.ts'
import { engineSince, eventTime, isoMillis } from './timestamps.ts'

/** One multiplexed frame as the engine sends it (1 = stdout, 2 = stderr). */
function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text)
  const header = Buffer.alloc(8)
  header[0] = stream
  header.writeUInt32BE(body.length, 4)
  return Buffer.concat([header, body])
}
const T = (n: number) => `2026-11-23T11:58:38.${String(n).padStart(9, '0')}Z`

/** Feeds `bytes` cut at every `step` bytes. */
function decode(bytes: Buffer, step: number, decoder = new LogDecoder()): LogLine[] {
  const out: LogLine[] = []
  for (let i = 0; i < bytes.length; i += step) out.push(...decoder.push(bytes.subarray(i, i + step)))
  out.push(...decoder.end())
  return out
}

describe('LogDecoder', () => {
  const sample = Buffer.concat([
    frame(1, `${T(1)} hello out\n`),
    frame(2, `${T(2)} hello err\n`),
    frame(1, `${T(3)} ünïcödé ✓\n`),
  ])
  const expected = [
    { ts: T(1), text: 'hello out' },
    { ts: T(2), text: 'hello err' },
    { ts: T(3), text: 'ünïcödé ✓' },
  ]

  test('demultiplexes stdout and stderr in order, with the engine timestamps', () => {
    expect(decode(sample, sample.length)).toEqual(expected)
  })

  test('gives the same lines however the bytes are cut (headers, timestamps, UTF-8 characters)', () => {
    for (const step of [1, 2, 3, 5, 7, 8, 9, 13, 31]) expect(decode(sample, step)).toEqual(expected)
  })

  test('joins a line the engine cut into several messages, dropping the continuation timestamps', () => {
    const bytes = Buffer.concat([
      frame(1, `${T(1)} first part `),
      frame(2, `${T(2)} other\n`),
      frame(1, `${T(3)} second part\n`),
    ])
    expect(decode(bytes, 4)).toEqual([
      { ts: T(2), text: 'other' },
      { ts: T(1), text: 'first part second part' },
    ])
  })

  test('keeps an unterminated last line when the stream ends', () => {
    expect(decode(frame(1, `${T(1)} no newline`), 3)).toEqual([{ ts: T(1), text: 'no newline' }])
  })

  test('keeps empty lines', () => {
    expect(decode(Buffer.concat([frame(1, `${T(1)} \n`), frame(1, `${T(2)} x\n`)]), 100)).toEqual([
      { ts: T(1), text: '' },
      { ts: T(2), text: 'x' },
    ])
  })

  test('cuts an endless line so it cannot fill memory', () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 10)
    const lines = decode(frame(1, `${T(1)} ${long}\n`), 1 << 16)
    expect(lines.map((l) => l.text.length)).toEqual([MAX_LINE_BYTES - T(1).length - 1, T(1).length + 11])
    expect(lines.map((l) => l.text).join('')).toBe(long)
    const parts = decode(Buffer.concat([frame(1, `${T(1)} ${long}`), frame(1, `${T(2)} ${long}\n`)]), 1 << 16)
    expect(parts.every((l) => l.text.length <= MAX_LINE_BYTES)).toBe(true)
    expect(parts.map((l) => l.text).join('')).toBe(long + long)
  })

  test('reads a non-multiplexed (TTY) stream as plain text', () => {
    expect(decode(Buffer.from(`${T(1)} a\n${T(2)} b\n`), 3)).toEqual([
      { ts: T(1), text: 'a' },
      { ts: T(2), text: 'b' },
    ])
  })

  test('skips what the cursor says is stored: earlier lines and the first atLastTs at lastTs', () => {
    const bytes = Buffer.concat([
      frame(1, `${T(1)} old\n`),
      frame(1, `${T(2)} same-1\n`),
      frame(2, `${T(2)} same-2\n`),
      frame(1, `${T(2)} same-3\n`),
      frame(1, `${T(3)} new\n`),
    ])
    const decoder = new LogDecoder({ lines: 3, lastTs: T(2), atLastTs: 2 })
    expect(decode(bytes, 5, decoder).map((l) => l.text)).toEqual(['same-3', 'new'])
  })

  test('compares a cursor in another fraction length by instant, not text', () => {
    const decoder = new LogDecoder({ lines: 1, lastTs: '2026-11-23T11:58:38.5Z', atLastTs: 1 })
    const bytes = Buffer.concat([
      frame(1, '2026-11-23T11:58:38.500000000Z stored\n'),
      frame(1, '2026-11-23T11:58:39.000000000Z next\n'),
    ])
    expect(decode(bytes, 7, decoder).map((l) => l.text)).toEqual(['next'])
  })
})

describe('timestamps', () => {
  test('orders by instant across fraction lengths', () => {
    expect(compareTimestamps('2026-11-23T11:58:38Z', '2026-11-23T11:58:38.1Z')).toBe(-1)
    expect(compareTimestamps('2026-11-23T11:58:38.10Z', '2026-11-23T11:58:38.1Z')).toBe(0)
    expect(compareTimestamps('2026-11-23T12:58:38.2+01:00', '2026-11-23T11:58:38.1Z')).toBe(1)
  })

  test('gives the engine its since form (seconds.nanoseconds)', () => {
    expect(engineSince('2026-11-23T11:58:38.367407805Z')).toBe('1795435118.367407805')
    expect(engineSince('2026-11-23T11:58:38Z')).toBe('1795435118.000000000')
    expect(engineSince(null)).toBeUndefined()
  })

  test('converts engine times to the status time form, and Go zero time to null', () => {
    expect(isoMillis('2026-11-23T11:58:38.36740780Z')).toBe('2026-11-23T11:58:38.367Z')
    expect(isoMillis('0001-01-01T00:00:00Z')).toBeNull()
    // biome-ignore lint/correctness/noPrecisionLoss: the engine's timeNano is a JSON number and loses these digits too
    expect(eventTime(1795435118367407805, undefined)).toBe('2026-11-23T11:58:38.367Z')
    expect(eventTime(undefined, 1795435118)).toBe('2026-11-23T11:58:38.000Z')
  })
})
