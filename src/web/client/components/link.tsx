/** @jsxImportSource preact */
/**
 * @module
 * A link the page follows itself (History API); a new-tab click works as usual.
 */
import type { ComponentChildren } from 'preact'
import { isPlainClick, navigate } from '../router.ts'

/** An `<a>` whose plain clicks change the view without a reload. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (!isPlainClick(e)) return
        e.preventDefault()
        navigate(props.href)
      }}
    >
      {props.children}
    </a>
  )
}
