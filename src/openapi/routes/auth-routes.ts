/**
 * @module
 * Submarine's login endpoints, over periscope's tokens.
 */
import * as v from 'valibot'
import * as answer from '../answer-schemas.ts'
import type { RouteDoc } from './route-doc.ts'

export const authRoutes: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    tag: 'auth',
    summary: "Log in (Submarine's web UI)",
    description:
      'The password is a periscope token or its MD5 hex digest; `result.token` is what to send as ' +
      '`Authorization: Bearer` from then on. With auth off, any login succeeds.',
    body: answer.LoginRequest,
    result: answer.Login,
    errors: { 400: ['INVALID_SPEC'], 401: ['UNAUTHENTICATED'] },
  },
  {
    method: 'post',
    path: '/api/auth/token',
    operationId: 'token',
    tag: 'auth',
    summary: "Get a bearer token (Submarine's integration tests)",
    description: 'Like login, answering the token alone.',
    body: answer.LoginRequest,
    result: v.string(),
    errors: { 400: ['INVALID_SPEC'], 401: ['UNAUTHENTICATED'] },
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'logout',
    tag: 'auth',
    summary: 'Log out',
    description: 'Tokens are not sessions: nothing is forgotten here. `periscope token revoke` ends a token.',
    body: v.pipe(v.looseObject({}), v.description('`{}` (the web UI sends it)')),
    result: v.literal(true),
    errors: {},
  },
  {
    method: 'get',
    path: '/api/sys/user/info',
    operationId: 'userInfo',
    tag: 'auth',
    summary: 'Who the token acts as',
    result: answer.UserInfo,
    errors: { 401: ['UNAUTHENTICATED'] },
  },
]
