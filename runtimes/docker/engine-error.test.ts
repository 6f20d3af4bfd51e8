import { describe, expect, test } from 'bun:test'
import { EngineError, engineError } from './engine-error.ts'

describe('engineError', () => {
  const http = (statusCode: number, message: string) =>
    Object.assign(new Error(`(HTTP code ${statusCode}) x`), { statusCode, json: { message } })

  test('classifies engine answers by status, keeping the engine message', () => {
    expect(engineError(http(404, 'No such container: a'), 'inspect')).toMatchObject({
      kind: 'not-found',
      status: 404,
      message: 'No such container: a',
    })
    expect(engineError(http(409, 'Conflict. The name is in use'), 'create')).toMatchObject({ kind: 'conflict' })
    expect(engineError(http(304, ''), 'start')).toMatchObject({ kind: 'not-modified' })
    expect(engineError(http(400, 'invalid reference format'), 'create')).toMatchObject({
      kind: 'rejected',
      message: 'invalid reference format',
    })
    expect(engineError(http(500, 'could not select device driver "nvidia"'), 'start')).toMatchObject({
      kind: 'server',
      status: 500,
    })
  })

  test('reads a message from a JSON text or bytes body', () => {
    const e = Object.assign(new Error('x'), { statusCode: 404, json: Buffer.from('{"message":"pull access denied"}') })
    expect(engineError(e, 'pull').message).toBe('pull access denied')
  })

  test('calls connection failures and timeouts unreachable, naming the call', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED /x.sock'), { code: 'ECONNREFUSED' })
    expect(engineError(refused, 'ping (unix:///x.sock)')).toMatchObject({
      kind: 'unreachable',
      message: 'ping (unix:///x.sock): connect ECONNREFUSED /x.sock',
    })
    const timeout = Object.assign(new Error('The operation timed out.'), { name: 'TimeoutError' })
    expect(engineError(timeout, 'ping').message).toBe('ping: no answer in time')
    const e = new EngineError('conflict', 'c')
    expect(engineError(e, 'any')).toBe(e)
  })
})
