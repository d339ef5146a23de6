/**
 * Custom protocols (electronegativity PROTOCOL_HANDLERS_JS_CHECK): a protocol handler serves content to
 * the renderer outside the file/URL checks, and a privileged scheme with `bypassCSP` ignores the policy.
 * Each use needs a review (and a justification comment here).
 */
import ts from 'typescript'
import { findingAt, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { booleanValue, calleeName, propertyName, receiverName } from '../resolve.ts'

const HANDLER_METHODS = /^(?:register|intercept)(?:Http|String|Buffer|File|Stream)Protocol$/u

export const protocolsCheck: Check = {
  title: 'no custom protocol handlers or CSP-bypassing schemes',
  run(context) {
    const findings: Finding[] = []
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
          const name = calleeName(node) ?? ''
          if (HANDLER_METHODS.test(name) || (name === 'handle' && receiverName(node) === 'protocol')) {
            findings.push(findingAt(context, 'PROTOCOL_HANDLER', node, `protocol.${name} serves content to the renderer; review what it can return`))
          }
        } else if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'bypassCSP' && booleanValue(node.initializer, context.code.checker) !== false) {
          findings.push(findingAt(context, 'PROTOCOL_HANDLER', node, 'a privileged scheme with bypassCSP ignores the Content-Security-Policy'))
        }
      }
    }
    return findings
  },
}
