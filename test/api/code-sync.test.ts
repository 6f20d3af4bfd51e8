/** `code.git` through the API: checked, run on the process runtime against a real git server, the password masked. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type GitServer, startGitServer } from '../../runtimes/testing/git-server.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  EXPERIMENTS,
  expectError,
  expectOk,
  jobFile,
  shutdown,
  tfBody,
  waitForLogs,
  waitForStatus,
  withValue,
} from './fixtures.ts'

let server: TestServer
let git: GitServer
beforeAll(async () => {
  git = await startGitServer()
  server = await startTestServer()
})
afterAll(async () => {
  await shutdown(server)
  await git?.stop()
})

const body = (code: unknown, cmd = 'cat hello.txt') =>
  withValue(tfBody('code-sync', { Worker: { replicas: 1, resources: 'cpu=1,memory=64M' } }, cmd), 'code', code)

describe('code.git', () => {
  test('a branch with credentials runs; answers show the password masked, a PATCH with the mask keeps it', async () => {
    const code = {
      syncMode: 'git',
      git: { url: git.httpUrl, branch: 'feature', username: git.username, password: git.password },
    }
    // It sleeps a little so that it still runs when patched.
    const created = expectOk(await server.json('POST', EXPERIMENTS, body(code, 'cat hello.txt; sleep 2')))
    const id = created.experimentId
    expect(created.spec.code).toEqual({
      syncMode: 'git',
      git: { url: git.httpUrl, branch: 'feature', username: git.username, password: '******', trustCerts: null },
    })
    // While it runs, a PATCH that sends the mask back keeps the stored password (a finished one is a 409).
    await waitForStatus(server, id, ['Running'])
    const running = expectOk(await server.json('GET', `${EXPERIMENTS}/${id}`))
    const patched = expectOk(await server.json('PATCH', `${EXPERIMENTS}/${id}`, running.spec))
    expect(patched.spec.code.git.password).toBe('******')
    expect((await waitForStatus(server, id, ['Succeeded', 'Failed'])).result.status).toBe('Succeeded')
    const pods = await waitForLogs(server, id)
    expect(pods[0].podLog).toEqual([git.content.feature])
    for (const res of [
      await server.json('GET', `${EXPERIMENTS}/${id}`),
      await server.json('GET', EXPERIMENTS),
      await server.json('GET', `${EXPERIMENTS}/logs/${id}`),
    ])
      expect(JSON.stringify(res.body)).not.toContain(git.password)
    // What the runtime was given is still the real password.
    expect(JSON.stringify(jobFile(server, id).job)).toContain(`"password":"${git.password}"`)
    const deleted = expectOk(await server.json('DELETE', `${EXPERIMENTS}/${id}`))
    expect(JSON.stringify(deleted)).not.toContain(git.password)
  })

  test('a password in the URL is used and masked too', async () => {
    const url = git.httpUrl.replace('http://', `http://${git.username}:${git.password}@`)
    const created = expectOk(await server.json('POST', EXPERIMENTS, body({ git: { url } })))
    expect(created.spec.code.git.url).toBe(git.httpUrl.replace('http://', `http://${git.username}:******@`))
    expect((await waitForStatus(server, created.experimentId, ['Succeeded', 'Failed'])).result.status).toBe('Succeeded')
  })

  test('a clone that fails leaves the experiment Failed, saying which repository and what git said', async () => {
    const created = expectOk(await server.json('POST', EXPERIMENTS, body({ git: { url: git.gitUrl, branch: 'nope' } })))
    const { result } = await waitForStatus(server, created.experimentId, ['Succeeded', 'Failed'])
    expect(result.status).toBe('Failed')
    expect(result.statusMessage).toBe(
      `Failed: code sync of ${git.gitUrl} (branch nope) failed: fatal: Remote branch nope not found in upstream origin`,
    )
  })

  const refused: Array<[string, unknown, RegExp]> = [
    [
      'a local path',
      { git: { url: '/etc' } },
      /code\.git\.url: expected an http:\/\/, https:\/\/, git:\/\/ or ssh:\/\/ URL/,
    ],
    ['file://', { git: { url: 'file:///etc/repo.git' } }, /code\.git\.url: .*got "file:\/\/\/etc\/repo\.git"/],
    ['ext::', { git: { url: 'ext::sh -c touch% /tmp/pwned' } }, /code\.git\.url: expected/],
    [
      'a branch that is an option',
      { git: { url: 'https://h/r.git', branch: '--upload-pack=x' } },
      /code\.git\.branch: /,
    ],
    ['git mode without git', { syncMode: 'git' }, /code\.git is required/],
    ['a url that is not a string', { git: { url: 5 } }, /code\.git\.url/],
  ]
  for (const [what, code, message] of refused)
    test(`refuses ${what} with a 400 naming the field`, async () => {
      expectError(await server.json('POST', EXPERIMENTS, body(code)), 400, 'INVALID_SPEC', message)
    })

  test("Submarine's hdfs, nfs and s3 modes sync nothing", async () => {
    const created = expectOk(
      await server.json('POST', EXPERIMENTS, body({ syncMode: 'nfs', git: { url: '/x' } }, 'pwd')),
    )
    expect((await waitForStatus(server, created.experimentId, ['Succeeded', 'Failed'])).result.status).toBe('Succeeded')
  })
})
