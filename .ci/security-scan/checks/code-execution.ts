/**
 * Running strings as code (electronegativity DANGEROUS_FUNCTIONS_JS_CHECK): `executeJavaScript`,
 * `insertCSS` and friends inject into the renderer; `eval` and `new Function` compile strings.
 */
import ts from 'typescript'
import { findingAt, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { calleeName } from '../resolve.ts'

const INJECTING_METHODS = new Set(['executeJavaScript', 'executeJavaScriptInIsolatedWorld', 'insertCSS'])

export const codeExecutionCheck: Check = {
  title: 'no code built from strings',
  run(context) {
    const findings: Finding[] = []
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (ts.isCallExpression(node)) {
          const name = calleeName(node)
          if (name && INJECTING_METHODS.has(name) && ts.isPropertyAccessExpression(node.expression)) {
            findings.push(findingAt(context, 'DANGEROUS_FUNCTION', node, `${name} runs a string in the renderer`))
          } else if (ts.isIdentifier(node.expression) && node.expression.text === 'eval') {
            findings.push(findingAt(context, 'DANGEROUS_FUNCTION', node, 'eval compiles a string as code'))
          }
        } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') {
          findings.push(findingAt(context, 'DANGEROUS_FUNCTION', node, 'new Function compiles a string as code'))
        }
      }
    }
    return findings
  },
}
