/**
 * Navigation and new windows (electronegativity LIMIT_NAVIGATION_GLOBAL_CHECK / LIMIT_NAVIGATION_JS_CHECK,
 * and the new-window / auxclick concern, which setWindowOpenHandler covers): the app must install a
 * `will-navigate` handler that always calls `event.preventDefault()`, and a `setWindowOpenHandler` whose
 * every answer is `{ action: 'deny' }`.
 */
import ts from 'typescript'
import { findingAt, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { calleeName, propertyValue, resolveFunction, resolveObjectLiteral, returnedExpressions, stringValue, unwrap, type FunctionLike } from '../resolve.ts'

const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener'])

/** Does the function's body call `<first parameter>.preventDefault()` as one of its own statements? */
function alwaysPreventsDefault(fn: FunctionLike): boolean {
  const event = fn.parameters[0]?.name
  if (!event || !ts.isIdentifier(event) || !fn.body) return false
  const statements = ts.isBlock(fn.body) ? fn.body.statements : [ts.factory.createExpressionStatement(fn.body)]
  return statements.some((statement) => {
    if (!ts.isExpressionStatement(statement)) return false
    const call = unwrap(statement.expression)
    return (
      ts.isCallExpression(call) &&
      ts.isPropertyAccessExpression(call.expression) &&
      call.expression.name.text === 'preventDefault' &&
      ts.isIdentifier(call.expression.expression) &&
      call.expression.expression.text === event.text
    )
  })
}

export const navigationCheck: Check = {
  title: 'will-navigate and setWindowOpenHandler deny everything',
  run(context) {
    const { checker } = context.code
    const findings: Finding[] = []
    let navigationHandlers = 0
    let windowOpenHandlers = 0
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (!ts.isCallExpression(node)) continue
        const name = calleeName(node)
        if (name && LISTENER_METHODS.has(name) && node.arguments.length >= 2 && stringValue(node.arguments[0]!, checker) === 'will-navigate') {
          navigationHandlers += 1
          const handler = resolveFunction(node.arguments[1]!, checker)
          if (!handler || !alwaysPreventsDefault(handler)) {
            findings.push(findingAt(context, 'LIMIT_NAVIGATION', node, 'this will-navigate handler does not always call event.preventDefault()'))
          }
        } else if (name === 'setWindowOpenHandler' && ts.isPropertyAccessExpression(node.expression)) {
          windowOpenHandlers += 1
          const handler = node.arguments[0] ? resolveFunction(node.arguments[0], checker) : null
          const answers = handler ? returnedExpressions(handler) : null
          const allDeny =
            answers !== null &&
            answers.length > 0 &&
            answers.every((answer) => {
              const object = resolveObjectLiteral(answer, checker)
              const action = object ? propertyValue(object, 'action') : undefined
              return action !== undefined && stringValue(action, checker) === 'deny'
            })
          if (!allDeny) findings.push(findingAt(context, 'NEW_WINDOW', node, "this setWindowOpenHandler does not always answer { action: 'deny' }"))
        }
      }
    }
    if (navigationHandlers === 0) findings.push({ check: 'LIMIT_NAVIGATION', message: "no will-navigate handler: the renderer may navigate away from the app's page" })
    if (windowOpenHandlers === 0) findings.push({ check: 'NEW_WINDOW', message: 'no setWindowOpenHandler: window.open and target=_blank links may open new windows' })
    return findings
  },
}
