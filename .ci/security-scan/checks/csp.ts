/**
 * Content-Security-Policy (electronegativity CSP_GLOBAL_CHECK, CSP_HTML_CHECK): every HTML page has a
 * strict CSP `<meta>` (what a file:// page gets: no response headers), the main process also sends one
 * as a header (a string 'Content-Security-Policy' in the scanned code), and no code string weakens a
 * policy with 'unsafe-inline' / 'unsafe-eval'.
 */
import ts from 'typescript'
import { findingAt, findingInHtml, type Check } from '../check.ts'
import type { Finding } from '../findings.ts'
import { policyProblems } from '../csp-policy.ts'
import { walk } from '../program.ts'

const META_TAG = /<meta\b[^>]*>/giu
const HTTP_EQUIV_CSP = /\bhttp-equiv\s*=\s*["']?content-security-policy["']?/iu
const CONTENT = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/iu
const UNSAFE_IN_CODE = /'unsafe-(?:inline|eval|hashes)'/u

export const cspCheck: Check = {
  title: 'Content-Security-Policy in the pages and the main process',
  run(context) {
    const findings: Finding[] = []
    for (const page of context.html) {
      const metas = [...page.text.matchAll(META_TAG)].filter((match) => HTTP_EQUIV_CSP.test(match[0]))
      if (metas.length === 0) {
        findings.push(findingInHtml(page, 'CSP', 0, 'no Content-Security-Policy <meta> tag'))
        continue
      }
      for (const meta of metas) {
        const content = CONTENT.exec(meta[0])
        const policy = content?.[1] ?? content?.[2]
        if (policy === undefined) {
          findings.push(findingInHtml(page, 'CSP', meta.index, 'the Content-Security-Policy <meta> tag has no content'))
          continue
        }
        for (const problem of policyProblems(policy)) findings.push(findingInHtml(page, 'CSP', meta.index, `Content-Security-Policy: ${problem}`))
      }
    }

    let headerSet = false
    for (const file of context.code.files) {
      for (const node of walk(file)) {
        if (!ts.isStringLiteral(node) && !ts.isNoSubstitutionTemplateLiteral(node) && !ts.isTemplateHead(node) && !ts.isTemplateMiddle(node) && !ts.isTemplateTail(node)) continue
        if (node.text.toLowerCase() === 'content-security-policy') headerSet = true
        const unsafe = UNSAFE_IN_CODE.exec(node.text)
        if (unsafe) findings.push(findingAt(context, 'CSP', node, `${unsafe[0]} in a string: a policy built from it allows inline code or eval`))
      }
    }
    if (!headerSet) findings.push({ check: 'CSP', message: 'the main process sets no Content-Security-Policy header' })
    return findings
  },
}
