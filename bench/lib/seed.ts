/**
 * @module
 * Stored experiments for the benches: the API document's TensorFlow example, many times.
 */
import type { Database } from 'bun:sqlite'
import { normalizeSpec } from '../../src/experiments/normalize-spec.ts'
import { createExperimentRepository, type ExperimentRepository } from '../../src/storage/experiment-repository.ts'

/** The document's `tf-mnist-json` spec, as a create stores it. */
export const EXAMPLE_SPEC = normalizeSpec(
  {
    meta: {
      name: 'tf-mnist-json',
      framework: 'TensorFlow',
      cmd: 'python /var/tf_mnist/mnist_with_summaries.py --log_dir=/train/log',
      envVars: { ENV_1: 'ENV1' },
    },
    environment: { image: 'apache/submarine:tf-mnist-with-summaries-1.0' },
    spec: {
      Ps: { replicas: 1, resources: 'cpu=1,memory=1024M' },
      Worker: { replicas: 1, resources: 'cpu=1,memory=2048M' },
    },
  },
  { namespace: 'default', findEnvironment: () => null, lowerCaseName: true },
)

/**
 * Inserts `count` experiments of {@link EXAMPLE_SPEC} in one transaction (Accepted, or what
 * `then` makes of each); returns their ids, in creation order.
 */
export function insertExperiments(
  db: Database,
  count: number,
  then?: (repo: ExperimentRepository, id: string, at: string) => void,
): string[] {
  const repo = createExperimentRepository(db)
  const ids: string[] = []
  const at = new Date().toISOString()
  db.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const id = `experiment-1700000000000-${String(i).padStart(6, '0')}`
      ids.push(id)
      const spec = { ...EXAMPLE_SPEC, meta: { ...EXAMPLE_SPEC.meta, experimentId: id } }
      repo.insert({ id, uid: crypto.randomUUID(), spec, acceptedTime: at })
      then?.(repo, id, at)
    }
  })()
  return ids
}
