/** @jsxImportSource preact */
/**
 * @module
 * Asks for the API token when the server answers 401; kept for this tab only.
 */
import { useEffect, useState } from 'preact/hooks'
import { giveToken, onTokenRequest, type TokenRequest } from '../auth.ts'
import { Modal } from './dialog.tsx'

/** Shown while some request waits for a token. */
export function TokenDialog() {
  const [request, setRequest] = useState<TokenRequest | null>(null)
  const [value, setValue] = useState('')
  useEffect(() => onTokenRequest(setRequest), [])
  return (
    <Modal open={request !== null} labelId="token-title" onCancel={() => {}}>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (value.trim()) giveToken(value.trim())
          setValue('')
        }}
      >
        <h2 id="token-title" class="dialog-title">
          API token
        </h2>
        <p>{request?.message}</p>
        <label for="token-input">Token</label>
        <input
          id="token-input"
          type="password"
          autocomplete="off"
          required
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <p class="hint">Kept in this browser tab only (sessionStorage), sent as a bearer token.</p>
        <div class="actions">
          <button type="submit" class="primary">
            Use token
          </button>
        </div>
      </form>
    </Modal>
  )
}
