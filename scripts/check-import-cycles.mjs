#!/usr/bin/env node
// Fails when the TypeScript sources import each other in a cycle. Resolution is TypeScript's own (NodeNext,
// from tsconfig.json), so `./x.js` specifiers find `x.ts` exactly as the compiler does. (The usual ESLint
// plugins for this depend on native resolver bindings that this registry does not carry for every platform.)
import ts from 'typescript';

const configPath = ts.findConfigFile(process.cwd(), ts.sys.fileExists, 'tsconfig.json');
const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, process.cwd());
const files = new Set(parsed.fileNames.map((f) => ts.sys.resolvePath(f)));

const graph = new Map();
for (const file of files) {
  const source = ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest, true);
  const deps = [];
  for (const statement of source.statements) {
    const isTypeOnly =
      (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly) ||
      (ts.isExportDeclaration(statement) && statement.isTypeOnly);
    // Type-only imports vanish at run time and cannot form a load-order cycle.
    if (isTypeOnly) continue;
    const spec = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!spec || !ts.isStringLiteral(spec)) continue;
    const resolved = ts.resolveModuleName(spec.text, file, parsed.options, ts.sys).resolvedModule;
    if (resolved && files.has(ts.sys.resolvePath(resolved.resolvedFileName)))
      deps.push(ts.sys.resolvePath(resolved.resolvedFileName));
  }
  graph.set(file, deps);
}

const state = new Map(); // 1 = on the current path, 2 = done
const cycles = [];
function visit(file, path) {
  state.set(file, 1);
  for (const dep of graph.get(file) ?? []) {
    if (state.get(dep) === 1) cycles.push([...path.slice(path.indexOf(dep)), dep]);
    else if (!state.has(dep)) visit(dep, [...path, dep]);
  }
  state.set(file, 2);
}
for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);

const rel = (f) => f.slice(process.cwd().length + 1);
if (cycles.length > 0) {
  for (const c of cycles) console.error(`import cycle: ${c.map(rel).join(' -> ')}`);
  process.exit(1);
}
console.log(`import cycles: none among ${graph.size} files`);
