/** @jsxImportSource preact */
/**
 * @module
 * A status as a coloured word; its message, if any, on hover and beside it.
 */

/** The status word, with the message shown beside it (and as the tooltip). */
export function StatusBadge(props: { status: string; message?: string | null; showMessage?: boolean }) {
  const message = props.message ?? null
  return (
    <span class="status-cell">
      <span class={`badge badge-${props.status.toLowerCase()}`} title={message ?? undefined}>
        {props.status}
      </span>
      {props.showMessage !== false && message ? <span class="status-message">{message}</span> : null}
    </span>
  )
}
