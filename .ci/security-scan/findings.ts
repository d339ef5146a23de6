/**
 * What the scan reports, and the one way to accept a finding: a comment on the finding's line or the
 * line above it, `security-scan: allow CHECK_ID -- why this is safe` (the reason is required). A comment
 * that allows nothing found there is reported itself, so stale justifications do not pile up.
 */

export interface Finding {
  /** The check's id, e.g. CONTEXT_ISOLATION (named after electronegativity's checks where one exists). */
  check: string
  /** Repository-relative path; absent for a protection missing from the whole app (cannot be justified inline). */
  file?: string
  line?: number
  column?: number
  message: string
}

export interface JustifiedFinding extends Finding {
  justification: string
}

export interface ScanResult {
  findings: Finding[]
  justified: JustifiedFinding[]
}

const ALLOW = /security-scan:\s*allow\s+([A-Z][A-Z0-9_]*(?:\s*,\s*[A-Z][A-Z0-9_]*)*)\s*(?:--|—|:)\s*(.*?)\s*(?:\*\/|-->)?\s*$/u
const MIN_REASON_LENGTH = 10

interface Allowance {
  checks: string[]
  reason: string
  line: number
  used: boolean
}

/** The allow comments of one file, by line (1-based). */
export function allowancesIn(text: string): Allowance[] {
  const allowances: Allowance[] = []
  text.split('\n').forEach((content, index) => {
    const match = ALLOW.exec(content)
    if (!match) return
    const checks = (match[1] ?? '').split(',').map((check) => check.trim())
    allowances.push({ checks, reason: (match[2] ?? '').trim(), line: index + 1, used: false })
  })
  return allowances
}

/** Splits findings into those still open and those a valid comment accepts; adds findings for bad comments. */
export function applyJustifications(findings: readonly Finding[], sources: ReadonlyMap<string, string>): ScanResult {
  const allowancesByFile = new Map<string, Allowance[]>()
  for (const [file, text] of sources) allowancesByFile.set(file, allowancesIn(text))

  const open: Finding[] = []
  const justified: JustifiedFinding[] = []
  for (const finding of findings) {
    const allowance =
      finding.file === undefined || finding.line === undefined
        ? undefined
        : allowancesByFile
            .get(finding.file)
            ?.find((candidate) => (candidate.line === finding.line || candidate.line === finding.line! - 1) && candidate.checks.includes(finding.check))
    if (allowance && allowance.reason.length >= MIN_REASON_LENGTH) {
      allowance.used = true
      justified.push({ ...finding, justification: allowance.reason })
    } else {
      if (allowance) allowance.used = true
      open.push(finding)
    }
  }

  for (const [file, allowances] of allowancesByFile) {
    for (const allowance of allowances) {
      if (allowance.reason.length < MIN_REASON_LENGTH) {
        open.push({ check: 'JUSTIFICATION', file, line: allowance.line, column: 1, message: `an allow comment needs a reason of at least ${MIN_REASON_LENGTH} characters` })
      } else if (!allowance.used) {
        open.push({ check: 'JUSTIFICATION', file, line: allowance.line, column: 1, message: `nothing to allow here: no ${allowance.checks.join('/')} finding on this line or the next` })
      }
    }
  }
  return { findings: sortFindings(open), justified: sortFindings(justified) }
}

function sortFindings<T extends Finding>(findings: T[]): T[] {
  return findings.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.check.localeCompare(b.check),
  )
}

/** `main/shell/window.ts:12:5` or `(whole app)`. */
export function locationOf(finding: Finding): string {
  if (finding.file === undefined) return '(whole app)'
  return `${finding.file}:${finding.line ?? 1}:${finding.column ?? 1}`
}
