/**
 * What is wrong with a Content-Security-Policy string, for an app that ships all its code and loads
 * nothing remote (ARCHITECTURE.md "Security posture": no inline script, no eval, no remote origins).
 * The rules of electronegativity's CSP_GLOBAL_CHECK, tightened to this app's needs.
 */

const UNSAFE_KEYWORDS = new Set(["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'"])
const SAFE_KEYWORDS = new Set(["'self'", "'none'", "'strict-dynamic'", "'report-sample'"])
/** Inline data is fine for images, fonts and media (no script can run from them). */
const DATA_SCHEMES_ALLOWED_IN = new Set(['img-src', 'font-src', 'media-src'])

export function parsePolicy(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/u)
    if (!name) continue
    const key = name.toLowerCase()
    // The first occurrence of a directive wins (CSP3 §2.2.1); later duplicates are ignored by browsers.
    if (!directives.has(key)) directives.set(key, sources)
  }
  return directives
}

function isHashOrNonce(source: string): boolean {
  return /^'(?:nonce-|sha256-|sha384-|sha512-)[^']+'$/u.test(source)
}

/** Problems with a policy, as sentences; empty when it is strict. */
export function policyProblems(policy: string): string[] {
  const directives = parsePolicy(policy)
  const problems: string[] = []
  if (!directives.has('default-src')) problems.push('no default-src: every directive not listed allows any source')
  const scriptSources = directives.get('script-src') ?? directives.get('default-src')
  if (!scriptSources) problems.push('no script-src (nor default-src): scripts may come from anywhere')
  const objectSources = directives.get('object-src') ?? directives.get('default-src') ?? []
  if (!objectSources.every((source) => source === "'none'" || source === "'self'")) problems.push("object-src must be 'none' or 'self'")
  for (const [directive, sources] of directives) {
    for (const source of sources) {
      const lower = source.toLowerCase()
      if (UNSAFE_KEYWORDS.has(lower)) problems.push(`${directive} allows ${source}`)
      else if (SAFE_KEYWORDS.has(lower) || isHashOrNonce(lower)) continue
      else if ((lower === 'data:' || lower === 'blob:') && DATA_SCHEMES_ALLOWED_IN.has(directive)) continue
      else if (directive === 'report-uri' || directive === 'report-to' || directive === 'sandbox' || directive === 'require-trusted-types-for' || directive === 'trusted-types') continue
      else problems.push(`${directive} allows ${source} (not the app's own files)`)
    }
  }
  return problems
}
