/**
 * The scan over this repository: clean except the one justified, dev-only CSP relaxation; and the real
 * sources with one protection broken at a time are reported, so the scan does follow the app's own
 * code (the window options factory, the URL validator, the handlers) and would catch a regression.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { locationOf, type Finding } from './findings.ts'
import { readProjectSources, scanProject, scanSources } from './scan.ts'

const root = resolve(import.meta.dirname, '../..')
const described = (findings: readonly Finding[]): string[] => findings.map((finding) => `${finding.check} ${locationOf(finding)} ${finding.message}`)

/** The project's sources with one text replaced (which must be there). */
function projectWith(path: string, from: string, to: string) {
  const sources = readProjectSources(root)
  const change = (text: string | undefined): string => {
    if (text === undefined || !text.includes(from)) throw new Error(`${path} has no ${JSON.stringify(from)}`)
    return text.replace(from, to)
  }
  if (path.endsWith('.html')) {
    return { code: sources.code, html: sources.html.map((page) => (page.path === path ? { ...page, text: change(page.text) } : page)) }
  }
  const code = new Map(sources.code)
  code.set(path, change(code.get(path)))
  return { code, html: sources.html }
}

describe('the Electron security scan of this repository', () => {
  it('has no findings; the dev-server style relaxation is the one justified exception', () => {
    const scan = scanProject(root)
    expect(described(scan.findings)).toEqual([])
    expect(scan.justified.map((finding) => `${finding.check} ${finding.file}`)).toEqual(['CSP main/shell/csp.ts'])
    expect(scan.justified[0]?.justification).toMatch(/dev server only/u)
    expect(scan.codeFiles).toEqual(expect.arrayContaining(['main/index.ts', 'main/shell/window.ts', 'main/shell/window-options.ts', 'preload/index.ts', 'preload/api.ts']))
    expect(scan.codeFiles.some((file) => file.endsWith('.test.ts'))).toBe(false)
    expect(scan.htmlFiles).toContain('renderer/index.html')
  })

  it.each([
    ['main/shell/window-options.ts', 'sandbox: true', 'sandbox: false', 'SANDBOX main/shell/window-options.ts'],
    ['main/shell/window-options.ts', 'contextIsolation: true', 'contextIsolation: false', 'CONTEXT_ISOLATION main/shell/window-options.ts'],
    ['main/shell/window.ts', "(event, url) => {\n    event.preventDefault()", "(event, url) => {\n    if (url === '') event.preventDefault()", 'LIMIT_NAVIGATION main/shell/window.ts'],
    ['main/shell/window.ts', "return { action: 'deny' }", "return { action: 'allow' }", 'NEW_WINDOW main/shell/window.ts'],
    ['main/shell/window.ts', 'shell.openExternal(target)', 'shell.openExternal(url)', 'OPEN_EXTERNAL main/shell/window.ts'],
    ['main/shell/permissions.ts', 'session.setPermissionRequestHandler(', 'void (', 'PERMISSION_HANDLER (whole app)'],
    ['main/shell/csp.ts', '  // security-scan: allow CSP', '  // (no justification)', 'CSP main/shell/csp.ts'],
    ['renderer/index.html', "script-src 'self'", "script-src 'self' 'unsafe-inline'", 'CSP renderer/index.html'],
  ])('reports %s with %j changed', (path, from, to, expected) => {
    const findings = described(scanSources(projectWith(path, from, to)).findings)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toContain(expected)
  })
})

describe('how the scan runs', () => {
  it('is `npm run security-scan`, a step of .ci/run after the build and before the tests', () => {
    const { scripts } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(scripts['security-scan']).toBe('node .ci/security-scan/cli.ts')
    const ci = readFileSync(resolve(root, '.ci/run'), 'utf8')
    const at = (command: string): number => {
      const index = ci.search(new RegExp(`^${command}`, 'mu'))
      expect(index, command).toBeGreaterThan(-1)
      return index
    }
    expect(at('npx --no-install electron-vite build')).toBeLessThan(at('npm run security-scan'))
    expect(at('npm run security-scan')).toBeLessThan(at('timeout .* npm test'))
  })
})
