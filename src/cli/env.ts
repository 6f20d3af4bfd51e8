/**
 * @module
 * `periscope env create|list|get|delete`: the stored environments
 * (`/api/v1/environment`) that experiments name in `environment.name`.
 */
import type { Environment } from '../storage/environment-repository.ts'
import { oneLine } from './experiment-view.ts'
import { createCommand, deleteCommand, getCommand, listCommand, type StoredResource } from './stored-resource.ts'

const HEADERS = ['NAME', 'ID', 'IMAGE', 'KERNEL', 'DESCRIPTION'] as const

function row(e: Environment): string[] {
  const s = e.environmentSpec
  return [
    s.name ?? '',
    e.environmentId,
    s.image ?? s.dockerImage ?? '',
    s.kernelSpec?.name ?? '',
    oneLine(s.description ?? ''),
  ]
}

const ENVIRONMENT: StoredResource<Environment> = {
  command: 'env',
  noun: 'environment',
  collection: '/api/v1/environment',
  nameOf: (e) => e.environmentSpec.name ?? '',
  headers: HEADERS,
  row,
}

export const envCreate = createCommand(ENVIRONMENT, {
  summary: 'Create an environment from a JSON or YAML spec.',
  spec: 'the environment spec (name, image or dockerImage, kernelSpec, description)',
})

export const envList = listCommand(ENVIRONMENT, { summary: 'List environments.', none: 'No environments.' })

export const envGet = getCommand(ENVIRONMENT, { summary: 'Show one environment.' })

export const envDelete = deleteCommand(ENVIRONMENT, 'Delete an environment.')
