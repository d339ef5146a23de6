/**
 * The scanned code as one TypeScript program, built from in-memory sources (repository-relative path →
 * text) so the checks can follow a value to where it is defined (an options object returned by a
 * factory in another file, a validated URL). No lib files and no node_modules: library types are
 * not needed, and whatever is imported from a package simply stays unresolved.
 */
import ts from 'typescript'

export interface CodeProgram {
  checker: ts.TypeChecker
  /** The scanned files, in path order. */
  files: ts.SourceFile[]
  /** Repository-relative path of a scanned file. */
  pathOf(file: ts.SourceFile): string
}

const ROOT = '/'

export function createCodeProgram(sources: ReadonlyMap<string, string>): CodeProgram {
  const byAbsolutePath = new Map<string, string>()
  for (const [path, text] of sources) byAbsolutePath.set(ROOT + path, text)

  const options: ts.CompilerOptions = {
    noLib: true,
    noEmit: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    resolveJsonModule: false,
  }
  const host: ts.CompilerHost = {
    getSourceFile: (fileName, languageVersion) => {
      const text = byAbsolutePath.get(fileName)
      return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion, true)
    },
    getDefaultLibFileName: () => `${ROOT}lib.d.ts`,
    writeFile: () => undefined,
    getCurrentDirectory: () => ROOT,
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (fileName) => byAbsolutePath.has(fileName),
    readFile: (fileName) => byAbsolutePath.get(fileName),
    directoryExists: (directory) => [...byAbsolutePath.keys()].some((path) => path.startsWith(directory.endsWith('/') ? directory : `${directory}/`)),
    getDirectories: () => [],
  }
  const program = ts.createProgram({ rootNames: [...byAbsolutePath.keys()].sort(), options, host })
  const files = program
    .getSourceFiles()
    .filter((file) => byAbsolutePath.has(file.fileName))
    .sort((a, b) => a.fileName.localeCompare(b.fileName))
  return { checker: program.getTypeChecker(), files, pathOf: (file) => file.fileName.slice(ROOT.length) }
}

/** 1-based line and column of a node's first character. */
export function positionOf(node: ts.Node): { line: number; column: number } {
  const file = node.getSourceFile()
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file))
  return { line: line + 1, column: character + 1 }
}

/** Every node of a file, depth first. */
export function* walk(node: ts.Node): Generator<ts.Node> {
  yield node
  for (const child of node.getChildren()) yield* walk(child)
}
