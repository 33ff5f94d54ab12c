/**
 * `npm run jsii-check` (a CI step, after the jsii compile): what can be checked offline about the Python, Java,
 * .NET and Go packages that `npm run package-all` builds on a release machine.
 *
 * 1. `jsii-pacmak --code-only` generates every language's sources from the compiled assembly (`.jsii`): the same
 *    generator a release runs, without the registries it packages with.
 * 2. Every public type of the assembly is in every language's sources.
 * 3. Compiled where this machine has the toolchain and needs no registry:
 *    - Python: `python3 -m compileall` (syntax of every generated module). Importing it needs the jsii runtime,
 *      aws-cdk-lib and constructs from PyPI: not here.
 *    - Java: `javac` parse phase only. Resolving types needs the jsii runtime and aws-cdk-lib jars from Maven
 *      Central: not here.
 *    - .NET (`dotnet build`) and Go (`gofmt`): when the toolchain is on PATH; otherwise reported as skipped.
 * 4. The README's "Other languages" table names each package as package.json's jsii targets do.
 * 5. The README's Python snippets: valid Python, every name imported from the package exists, every call uses the
 *    generated parameter names and passes the required keywords (scripts/jsii-check-python.py). A mutated
 *    snippet (a parameter renamed) must fail, so the check is shown to catch what it claims to.
 *
 * Usage: npm run jsii-check [-- --keep]   (sources go to .scratch/jsii-check/; --keep leaves them there)
 */
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.scratch', 'jsii-check');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
const TARGETS = PACKAGE.jsii.targets as {
  python: { module: string; distName: string };
  java: { package: string; maven: { groupId: string; artifactId: string } };
  dotnet: { namespace: string; packageId: string };
  go: { packageName: string; moduleName: string };
};
const LANGUAGES = ['python', 'java', 'dotnet', 'go'] as const;
type Language = typeof LANGUAGES[number];

