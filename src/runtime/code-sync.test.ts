import { expect, test } from 'bun:test'
import { codeSyncFailure, displayUrl, redactCredentials, splitCredentials } from './code-sync.ts'

test('credentials in a URL are moved out of it, decoded', () => {
  expect(splitCredentials('https://al%40ice:p%3Ass@git.example.com/r.git')).toEqual({
    url: 'https://git.example.com/r.git',
    username: 'al@ice',
    password: 'p:ss',
  })
  expect(splitCredentials('https://token@git.example.com/r.git')).toEqual({
    url: 'https://git.example.com/r.git',
    username: 'token',
    password: null,
  })
  expect(splitCredentials('git@github.com:apache/submarine.git').url).toBe('git@github.com:apache/submarine.git')
  expect(displayUrl('http://u:p@h:1/r.git')).toBe('http://h:1/r.git')
})

test("a failure names the repository and git's words, with no credentials", () => {
  const code = { url: 'https://h/r.git', branch: 'dev', password: 'pa ss/&' }
  const said = "fatal: unable to access 'https://u:pa%20ss%2F%26@h/r.git/': denied for pa ss/&"
  expect(codeSyncFailure(code, said)).toBe(
    "code sync of https://h/r.git (branch dev) failed: fatal: unable to access 'https://h/r.git/': denied for ***",
  )
  expect(redactCredentials('x', { password: null })).toBe('x')
  expect(codeSyncFailure(code, '  ')).toEndWith('failed: git gave no reason')
})
