// The kernel contract, named once. Each src/optimizers/<file>.ts declares, per flavor, the kernel
// it calls, the record's float32 scalars by name in order, its state buffers in order and its
// flag bits:
//
//   export const kernels = {
//     torch: { kernel: 'adagradStep', scalars: ['negClr', 'eps', 'weightDecay'], state: ['sum'],
//              flags: ['maximize', 'weightDecay'] },
//     …
//   } as const satisfies KernelContracts;
//
// From those literals this script writes what used to be kept in step by hand:
//   assembly/contract.generated.ts     record layout + one namespace per kernel (byte offsets,
//                                      flag bits), read by name by the AssemblyScript kernels
//   assembly/kernels.generated.ts      the kernel exports of the Wasm module
//   src/backend/contract.generated.ts  the same layout in 32-bit words for the facade, the JS
//                                      reference kernels and the raw-kernel bench; KernelName,
//                                      KERNEL_NAMES, StateName (every buffer name declared) and
//                                      AuxKey (every name of a flavor's auxKeys)
//   src/backend/js/kernels.generated.ts  the JS reference kernels by name
//   tools/fuzz/algorithms/index.generated.ts  the fuzzer's oracle descriptions (each
//                                      `export const …: AlgorithmDescription` of that folder)
// The kernels of src/optimizers/<file>.ts live in assembly/<file>.ts and src/backend/js/<file>.ts,
// exported under their kernel names.
//
//   node scripts/gen-contract.mjs           write the files (run by npm run build:wasm)
//   node scripts/gen-contract.mjs --check   exit 1 if any file is missing or stale
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

const root = new URL('../', import.meta.url);
const at = (path) => new URL(path, root);

/** The record every kernel reads: 64 bytes per tensor (see assembly/record.ts). */
export const RECORD = {
  bytes: 64,
  fields: { param: 0, grad: 4, state0: 8, state1: 12, state2: 16, count: 20, flags: 24 },
  scalars: 32,
  maxScalars: 8,
  maxState: 3,
  maxFlags: 32,
  /** Where scalars past the eighth go: the reserved word, then state words the kernel leaves unused. */
  spareWords: ['reserved', 'state2', 'state1'],
  reserved: 28,
};

/**
 * Byte offset of scalar i of a contract: h0…h7 at 32…60; a ninth in the reserved word (28); a
 * tenth (or more) in the state words of buffers the contract does not name (state2, state1),
 * which the facade writes before the flavor's writeRecord. Null when it does not fit.
 */
function scalarOffset(c, i) {
  if (i < RECORD.maxScalars) return RECORD.scalars + 4 * i;
  const spare = RECORD.spareWords.filter((w) => w === 'reserved' || Number(w.slice(5)) >= c.state.length);
  const word = spare[i - RECORD.maxScalars];
  if (word === undefined) return null;
  return word === 'reserved' ? RECORD.reserved : RECORD.fields[word];
}

const IDENTIFIER = /^[a-z][A-Za-z0-9]*$/;
const STATE_NAME = /^[a-z][a-z0-9_]*$/;

const camel = (snake) => snake.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const upperSnake = (name) => name.replace(/([A-Z])/g, '_$1').toUpperCase();
const pascal = (name) => name[0].toUpperCase() + name.slice(1);

/** The `kernels` literal of one optimizer file, evaluated: it may hold literals only. */
function readContracts(file) {
  const text = readFileSync(at(`src/optimizers/${file}`), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    for (const declaration of statement.declarationList.declarations) {
      if (!exported || declaration.name.getText(source) !== 'kernels') continue;
      let init = declaration.initializer;
      while (init && (ts.isSatisfiesExpression(init) || ts.isAsExpression(init))) init = init.expression;
      if (!init || !ts.isObjectLiteralExpression(init)) {
        throw new Error(`src/optimizers/${file}: \`export const kernels\` must be an object literal`);
      }
      try {
        return JSON.parse(JSON.stringify(new Function(`return (${init.getText(source)});`)()));
      } catch (error) {
        throw new Error(`src/optimizers/${file}: the kernels literal must hold literals only (${error.message})`);
      }
    }
  }
  return null;
}

