import { expect, test } from 'bun:test'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { LogTail } from './log-follower.ts'

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line-${from + i}`)

function setup() {
  const dir = tempDir()
  const log = join(dir, 'pod.log')
  const state = join(dir, 'pod.tail')
  const sink = new MemorySink()
  writeFileSync(log, '')
  return { log, state, sink, tail: () => new LogTail('job', 'pod', log, state, sink) }
}

test('reads a log in slices of at most maxBytes, every line once, in order', () => {
  const { log, sink, tail } = setup()
  appendFileSync(log, `${lines(1, 2000).join('\n')}\n`)
  const t = tail()
  let polls = 1
  while (!t.poll(false, 1000)) polls++
  expect(polls).toBeGreaterThan(10) // the slices were honoured…
  expect(sink.text('job', 'pod')).toEqual(lines(1, 2000)) // …and cut no line in two
  expect(t.poll(false, 1000)).toBe(true)
  expect(sink.text('job', 'pod')).toHaveLength(2000)
})

test('a new follower resumes where the last one stopped, a partial line included', () => {
  const { log, sink, tail } = setup()
  appendFileSync(log, 'one\ntw')
  tail().poll()
  expect(sink.text('job', 'pod')).toEqual(['one'])
  appendFileSync(log, 'o\nthree')
  const again = tail() // a restarted server
  again.poll()
  expect(sink.text('job', 'pod')).toEqual(['one', 'two'])
  again.poll(true) // the replica ended: its unterminated last line is complete
  expect(sink.text('job', 'pod')).toEqual(['one', 'two', 'three'])
})

test('lines the sink took before a crash lost the state write are not stored twice', () => {
  const { log, state, sink, tail } = setup()
  appendFileSync(log, `${lines(1, 10).join('\n')}\n`)
  tail().poll()
  const before = readFileSync(state, 'utf8')
  appendFileSync(log, `${lines(11, 20).join('\n')}\n`)
  tail().poll()
  writeFileSync(state, before) // as if the server died between sink.log and the state write
  appendFileSync(log, `${lines(21, 30).join('\n')}\n`)
  tail().poll()
  expect(sink.text('job', 'pod')).toEqual(lines(1, 30))
})
