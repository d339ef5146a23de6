import * as v from 'valibot'
import {
  methods,
  type MethodInput,
  type MethodName,
  type MethodResults,
  type Result,
} from '../../../preload/api.ts'
import { isCoreError } from '../errors.ts'

export type Handlers = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<MethodResults[M]> | MethodResults[M]
}

function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name)
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}

/**
 * The one entry point for every caller outside the core (Electron IPC, the WebSocket bridge, tests):
 * checks the method name, validates the payload against the contract's schema, runs the handler and
 * turns any failure into `{ ok: false, error }`. Unexpected errors are logged here and reported
 * without internals.
 */
export async function dispatch(handlers: Handlers, method: unknown, payload: unknown): Promise<Result<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'unknown-method', message: `Unknown method: ${String(method).slice(0, 80)}` } }
  }
  const parsed = v.safeParse(methods[method].input, payload)
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid-input', message: describeIssues(parsed.issues) } }
  }
  try {
    const handler = handlers[method] as (input: unknown) => unknown
    const result = await handler(parsed.output)
    return { ok: true, result }
  } catch (error) {
    if (isCoreError(error)) return { ok: false, error: error.toDto() }
    console.error(`[core] ${method} failed:`, error)
    return { ok: false, error: { code: 'internal', message: 'Something went wrong; see the log for details' } }
  }
}
