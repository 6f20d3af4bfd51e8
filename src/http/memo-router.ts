/**
 * @module
 * The app's router: Hono's trie router (its faster RegExpRouter cannot take a static route
 * before a parameter one under the same prefix, as `/experiment/events` before
 * `/experiment/:id`), with the matches of the paths asked most remembered. A match is a
 * function of the method and path alone once the routes are added, and finding one was the
 * largest part of answering a kept read; a dashboard asks the same few paths again and again.
 */
import type { Result, Router } from 'hono/router'
import { TrieRouter } from 'hono/router/trie-router'

/** Most matches remembered; past it, new paths are matched each time (a flood of distinct paths costs nothing more). */
export const MAX_REMEMBERED = 1024

/** A trie router that remembers up to {@link MAX_REMEMBERED} matches. */
export class MemoRouter<T> implements Router<T> {
  readonly name = 'MemoRouter'
  #inner = new TrieRouter<T>()
  #matches = new Map<string, Result<T>>()

  add(method: string, path: string, handler: T): void {
    this.#matches.clear()
    this.#inner.add(method, path, handler)
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`
    const known = this.#matches.get(key)
    if (known) return known
    const result = this.#inner.match(method, path)
    if (this.#matches.size < MAX_REMEMBERED) this.#matches.set(key, result)
    return result
  }
}
