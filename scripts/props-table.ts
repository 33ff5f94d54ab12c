/**
 * `npm run props-table` (after the jsii compile; part of post-compile): writes src/private/props-types.generated.ts,
 * the type table `src/private/props-check.ts` checks untyped callers' arguments against.
 *
 * The table comes from the jsii assembly (`.jsii`), the type information every jsii language binds to, so it
 * describes exactly what a Python, Java, .NET, Go or JavaScript caller may pass:
 * - every struct (data interface) with all its properties, inherited ones included: name, optional, type;
 * - every entry point a caller reaches the library through: constructors (after `scope, id`), static factories and
 *   public methods that take arguments, with their parameters;
 * - the values of the library's enums (read from the compiled `lib/`, because the assembly records member names);
 * - the library's own classes and behavioural interfaces (recognised by name and members);
 * - every type of another package (aws-cdk-lib, constructs) that an argument may hold: props-check.ts must know how
 *   to recognise each (test/untyped-callers.test.ts fails otherwise).
 *
 * The file is committed (like API.md); test/untyped-callers.test.ts reads the TypeScript sources syntactically and
 * fails when the table is stale (a property or parameter added, removed, renamed, made optional or retyped).
 *
 * Usage: npx projen compile && npm run props-table [-- --check]   (--check: fail if the committed file differs)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'src', 'private', 'props-types.generated.ts');

interface TypeRef {
  readonly primitive?: string;
  readonly fqn?: string;
  readonly collection?: { readonly kind: 'array' | 'map'; readonly elementtype: TypeRef };
  readonly union?: { readonly types: TypeRef[] };
}
interface Property { readonly name: string; readonly optional?: boolean; readonly type: TypeRef; readonly static?: boolean }
interface Parameter { readonly name: string; readonly optional?: boolean; readonly variadic?: boolean; readonly type: TypeRef }
interface Method { readonly name: string; readonly static?: boolean; readonly parameters?: Parameter[]; readonly protected?: boolean }
interface JsiiType {
  readonly fqn: string;
  readonly name: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
  readonly base?: string;
  readonly interfaces?: string[];
  readonly properties?: Property[];
  readonly methods?: Method[];
  readonly initializer?: { readonly parameters?: Parameter[] };
  readonly members?: Array<{ readonly name: string }>;
}

/** The compact type notation of the table: `string`, `number`, `boolean`, `any`, `date`, `json`, `T[]`, `{T}`, `A|B`, a type name. */
function notation(t: TypeRef, assembly: string): string {
  if (t.primitive) {
    return t.primitive;
  }
  if (t.collection) {
    const element = notation(t.collection.elementtype, assembly);
    return t.collection.kind === 'array' ? `${element}[]` : `{${element}}`;
  }
  if (t.union) {
    return t.union.types.map(u => notation(u, assembly)).join('|');
  }
  if (t.fqn) {
    // The library's own types by their name, other packages' by their fully qualified name.
    return t.fqn.startsWith(`${assembly}.`) ? t.fqn.slice(assembly.length + 1) : t.fqn;
  }
  throw new Error(`unknown type reference ${JSON.stringify(t)}`);
}

function fqnsOf(t: TypeRef, into: Set<string>): void {
  if (t.fqn) into.add(t.fqn);
  if (t.collection) fqnsOf(t.collection.elementtype, into);
  t.union?.types.forEach(u => fqnsOf(u, into));
}

