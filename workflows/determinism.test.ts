/**
 * Workflow code must be deterministic and sandbox-safe: the same lint the Temporal samples run
 * ("bans Node built-ins in workflow files"), as a unit test. Scans every non-test .ts file under
 * workflows/ and every module they import at run time, transitively, following relative imports
 * (domain/, contracts/, …: all of it is bundled into the workflow sandbox), and names file:line for:
 *   - an import of a Node built-in (`node:*`, fs, path, crypto, child_process, os, http, net, …);
 *   - an import of a server-side package: knex, pg, fastify, @temporalio/client|worker|activity|testing;
 *   - a run-time (non-type) import of activities/ code (`import type` is how workflows see activities);
 *   - Math.random(), setTimeout(), setInterval(), process.* (use wf.uuid4/sleep/condition, input).
 * Type-only imports are erased by the compiler and are not followed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SHARED_WORKFLOW_MODULES } from '../workers/shared-modules';

const ROOT = path.resolve(__dirname, '..');
const WORKFLOWS = path.join(ROOT, 'workflows');
const ACTIVITIES = path.join(ROOT, 'activities');

const BANNED_PACKAGES = ['knex', 'pg', 'fastify', '@fastify', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'];
const BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));

type Violation = { file: string; line: number; message: string };
type Import = { spec: string; line: number; typeOnly: boolean };

const rel = (file: string) => path.relative(ROOT, file);

/** Imports (static, re-exports, dynamic import(), require()) and banned calls of one source file. */
function scanSource(fileName: string, text: string): { imports: Import[]; violations: Violation[] } {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: Import[] = [];
  const violations: Violation[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const flag = (node: ts.Node, message: string) => violations.push({ file: fileName, line: lineOf(node), message });

  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      // `import type {…}` or `import { type A, type B }` (no default, only type specifiers) is erased.
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      imports.push({ spec: node.moduleSpecifier.text, line: lineOf(node), typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      imports.push({ spec: node.moduleSpecifier.text, line: lineOf(node), typeOnly });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      imports.push({ spec: node.moduleReference.expression.text, line: lineOf(node), typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [arg] = node.arguments;
      if ((callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) && arg && ts.isStringLiteralLike(arg)) {
        imports.push({ spec: arg.text, line: lineOf(node), typeOnly: false });
      }
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Math' && callee.name.text === 'random') {
        flag(node, 'Math.random() in workflow code (not replay-safe): use wf.uuid4() or pass the value in');
      }
      const timerName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ['globalThis', 'window', 'global'].includes(callee.expression.text) ? callee.name.text : undefined;
      if (timerName === 'setTimeout' || timerName === 'setInterval') {
        flag(node, `${timerName}() in workflow code: use wf.sleep() / wf.condition(fn, timeout) (durable timers)`);
      }
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process') {
      flag(node, `process.${node.name.text} in workflow code: no process/env access in the sandbox; pass configuration as workflow input`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { imports, violations };
}

/** Why importing `spec` from `fromFile` is banned, or undefined. */
function bannedImport(spec: string, typeOnly: boolean, resolved: string | undefined): string | undefined {
  const bare = spec.replace(/^node:/, '');
  if (spec.startsWith('node:') || BUILTINS.has(bare.split('/')[0])) return `imports the Node built-in "${spec}" (not available in the workflow sandbox)`;
  const pkg = BANNED_PACKAGES.find((p) => spec === p || spec.startsWith(`${p}/`));
  if (pkg) return `imports "${spec}" (server-side package; workflow code reaches it only through activities)`;
  if (!typeOnly && resolved && (resolved === ACTIVITIES || resolved.startsWith(`${ACTIVITIES}${path.sep}`))) {
    return `run-time import of activity code "${spec}": use \`import type\` and proxyActivities`;
  }
  return undefined;
}

function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return existsSync(base) ? base : undefined; // a directory without index.ts: still report where it points
}

const isTestFile = (f: string) => /\.(int\.)?test\.ts$/.test(f);

/**
 * Visits `entries` and, transitively, the relative .ts modules they import at run time (each file
 * once). `visit` reports the file's violations and which of its imports to follow.
 */
function walkImports(entries: string[], visit: (file: string, text: string, imports: Import[]) => { violations: Violation[]; follow: string[] }): { violations: Violation[]; scanned: string[] } {
  const violations: Violation[] = [];
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const found = visit(file, text, scanSource(rel(file), text).imports);
    violations.push(...found.violations);
    queue.push(...found.follow);
  }
  violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { violations, scanned: [...seen].map(rel).sort() };
}

/** Every non-test workflows/*.ts (recursively) and what they import at run time, transitively. */
function scanWorkflowCode(entries: string[] = listWorkflowFiles()): { violations: Violation[]; scanned: string[] } {
  return walkImports(entries, (file, text, imports) => {
    const violations = scanSource(rel(file), text).violations;
    const follow: string[] = [];
    for (const imp of imports) {
      const relative = imp.spec.startsWith('.');
      const resolved = relative ? resolveRelative(file, imp.spec) : undefined;
      const why = bannedImport(imp.spec, imp.typeOnly, resolved);
      if (why) violations.push({ file: rel(file), line: imp.line, message: why });
      if (relative && !imp.typeOnly && resolved?.endsWith('.ts') && !why) follow.push(resolved);
    }
    return { violations, follow };
  });
}

function listWorkflowFiles(dir = WORKFLOWS): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return listWorkflowFiles(full);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') && !isTestFile(d.name) ? [full] : [];
  });
}

