// Why this exists: the bundled dist/index.d.ts once declared EndpointState and PeakEwma as value
// exports (classes) while src/index.ts exported them type-only, so `import { EndpointState } from
// 'bulwark'` type-checked and then failed at load. For every package.json `exports` entry with a
// `types`/`default` pair, this checks that the value exports the .d.ts declares and the exports
// the built JavaScript has are the same names, with a fitting runtime `typeof`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const entries = Object.entries(pkg.exports).flatMap(([subpath, target]) => {
  const { types, default: js } = (typeof target === 'object' && target !== null ? target : {}) as Record<string, unknown>;
  return typeof types === 'string' && typeof js === 'string' ? [{ subpath, types, js }] : [];
});

/** The value exports a .d.ts declares, each with the runtime `typeof` it implies ('' when any defined value fits). */
function declaredValues(dtsPath: string): Map<string, string> {
  const program = ts.createProgram([dtsPath], {
    target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'], skipLibCheck: true, noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dtsPath)!);
  if (moduleSymbol === undefined) throw new Error(`${dtsPath} is not a module`);
  const values = new Map<string, string>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    // `export type { X }` exposes only X's type, even when X is a class.
    if (exported.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d))) continue;
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(target.flags & ts.SymbolFlags.Value)) continue;
    let expected = '';
    if (target.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function)) expected = 'function';
    else if (target.flags & ts.SymbolFlags.Enum) expected = 'object';
    else {
      const type = checker.getTypeOfSymbol(target);
      if (type.getCallSignatures().length + type.getConstructSignatures().length > 0) expected = 'function';
    }
    values.set(exported.name, expected);
  }
  return values;
}

describe('package exports: declared values match runtime values', () => {
  it('finds at least the root entry in package.json exports', () => {
    expect(entries.map((e) => e.subpath)).toContain('.');
  });

  it.each(entries)('$subpath: $types declares exactly the values $js exports', async ({ types, js }) => {
    const declared = declaredValues(resolve(root, types));
    const runtime = (await import(resolve(root, js))) as Record<string, unknown>;
    const problems: string[] = [];
    for (const [name, expected] of declared) {
      const actual = typeof runtime[name];
      if (!(name in runtime) || actual === 'undefined') problems.push(`${name}: declared as a value, missing at runtime`);
      else if (expected !== '' && actual !== expected) problems.push(`${name}: declared ${expected}, runtime typeof is ${actual}`);
    }
    for (const name of Object.keys(runtime)) {
      if (!declared.has(name)) problems.push(`${name}: exported at runtime, not declared as a value in the .d.ts`);
    }
    expect(problems, `export mismatches: ${problems.map((p) => p.split(':')[0]).join(', ')}`).toEqual([]);
  });
});
