import { describe, expect, it } from 'vitest'
import { applyJustifications, locationOf, type Finding } from './findings.ts'

const finding = (file: string, line: number, check = 'DANGEROUS_FUNCTION'): Finding => ({ check, file, line, column: 3, message: 'eval compiles a string as code' })

describe('justification comments', () => {
  it('accept a finding on the same line or the line below, with the reason', () => {
    const sources = new Map([
      ['a.ts', '// security-scan: allow DANGEROUS_FUNCTION -- the string is a constant we ship\neval("1")'],
      ['b.ts', 'eval("2") /* security-scan: allow CSP, DANGEROUS_FUNCTION — tested in b.test.ts */'],
      ['c.html', '<!-- security-scan: allow CSP -- inline style needed by the legacy print view -->\n<meta http-equiv="Content-Security-Policy">'],
    ])
    const result = applyJustifications([finding('a.ts', 2), finding('b.ts', 1), finding('c.html', 2, 'CSP')], sources)
    expect(result.findings).toEqual([])
    expect(result.justified.map((justified) => [justified.file, justified.justification])).toEqual([
      ['a.ts', 'the string is a constant we ship'],
      ['b.ts', 'tested in b.test.ts'],
      ['c.html', 'inline style needed by the legacy print view'],
    ])
  })

  it('do not accept a finding two lines down, of another check, or without a real reason', () => {
    const sources = new Map([
      ['far.ts', '// security-scan: allow DANGEROUS_FUNCTION -- the string is a constant we ship\n\neval("1")'],
      ['other.ts', '// security-scan: allow CSP -- some reason that is long enough\neval("1")'],
      ['short.ts', '// security-scan: allow DANGEROUS_FUNCTION -- ok\neval("1")'],
    ])
    const result = applyJustifications([finding('far.ts', 3), finding('other.ts', 2), finding('short.ts', 2)], sources)
    expect(result.justified).toEqual([])
    expect(result.findings.map((open) => `${open.check} ${locationOf(open)} ${open.message}`)).toEqual([
      'JUSTIFICATION far.ts:1:1 nothing to allow here: no DANGEROUS_FUNCTION finding on this line or the next',
      'DANGEROUS_FUNCTION far.ts:3:3 eval compiles a string as code',
      'JUSTIFICATION other.ts:1:1 nothing to allow here: no CSP finding on this line or the next',
      'DANGEROUS_FUNCTION other.ts:2:3 eval compiles a string as code',
      'JUSTIFICATION short.ts:1:1 an allow comment needs a reason of at least 10 characters',
      'DANGEROUS_FUNCTION short.ts:2:3 eval compiles a string as code',
    ])
  })

  it('cannot accept a protection missing from the whole app', () => {
    const missing: Finding = { check: 'NEW_WINDOW', message: 'no setWindowOpenHandler' }
    const result = applyJustifications([missing], new Map([['a.ts', '// security-scan: allow NEW_WINDOW -- we have no windows at all\n']]))
    expect(result.findings).toEqual([missing, expect.objectContaining({ check: 'JUSTIFICATION', file: 'a.ts' })])
    expect(locationOf(missing)).toBe('(whole app)')
  })
})
