/**
 * @module
 * Code sync, the same on every runtime, as one `bun:test` suite against a real git server
 * on 127.0.0.1 (`testing/git-server.ts`): the checkout is the replicas' working directory
 * and `$CODE_PATH/current`, a branch and credentials are honoured, the password is in no
 * log line or status, and a clone that fails fails the job once with git's error.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { CODE_SYNC_FAILED } from '../src/runtime/code-sync.ts'
import type { CodeSync, JobSpec } from '../src/runtime/job.ts'
import type { Runtime } from '../src/runtime/runtime.ts'
import type { ContractTarget } from './contract.ts'
import { type GitServer, startGitServer } from './testing/git-server.ts'
import { jobSpec } from './testing/job-spec.ts'
import { MemorySink } from './testing/memory-sink.ts'
import { waitFor } from './testing/wait-for.ts'

/** Registers the code sync suite for one runtime. */
export function describeCodeSyncContract(name: string, makeTarget: () => Promise<ContractTarget>): void {
  describe(`code sync: ${name}`, () => {
    let target: ContractTarget
    let runtime: Runtime
    let sink: MemorySink
    let git: GitServer

    beforeAll(async () => {
      git = await startGitServer()
      target = await makeTarget()
      sink = new MemorySink()
      runtime = await target.create()
      await runtime.start(sink)
    })
    afterAll(async () => {
      await runtime?.dispose()
      await target?.dispose?.()
      await git?.stop()
    })

    const job = (code: CodeSync, command: string): JobSpec =>
      jobSpec({ name: 'codesync', namespace: target.namespace, image: target.image, command, code })
    const anonymous = (over: Partial<CodeSync> = {}): CodeSync => ({
      url: git.gitUrl,
      branch: 'main',
      username: null,
      password: null,
      trustCerts: false,
      ...over,
    })
    const finished = (id: string) =>
      waitFor(
        `${id} to finish`,
        () => {
          const c = sink
            .lastStatus(id)
            ?.status.conditions.find((c) => c.status === 'True' && /Succeeded|Failed/.test(c.type))
          return c?.type
        },
        target.timeoutMs,
        50,
      )
    const everything = (id: string) => JSON.stringify([sink.observations.get(id), [...sink.logs.entries()]])

    test('the branch checkout is the working directory and $CODE_PATH/current, files and modes intact', async () => {
      const j = job(
        anonymous(),
        'cat hello.txt; cat "$CODE_PATH/current/hello.txt"; ' +
          './run.sh; test "$(pwd)" = "$CODE_PATH/current" && echo same',
      )
      await runtime.submit(j)
      expect(await finished(j.id)).toBe('Succeeded')
      const lines = sink.text(j.id, `${j.id}-worker-0`)
      expect(lines.slice(0, 2)).toEqual([git.content.main, git.content.main])
      expect(lines[2]).toMatch(/^run\.sh in \/.*current$/)
      expect(lines[3]).toBe('same')
      await runtime.delete(j.id)
    }, 120_000)

    test('a branch over HTTP with credentials: every replica gets it, and the password shows nowhere', async () => {
      const j = jobSpec({
        name: 'codesync',
        namespace: target.namespace,
        image: target.image,
        replicas: [{ type: 'Ps' }, { type: 'Worker', replicas: 2 }],
        // Kept running until deleted: the lines of a pod removed at once may be lost on a cluster.
        command: 'cat hello.txt; env | grep -c s3cr3t; sleep 600',
        code: {
          url: git.httpUrl,
          branch: 'feature',
          username: git.username,
          password: git.password,
          trustCerts: false,
        },
      })
      await runtime.submit(j)
      await waitFor(
        'every replica to print the feature branch and its count',
        () =>
          ['ps-0', 'worker-0', 'worker-1'].every((p) => {
            const lines = sink.text(j.id, `${j.id}-${p}`)
            return lines[0] === git.content.feature && lines.length === 2
          }),
        target.timeoutMs,
        50,
      )
      // The replica's environment does not hold the password either.
      expect(sink.text(j.id, `${j.id}-worker-0`)[1]).toBe('0')
      expect(git.authorizations.length).toBeGreaterThan(0)
      expect(everything(j.id)).not.toContain(git.password)
      await runtime.delete(j.id)
    }, 120_000)

    const failures: Array<[string, () => CodeSync, RegExp]> = [
      ['an unknown branch', () => anonymous({ branch: 'no-such-branch' }), /no-such-branch/],
      [
        'a wrong password',
        () => ({ ...anonymous(), url: git.httpUrl, username: git.username, password: 'wrong-pa55word' }),
        /Authentication failed|could not read|401/,
      ],
      [
        'a repository that does not exist',
        () => anonymous({ url: git.gitUrl.replace('repo.git', 'missing.git') }),
        /missing\.git|not exported|not found|does not appear/,
      ],
    ]
    for (const [what, code, gitSays] of failures) {
      test(`${what} fails the job once, naming the repository and git's error`, async () => {
        const c = code()
        const j = job(c, 'echo must not run')
        await runtime.submit(j)
        expect(await finished(j.id)).toBe('Failed')
        const last = sink.lastStatus(j.id)!
        const failed = last.status.conditions.find((x) => x.type === 'Failed')!
        expect(failed.reason).toBe(CODE_SYNC_FAILED)
        expect(last.message).toStartWith(`Failed: code sync of ${c.url} (branch ${c.branch}) failed: `)
        expect(last.message).toMatch(gitSays)
        expect(everything(j.id)).not.toContain('wrong-pa55word')
        // Not a crash loop: the command never ran and nothing was restarted.
        expect(sink.text(j.id, `${j.id}-worker-0`)).not.toContain('must not run')
        expect(last.replicas.map((r) => r.restartCount)).toEqual([0])
        await runtime.delete(j.id)
      }, 120_000)
    }
  })
}
