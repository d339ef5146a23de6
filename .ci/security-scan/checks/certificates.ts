/**
 * TLS verification (electronegativity CERTIFICATE_ERROR_EVENT_JS_CHECK, CERTIFICATE_VERIFY_PROC_JS_CHECK;
 * ElectroNG NODE_TLS_REJECT_UNAUTHORIZED; ARCHITECTURE.md: never NODE_TLS_REJECT_UNAUTHORIZED=0): no
 * `certificate-error` handler (it can accept a bad certificate), no custom verify proc, and no use of
 * NODE_TLS_REJECT_UNAUTHORIZED at all. (The XMPP connection's own pinning lives in the core, not here.)
 */
import ts from 'typescript'
import { findingAt, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { calleeName, stringValue } from '../resolve.ts'

export const certificatesCheck: Check = {
  title: 'TLS certificate checks left on',
  run(context) {
    const findings: Finding[] = []
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
          const name = calleeName(node)
          if ((name === 'on' || name === 'once') && node.arguments[0] && stringValue(node.arguments[0], context.code.checker) === 'certificate-error') {
            findings.push(findingAt(context, 'CERTIFICATE_ERROR_EVENT', node, 'a certificate-error handler can accept an untrusted certificate'))
          } else if (name === 'setCertificateVerifyProc') {
            findings.push(findingAt(context, 'CERTIFICATE_VERIFY_PROC', node, 'a custom certificate verifier replaces Chromium’s checks'))
          }
        } else if ((ts.isIdentifier(node) || ts.isStringLiteral(node)) && node.text === 'NODE_TLS_REJECT_UNAUTHORIZED') {
          findings.push(findingAt(context, 'TLS_VERIFICATION_DISABLED', node, 'NODE_TLS_REJECT_UNAUTHORIZED turns off TLS verification for the whole process'))
        }
      }
    }
    return findings
  },
}
