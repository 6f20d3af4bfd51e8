import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { openDatabase } from './database.ts'
import { createLogStore } from './log-store.ts'

const open = (maxBytesPerReplica?: number, file = join(tempDir(), 'p.db')) => ({
  file,
  logs: createLogStore(openDatabase(file), { maxBytesPerReplica }),
})
const batch = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ ts: '2026-01-01T00:00:00.000Z', text: `line-${from + i}` }))
const texts = (logs: ReturnType<typeof createLogStore>, pod: string) => [...logs.lines('e', pod)].map((l) => l.text)

test('appends past the limit keep moving one cut line forward; the runtime cursor counts every line received', () => {
  // "line-N\n" is 7 bytes for N < 10, 8 below 100: 100 bytes keep 12 lines.
  const { logs } = open(100)
  for (let i = 0; i < 10; i++) logs.append('e', 'a', batch(i * 10 + 1, i * 10 + 10))
  const lines = [...logs.lines('e', 'a')]
  expect(lines.filter((l) => l.text.startsWith('[periscope]'))).toHaveLength(1)
  expect(lines[0]!.text).toBe(
    "[periscope] 88 earlier lines (695 bytes) of this replica's log were " +
      'dropped to keep it within --max-log-bytes-per-replica (100 bytes)',
  )
  expect(lines.slice(1).map((l) => l.text)).toEqual(batch(89, 100).map((l) => l.text))
  // The cut line has the last dropped line's cursor; kept lines keep theirs.
  expect(lines.map((l) => l.seq)).toEqual([88, ...Array.from({ length: 12 }, (_, i) => 89 + i)])
  expect(logs.cursor('e', 'a').lines).toBe(100)
  expect(logs.after('e', 50, 3).map((l) => l.text)).toEqual([lines[0]!.text, 'line-89', 'line-90'])
})

test('each replica is cut on its own, at its own lines’ cursors, between the other replica’s lines', () => {
  const { logs } = open(30)
  for (let i = 1; i <= 6; i++) {
    logs.append('e', 'a', batch(i, i))
    logs.append('e', 'b', batch(i, i))
  }
  expect(texts(logs, 'a').slice(1)).toEqual(['line-3', 'line-4', 'line-5', 'line-6'])
  expect(texts(logs, 'b').slice(1)).toEqual(['line-3', 'line-4', 'line-5', 'line-6'])
  // Every pod's lines in stored order: a's cut line at a's line-2 (seq 3), b's at b's line-2 (seq 4).
  expect(logs.after('e', 0, 100).map((l) => `${l.seq} ${l.pod} ${l.text.slice(0, 11)}`)).toEqual([
    '3 a [periscope]',
    '4 b [periscope]',
    '5 a line-3',
    '6 b line-3',
    '7 a line-4',
    '8 b line-4',
    '9 a line-5',
    '10 b line-5',
    '11 a line-6',
    '12 b line-6',
  ])
})

test('the newest line stays even when it alone is over the limit; no limit, no cut', () => {
  const { logs } = open(10)
  logs.append('e', 'a', [{ ts: '2026-01-01T00:00:00.000Z', text: 'x'.repeat(50) }])
  logs.append('e', 'a', [{ ts: '2026-01-01T00:00:00.000Z', text: 'y'.repeat(50) }])
  expect(texts(logs, 'a')).toEqual([expect.stringContaining('1 earlier lines (51 bytes)'), 'y'.repeat(50)])
  const unlimited = open().logs
  unlimited.append('e', 'a', batch(1, 1000))
  expect(texts(unlimited, 'a')).toHaveLength(1000)
})

test('a log stored before the limit was set is trimmed by trimOversized, a bounded step at a time', () => {
  const { file, logs } = open()
  logs.append('e', 'a', batch(1, 12_000))
  const limited = createLogStore(openDatabase(file), { maxBytesPerReplica: 1000 })
  expect(limited.trimOversized(10)).toBe(1) // at most TRIM_ROWS (5,000) rows a step
  expect(texts(limited, 'a')[0]).toContain('5000 earlier lines')
  while (limited.trimOversized(10) > 0) {}
  const kept = texts(limited, 'a')
  expect(kept[0]).toMatch(/^\[periscope\] 11910 earlier lines/)
  expect(kept.slice(1)).toEqual(batch(11_911, 12_000).map((l) => l.text))
})
