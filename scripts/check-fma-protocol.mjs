// The emulated FMA's suspect protocol (assembly/fma.ts), checked on the kernels' source before
// they compile. A vector FMA is two calls on the same operands: the fast result, rounded twice,
// and the mask of the lanes where that may be wrong; the kernel ORs every mask of a block and
// redoes the block with the exact fmaf if any lane is set. Forgetting one mask, or asking it of
// different operands, compiles and passes random data: it only shows on the inputs that land on
// a double-rounding trap, once in 2^29.
//
// A runtime helper that states each FMA once (returning the fast result and ORing the mask into
// a v128 global, or into a slot of the invariants table) was measured on Adagrad's raw kernel:
// V8 keeps the accumulator in memory, a load and a store per FMA, and the loops lost 8–20 % per
// element with the global, 11 % with the slot. So the kernels keep the paired calls and this
// check holds them to the protocol instead:
//
//   1. every fmaFast4 / fmaHalvesFast / fmaByFast4 call is bound to a name (`const r = …`,
//      `r = …`, possibly under `cond ? … : …`), and the same function makes exactly one matching
//      fmaSuspect4 / fmaHalvesSuspect / fmaBySuspect4 call, after it, on the same operands
//      (compared as text) and that name; no operand name is assigned in between;
//   2. every suspect call is matched by a fast call;
//   3. every suspect mask reaches an anySuspect(…) test through v128.or, `?:` and variables
//      only, after the fast call; once a variable holds a mask it is only reassigned to an
//      expression that reads it (`suspect = v128.or(suspect, …)`), so no mask is overwritten,
//      and it is tested after its last assignment;
//   4. the protocol functions are imported under their own names.
//
//   node scripts/check-fma-protocol.mjs          check assembly/*.ts (run by npm run build:wasm)
//   node scripts/check-fma-protocol.mjs FILE…    check the given files
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Each fast FMA and the suspect test that must accompany it. */
export const PAIRS = { fmaFast4: 'fmaSuspect4', fmaHalvesFast: 'fmaHalvesSuspect', fmaByFast4: 'fmaBySuspect4' };
const SUSPECTS = new Set(Object.values(PAIRS));
const PROTOCOL = new Set([...Object.keys(PAIRS), ...SUSPECTS, 'anySuspect']);

/** @param {ts.Node} node @param {ts.SourceFile} sf */
const text = (node, sf) => node.getText(sf).replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/,? \)/g, ')');

/** @param {ts.Node} node */
const calleeName = (node) =>
  ts.isCallExpression(node) && ts.isIdentifier(node.expression) ? node.expression.text : undefined;

/** @param {ts.Node} node */
const isOr = (node) =>
  ts.isCallExpression(node) &&
  ts.isPropertyAccessExpression(node.expression) &&
  node.expression.getText() === 'v128.or';

/**
 * Where a value goes: up through parentheses and `?:` branches, to the name it is bound to, or
 * to the call it is an argument of.
 * @param {ts.Expression} node
 * @returns {{ kind: 'name', name: string, at: ts.Node } | { kind: 'arg', call: ts.CallExpression }
 *   | { kind: 'other', at: ts.Node }}
 */
function destination(node) {
  let child = /** @type {ts.Node} */ (node);
  let parent = child.parent;
  while (
    ts.isParenthesizedExpression(parent) ||
    (ts.isConditionalExpression(parent) && parent.condition !== child) ||
    ts.isAsExpression(parent) ||
    ts.isTypeAssertionExpression(parent)
  ) {
    child = parent;
    parent = child.parent;
  }
  if (ts.isVariableDeclaration(parent) && parent.initializer === child && ts.isIdentifier(parent.name)) {
    return { kind: 'name', name: parent.name.text, at: parent };
  }
  if (
    ts.isBinaryExpression(parent) &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    parent.right === child &&
    ts.isIdentifier(parent.left)
  ) {
    return { kind: 'name', name: parent.left.text, at: parent };
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(/** @type {ts.Expression} */ (child))) {
    return { kind: 'arg', call: parent };
  }
  return { kind: 'other', at: parent };
}

