/**
 * @module
 * Every route the server answers, as data: path, method, summary, parameters, request
 * and answer schemas, error reasons, and which API-document example shows it, one table per
 * area. The OpenAPI document is built from them (`document.ts`); `test/api/openapi.test.ts`
 * checks them against the routes the Hono app registers, both ways.
 */

import { authRoutes } from './routes/auth-routes.ts'
import { environmentRoutes } from './routes/environment-routes.ts'
import { experimentRoutes } from './routes/experiment-routes.ts'
import type { RouteDoc } from './routes/route-doc.ts'
import { serverRoutes } from './routes/server-routes.ts'
import { submarineUiRoutes } from './routes/submarine-ui-routes.ts'
import { templateRoutes } from './routes/template-routes.ts'
import { webRoutes } from './routes/web-routes.ts'

export type { ParamDoc, RouteDoc, StreamDoc } from './routes/route-doc.ts'

/** Every route, in the order the document lists them. */
export const ROUTES: readonly RouteDoc[] = [
  ...experimentRoutes,
  ...templateRoutes,
  ...submarineUiRoutes,
  ...environmentRoutes,
  ...authRoutes,
  ...serverRoutes,
  ...webRoutes,
]
