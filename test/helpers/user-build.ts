// Compiles a user's module against the built package (dist/, so run `npx tsup` first), by its
// name, in a directory whose node_modules holds bulwark and only what is asked for:
// - buildUserModule: with declarations on (as a library author's build would), bulwark alone
//   (as with pnpm or any strict layout: bulwark's own dependencies, cockatiel and eventemitter3,
//   are not the user's to import);
// - compileUser: a strict ESM application of several files, with the peers a user of
//   bulwark/grpc or bulwark/undici installs (@grpc/*, undici).
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every diagnostic (code and message) of building `source` as `index.ts` with `declaration: true`. */
export function buildUserModule(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-user-build-'));
  try {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(root, join(dir, 'node_modules', 'bulwark'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module' }));
    writeFileSync(join(dir, 'index.ts'), source);
    const program = ts.createProgram([join(dir, 'index.ts')], {
      target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true, declaration: true, emitDeclarationOnly: true, skipLibCheck: true, types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')], outDir: join(dir, 'out'),
    });
    const emitted = program.emit(undefined, () => {});
    return [...new Set([...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => {
      const line = d.file !== undefined && d.start !== undefined ? `${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return `${line}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/bulwark-user-build-\w+/g, '…')}`;
    }))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every diagnostic of compiling `files` (name → source; each is a root file) as a user's strict
 * ESM build (`lib` ES2023 unless `lib` says otherwise, Node's types, no emit), each as `file:line: TScode: message`, with
 * bulwark, `@grpc/*` and `undici` installed.
 *
 * @example
 * expect(compileUser({ 'main.ts': `import { createClient } from 'bulwark'; …` })).toEqual([]);
 */
export function compileUser(files: Record<string, string>, lib: readonly string[] = ['lib.es2023.d.ts']): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-compile-user-'));
  try {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(root, join(dir, 'node_modules', 'bulwark'), 'dir');
    for (const peer of ['@grpc', 'undici']) symlinkSync(join(root, 'node_modules', peer), join(dir, 'node_modules', peer), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module' }));
    for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
    const program = ts.createProgram(Object.keys(files).map((f) => join(dir, f)), {
      target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: [...lib], strict: true, noEmit: true, skipLibCheck: true, types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file === undefined || d.start === undefined ? '' : `${relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `;
      return `${where}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The names of the properties (fields and methods) of an exported interface or class of a .d.ts entry. */
export function membersOf(entryDts: string, typeName: string): string[] {
  const file = join(root, entryDts);
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'], skipLibCheck: true, noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const exported = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === typeName);
  if (exported === undefined) throw new Error(`${entryDts} exports no ${typeName}`);
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  return checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target)).map((p) => p.name).filter((n) => !n.startsWith('__@') && !n.startsWith('#'));
}