/**
 * The protocol errors of one AssemblyScript source.
 * @param {string} source
 * @param {string} fileName
 * @returns {string[]}
 */
export function checkFmaProtocol(source, fileName) {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  /** @type {string[]} */
  const errors = [];
  /** @param {ts.Node} node @param {string} message */
  const fail = (node, message) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    errors.push(`${fileName}:${line + 1}: ${message}`);
  };

  for (const statement of sf.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (PROTOCOL.has(imported) && element.name.text !== imported) {
        fail(element, `${imported} imported as ${element.name.text}: the protocol check reads the names`);
      }
    }
  }

  /** @param {ts.Node} node */
  const visitFunctions = (node) => {
    if (ts.isFunctionDeclaration(node) && node.body) checkFunction(node.body);
    else ts.forEachChild(node, visitFunctions);
  };
  /** @param {ts.Block} body */
  const checkFunction = (body) => {
    /** @type {ts.CallExpression[]} */
    const calls = [];
    /** @type {Map<string, number[]>} assignment positions (declarations excluded) by name */
    const assigned = new Map();
    /** @type {Map<string, ts.Identifier[]>} identifier references by name */
    const references = new Map();
    /** @type {{ name: string, at: number, value: ts.Expression }[]} declarations and `=` assignments */
    const writes = [];
    /** @param {ts.Node} node */
    const walk = (node) => {
      if (ts.isCallExpression(node)) calls.push(node);
      const target =
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
          ? node.left
          : (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
              (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
            ? node.operand
            : undefined;
      if (target && ts.isIdentifier(target)) {
        const list = assigned.get(target.text) ?? [];
        list.push(node.getStart(sf));
        assigned.set(target.text, list);
      }
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        writes.push({ name: node.name.text, at: node.getStart(sf), value: node.initializer });
      }
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isIdentifier(node.left)
      ) {
        writes.push({ name: node.left.text, at: node.getStart(sf), value: node.right });
      }
      if (ts.isIdentifier(node)) {
        const list = references.get(node.text) ?? [];
        list.push(node);
        references.set(node.text, list);
      }
      ts.forEachChild(node, walk);
    };
    walk(body);

    // The variables that hold masks: written from a suspect call or from another such variable.
    /** @type {Set<string>} */
    const maskNames = new Set();
    /** @param {ts.Node} node @returns {boolean} */
    const carriesMask = (node) =>
      SUSPECTS.has(calleeName(node) ?? '') ||
      (ts.isIdentifier(node) && maskNames.has(node.text)) ||
      (ts.forEachChild(node, (child) => (carriesMask(child) ? true : undefined)) ?? false);
    for (let grew = true; grew; ) {
      grew = false;
      for (const write of writes) {
        if (!maskNames.has(write.name) && carriesMask(write.value)) {
          maskNames.add(write.name);
          grew = true;
        }
      }
    }

    /** @type {Map<ts.CallExpression, boolean>} */
    const suspectMatched = new Map();
    for (const call of calls) if (SUSPECTS.has(calleeName(call) ?? '')) suspectMatched.set(call, false);

    // 1. Each fast call, bound to a name, and its one suspect call.
    for (const call of calls) {
      const fast = calleeName(call);
      if (!fast || !Object.hasOwn(PAIRS, fast)) continue;
      const suspect = PAIRS[/** @type {keyof typeof PAIRS} */ (fast)];
      const dest = destination(call);
      if (dest.kind !== 'name') {
        fail(call, `bind the result of ${fast}(…) to a name: its ${suspect}(…) test takes it as last operand`);
        continue;
      }
      const operands = call.arguments.map((a) => text(a, sf));
      const matches = [...suspectMatched.keys()].filter(
        (s) =>
          calleeName(s) === suspect &&
          s.arguments.length === operands.length + 1 &&
          operands.every((o, k) => text(/** @type {ts.Expression} */ (s.arguments[k]), sf) === o) &&
          text(/** @type {ts.Expression} */ (s.arguments[operands.length]), sf) === dest.name &&
          s.getStart(sf) > call.getStart(sf),
      );
      const shown = `${dest.name} = ${fast}(${operands.join(', ')})`;
      if (matches.length === 0) {
        fail(call, `${shown} has no ${suspect}(${[...operands, dest.name].join(', ')}) after it: OR its mask`);
        continue;
      }
      if (matches.length > 1) fail(call, `${shown} has ${matches.length} suspect tests; expected one`);
      const match = /** @type {ts.CallExpression} */ (matches[0]);
      suspectMatched.set(match, true);
      const names = new Set();
      /** @param {ts.Node} n */
      const collect = (n) => {
        if (ts.isIdentifier(n)) names.add(n.text);
        ts.forEachChild(n, collect);
      };
      for (const a of call.arguments) collect(a);
      for (const name of names) {
        const between = (assigned.get(name) ?? []).filter((at) => at > call.getEnd() && at < match.getStart(sf));
        if (between.length > 0) fail(match, `${name} is assigned between ${shown} and its suspect test`);
      }
    }

    // 2. and 3. Each suspect call, matched, and its mask tested.
    /**
     * Whether the value at `node` reaches an anySuspect(…) argument after position `after`.
     * @param {ts.Expression} node @param {number} after @param {Set<string>} seen
     * @returns {boolean}
     */
    const reachesTest = (node, after, seen) => {
      const dest = destination(node);
      if (dest.kind === 'arg') {
        if (calleeName(dest.call) === 'anySuspect') return dest.call.getEnd() > after;
        if (isOr(dest.call)) return reachesTest(dest.call, after, seen);
        return false;
      }
      if (dest.kind !== 'name') return false;
      const name = dest.name;
      if (seen.has(name)) return false; // an accumulation into itself: tested where it is read
      seen.add(name);
      const assignments = assigned.get(name) ?? [];
      const last = Math.max(after, ...assignments);
      let tested = false;
      for (const ref of references.get(name) ?? []) {
        const parent = ref.parent;
        const isWrite =
          (ts.isVariableDeclaration(parent) && parent.name === ref) ||
          (ts.isBinaryExpression(parent) && parent.left === ref);
        if (isWrite) {
          if (ts.isBinaryExpression(parent)) {
            let readsItself = false;
            /** @param {ts.Node} n */
            const find = (n) => {
              if (ts.isIdentifier(n) && n.text === name) readsItself = true;
              ts.forEachChild(n, find);
            };
            find(parent.right);
            // Overwriting is fine while the variable holds no mask yet (`let suspect = zero` before
            // the first FMA under an if); after that only v128.or(suspect, …) keeps them all.
            const at = parent.getStart(sf);
            const overwrites = writes.some((w) => w.name === name && w.at < at && carriesMask(w.value));
            if (!readsItself && overwrites) {
              fail(parent, `${name} holds suspect masks: reassign it only as v128.or(${name}, …)`);
            }
          }
          continue;
        }
        if (reachesTest(ref, last, seen)) tested = true;
      }
      return tested;
    };
    for (const [call, matched] of suspectMatched) {
      const name = calleeName(call);
      if (!matched) fail(call, `${text(call, sf)} tests operands that no fast call in this function computes`);
      if (!reachesTest(call, call.getStart(sf), new Set())) {
        fail(call, `the mask of ${name}(…) never reaches anySuspect(…): OR it into the block's test`);
      }
    }
  };
  visitFunctions(sf);
  return [...new Set(errors)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL('../', import.meta.url);
  const files =
    process.argv.length > 2
      ? process.argv.slice(2)
      : readdirSync(new URL('assembly/', root))
          .filter((f) => f.endsWith('.ts') && f !== 'fma.ts' && !f.endsWith('.generated.ts'))
          .map((f) => fileURLToPath(new URL(`assembly/${f}`, root)));
  const errors = files.flatMap((file) => checkFmaProtocol(readFileSync(file, 'utf8'), file));
  for (const error of errors) console.error(error);
  if (errors.length > 0) {
    console.error(`check-fma-protocol: ${errors.length} error(s); see the header of scripts/check-fma-protocol.mjs`);
    process.exit(1);
  }
  console.log(`check-fma-protocol: ${files.length} files, every fast FMA has its suspect test`);
}