interface Result {
  readonly language: Language;
  readonly generated: string;
  readonly compiled: string;
  readonly ok: boolean;
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): { status: number; output: string } {
  const r = spawnSync(command, args, { encoding: 'utf-8', ...options });
  if (r.error) {
    return { status: 127, output: String(r.error.message) };
  }
  return { status: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function onPath(tool: string): boolean {
  return run('sh', ['-c', `command -v ${tool}`]).status === 0;
}

function filesUnder(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' })
    .filter(f => f.endsWith(ext))
    .map(f => path.join(dir, f));
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Public type names of the compiled assembly (the library has no submodules: the name after the package). */
function assemblyTypes(): string[] {
  const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf-8'));
  return Object.keys(assembly.types).map(fqn => fqn.slice(`${assembly.name}.`.length)).sort();
}

function missingTypes(language: Language, types: string[]): string[] {
  const dir = path.join(OUT, language);
  switch (language) {
    case 'python': {
      const init = fs.readFileSync(path.join(dir, 'src', TARGETS.python.module, '__init__.py'), 'utf-8');
      return types.filter(t => !new RegExp(`^class ${t}\\b`, 'm').test(init));
    }
    case 'java':
    case 'dotnet':
    case 'go': {
      const ext = { java: '.java', dotnet: '.cs', go: '.go' }[language];
      const names = new Set(filesUnder(dir, ext).map(f => path.basename(f, ext)));
      return types.filter(t => !names.has(t));
    }
  }
}

function pythonSnippets(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  return [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map(m => m[1]);
}

/** The package and import names the README's table shows, for each language, from package.json's jsii targets. */
function readmeNames(): Record<Language, string[]> {
  return {
    python: [TARGETS.python.distName, TARGETS.python.module],
    java: [`${TARGETS.java.maven.groupId}:${TARGETS.java.maven.artifactId}`, TARGETS.java.package],
    dotnet: [TARGETS.dotnet.packageId, TARGETS.dotnet.namespace],
    go: [TARGETS.go.moduleName, TARGETS.go.packageName],
  };
}

function readmeMismatches(language: Language): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  const label = { python: 'Python', java: 'Java', dotnet: '.NET', go: 'Go' }[language];
  const row = readme.split('\n').find(line => line.startsWith(`| ${label} | \``)) ?? '';
  return readmeNames()[language].filter(name => !row.includes(`\`${name}\``));
}

function checkPython(): { compiled: string; ok: boolean } {
  if (!onPath('python3')) return { compiled: 'skipped: no python3 on PATH', ok: true };
  const src = path.join(OUT, 'python', 'src');
  const compile = run('python3', ['-m', 'compileall', '-q', src]);
  if (compile.status !== 0) {
    return { compiled: `python3 -m compileall FAILED:\n${tail(compile.output)}`, ok: false };
  }
  const modules = filesUnder(src, '.py').length;
  const snippets = pythonSnippets();
  if (snippets.length === 0) {
    return { compiled: `${modules} modules compiled; FAILED: the README has no Python snippet`, ok: false };
  }
  const init = path.join(src, TARGETS.python.module, '__init__.py');
  const dir = path.join(OUT, 'snippets');
  fs.mkdirSync(dir, { recursive: true });
  const files = snippets.map((code, i) => {
    const file = path.join(dir, `readme_${i}.py`);
    fs.writeFileSync(file, code);
    return file;
  });
  const checker = path.join(__dirname, 'jsii-check-python.py');
  const check = run('python3', [checker, init, TARGETS.python.module, ...files]);
  if (check.status !== 0) {
    return { compiled: `${modules} modules compiled; README Python snippet FAILED:\n${tail(check.output)}`, ok: false };
  }
  // The other direction: rename every keyword argument in the first snippet; the check must fail.
  const mutated = path.join(dir, 'mutated.py');
  const renamed = snippets[0].replace(/([(,]\s*)([a-z_]+)=(?!=)/g, '$1$2_renamed=');
  fs.writeFileSync(mutated, renamed);
  const negative = run('python3', [checker, init, TARGETS.python.module, mutated]);
  if (renamed === snippets[0] || negative.status !== 1 || !/no parameter '[a-z_]+_renamed'/.test(negative.output)) {
    return { compiled: `${modules} modules compiled; FAILED: the snippet check did not reject a renamed parameter:\n${tail(negative.output)}`, ok: false };
  }
  return {
    compiled: `python3 -m compileall: ${modules} modules; README snippets (${snippets.length}): imports, parameter names and required keywords match (a renamed parameter is rejected). Not imported: needs the jsii runtime, aws-cdk-lib and constructs from PyPI`,
    ok: true,
  };
}

function checkJava(): { compiled: string; ok: boolean } {
  if (!onPath('javac')) return { compiled: 'skipped: no javac on PATH', ok: true };
  const sources = filesUnder(path.join(OUT, 'java', 'src'), '.java');
  const classes = path.join(OUT, 'java-classes');
  // javac's parse phase only (the hidden should-stop options stop it there whether or not it found errors).
  const r = run('javac', ['-XDshould-stop.ifNoError=PARSE', '-XDshould-stop.ifError=PARSE', '-d', classes, ...sources]);
  if (r.status !== 0) return { compiled: `javac (parse) FAILED:\n${tail(r.output)}`, ok: false };
  return {
    compiled: `javac parse phase: ${sources.length} files. Types not resolved: needs the jsii runtime and aws-cdk-lib jars from Maven Central`,
    ok: true,
  };
}

function checkDotnet(): { compiled: string; ok: boolean } {
  if (!onPath('dotnet')) return { compiled: 'skipped: no dotnet on PATH (the .NET SDK and NuGet are a release machine\'s)', ok: true };
  const project = filesUnder(path.join(OUT, 'dotnet'), '.csproj')[0];
  const r = run('dotnet', ['build', project]);
  return r.status === 0 ? { compiled: 'dotnet build', ok: true } : { compiled: `dotnet build FAILED:\n${tail(r.output)}`, ok: false };
}

function checkGo(): { compiled: string; ok: boolean } {
  if (!onPath('gofmt')) return { compiled: 'skipped: no Go toolchain on PATH (a release machine\'s)', ok: true };
  const r = run('gofmt', ['-e', '-l', path.join(OUT, 'go')]);
  return r.status === 0 ? { compiled: 'gofmt -e (syntax)', ok: true } : { compiled: `gofmt FAILED:\n${tail(r.output)}`, ok: false };
}

function main(): void {
  if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
    throw new Error('No .jsii assembly: run `npx projen compile` first (jsii-pacmak generates from the compiled assembly).');
  }
  const started = Date.now();
  fs.rmSync(OUT, { recursive: true, force: true });
  const pacmak = run(path.join(ROOT, 'node_modules', '.bin', 'jsii-pacmak'),
    ['--code-only', '--outdir', OUT, ...LANGUAGES.flatMap(l => ['--target', l])],
    { cwd: ROOT, env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' } });
  if (pacmak.status !== 0) {
    console.error(tail(pacmak.output, 40));
    throw new Error(`jsii-pacmak --code-only failed (exit ${pacmak.status})`);
  }
  const types = assemblyTypes();
  const checks: Record<Language, () => { compiled: string; ok: boolean }> = {
    python: checkPython, java: checkJava, dotnet: checkDotnet, go: checkGo,
  };
  const names: Record<Language, string> = {
    python: `${TARGETS.python.module}`,
    java: `${TARGETS.java.package}`,
    dotnet: `${TARGETS.dotnet.namespace}`,
    go: `${TARGETS.go.packageName}`,
  };
  const results: Result[] = LANGUAGES.map(language => {
    const missing = missingTypes(language, types);
    const readme = readmeMismatches(language);
    const generated = (missing.length === 0
      ? `${names[language]}: all ${types.length} public types`
      : `${names[language]}: MISSING ${missing.join(', ')}`) +
      (readme.length === 0 ? '; README names it as configured' : `; the README's table row lacks ${readme.join(', ')}`);
    const { compiled, ok } = checks[language]();
    return { language, generated, compiled, ok: ok && missing.length === 0 && readme.length === 0 };
  });
  console.log(`jsii-pacmak --code-only (python, java, dotnet, go) and checks: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const r of results) {
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.language.padEnd(6)} generated ${r.generated}`);
    console.log(`            checked: ${r.compiled.split('\n').join('\n            ')}`);
  }
  if (!process.argv.includes('--keep')) {
    fs.rmSync(OUT, { recursive: true, force: true });
  }
  if (results.some(r => !r.ok)) {
    process.exitCode = 1;
  }
}

main();
