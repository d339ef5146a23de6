/**
 * Minimal types for js-yaml (present in node_modules as an electron-builder dependency; @types/js-yaml
 * is not installed). Only what build/electron-builder-config.test.ts uses.
 */
declare module 'js-yaml' {
  export function load(text: string, options?: { filename?: string }): unknown
}
