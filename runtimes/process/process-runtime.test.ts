import { tempDir } from '../../test/helpers/temp-dir.ts'
import { describeRuntimeContract } from '../contract.ts'
import { createProcessRuntime } from './index.ts'

describeRuntimeContract('process', async () => {
  const dataDir = tempDir()
  return {
    create: async () =>
      createProcessRuntime({
        dataDir,
        baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        namespace: 'default',
        instanceId: 'test',
        restartBackoffMs: 50,
        stopGraceMs: 500,
        pollMs: 20,
      }),
    image: null,
    namespace: 'default',
    timeoutMs: 15_000,
  }
})