const format = (v: Violation[]) => v.map((x) => `${x.file}:${x.line}: ${x.message}`).join('\n');

describe('workflow determinism lint', () => {
  it('workflow code and everything it imports at run time use no Node built-ins, server packages, activity code, Math.random, timers or process', () => {
    const { violations, scanned } = scanWorkflowCode();
    expect(scanned).toContain('workflows/index.ts');
    expect(scanned.some((f) => f.startsWith('domain/')), 'the scan follows imports into domain/').toBe(true);
    expect(violations, `non-deterministic or sandbox-unsafe code in workflow code:\n${format(violations)}`).toEqual([]);
  });

  it('the scanner catches each banned pattern (and allows type-only activity imports)', () => {
    const file = path.join(WORKFLOWS, 'example.ts');
    const src = [
      "import fs from 'node:fs';", // 1
      "import path from 'path';", // 2
      "import { Client } from '@temporalio/client';", // 3
      "import knex from 'knex';", // 4
      "import type { createActivities } from '../activities';", // 5 allowed
      "import { type X } from '../activities/gateway/types';", // 6 allowed (erased)
      "import { createActivities as real } from '../activities';", // 7
      'const r = Math.random();', // 8
      'setTimeout(() => {}, 10);', // 9
      'const env = process.env.X;', // 10
      "const c = require('child_process');", // 11
      "// Math.random() in a comment and 'setTimeout(' in a string are fine", // 12
    ].join('\n');
    const { imports, violations } = scanSource(rel(file), src);
    const all = [
      ...violations,
      ...imports.flatMap((i) => {
        const why = bannedImport(i.spec, i.typeOnly, i.spec.startsWith('.') ? path.resolve(WORKFLOWS, i.spec) : undefined);
        return why ? [{ file: rel(file), line: i.line, message: why }] : [];
      }),
    ];
    expect(all.map((v) => v.line).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 11]);
    expect(format(all)).toContain('workflows/example.ts:1: imports the Node built-in "node:fs"');
  });
});

// ---------------------------------------------------------------------------------------------
// Modules every workflow shares (workers/shared-modules.ts → the SDK's preloadModules): evaluated
// once per worker and deep-frozen, so state kept in one of them would leak between workflows and
// break replay, and a zod schema in one of them would fail when zod caches into the frozen object.

