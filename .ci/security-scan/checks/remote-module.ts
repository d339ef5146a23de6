/**
 * The remote module (electronegativity REMOTE_MODULE_JS_CHECK): `@electron/remote` (or Electron's old
 * built-in `remote`) hands main-process objects to the renderer, which defeats context isolation.
 */
import ts from 'typescript'
import { findingAt, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { booleanValue, propertyName, stringValue } from '../resolve.ts'

const REMOTE_MODULES = new Set(['@electron/remote', '@electron/remote/main', '@electron/remote/renderer', 'electron/remote'])

export const remoteModuleCheck: Check = {
  title: 'no remote module',
  run(context) {
    const { checker } = context.code
    const findings: Finding[] = []
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
          const source = node.moduleSpecifier.text
          const namedRemote =
            source === 'electron' &&
            node.importClause?.namedBindings !== undefined &&
            ts.isNamedImports(node.importClause.namedBindings) &&
            node.importClause.namedBindings.elements.some((element) => (element.propertyName ?? element.name).text === 'remote')
          if (REMOTE_MODULES.has(source) || namedRemote) findings.push(findingAt(context, 'REMOTE_MODULE', node, `imports the remote module (${source})`))
        } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
          const source = node.arguments[0] ? stringValue(node.arguments[0], checker) : undefined
          if (source && REMOTE_MODULES.has(source)) findings.push(findingAt(context, 'REMOTE_MODULE', node, `loads the remote module (${source})`))
        } else if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'enableRemoteModule' && booleanValue(node.initializer, checker) !== false) {
          findings.push(findingAt(context, 'REMOTE_MODULE', node, 'enableRemoteModule gives the renderer the main process’s objects'))
        }
      }
    }
    return findings
  },
}
