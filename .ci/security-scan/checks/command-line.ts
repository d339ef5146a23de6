/**
 * Chromium switches and Electron's warnings (electronegativity CUSTOM_ARGUMENTS_JS_CHECK,
 * SECURITY_WARNINGS_DISABLED_JS_CHECK): `app.commandLine.appendSwitch` / `appendArgument` with a switch
 * that weakens security (the same list as electronegativity), or with a name that is not a constant;
 * and ELECTRON_DISABLE_SECURITY_WARNINGS.
 */
import ts from 'typescript'
import { findingAt, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { calleeName, stringValue } from '../resolve.ts'

const DANGEROUS_SWITCHES = new Set([
  'ignore-certificate-errors',
  'ignore-certificate-errors-spki-list',
  'ignore-urlfetcher-cert-requests',
  'disable-web-security',
  'host-rules',
  'host-resolver-rules',
  'auth-server-whitelist',
  'auth-server-allowlist',
  'auth-negotiate-delegate-whitelist',
  'auth-negotiate-delegate-allowlist',
  'js-flags',
  'allow-file-access-from-files',
  'allow-no-sandbox-job',
  'allow-running-insecure-content',
  'cipher-suite-blacklist',
  'debug-packed-apps',
  'disable-features',
  'disable-kill-after-bad-ipc',
  'disable-webrtc-encryption',
  'disable-xss-auditor',
  'enable-local-file-accesses',
  'enable-nacl-debug',
  'remote-debugging-address',
  'remote-debugging-port',
  'inspect',
  'inspect-brk',
  'explicitly-allowed-ports',
  'expose-internals-for-testing',
  'gpu-launcher',
  'nacl-dangerous-no-sandbox-nonsfi',
  'nacl-gdb-script',
  'no-sandbox',
  'reduce-security-for-testing',
  'unsafely-treat-insecure-origin-as-secure',
])

export const commandLineCheck: Check = {
  title: 'no security-weakening Chromium switches, security warnings left on',
  run(context) {
    const findings: Finding[] = []
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
          const name = calleeName(node)
          if (name !== 'appendSwitch' && name !== 'appendArgument') continue
          const value = node.arguments[0] ? stringValue(node.arguments[0], context.code.checker) : undefined
          const switchName = value?.replace(/^-+/u, '').split('=')[0]?.toLowerCase()
          if (switchName === undefined) findings.push(findingAt(context, 'CUSTOM_ARGUMENTS', node, `${name} with a switch that is not a constant`))
          else if (DANGEROUS_SWITCHES.has(switchName)) findings.push(findingAt(context, 'CUSTOM_ARGUMENTS', node, `--${switchName} weakens Chromium's security`))
        } else if ((ts.isIdentifier(node) || ts.isStringLiteral(node)) && node.text === 'ELECTRON_DISABLE_SECURITY_WARNINGS') {
          findings.push(findingAt(context, 'SECURITY_WARNINGS_DISABLED', node, "ELECTRON_DISABLE_SECURITY_WARNINGS hides Electron's security warnings"))
        }
      }
    }
    return findings
  },
}
