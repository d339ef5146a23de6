/**
 * shell.openExternal / shell.openPath (electronegativity OPEN_EXTERNAL_JS_CHECK; ElectroNG OPEN_PATH):
 * handing a URL from the renderer (or a message) to the OS can start any registered program. The
 * argument must be a constant, or a `const` produced by one of the configured URL validators
 * (main/shell/navigation.ts externalLinkTarget: http(s) only, no credentials), so review happens in
 * one place.
 */
import ts from 'typescript'
import { findingAt, type Check, type ScanContext } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { calleeName, calledFunction, constInitializer, stringValue, unwrap } from '../resolve.ts'

const OPENERS = new Set(['openExternal', 'openPath'])

function functionName(fn: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(fn) && fn.name) return fn.name.text
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text
  return undefined
}

function isValidated(argument: ts.Expression, context: ScanContext): boolean {
  const value = unwrap(argument)
  if (!ts.isIdentifier(value)) return false
  const initializer = constInitializer(value, context.code.checker)
  if (!initializer) return false
  const call = unwrap(initializer)
  if (!ts.isCallExpression(call)) return false
  const fn = calledFunction(call, context.code.checker)
  if (!fn) return false
  const file = context.code.pathOf(fn.getSourceFile())
  const name = functionName(fn)
  return context.urlValidators.some((validator) => validator.file === file && validator.name === name)
}

export const openExternalCheck: Check = {
  title: 'shell.openExternal / openPath with validated input',
  run(context) {
    const findings: Finding[] = []
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (!ts.isCallExpression(node)) continue
        const name = calleeName(node)
        if (!name || !OPENERS.has(name) || !ts.isPropertyAccessExpression(node.expression)) continue
        const argument = node.arguments[0]
        if (!argument || stringValue(argument, context.code.checker) !== undefined || isValidated(argument, context)) continue
        const validators = context.urlValidators.map((validator) => `${validator.name} (${validator.file})`).join(', ')
        findings.push(findingAt(context, 'OPEN_EXTERNAL', node, `${name} with a value not checked by a URL validator; pass a const from ${validators || 'a configured validator'}`))
      }
    }
    return findings
  },
}
