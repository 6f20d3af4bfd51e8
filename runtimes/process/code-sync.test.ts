import { tempDir } from '../../test/helpers/temp-dir.ts'
import { describeCodeSyncContract } from '../code-sync-contract.ts'
import { createProcessRuntime } from './index.ts'

describeCodeSyncContract('process', async () => ({
  create: async () =>
    createProcessRuntime({
      dataDir: tempDir(),
      baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      namespace: 'default',
      instanceId: 'test',
      restartBackoffMs: 50,
      stopGraceMs: 500,
      pollMs: 20,
    }),
  image: null,
  namespace: 'default',
  timeoutMs: 20_000,
}))