export function generate(jsiiFile: string, libDir: string): string {
  const asm = JSON.parse(fs.readFileSync(jsiiFile, 'utf-8')) as { name: string; types: Record<string, JsiiType> };
  const types = asm.types;
  const own = (fqn: string) => fqn.startsWith(`${asm.name}.`);
  const short = (fqn: string) => fqn.slice(asm.name.length + 1);

  const structProperties = (fqn: string): Property[] => {
    const t = types[fqn];
    const inherited = (t.interfaces ?? []).filter(own).flatMap(structProperties);
    const external = (t.interfaces ?? []).filter(i => !own(i));
    if (external.length > 0) {
      throw new Error(`${fqn} extends ${external.join(', ')} of another package: the table cannot list its properties`);
    }
    const byName = new Map<string, Property>();
    for (const p of [...inherited, ...(t.properties ?? [])]) byName.set(p.name, p);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  };

  // Entry points: every way a caller hands the library a value.
  const calls: Array<{ key: string; params: Parameter[] }> = [];
  for (const t of Object.values(types).sort((a, b) => a.fqn.localeCompare(b.fqn))) {
    if (t.kind !== 'class') continue;
    const isConstruct = t.base !== undefined;
    const init = t.initializer?.parameters ?? [];
    if (init.length > 0) {
      // A construct's `scope, id` reach `constructs.Construct` before any of our code runs.
      calls.push({ key: `${t.name}.constructor`, params: isConstruct ? init.slice(2) : init });
    }
    for (const m of (t.methods ?? []).filter(x => !x.protected && (x.parameters ?? []).length > 0).sort((a, b) => a.name.localeCompare(b.name))) {
      calls.push({ key: `${t.name}.${m.name}`, params: m.parameters ?? [] });
    }
  }

  // Everything reachable from an entry point's parameters.
  const reachable = new Set<string>();
  const queue: string[] = [];
  const visit = (t: TypeRef) => {
    const found = new Set<string>();
    fqnsOf(t, found);
    for (const f of found) {
      if (!reachable.has(f)) {
        reachable.add(f);
        queue.push(f);
      }
    }
  };
  calls.forEach(c => c.params.forEach(p => visit(p.type)));
  while (queue.length > 0) {
    const fqn = queue.shift()!;
    const t = types[fqn];
    if (t?.kind === 'interface' && t.datatype) structProperties(fqn).forEach(p => visit(p.type));
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled library, found at run time
  const lib = require(libDir) as Record<string, Record<string, unknown>>;
  const structs: string[] = [];
  const enums: string[] = [];
  const classes: string[] = [];
  const interfaces: string[] = [];
  const external: string[] = [];
  for (const fqn of [...reachable].sort()) {
    const t = types[fqn];
    if (!own(fqn)) {
      external.push(fqn);
    } else if (t.kind === 'interface' && t.datatype) {
      const props = structProperties(fqn).map(p => `    ${JSON.stringify(p.name)}: ${JSON.stringify(`${notation(p.type, asm.name)}${p.optional ? '?' : ''}`)},`);
      structs.push(`  ${short(fqn)}: {\n${props.join('\n')}\n  },`);
    } else if (t.kind === 'enum') {
      const values = (t.members ?? []).map(m => lib[t.name]?.[m.name]);
      if (values.some(v => v === undefined)) {
        throw new Error(`${fqn}: lib/ lacks a value of the enum (run 'npx projen compile' first)`);
      }
      enums.push(`  ${t.name}: ${JSON.stringify(values)},`);
    } else if (t.kind === 'class') {
      classes.push(`  ${t.name}: true,`);
    } else {
      const members = [...(t.properties ?? []).map(p => p.name), ...(t.methods ?? []).map(m => m.name)];
      interfaces.push(`  ${t.name}: ${JSON.stringify(members)},`);
    }
  }
  const callLines = calls.map(c => `  ${JSON.stringify(c.key)}: [${c.params.map(p =>
    JSON.stringify(`${p.name}: ${notation(p.type, asm.name)}${p.optional ? '?' : ''}${p.variadic ? '...' : ''}`)).join(', ')}],`);

  return [
    '// Generated by scripts/props-table.ts from the jsii assembly (.jsii): do not edit.',
    '// Regenerate with `npx projen compile && npm run props-table`; test/untyped-callers.test.ts fails when it is stale.',
    '/* eslint-disable */',
    '',
    '/** Every struct an argument may hold: property name → type (`?` marks an optional property). */',
    `export const STRUCTS: { readonly [name: string]: { readonly [property: string]: string } } = {\n${structs.join('\n')}\n};`,
    '',
    '/** Every entry point: `Class.constructor` (after scope and id) or `Class.method` → `name: type` of each parameter. */',
    `export const CALLS: { readonly [call: string]: readonly string[] } = {\n${callLines.join('\n')}\n};`,
    '',
    '/** The values of the library\'s enums. */',
    `export const ENUMS: { readonly [name: string]: readonly (string | number)[] } = {\n${enums.join('\n')}\n};`,
    '',
    '/** The library\'s classes an argument may hold (recognised by class name along the prototype chain). */',
    `export const CLASSES: { readonly [name: string]: true } = {\n${classes.join('\n')}\n};`,
    '',
    '/** The library\'s behavioural interfaces an argument may hold, with their members. */',
    `export const INTERFACES: { readonly [name: string]: readonly string[] } = {\n${interfaces.join('\n')}\n};`,
    '',
    '/** Types of other packages an argument may hold (props-check.ts recognises each). */',
    `export const EXTERNAL: readonly string[] = ${JSON.stringify(external, null, 2).replace(/"/g, "'")};`,
    '',
  ].join('\n');
}

if (require.main === module) {
  const text = generate(path.join(ROOT, '.jsii'), path.join(ROOT, 'lib'));
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf-8') : '';
    if (committed !== text) {
      console.error(`${path.relative(ROOT, OUT)} is stale: run 'npm run props-table' and commit it.`);
      process.exit(1);
    }
    console.log(`${path.relative(ROOT, OUT)} is up to date.`);
  } else {
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${path.relative(ROOT, OUT)}`);
  }
}