/** Memos a shared module may keep: pure functions of their key, the same for every workflow. */
const ALLOWED_SHARED_STATE = new Set(['domain/business-days.ts:observedByYear']);
const MUTABLE_CONSTRUCTORS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array']);

/**
 * Top-level `let`/`var`, and an empty `const x = new Map()` / `[]` / `{}` (a container made to be
 * filled later): state a workflow could change. A lookup table built from its contents is data.
 */
function moduleState(fileName: string, text: string): Violation[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Violation[] = [];
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const name = d.name.getText(sf);
      if (ALLOWED_SHARED_STATE.has(`${fileName}:${name}`)) continue;
      const init = d.initializer;
      const mutable =
        !!init &&
        ((ts.isNewExpression(init) && ts.isIdentifier(init.expression) && MUTABLE_CONSTRUCTORS.has(init.expression.text) && !init.arguments?.length) ||
          (ts.isArrayLiteralExpression(init) && init.elements.length === 0) ||
          (ts.isObjectLiteralExpression(init) && init.properties.length === 0));
      if (!isConst) found.push({ file: fileName, line: sf.getLineAndCharacterOfPosition(d.getStart(sf)).line + 1, message: `module-level \`${list.flags & ts.NodeFlags.Let ? 'let' : 'var'} ${name}\`` });
      else if (mutable) found.push({ file: fileName, line: sf.getLineAndCharacterOfPosition(d.getStart(sf)).line + 1, message: `module-level mutable \`${name}\`` });
    }
  }
  return found;
}

/** A shared module and what it imports at run time: none may keep state, import zod or be workflow code. */
function scanSharedModules(entries: string[]): { violations: Violation[]; scanned: string[] } {
  return walkImports(entries, (file, text, imports) => {
    const violations = moduleState(rel(file), text);
    if (file.startsWith(`${WORKFLOWS}${path.sep}`)) violations.push({ file: rel(file), line: 1, message: 'workflow code keeps per-workflow state: it cannot be shared' });
    const follow: string[] = [];
    for (const imp of imports.filter((i) => !i.typeOnly)) {
      if (imp.spec === 'zod' || imp.spec.startsWith('zod/')) violations.push({ file: rel(file), line: imp.line, message: 'imports zod (schemas cache into themselves; a shared module is frozen)' });
      const resolved = imp.spec.startsWith('.') ? resolveRelative(file, imp.spec) : undefined;
      if (resolved?.endsWith('.ts')) follow.push(resolved);
    }
    return { violations, follow };
  });
}

describe('modules shared by every workflow (workers/shared-modules.ts)', () => {
  it('exist, keep no per-workflow state, import no zod and no workflow code (transitively)', () => {
    const entries = SHARED_WORKFLOW_MODULES.map((m) => path.join(ROOT, m));
    for (const e of entries) expect(existsSync(e), `${rel(e)} exists`).toBe(true);
    const { violations, scanned } = scanSharedModules(entries);
    expect(scanned).toContain('domain/business-days.ts');
    expect(violations, `a shared module would leak state between workflows or fail frozen:\n${format(violations)}`).toEqual([]);
  });

  it("the check catches module state, zod and workflow code (the claim's batching queue, a zod schema module)", () => {
    const { violations } = scanSharedModules([path.join(WORKFLOWS, 'claim', 'activities.ts'), path.join(ROOT, 'domain', 'primitives.ts')]);
    const text = format(violations);
    expect(text).toContain('workflows/claim/activities.ts:1: workflow code keeps per-workflow state');
    expect(text).toMatch(/workflows\/claim\/activities\.ts:\d+: module-level `let queue`/);
    expect(text).toMatch(/domain\/primitives\.ts:\d+: imports zod/);
    expect(moduleState('x.ts', 'const cache = new Map();\nconst LIMIT = 3;\nexport const T = { a: 1 };\nvar n = 0;\nconst CODES = new Set(["1"]);\nconst seen = [];').map((v) => v.line)).toEqual([1, 4, 6]);
  });
});
