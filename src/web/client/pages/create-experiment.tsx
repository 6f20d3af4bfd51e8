/** @jsxImportSource preact */
/**
 * @module
 * Create an experiment from pasted or uploaded JSON or YAML; the API's validation
 * message (naming the field) is shown beside the form; success opens the detail page.
 */
import { useState } from 'preact/hooks'
import { ApiError, api, specBody } from '../api.ts'
import type { Experiment } from '../format.ts'
import { useTitle } from '../hooks.ts'
import { detailHref, navigate } from '../router.ts'
import { SAMPLE_SPEC } from '../samples.ts'

/** The create view. */
export function CreateExperiment() {
  useTitle('New experiment')
  const [text, setText] = useState(SAMPLE_SPEC)
  const [error, setError] = useState<{ message: string; reason: string | null } | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(e: Event) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const created = await api<Experiment>('POST', '/api/v1/experiment', specBody(text))
      navigate(detailHref(created.experimentId))
    } catch (err) {
      setError(
        err instanceof ApiError ? { message: err.message, reason: err.reason } : { message: String(err), reason: null },
      )
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">New experiment</h1>
      <div class="create-layout">
        <form onSubmit={submit} class="create-form" aria-describedby={error ? 'create-error' : undefined}>
          <label for="spec-text">Experiment spec (JSON or YAML)</label>
          <textarea
            id="spec-text"
            rows={22}
            spellcheck={false}
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'create-error' : 'spec-hint'}
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <p id="spec-hint" class="hint">
            Submarine's experiment spec: meta (name, framework, cmd, envVars), environment (image or a stored
            environment's name) and spec (tasks with replicas and resources).
          </p>
          <div class="actions">
            <label class="button" for="spec-file">
              Upload a file…
            </label>
            <input
              id="spec-file"
              class="visually-hidden"
              type="file"
              accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
              onChange={async (e) => {
                const file = e.currentTarget.files?.[0]
                if (file) setText(await file.text())
                e.currentTarget.value = ''
              }}
            />
            <button type="button" onClick={() => setText(SAMPLE_SPEC)}>
              Start from the sample
            </button>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create'}
            </button>
          </div>
        </form>
        <aside class="create-side" aria-live="polite">
          {error ? (
            <div id="create-error" class="error" role="alert">
              <h2>The server refused the spec</h2>
              <p class="field-error">{error.message}</p>
              {error.reason ? <p class="hint">Reason: {error.reason}</p> : null}
            </div>
          ) : (
            <p class="hint">Paste a spec, upload a .json or .yaml file, or start from the sample.</p>
          )}
        </aside>
      </div>
    </section>
  )
}
