/** @jsxImportSource preact */
/**
 * @module
 * A modal `<dialog>`: the browser keeps focus inside it and Escape cancels it.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'

/** A modal shown while `open`; `onCancel` on Escape. */
export function Modal(props: { open: boolean; labelId: string; onCancel: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (props.open && !dialog.open) dialog.showModal()
    if (!props.open && dialog.open) dialog.close()
  }, [props.open])
  return (
    <dialog
      ref={ref}
      aria-labelledby={props.labelId}
      onCancel={(e) => {
        e.preventDefault()
        props.onCancel()
      }}
    >
      {props.open ? props.children : null}
    </dialog>
  )
}

/** A yes/no question before something that cannot be undone. */
export function Confirm(props: {
  open: boolean
  title: string
  body: string
  confirmLabel: string
  onConfirm: () => void
  onCancel: () => void
}) {
  return (
    <Modal open={props.open} labelId="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title" class="dialog-title">
        {props.title}
      </h2>
      <p>{props.body}</p>
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </Modal>
  )
}
