import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { openDatabase } from './database.ts'
import { createIdAllocator, instanceId } from './ids.ts'

test("ids have Submarine's form and a counter of at least four digits", () => {
  const ids = createIdAllocator(openDatabase(':memory:'), 1647192232698)
  expect(ids.experiment()).toBe('experiment-1647192232698-0001')
  expect(ids.experiment()).toBe('experiment-1647192232698-0002')
  expect(ids.environment()).toBe('environment_1647192232698_0001')
})

test('two servers started in the same millisecond on one data dir never share an id', () => {
  const file = join(tempDir(), 'periscope.db')
  const a = createIdAllocator(openDatabase(file), 1700000000000)
  const b = createIdAllocator(openDatabase(file), 1700000000000)
  const seen = new Set<string>()
  for (let i = 0; i < 100; i++) {
    seen.add(a.experiment())
    seen.add(b.experiment())
  }
  expect(seen.size).toBe(200)
})

test('a restart keeps counting where the last server with that start time stopped', () => {
  const file = join(tempDir(), 'periscope.db')
  expect(createIdAllocator(openDatabase(file), 1).experiment()).toBe('experiment-1-0001')
  expect(createIdAllocator(openDatabase(file), 1).experiment()).toBe('experiment-1-0002')
  expect(createIdAllocator(openDatabase(file), 2).experiment()).toBe('experiment-2-0001')
})

test('the counter grows past four digits', () => {
  const ids = createIdAllocator(openDatabase(':memory:'), 5)
  let last = ''
  for (let i = 0; i < 10_000; i++) last = ids.experiment()
  expect(last).toBe('experiment-5-10000')
})

test('the instance id is made once per data dir', () => {
  const file = join(tempDir(), 'periscope.db')
  expect(instanceId(openDatabase(file))).toBe(instanceId(openDatabase(file)))
})

test('a database from a newer periscope is refused', () => {
  const file = join(tempDir(), 'periscope.db')
  openDatabase(file).run('PRAGMA user_version = 99')
  expect(() => openDatabase(file)).toThrow('newer than this binary knows')
})
