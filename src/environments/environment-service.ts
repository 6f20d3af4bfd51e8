/**
 * @module
 * Stored environments (`/api/v1/environment`): named images (and conda specs)
 * that experiments refer to with `"environment": {"name": …}`.
 */
import * as v from 'valibot'
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts'
import type { EnvironmentSpec } from '../experiments/experiment.ts'
import { EnvironmentInput } from '../experiments/experiment-schema.ts'
import { describeIssues } from '../experiments/normalize-spec.ts'
import type { Environment, EnvironmentRepository } from '../storage/environment-repository.ts'

function normalize(body: unknown): EnvironmentSpec {
  if (body === null || body === undefined || (typeof body === 'object' && Object.keys(body).length === 0)) {
    throw new ValidationError('Invalid environment spec.')
  }
  const parsed = v.safeParse(EnvironmentInput, body)
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.issues).replace('experiment', 'environment'))
  const e = parsed.output
  if (!e.name?.trim()) throw new ValidationError('Invalid environment spec: name is required (a non-empty string)')
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(e.name.trim())) {
    throw new ValidationError(
      `Invalid environment spec: name "${e.name}" must start with a letter or digit ` +
        'and hold only letters, digits, ".", "_" and "-" (it is used in URLs)',
    )
  }
  const k = e.kernelSpec
  return {
    name: e.name.trim(),
    dockerImage: e.dockerImage ?? null,
    kernelSpec: k
      ? {
          name: k.name ?? null,
          channels: k.channels ?? [],
          condaDependencies: k.condaDependencies ?? [],
          pipDependencies: k.pipDependencies ?? [],
        }
      : null,
    description: e.description ?? null,
    image: e.image ?? null,
  }
}

const notFound = () => new NotFoundError('ENVIRONMENT_NOT_FOUND', 'Environment not found.')

export type EnvironmentService = ReturnType<typeof createEnvironmentService>

/** Creates the service. */
export function createEnvironmentService(repo: EnvironmentRepository, ids: { environment(): string }) {
  return {
    create(body: unknown): Environment {
      const spec = normalize(body)
      const env = { environmentId: ids.environment(), environmentSpec: spec }
      if (!repo.insert(env))
        throw new ConflictError(
          'ENVIRONMENT_EXISTS',
          `Environment "${spec.name}" already exists; PATCH /api/v1/environment/${spec.name} to change it`,
        )
      return env
    },
    get(name: string): Environment {
      return (
        repo.get(name) ??
        (() => {
          throw notFound()
        })()
      )
    },
    list(): Environment[] {
      return repo.list()
    },
    patch(name: string, body: unknown): Environment {
      const existing = repo.get(name)
      if (!existing) throw notFound()
      const spec = normalize(body)
      if (spec.name !== name && repo.get(spec.name!))
        throw new ConflictError('ENVIRONMENT_EXISTS', `Environment "${spec.name}" already exists`)
      repo.update(name, spec)
      return { environmentId: existing.environmentId, environmentSpec: spec }
    },
    delete(name: string): Environment {
      const existing = repo.get(name)
      if (!existing) throw notFound()
      repo.remove(name)
      return existing
    },
  }
}
