import { expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { exitCodeOf, type ReplicaFiles } from './backend-client.ts'

test('the exit-code file: a code as written, and none when it is missing or opened but not yet written', () => {
  const dir = tempDir()
  const files: ReplicaFiles = { cwd: dir, log: join(dir, 'log'), pid: join(dir, 'pid'), exit: join(dir, 'exit') }
  expect(exitCodeOf(files)).toBeNull()
  writeFileSync(files.exit, '') // the wrapper killed between its shell's open and its echo
  expect(exitCodeOf(files)).toBeNull()
  writeFileSync(files.exit, '3\n')
  expect(exitCodeOf(files)).toBe(3)
  writeFileSync(files.exit, '0\n')
  expect(exitCodeOf(files)).toBe(0)
})
