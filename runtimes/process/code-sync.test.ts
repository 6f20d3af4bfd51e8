import { tempDir } from '../../test/helpers/temp-dir.ts'
import { describeCodeSyncContract } from '../code-sync-contract.ts'
import { testProcessRuntime } from './testing/test-runtime.ts'

describeCodeSyncContract('process', async () => ({
  create: async () => testProcessRuntime(tempDir()),
  image: null,
  namespace: 'default',
  timeoutMs: 20_000,
}))
