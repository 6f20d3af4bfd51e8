/**
 * Which runtime `serve` builds, and the one-line refusals when it cannot.
 */
import { expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeWithDocker, findTestEngine } from '../runtimes/docker/testing/test-engine.ts'
import { parseServeConfig } from '../src/config.ts'
import { selectRuntime } from '../src/select-runtime.ts'
import { tempDir } from './helpers/temp-dir.ts'
import { startFakeKube } from './kube-fake/index.ts'

const quiet = () => {}

test('auto picks the kubernetes runtime when a kubeconfig is given', async () => {
  const fake = await startFakeKube()
  try {
    const kubeconfig = join(tempDir(), 'config')
    writeFileSync(kubeconfig, fake.kubeconfig())
    const runtime = await selectRuntime(parseServeConfig(['--kubeconfig', kubeconfig], {}), 'i1', {}, quiet)
    expect(runtime.name).toBe('kubernetes')
    await runtime.dispose()
  } finally {
    await fake.stop()
  }
})

test('the kubernetes runtime with an unreadable kubeconfig is one clear line', async () => {
  const config = parseServeConfig(['--runtime', 'kubernetes', '--kubeconfig', '/nonexistent/kubeconfig'], {})
  await expect(selectRuntime(config, 'i1', {}, quiet)).rejects.toThrow(
    /^cannot use the kubernetes runtime: .*\/nonexistent\/kubeconfig/,
  )
})

test('the process runtime refuses a non-loopback address with auth off and says why', async () => {
  const config = parseServeConfig(['--runtime', 'process', '--host', '0.0.0.0', '--auth', 'none'], {})
  await expect(selectRuntime(config, 'i1', {}, quiet)).rejects.toThrow(
    'refusing to listen on 0.0.0.0 with the process runtime and --auth none',
  )
})

test('the process runtime takes a non-loopback address when tokens are required (auto or token)', async () => {
  for (const auth of ['auto', 'token']) {
    const config = parseServeConfig(['--runtime', 'process', '--host', '0.0.0.0', '--auth', auth], {})
    const runtime = await selectRuntime({ ...config, dataDir: tempDir() }, 'i1', {}, quiet)
    expect(runtime.name).toBe('process')
    await runtime.dispose()
  }
})

describeWithDocker('auto with a Docker engine', await findTestEngine(), ({ host }) => {
  test('picks the docker runtime when an engine answers and no cluster is configured', async () => {
    const logs: string[] = []
    const runtime = await selectRuntime(parseServeConfig([], { DOCKER_HOST: host }), 'i1', { DOCKER_HOST: host }, (m) =>
      logs.push(m),
    )
    expect(runtime.name).toBe('docker')
    expect(logs).toEqual([`--runtime auto: using the docker runtime (engine at ${host})`])
    await runtime.dispose()
  })
})
