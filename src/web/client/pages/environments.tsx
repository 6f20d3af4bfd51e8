/** @jsxImportSource preact */
/**
 * @module
 * Stored environments: list, create (name and Docker image), delete with a confirmation.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, json } from '../api.ts'
import { Confirm } from '../components/dialog.tsx'
import { useTitle } from '../hooks.ts'

interface Environment {
  environmentId: string
  environmentSpec: { name: string; dockerImage: string | null; description?: string | null }
}

/** The environments view. */
export function Environments() {
  useTitle('Environments')
  const [list, setList] = useState<Environment[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [formError, setFormError] = useState<string | null>(null)
  const [name, setName] = useState('')
  const [image, setImage] = useState('')
  const [description, setDescription] = useState('')
  const [doomed, setDoomed] = useState<string | null>(null)
  const [version, setVersion] = useState(0)

  useEffect(() => {
    api<Environment[]>('GET', '/api/v1/environment').then(setList, (err) => setError(message(err)))
  }, [version])

  async function create(e: Event) {
    e.preventDefault()
    setFormError(null)
    try {
      await api('POST', '/api/v1/environment', json({ name, dockerImage: image, description: description || null }))
      setName('')
      setImage('')
      setDescription('')
      setVersion((v) => v + 1)
    } catch (err) {
      setFormError(message(err))
    }
  }

  async function remove(target: string) {
    setDoomed(null)
    try {
      await api('DELETE', `/api/v1/environment/${encodeURIComponent(target)}`)
    } catch (err) {
      setError(message(err))
    }
    setVersion((v) => v + 1)
  }

  return (
    <section aria-labelledby="env-title">
      <h1 id="env-title">Environments</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <table class="environments">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Docker image</th>
            <th scope="col">Description</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list?.length === 0 ? (
            <tr>
              <td colSpan={4} class="empty">
                No environments stored.
              </td>
            </tr>
          ) : null}
          {list?.map((env) => (
            <tr key={env.environmentId}>
              <td>{env.environmentSpec.name}</td>
              <td class="mono">{env.environmentSpec.dockerImage}</td>
              <td>{env.environmentSpec.description}</td>
              <td>
                <button type="button" class="danger" onClick={() => setDoomed(env.environmentSpec.name)}>
                  Delete<span class="visually-hidden"> {env.environmentSpec.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="env-create-title">Store an environment</h2>
      <form class="env-form" onSubmit={create} aria-labelledby="env-create-title">
        <label for="env-name">Name</label>
        <input id="env-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="env-image">Docker image</label>
        <input
          id="env-image"
          required
          placeholder="e.g. busybox:1.36"
          value={image}
          onInput={(e) => setImage(e.currentTarget.value)}
        />
        <label for="env-description">Description (optional)</label>
        <input id="env-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        <div class="actions">
          <button type="submit" class="primary">
            Store
          </button>
        </div>
        {formError ? (
          <p class="error" role="alert">
            {formError}
          </p>
        ) : null}
      </form>
      <Confirm
        open={doomed !== null}
        title="Delete this environment?"
        body={`The environment ${doomed ?? ''} is removed; experiments that name it can no longer be created.`}
        confirmLabel="Delete"
        onConfirm={() => remove(doomed!)}
        onCancel={() => setDoomed(null)}
      />
    </section>
  )
}

const message = (err: unknown) => (err instanceof ApiError ? err.message : String(err))
