/**
 * BrowserWindow / BrowserView / WebContentsView options (electronegativity CONTEXT_ISOLATION_JS_CHECK,
 * SANDBOX_JS_CHECK, NODE_INTEGRATION_JS_CHECK, WEB_SECURITY_JS_CHECK, INSECURE_CONTENT_JS_CHECK,
 * EXPERIMENTAL_FEATURES_JS_CHECK, BLINK_FEATURES_JS_CHECK; the webview tag).
 *
 * Stricter than electronegativity in one way and more precise in another: every security switch must
 * be spelled out as a constant (relying on Electron's defaults is not enough: they changed over
 * versions), and the options are followed to where they are built (a factory function in another
 * file), so `new BrowserWindow(mainWindowOptions(…))` is checked, not flagged blindly.
 */
import ts from 'typescript'
import { findingAt, type Check, type ScanContext } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { booleanValue, propertyName, propertyValue, resolveObjectLiteral, unwrap } from '../resolve.ts'

const WINDOW_CLASSES = new Set(['BrowserWindow', 'BrowserView', 'WebContentsView'])

/** The switches that must be constants with these values, and the check each belongs to. */
const REQUIRED: ReadonlyArray<{ name: string; value: boolean; check: string }> = [
  { name: 'contextIsolation', value: true, check: 'CONTEXT_ISOLATION' },
  { name: 'sandbox', value: true, check: 'SANDBOX' },
  { name: 'nodeIntegration', value: false, check: 'NODE_INTEGRATION' },
  { name: 'nodeIntegrationInWorker', value: false, check: 'NODE_INTEGRATION' },
  { name: 'nodeIntegrationInSubFrames', value: false, check: 'NODE_INTEGRATION' },
  { name: 'webSecurity', value: true, check: 'WEB_SECURITY' },
  { name: 'allowRunningInsecureContent', value: false, check: 'INSECURE_CONTENT' },
  { name: 'experimentalFeatures', value: false, check: 'EXPERIMENTAL_FEATURES' },
  { name: 'webviewTag', value: false, check: 'WEBVIEW_TAG' },
]

function windowClassName(node: ts.NewExpression): string | undefined {
  const callee = unwrap(node.expression)
  if (ts.isIdentifier(callee)) return callee.text
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text
  return undefined
}

/** Does a spread (`...x`) possibly bring in this property? Asked of its type, member by member. */
function spreadMayDefine(spread: ts.SpreadAssignment, name: string, context: ScanContext): boolean {
  const type = context.code.checker.getTypeAtLocation(spread.expression)
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true
  const members = type.isUnion() ? type.types : [type]
  return members.some((member) => member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || member.getProperty(name) !== undefined)
}

function checkWebPreferences(context: ScanContext, preferences: ts.ObjectLiteralExpression): Finding[] {
  const { checker } = context.code
  const findings: Finding[] = []
  for (const property of preferences.properties) {
    if (ts.isSpreadAssignment(property)) {
      findings.push(findingAt(context, 'WEB_PREFERENCES', property, 'a spread in webPreferences may override the security switches; spell them out'))
    }
  }
  for (const required of REQUIRED) {
    const value = propertyValue(preferences, required.name)
    if (value === undefined) {
      findings.push(findingAt(context, required.check, preferences, `${required.name} is not set; set it to ${required.value} explicitly`))
      continue
    }
    const constant = booleanValue(value, checker)
    if (constant === undefined) findings.push(findingAt(context, required.check, value, `${required.name} is not a constant; it must be ${required.value}`))
    else if (constant !== required.value) findings.push(findingAt(context, required.check, value, `${required.name} is ${constant}; it must be ${required.value}`))
  }
  const blink = propertyValue(preferences, 'enableBlinkFeatures')
  if (blink !== undefined) findings.push(findingAt(context, 'BLINK_FEATURES', blink, 'enableBlinkFeatures turns on Blink features outside the secure defaults'))
  // enableRemoteModule is reported by the remote-module check, wherever it is written.
  return findings
}

export const webPreferencesCheck: Check = {
  title: 'BrowserWindow / BrowserView / WebContentsView webPreferences',
  run(context) {
    const { checker } = context.code
    const findings: Finding[] = []
    const checked = new Set<ts.ObjectLiteralExpression>()
    const check = (preferences: ts.ObjectLiteralExpression): void => {
      if (checked.has(preferences)) return
      checked.add(preferences)
      findings.push(...checkWebPreferences(context, preferences))
    }

    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (ts.isNewExpression(node)) {
          const className = windowClassName(node)
          if (!className || !WINDOW_CLASSES.has(className)) continue
          const argument = node.arguments?.[0]
          if (!argument) {
            findings.push(findingAt(context, 'WINDOW_OPTIONS', node, `new ${className}() without options: the security switches are not set`))
            continue
          }
          const options = resolveObjectLiteral(argument, checker)
          if (!options) {
            findings.push(findingAt(context, 'WINDOW_OPTIONS', argument, `the ${className} options cannot be checked statically; build them as an object literal (or in a function returning one)`))
            continue
          }
          for (const property of options.properties) {
            if (ts.isSpreadAssignment(property) && spreadMayDefine(property, 'webPreferences', context)) {
              findings.push(findingAt(context, 'WEB_PREFERENCES', property, 'this spread may replace webPreferences'))
            }
          }
          const preferencesValue = propertyValue(options, 'webPreferences')
          if (preferencesValue === undefined) {
            findings.push(findingAt(context, 'WEB_PREFERENCES', options, `the ${className} options have no webPreferences: the security switches are not set`))
            continue
          }
          const preferences = resolveObjectLiteral(preferencesValue, checker)
          if (!preferences) findings.push(findingAt(context, 'WEB_PREFERENCES', preferencesValue, 'webPreferences cannot be checked statically; write it as an object literal'))
          else check(preferences)
        } else if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'webPreferences') {
          // webPreferences anywhere else too (overrideBrowserWindowOptions, option factories, …).
          const preferences = resolveObjectLiteral(node.initializer, checker)
          if (preferences) check(preferences)
        }
      }
    }
    return findings
  },
}
