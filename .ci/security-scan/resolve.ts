/**
 * Following a value to its definition, as far as it can be known without running the code: through
 * parentheses and type assertions, `const` bindings (also imported ones) and calls of our own
 * functions that return one expression. Anything else is "unknown" (null), which the checks report as
 * not verifiable rather than guess.
 */
import ts from 'typescript'

const MAX_DEPTH = 8

/** The expression without parentheses, `as`, `satisfies`, `!`, `<T>` and `await`. */
export function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression
  for (;;) {
    if (
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isSatisfiesExpression(current) ||
      ts.isNonNullExpression(current) ||
      ts.isTypeAssertionExpression(current) ||
      ts.isAwaitExpression(current)
    ) {
      current = current.expression
    } else {
      return current
    }
  }
}

/** The declaration an identifier refers to (imports followed to the exported declaration). */
export function declarationOf(identifier: ts.Node, checker: ts.TypeChecker): ts.Declaration | undefined {
  let symbol = checker.getSymbolAtLocation(identifier)
  if (!symbol) return undefined
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  return symbol.valueDeclaration ?? symbol.declarations?.[0]
}

/** The initializer of a `const` the identifier refers to. */
export function constInitializer(identifier: ts.Identifier, checker: ts.TypeChecker): ts.Expression | undefined {
  const declaration = declarationOf(identifier, checker)
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined
  const list = declaration.parent
  if (!ts.isVariableDeclarationList(list) || (list.flags & ts.NodeFlags.Const) === 0) return undefined
  return declaration.initializer
}

/** A function with a body, written in the scanned code. */
export type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration

function isFunctionLike(node: ts.Node | undefined): node is FunctionLike {
  return node !== undefined && (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node))
}

/** The function an expression is (a function literal, or a name bound to one), if it can be known. */
export function resolveFunction(expression: ts.Expression, checker: ts.TypeChecker, depth = 0): FunctionLike | null {
  if (depth > MAX_DEPTH) return null
  const value = unwrap(expression)
  if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value
  if (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) {
    const declaration = declarationOf(ts.isPropertyAccessExpression(value) ? value.name : value, checker)
    if (isFunctionLike(declaration) && declaration.body) return declaration
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(value)) {
      const initializer = constInitializer(value, checker)
      return initializer ? resolveFunction(initializer, checker, depth + 1) : null
    }
  }
  return null
}

/** The function a call calls, if it is one of ours. */
export function calledFunction(call: ts.CallExpression, checker: ts.TypeChecker): FunctionLike | null {
  return resolveFunction(call.expression, checker)
}

/** The expressions a function returns (its own `return`s, not those of nested functions). */
export function returnedExpressions(fn: FunctionLike): ts.Expression[] | null {
  const body = fn.body
  if (!body) return null
  if (!ts.isBlock(body)) return [body]
  const returned: ts.Expression[] = []
  let bare = false
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return
    if (ts.isReturnStatement(node)) {
      if (node.expression) returned.push(node.expression)
      else bare = true
      return
    }
    ts.forEachChild(node, visit)
  }
  ts.forEachChild(body, visit)
  return bare ? null : returned
}

/** The object literal an expression evaluates to, if that can be known statically. */
export function resolveObjectLiteral(expression: ts.Expression, checker: ts.TypeChecker, depth = 0): ts.ObjectLiteralExpression | null {
  if (depth > MAX_DEPTH) return null
  const value = unwrap(expression)
  if (ts.isObjectLiteralExpression(value)) return value
  if (ts.isIdentifier(value)) {
    const initializer = constInitializer(value, checker)
    return initializer ? resolveObjectLiteral(initializer, checker, depth + 1) : null
  }
  if (ts.isCallExpression(value)) {
    const fn = calledFunction(value, checker)
    const returned = fn ? returnedExpressions(fn) : null
    if (returned?.length !== 1) return null
    return resolveObjectLiteral(returned[0]!, checker, depth + 1)
  }
  return null
}

/** A property's name as written (identifier or string literal key), if it has a static one. */
export function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text
  return undefined
}

/** The value given to a property of an object literal (the last one wins, as at runtime). */
export function propertyValue(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && propertyName(property.name) === name) found = property.initializer
    else if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) found = property.name
  }
  return found
}

/** true / false when the expression is a boolean constant, else undefined. */
export function booleanValue(expression: ts.Expression, checker: ts.TypeChecker, depth = 0): boolean | undefined {
  if (depth > MAX_DEPTH) return undefined
  const value = unwrap(expression)
  if (value.kind === ts.SyntaxKind.TrueKeyword) return true
  if (value.kind === ts.SyntaxKind.FalseKeyword) return false
  if (ts.isIdentifier(value)) {
    const initializer = constInitializer(value, checker)
    return initializer ? booleanValue(initializer, checker, depth + 1) : undefined
  }
  return undefined
}

/** The text of a string constant (literal, template without substitutions, or a const bound to one). */
export function stringValue(expression: ts.Expression, checker: ts.TypeChecker, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined
  const value = unwrap(expression)
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return value.text
  if (ts.isIdentifier(value)) {
    const initializer = constInitializer(value, checker)
    return initializer ? stringValue(initializer, checker, depth + 1) : undefined
  }
  return undefined
}

/** The leading constant text of a string: the literal, or a template's head (`http://${host}` → "http://"). */
export function leadingText(expression: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const value = unwrap(expression)
  if (ts.isTemplateExpression(value)) return value.head.text
  if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken) return leadingText(value.left, checker)
  return stringValue(value, checker)
}

/** The name a call is made through: `f(…)` → "f", `a.b.f(…)` → "f". */
export function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = call.expression
  if (ts.isIdentifier(callee)) return callee.text
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text
  return undefined
}

/** For `x.y.f(…)`, the receiver's last name ("y"); for `x.f(…)`, "x". */
export function receiverName(call: ts.CallExpression): string | undefined {
  const callee = call.expression
  if (!ts.isPropertyAccessExpression(callee)) return undefined
  const receiver = unwrap(callee.expression)
  if (ts.isIdentifier(receiver)) return receiver.text
  if (ts.isPropertyAccessExpression(receiver)) return receiver.name.text
  return undefined
}
