/**
 * The Electron security scan: every check over the main-process and preload code (as one TypeScript
 * program) and the renderer's HTML pages. `scanSources` scans given texts (the tests feed it bad
 * code); `scanProject` reads this repository's files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { Check, HtmlFile, UrlValidator } from './check.ts'
import { certificatesCheck } from './checks/certificates.ts'
import { codeExecutionCheck } from './checks/code-execution.ts'
import { commandLineCheck } from './checks/command-line.ts'
import { cspCheck } from './checks/csp.ts'
import { navigationCheck } from './checks/navigation.ts'
import { openExternalCheck } from './checks/open-external.ts'
import { permissionsCheck } from './checks/permissions.ts'
import { protocolsCheck } from './checks/protocols.ts'
import { remoteContentCheck } from './checks/remote-content.ts'
import { remoteModuleCheck } from './checks/remote-module.ts'
import { webPreferencesCheck } from './checks/web-preferences.ts'
import { applyJustifications, type ScanResult } from './findings.ts'
import { createCodeProgram } from './program.ts'

export const CHECKS: readonly Check[] = [
  webPreferencesCheck,
  navigationCheck,
  openExternalCheck,
  permissionsCheck,
  cspCheck,
  remoteContentCheck,
  remoteModuleCheck,
  protocolsCheck,
  codeExecutionCheck,
  certificatesCheck,
  commandLineCheck,
]

/** The app's one URL validator for shell.openExternal (http/https only, no user:password@). */
export const PROJECT_URL_VALIDATORS: readonly UrlValidator[] = [{ file: 'main/shell/navigation.ts', name: 'externalLinkTarget' }]

/** What is scanned: the Electron main process and the preload (the core runs in the main process too). */
export const CODE_ROOTS = ['main', 'preload'] as const
/** The renderer page as written, and as built into out/ (what is packaged), when a build exists. */
export const HTML_ROOTS = ['renderer/index.html', 'out/renderer'] as const

export interface ScanInput {
  /** Repository-relative path → TypeScript source. */
  code: ReadonlyMap<string, string>
  html: readonly HtmlFile[]
  urlValidators?: readonly UrlValidator[]
}

export interface ProjectScan extends ScanResult {
  codeFiles: string[]
  htmlFiles: string[]
}

export function scanSources(input: ScanInput): ScanResult {
  const context = { code: createCodeProgram(input.code), html: input.html, urlValidators: input.urlValidators ?? PROJECT_URL_VALIDATORS }
  const findings = CHECKS.flatMap((check) => check.run(context))
  const sources = new Map<string, string>(input.code)
  for (const page of input.html) sources.set(page.path, page.text)
  return applyJustifications(findings, sources)
}

function filesUnder(root: string, directory: string, accept: (path: string) => boolean): string[] {
  const absolute = join(root, directory)
  if (!existsSync(absolute)) return []
  return (readdirSync(absolute, { recursive: true, encoding: 'utf8' }) as string[])
    .map((entry) => relative(root, join(absolute, entry)).split(sep).join('/'))
    .filter(accept)
    .sort()
}

const isScannedCode = (path: string): boolean => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts')

/** This repository's scanned files (main/ and preload/ code without tests, the renderer's HTML). */
export function readProjectSources(root: string): ScanInput & { codeFiles: string[]; htmlFiles: string[] } {
  const codeFiles = CODE_ROOTS.flatMap((directory) => filesUnder(root, directory, isScannedCode))
  const htmlFiles = HTML_ROOTS.flatMap((path) =>
    path.endsWith('.html') ? (existsSync(join(root, path)) ? [path] : []) : filesUnder(root, path, (file) => file.endsWith('.html')),
  )
  const code = new Map(codeFiles.map((path) => [path, readFileSync(join(root, path), 'utf8')]))
  const html = htmlFiles.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }))
  return { code, html, codeFiles, htmlFiles }
}

export function scanProject(root: string): ProjectScan {
  const { codeFiles, htmlFiles, ...input } = readProjectSources(root)
  return { ...scanSources(input), codeFiles, htmlFiles }
}
