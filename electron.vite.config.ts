import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

/**
 * `electron-vite dev` only: Vite's dev server injects CSS as inline <style> elements, which the strict
 * CSP meta tag in renderer/index.html forbids. Builds keep the tag (and the shell also sends the header).
 */
const devServerWithoutCspMeta = {
  name: 'dev-server-without-csp-meta',
  apply: 'serve' as const,
  transformIndexHtml: (html: string) => html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/u, ''),
}

// Output: out/main (ESM), out/preload (CommonJS: a sandboxed preload cannot be an ES module), out/renderer.
export default defineConfig({
  main: {
    build: { lib: { entry: resolve('main/index.ts') } },
  },
  preload: {
    build: {
      lib: { entry: resolve('preload/index.ts') },
      // A sandboxed preload can require only 'electron': bundle valibot into it.
      externalizeDeps: false,
      rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    build: { rollupOptions: { input: resolve('renderer/index.html') } },
    plugins: [svelte(), devServerWithoutCspMeta],
  },
})
