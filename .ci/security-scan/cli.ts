/**
 * `npm run security-scan` (and a step of .ci/run): the Electron security scan over main/, preload/ and
 * the renderer's HTML. Prints every finding and every justified one with its reason; exits 1 when a
 * finding is not justified. Needs no network and no Electron binary.
 */
import { resolve } from 'node:path'
import { locationOf } from './findings.ts'
import { CHECKS, scanProject } from './scan.ts'

const root = resolve(import.meta.dirname, '../..')
const scan = scanProject(root)

console.log(`Electron security scan: ${scan.codeFiles.length} code files (main/, preload/), ${scan.htmlFiles.length} HTML (${scan.htmlFiles.join(', ') || 'none'})`)
for (const check of CHECKS) console.log(`  checked: ${check.title}`)
if (!scan.htmlFiles.includes('out/renderer/index.html')) console.log('  note: no out/renderer/index.html (run `electron-vite build` to scan the built page too)')
for (const finding of scan.justified) {
  console.log(`  justified  ${finding.check}  ${locationOf(finding)}  ${finding.message}\n             reason: ${finding.justification}`)
}
for (const finding of scan.findings) console.log(`  FINDING    ${finding.check}  ${locationOf(finding)}  ${finding.message}`)
console.log(`security scan: ${scan.findings.length} findings, ${scan.justified.length} justified`)
process.exitCode = scan.findings.length === 0 ? 0 : 1
