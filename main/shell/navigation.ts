/**
 * Navigation policy for the app's windows: the renderer never navigates anywhere and never opens a
 * window. A link to a web page may be opened in the system browser, after the user confirms.
 */

/** The URL to offer to open in the system browser, or null when it must simply be refused. */
export function externalLinkTarget(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null
  // user:pass@host links are a classic way to disguise the real host in a confirm dialog.
  if (parsed.username !== '' || parsed.password !== '') return null
  if (parsed.hostname === '') return null
  return parsed.href
}

/** The text of the confirm dialog; the full URL is shown so the user sees where it goes. */
export function externalLinkPrompt(url: string): { message: string; detail: string } {
  return { message: 'Open this link in your web browser?', detail: url.length > 500 ? `${url.slice(0, 500)}…` : url }
}
