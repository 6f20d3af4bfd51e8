import { describeRuntimeContract } from '../contract.ts'
import { createDockerRuntime } from './index.ts'
import {
  describeWithDocker,
  findTestEngine,
  removeAll,
  TEST_IMAGE,
  testInstanceId,
  testOptions,
} from './testing/test-engine.ts'

const engine = await findTestEngine()

describeWithDocker('docker runtime', engine, ({ host }) => {
  const instanceId = testInstanceId()
  describeRuntimeContract('docker', async () => ({
    create: async () => createDockerRuntime(testOptions(host, instanceId)),
    image: TEST_IMAGE,
    namespace: 'default',
    timeoutMs: 30_000,
    dispose: () => removeAll(host, instanceId),
  }))
})
