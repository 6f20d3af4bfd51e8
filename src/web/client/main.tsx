/** @jsxImportSource preact */
/**
 * @module
 * The browser entry: draws the page into `#app`.
 */
import { render } from 'preact'
import { App } from './app.tsx'

const root = document.getElementById('app')
if (root) {
  root.textContent = ''
  render(<App />, root)
}
