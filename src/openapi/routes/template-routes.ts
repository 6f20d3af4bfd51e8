/**
 * @module
 * Submarine 0.8's experiment templates.
 */
import * as v from 'valibot'
import { TemplateInput } from '../../templates/template-schema.ts'
import * as answer from '../answer-schemas.ts'
import { type RouteDoc, TEMPLATE, templateName } from './route-doc.ts'

export const templateRoutes: readonly RouteDoc[] = [
  {
    method: 'post',
    path: TEMPLATE,
    operationId: 'createTemplate',
    tag: 'template',
    summary: 'Store an experiment template',
    description:
      'Appends `spec.<Task>.replicas`, `.resourceMap.cpu` and ' +
      '`.resourceMap.memory` per task to the parameters, and refuses a template ' +
      'whose parameters and placeholders do not fit (a dry run with every default).',
    body: TemplateInput,
    result: answer.ExperimentTemplate,
    errors: { 400: ['INVALID_SPEC', 'TEMPLATE_PARAMETERS', 'TEMPLATE_EXISTS'] },
  },
  {
    method: 'get',
    path: TEMPLATE,
    operationId: 'listTemplates',
    tag: 'template',
    summary: 'List experiment templates',
    description: 'In creation order, each with `experimentTemplateId: null`.',
    result: v.array(answer.ExperimentTemplate),
    errors: {},
  },
  {
    method: 'get',
    path: `${TEMPLATE}/{name}`,
    operationId: 'getTemplate',
    tag: 'template',
    summary: 'Get an experiment template',
    params: [templateName],
    result: answer.ExperimentTemplate,
    errors: { 404: ['TEMPLATE_NOT_FOUND'] },
  },
  {
    method: 'patch',
    path: `${TEMPLATE}/{name}`,
    operationId: 'patchTemplate',
    tag: 'template',
    summary: 'Replace an experiment template',
    description: 'The whole template is replaced (its name may change); answers as create does, with a new id.',
    params: [templateName],
    body: TemplateInput,
    result: answer.ExperimentTemplate,
    errors: { 400: ['INVALID_SPEC', 'TEMPLATE_PARAMETERS', 'TEMPLATE_EXISTS'], 404: ['TEMPLATE_NOT_FOUND'] },
  },
  {
    method: 'delete',
    path: `${TEMPLATE}/{name}`,
    operationId: 'deleteTemplate',
    tag: 'template',
    summary: 'Delete an experiment template',
    params: [templateName],
    result: answer.ExperimentTemplate,
    errors: { 404: ['TEMPLATE_NOT_FOUND'] },
  },
]
