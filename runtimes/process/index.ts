/**
 * @module
 * The process runtime: replicas as local processes, for machines with neither
 * Docker nor Kubernetes. It runs commands as the server's user and ignores images.
 */
export type { ProcessRuntimeOptions } from './options.ts'
export { createProcessRuntime } from './process-runtime.ts'