/** The names of every `auxKeys: ['…', …]` array literal in an optimizer file. */
function readAuxKeys(file) {
  const text = readFileSync(at(`src/optimizers/${file}`), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const keys = [];
  const visit = (node) => {
    if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'auxKeys') {
      if (!ts.isArrayLiteralExpression(node.initializer)) {
        throw new Error(`src/optimizers/${file}: auxKeys must be an array literal of strings`);
      }
      for (const element of node.initializer.elements) {
        if (!ts.isStringLiteral(element) || !STATE_NAME.test(element.text)) {
          throw new Error(`src/optimizers/${file}: auxKeys must hold snake_case string literals`);
        }
        keys.push(element.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return keys;
}

/** Every contract, checked: names unique, within the record, kernels present in both backends. */
export function collect() {
  const kernels = [];
  const auxKeys = [];
  const files = readdirSync(at('src/optimizers'))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  for (const file of files) {
    auxKeys.push(...readAuxKeys(file));
    const contracts = readContracts(file);
    if (contracts === null) continue;
    const module = file.replace(/\.ts$/, '');
    for (const [flavor, c] of Object.entries(contracts)) {
      const where = `src/optimizers/${file} (${flavor})`;
      const fail = (why) => {
        throw new Error(`${where}: ${why}`);
      };
      if (typeof c.kernel !== 'string' || !IDENTIFIER.test(c.kernel)) fail('kernel must be a camelCase name');
      for (const key of ['scalars', 'state', 'flags']) if (!Array.isArray(c[key])) fail(`${key} must be an array`);
      if (scalarOffset(c, c.scalars.length - 1) === null) {
        fail(`at most ${RECORD.maxScalars + 1 + RECORD.maxState - c.state.length} scalars fit its record`);
      }
      if (c.state.length > RECORD.maxState) fail(`at most ${RECORD.maxState} state buffers fit a record`);
      if (c.flags.length > RECORD.maxFlags) fail(`at most ${RECORD.maxFlags} flags fit a record`);
      for (const s of c.scalars) if (!IDENTIFIER.test(s)) fail(`scalar '${s}' is not a camelCase name`);
      for (const s of c.state) if (!STATE_NAME.test(s)) fail(`state '${s}' is not a snake_case name`);
      for (const s of c.flags) if (!IDENTIFIER.test(s)) fail(`flag '${s}' is not a camelCase name`);
      const members = [...c.scalars, ...c.state.map(camel), ...c.flags.map((f) => `FLAG_${upperSnake(f)}`)];
      const twice = members.find((m, i) => members.indexOf(m) !== i);
      if (twice !== undefined) fail(`'${twice}' is declared twice (scalars, state and flags share one namespace)`);
      if (kernels.some((k) => k.kernel === c.kernel)) fail(`kernel ${c.kernel} is declared twice`);
      kernels.push({ ...c, flavor, module, file });
    }
  }
  for (const k of kernels) {
    const as = readFileSync(at(`assembly/${k.module}.ts`), 'utf8');
    const js = readFileSync(at(`src/backend/js/${k.module}.ts`), 'utf8');
    const exported = new RegExp(`export function ${k.kernel}\\(`);
    if (!exported.test(as)) throw new Error(`assembly/${k.module}.ts does not export function ${k.kernel}`);
    if (!exported.test(js)) throw new Error(`src/backend/js/${k.module}.ts does not export function ${k.kernel}`);
  }
  kernels.auxKeys = [...new Set(auxKeys)].sort();
  return kernels;
}

const HEADER =
  '// Generated by scripts/gen-contract.mjs from `export const kernels` in src/optimizers/*.ts. Do not edit.';

function describe(k) {
  return `${k.kernel}: src/optimizers/${k.file}, flavor ${k.flavor}`;
}

function assemblyContract(kernels) {
  const lines = [
    HEADER,
    '// Byte offsets in a tensor record; the kernels read them with recF32/recPtr (assembly/record.ts).',
    '',
  ];
  lines.push(`export const RECORD_BYTES: usize = ${RECORD.bytes};`);
  for (const [name, offset] of Object.entries(RECORD.fields)) {
    lines.push(`export const REC_${upperSnake(name)}: usize = ${offset};`);
  }
  lines.push(`export const REC_SCALARS: usize = ${RECORD.scalars};`);
  for (const k of kernels) {
    lines.push('', `/** ${describe(k)} */`, `export namespace ${pascal(k.kernel)} {`);
    k.scalars.forEach((s, i) => lines.push(`  export const ${s}: usize = ${scalarOffset(k, i)};`));
    k.state.forEach((s, i) => lines.push(`  export const ${camel(s)}: usize = ${RECORD.fields[`state${i}`]};`));
    k.flags.forEach((f, i) => lines.push(`  export const FLAG_${upperSnake(f)}: u32 = ${2 ** i};`));
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

function assemblyExports(kernels) {
  const lines = [HEADER, ''];
  for (const module of [...new Set(kernels.map((k) => k.module))]) {
    const names = kernels.filter((k) => k.module === module).map((k) => k.kernel);
    lines.push(`export { ${names.join(', ')} } from './${module}';`);
  }
  return `${lines.join('\n')}\n`;
}

function tsContract(kernels) {
  const lines = [
    HEADER,
    '// The record layout in 32-bit words (word = byte offset / 4), as the facade writes records and',
    '// the JS reference kernels read them: the TypeScript twin of assembly/contract.generated.ts.',
    '',
  ];
  lines.push(`export const RECORD_BYTES = ${RECORD.bytes};`);
  for (const [name, offset] of Object.entries(RECORD.fields)) {
    lines.push(`export const REC_${upperSnake(name)} = ${offset / 4};`);
  }
  lines.push(`export const REC_SCALARS = ${RECORD.scalars / 4};`);
  for (const k of kernels) {
    lines.push('', `/** ${describe(k)} */`, `export const ${pascal(k.kernel)} = {`);
    k.scalars.forEach((s, i) => lines.push(`  ${s}: ${scalarOffset(k, i) / 4},`));
    k.state.forEach((s, i) => lines.push(`  ${camel(s)}: ${RECORD.fields[`state${i}`] / 4},`));
    k.flags.forEach((f, i) => lines.push(`  FLAG_${upperSnake(f)}: ${2 ** i},`));
    lines.push('} as const;');
  }
  lines.push('', '/** Every kernel, by its export name in the Wasm module and the JS backend. */');
  lines.push(`export type KernelName =\n${kernels.map((k) => `  | '${k.kernel}'`).join('\n')};`);
  lines.push('', 'export const KERNEL_NAMES: readonly KernelName[] = [');
  for (const k of kernels) lines.push(`  '${k.kernel}',`);
  lines.push('];');
  const states = [...new Set(kernels.flatMap((k) => k.state))].sort();
  lines.push('', "/** Every state buffer a kernel keeps, by PyTorch's name for it. */");
  lines.push(`export type StateName =\n${states.map((s) => `  | '${s}'`).join('\n')};`);
  lines.push('', "/** Every state-dict key of a flavor's aux numbers (its `auxKeys`). */");
  const aux = kernels.auxKeys.length > 0 ? kernels.auxKeys.map((s) => `  | '${s}'`).join('\n') : '  never';
  lines.push(`export type AuxKey =\n${aux};`);
  return `${lines.join('\n')}\n`;
}

function jsKernelTable(kernels) {
  const lines = [HEADER, "import type { KernelName } from '../contract.generated.js';"];
  for (const module of [...new Set(kernels.map((k) => k.module))]) {
    const names = kernels.filter((k) => k.module === module).map((k) => k.kernel);
    lines.push(`import { ${names.join(', ')} } from './${module}.js';`);
  }
  lines.push(
    '',
    '/** A reference kernel: the record table at byte `table`, `count` records, over the arena views. */',
    'export type JsKernel = (f32: Float32Array, u32: Uint32Array, table: number, count: number) => void;',
    '',
    'export const JS_KERNELS: Readonly<Record<KernelName, JsKernel>> = {',
  );
  for (const k of kernels) lines.push(`  ${k.kernel},`);
  lines.push('};');
  return `${lines.join('\n')}\n`;
}

/**
 * The fuzzer's oracle descriptions: every `export const <name>: AlgorithmDescription` in
 * tools/fuzz/algorithms/*.ts, so a new algorithm's description file is all the fuzzer needs.
 */
function fuzzDescriptions() {
  const folder = 'tools/fuzz/algorithms';
  const lines = [
    '// Generated by scripts/gen-contract.mjs from the `export const …: AlgorithmDescription` of',
    `// ${folder}/*.ts. Do not edit.`,
    "import type { AlgorithmDescription } from '../describe.js';",
  ];
  const names = [];
  const files = readdirSync(at(folder))
    .filter((f) => f.endsWith('.ts') && !f.startsWith('index'))
    .sort();
  for (const file of files) {
    const text = readFileSync(at(`${folder}/${file}`), 'utf8');
    const found = [...text.matchAll(/^export const (\w+): AlgorithmDescription\b/gm)].map((m) => m[1]);
    if (found.length === 0) continue;
    lines.push(`import { ${found.join(', ')} } from './${file.replace(/\.ts$/, '.js')}';`);
    names.push(...found);
  }
  lines.push('', '/** Every description, in file order. */');
  lines.push('export const ALL_DESCRIPTIONS: readonly AlgorithmDescription[] = [');
  for (const name of names) lines.push(`  ${name},`);
  lines.push('];');
  return `${lines.join('\n')}\n`;
}

export function outputs() {
  const kernels = collect();
  return {
    'assembly/contract.generated.ts': assemblyContract(kernels),
    'assembly/kernels.generated.ts': assemblyExports(kernels),
    'src/backend/contract.generated.ts': tsContract(kernels),
    'src/backend/js/kernels.generated.ts': jsKernelTable(kernels),
    'tools/fuzz/algorithms/index.generated.ts': fuzzDescriptions(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, text] of Object.entries(outputs())) {
    const current = existsSync(at(path)) ? readFileSync(at(path), 'utf8') : null;
    if (current === text) continue;
    if (check) {
      console.error(`gen-contract: ${path} is ${current === null ? 'missing' : 'stale'}`);
      stale++;
    } else {
      writeFileSync(at(path), text);
      console.log(`gen-contract: wrote ${path}`);
    }
  }
  if (stale > 0) process.exit(1);
}
