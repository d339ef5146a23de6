/**
 * Permission handlers (electronegativity PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK): without
 * `session.setPermissionRequestHandler` Electron grants every permission a page asks for (camera,
 * microphone, geolocation, …); without `setPermissionCheckHandler` every check says yes. Also flagged:
 * removing a handler (`null`) and a request handler that answers `callback(true)` unconditionally.
 */
import ts from 'typescript'
import { findingAt, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { booleanValue, calleeName, resolveFunction, unwrap } from '../resolve.ts'

const HANDLERS = ['setPermissionRequestHandler', 'setPermissionCheckHandler'] as const

export const permissionsCheck: Check = {
  title: 'permission request and check handlers',
  run(context) {
    const { checker } = context.code
    const findings: Finding[] = []
    const seen = new Set<string>()
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) continue
        const name = calleeName(node)
        if (name !== 'setPermissionRequestHandler' && name !== 'setPermissionCheckHandler') continue
        const argument = node.arguments[0]
        if (!argument || unwrap(argument).kind === ts.SyntaxKind.NullKeyword) {
          findings.push(findingAt(context, 'PERMISSION_HANDLER', node, `${name}(null) removes the handler: every permission is granted again`))
          continue
        }
        seen.add(name)
        if (name !== 'setPermissionRequestHandler') continue
        const handler = resolveFunction(argument, checker)
        const callback = handler?.parameters[2]?.name
        if (!handler || !callback || !ts.isIdentifier(callback) || !handler.body) continue
        const grantsAll = (ts.isBlock(handler.body) ? handler.body.statements : []).some((statement) => {
          if (!ts.isExpressionStatement(statement)) return false
          const call = unwrap(statement.expression)
          return ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === callback.text && call.arguments[0] !== undefined && booleanValue(call.arguments[0], checker) === true
        })
        if (grantsAll) findings.push(findingAt(context, 'PERMISSION_HANDLER', node, 'this permission request handler grants every request'))
      }
    }
    for (const name of HANDLERS) {
      if (!seen.has(name)) findings.push({ check: 'PERMISSION_HANDLER', message: `no session.${name}: Electron grants every permission by default` })
    }
    return findings
  },
}
