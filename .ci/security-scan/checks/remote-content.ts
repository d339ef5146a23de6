/**
 * Remote and insecure content (electronegativity HTTP_RESOURCES_JS_CHECK / HTTP_RESOURCES_HTML_CHECK,
 * ALLOW_POPUPS_HTML_CHECK; the webview tag): no page or resource loaded over http(s) from elsewhere,
 * no `<webview>`.
 */
import ts from 'typescript'
import { findingAt, findingInHtml, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { walk } from '../program.ts'
import { calleeName, leadingText } from '../resolve.ts'

const LOADERS = new Set(['loadURL', 'downloadURL'])
const REMOTE_ATTRIBUTE = /\b(?:src|href|action|data|poster|srcset)\s*=\s*["']?\s*(https?:|\/\/)/giu
const WEBVIEW = /<webview\b/giu
const ALLOW_POPUPS = /<[a-z-]+\b[^>]*\ballowpopups\b/giu

export const remoteContentCheck: Check = {
  title: 'no remote or http content, no webview',
  run(context) {
    const findings: Finding[] = []
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) continue
        const name = calleeName(node)
        if (!name || !LOADERS.has(name) || !node.arguments[0]) continue
        const start = leadingText(node.arguments[0], context.code.checker)?.trim().toLowerCase()
        if (start?.startsWith('http:')) findings.push(findingAt(context, 'HTTP_RESOURCES', node, `${name} of a plain http: URL`))
        else if (start?.startsWith('https:') || start?.startsWith('//')) findings.push(findingAt(context, 'REMOTE_CONTENT', node, `${name} of a remote page: the app shows only its own files`))
      }
    }
    for (const page of context.html) {
      for (const match of page.text.matchAll(REMOTE_ATTRIBUTE)) {
        const insecure = match[1]?.toLowerCase() === 'http:'
        findings.push(findingInHtml(page, insecure ? 'HTTP_RESOURCES' : 'REMOTE_CONTENT', match.index, insecure ? 'a resource over plain http:' : 'a resource from another origin'))
      }
      for (const match of page.text.matchAll(WEBVIEW)) findings.push(findingInHtml(page, 'WEBVIEW_TAG', match.index, 'a <webview> tag'))
      for (const match of page.text.matchAll(ALLOW_POPUPS)) findings.push(findingInHtml(page, 'ALLOW_POPUPS', match.index, 'allowpopups lets a webview open windows'))
    }
    return findings
  },
}
