/**
 * @module
 * The process runtime: replicas as local processes, for machines with neither
 * Docker nor Kubernetes. It runs commands as the server's user and ignores images.
 */
export { createProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.ts'
