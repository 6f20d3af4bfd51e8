import { expect, test } from 'bun:test'
import { cloneArgv, cloneEnv, gitError } from './git-clone.ts'

const code = { url: 'https://h/r.git', branch: 'dev', username: 'alice', password: 'hunter2', trustCerts: true }

test('the password is in no argument, only in the credential helper variable of the clone', () => {
  const argv = cloneArgv(code, '/tmp/x')
  expect(argv.join(' ')).not.toContain('hunter2')
  expect(argv.slice(-4)).toEqual(['--branch=dev', '--', 'https://h/r.git', '/tmp/x'])
  expect(argv).toContain('http.sslVerify=false')
  expect(argv).toContain('protocol.allow=never')
  const env = cloneEnv(code, { PATH: '/bin', HOME: '/home/p', SECRET_OF_SERVER: 'no' })
  expect(env).toMatchObject({
    PERISCOPE_GIT_USERNAME: 'alice',
    PERISCOPE_GIT_PASSWORD: 'hunter2',
    GIT_TERMINAL_PROMPT: '0',
  })
  expect(env.SECRET_OF_SERVER).toBeUndefined()
  expect(cloneEnv({ ...code, username: null, password: null }, {}).PERISCOPE_GIT_PASSWORD).toBeUndefined()
})

test("git's error is its fatal lines, else its last lines", () => {
  expect(gitError('Cloning…\nwarning: x\nfatal: no such ref\n', 128)).toBe('fatal: no such ref')
  expect(gitError('a\nb\nc\nd\n', 1)).toBe('b; c; d')
  expect(gitError('', 1)).toBe('git exited with code 1')
})
