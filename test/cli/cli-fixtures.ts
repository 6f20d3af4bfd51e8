/**
 * @module
 * Experiment specs the client tests submit (the process runtime runs `cmd` with `sh -c`).
 */

/** A TensorFlow experiment whose replicas run `cmd`; `workers` workers and no Ps. */
export function experimentSpec(name: string, cmd: string, workers = 1) {
  return {
    meta: { name, namespace: 'default', framework: 'TensorFlow', cmd, envVars: {} },
    environment: { image: 'unused-by-the-process-runtime' },
    spec: { Worker: { replicas: workers, resources: 'cpu=1,memory=64M' } },
  }
}

/** The same spec as YAML text. */
export function experimentYaml(name: string, cmd: string, workers = 1): string {
  return `meta:
  name: ${name}
  namespace: default
  framework: TensorFlow
  cmd: ${JSON.stringify(cmd)}
environment:
  image: unused-by-the-process-runtime
spec:
  Worker:
    replicas: ${workers}
    resources: cpu=1,memory=64M
`
}
