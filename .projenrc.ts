import { awscdk, javascript } from 'projen';
import { lambdaHandlers } from './scripts/compat/pack-check';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-delivery-pipelines',
  description: 'Safe AWS CodePipeline V2 release pipelines for CDK apps: continuous delivery or continuous deployment with one switch.',
  author: 'cdk-delivery-pipelines maintainers',
  authorAddress: 'maintainers@cdk-delivery-pipelines.dev',
  repositoryUrl: 'https://github.com/cdk-delivery-pipelines/cdk-delivery-pipelines',
  keywords: ['aws-cdk', 'codepipeline', 'continuous-delivery', 'continuous-deployment', 'cdk-pipelines'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  // Peer range: the oldest aws-cdk-lib with every API the library needs (L2 stage conditions: StageProps
  // beforeEntry/onSuccess/onFailure, codepipeline.Rule, Result, RetryMode arrived in 2.186.0), and the constructs
  // that aws-cdk-lib itself asks for. Newer APIs are feature-detected. `npm run cdk-compat` synthesizes the packed
  // library on exactly these minimums; the tests run on the newest (the devDeps below).
  cdkVersion: '2.186.0',
  constructsVersion: '10.0.0',
  peerDependencyOptions: { pinnedDevDependency: false },
  // Versions measured to work together on Node 20 (see shared/TOOLCHAIN.md).
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',

  // The jsii languages. Package names follow each registry's conventions (the Java package turns the author
  // domain's hyphens into underscores, as the JLS asks). Only the JavaScript target builds offline: the other
  // packaging tasks (`npm run package-all`, `package:python` …) need PyPI, Maven Central, the .NET SDK and the Go
  // toolchain, so they run on a release machine. `npm run jsii-check` (a CI step) generates every language's code
  // offline and compiles what this machine can (scripts/jsii-check.ts).
  publishToPypi: {
    distName: 'cdk-delivery-pipelines',
    module: 'cdk_delivery_pipelines',
  },
  publishToMaven: {
    javaPackage: 'dev.cdk_delivery_pipelines',
    mavenGroupId: 'dev.cdk-delivery-pipelines',
    mavenArtifactId: 'cdk-delivery-pipelines',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkDeliveryPipelines',
    packageId: 'CdkDeliveryPipelines',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-delivery-pipelines/cdk-delivery-pipelines-go',
    packageName: 'cdkdeliverypipelines',
  },

  // No hosted CI or release automation: CI is `.ci/run` on a clean clone.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  // Runtime half (operations client + CLI). Not jsii types, so they are bundled.
  bundledDeps: [
    '@aws-sdk/client-codepipeline@^3',
    // `cdk-delivery previews`: lists and deletes preview stacks.
    '@aws-sdk/client-cloudformation@^3',
    // `status`, `approve` and `reject` read the change-set review's decision (its summary) from the review function's
    // log group (FilterLogEvents).
    '@aws-sdk/client-cloudwatch-logs',
    'commander@^14',
    'cli-table3@^0.6',
  ],
  devDeps: [
    'aws-cdk-lib@2.276.0',
    '@types/node@^20',
    'aws-cdk@2.1148.1',
    'cdk-nag@^3',
    // AWS Control Tower proactive controls as cfn-guard rules, a second policy opinion on every example.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    'aws-sdk-client-mock@^4',
    'ts-node@^10',
    'fast-check@^4',
    '@types/aws-lambda@^8',
    // The real Mermaid parser checks every generated pipeline diagram (it needs a DOM for DOMPurify: jsdom).
    // mermaid 11 (12 declares Node >= 22.12; this project runs on Node 20).
    'mermaid@^11',
    'jsdom@^26',
    // Jest's transform: swc strips types without type-checking each test file's import graph (ts-jest cost ~30 s
    // per suite here). Type errors are caught once for the whole tree by `tsc --noEmit` in the test task.
    '@swc/core@^1.16',
    '@swc/jest@^0.2',
    // The change-set review's handler (src/review/private/) assumes the lookup role in each target account (STS) and
    // tells a person about a held release (SNS). Bundled Lambda handlers keep '@aws-sdk/*' external (the Node.js
    // runtime provides SDK v3), so these are only needed to build and test, not by the package.
    '@aws-sdk/client-sts',
    '@aws-sdk/client-sns',
  ],

  // Lambda handlers (src/**/*.lambda.ts) are bundled with esbuild at build time into assets/ (see "Bundled Lambda
  // handlers" below), so users need neither esbuild nor Docker at synth.
  lambdaAutoDiscover: false,
  bundlerOptions: { runBundleTask: javascript.RunBundleTask.MANUAL },
  bin: {
    'cdk-delivery': 'lib/cli/main.js',
  },

  eslintOptions: {
    dirs: ['src', 'test'],
    devdirs: ['test', 'examples', 'bench', 'scripts'],
    ignorePatterns: ['examples/*/cdk.out/**', '*.d.ts', '*.js'],
    commandOptions: { fix: false },
  },
  jestOptions: {
    // Snapshots never update silently: drift fails the test run (and CI).
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // A green run prints the summary only: the default reporter minus the line of each file that passed silently
    // (test/reporters/quiet-reporter.js), then jest's summary. Failures and console output print as usual.
    preserveDefaultReporters: false,
    jestConfig: {
      reporters: [
        new javascript.JestReporter('<rootDir>/test/reporters/quiet-reporter.js'),
        new javascript.JestReporter('summary'),
      ],
      // A green `npm test` fits on a screen: no coverage table unless asked (`npm test -- --coverage`).
      collectCoverage: false,
      testTimeout: 120_000,
      // Three workers on this 2-core machine: a third of the suites' time is waiting (the CLI's wire and process
      // tests sit on timeouts and sockets), which a third worker fills. Measured: 213 s with 2 workers, 167 s with 3;
      // peak RSS per worker ~1.9 GB. A fixed number: jest reads a percentage above 100 % as a count ('150%' = 150
      // workers). On a bigger machine, pass --maxWorkers.
      maxWorkers: 3,
      // CloudFormation validation and construct stack traces are off in tests unless a test is about them (the file says why).
      setupFiles: ['<rootDir>/test/setup/synthesis.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/'],
      modulePathIgnorePatterns: ['<rootDir>/examples/.*/cdk.out', '<rootDir>/lib'],
    },
  },

  gitignore: ['cdk.out/', 'examples/*/cdk.out/', '/.ci-out/', '/.scratch/'],
});

// The engine seam (docs/architecture.md): the blueprint is the release model, independent of the engine that renders
// it. It imports nothing from the CodePipeline engine's libraries; engine settings live in src/codepipeline.
project.eslint?.addOverride({
  files: ['src/blueprint/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{
        group: ['aws-cdk-lib/aws-codebuild', 'aws-cdk-lib/aws-codepipeline', 'aws-cdk-lib/aws-codepipeline-actions', 'aws-cdk-lib/pipelines', 'aws-cdk-lib/aws-ec2', '**/codepipeline/**'],
        message: 'src/blueprint is engine-neutral: engine settings and rendering belong in src/codepipeline (docs/architecture.md, "The engine seam").',
      }],
    }],
  },
});

// Jest transforms TypeScript with swc (no per-file type-check); ts-jest, which projen adds by default, is not used.
project.deps.removeDependency('ts-jest');
const swcJest = ['@swc/jest', {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
}];
project.package.file.addOverride('jest.transform', { '^.+\\.[t]sx?$': swcJest });

// The tests run on the newest constructs (projen replaces a `constructs` devDep given above with the peer).
project.addDevDeps('constructs@10.5.1');
// jsii warns that the devDeps are not the peer minimums (metadata/missing-dev-dependency): deliberately so, the
// tests run on the newest and `npm run cdk-compat` synthesizes on the minimums.
const jsiiFlags = '--silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency';
project.compileTask.reset(`jsii ${jsiiFlags}`);
project.tasks.tryFind('watch')?.reset(`jsii -w ${jsiiFlags}`);

// `npm run package` (and CI's build) packs the JavaScript tarball only. projen's default runs every language's
// jsii-pacmak outside CI, which needs the registries above; those stay available as `package-all` / `package:<lang>`
// for a release machine.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

// Scratch and CI output (the compat app, probes) must never reach the package.
for (const dir of ['/examples/', '/bench/', '/scripts/', '/.ci/', '/.ci-out/', '/.scratch/']) {
  project.addPackageIgnore(dir);
}

// Examples, benchmarks and scripts are type-checked and linted like the library, each folder with its own
// tsconfig (typescript-eslint's project service needs one that covers every linted file).
for (const dir of ['examples', 'bench', 'scripts']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    compilerOptions: { rootDir: '..', noEmit: true },
    include: ['**/*.ts'],
    exclude: ['**/cdk.out/**', 'node_modules'],
  });
}

// One type-check of the whole tree (library, tests, examples, benchmarks, scripts, projenrc): jest's swc transform
// and `ts-node --transpile-only` strip types without checking them. `isolatedModules` proves every file can be
// transpiled on its own, which is what swc does (test/typecheck.test.ts shows the check catches a type error).
new javascript.TypescriptConfig(project, {
  fileName: 'tsconfig.typecheck.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['./tsconfig.json']),
  compilerOptions: { rootDir: '.', noEmit: true, isolatedModules: true },
  include: ['src/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'projenrc/**/*.ts', '.projenrc.ts'],
  exclude: ['**/cdk.out/**', 'node_modules'],
});
const typecheck = project.addTask('typecheck', {
  description: 'Type-check every TypeScript file of the repository once (tsc --noEmit)',
  exec: 'tsc --noEmit -p tsconfig.typecheck.json',
});

const tsNode = 'ts-node --transpile-only';

// Examples and tests load the bundled Lambda handlers from assets/: bundle first (esbuild, about a second).
const examples = project.addTask('examples', {
  description: 'Synthesize every example app with the real aws-cdk CLI (offline) and print each pipeline',
});
examples.spawn(project.bundler.bundleTask);
examples.exec(`${tsNode} --project scripts/tsconfig.json scripts/examples.ts`, { receiveArgs: true });
// `npm test`: the cheapest checks that fail most often first — types (~20 s), then lint (~30 s) — then jest, whose
// summary is the last thing printed. Arguments go to jest (`npm test -- test/cli`). No --passWithNoTests: a filter
// that matches no test file fails instead of passing silently.
project.testTask.reset();
project.testTask.spawn(project.bundler.bundleTask);
project.testTask.spawn(typecheck);
project.testTask.spawn(project.tasks.tryFind('eslint')!);
project.testTask.exec('jest --ci', { receiveArgs: true });
// Tests create AWS SDK clients in the jest process; on Node.js 20 the SDK warns (9 lines, once per test file) that
// releases after January 2027 need Node.js 22. Its documented switch turns that off, as for the CLI and the bench.
project.testTask.env('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');

// ---- Bundled Lambda handlers and the install recipe (README, "Deploying the pipeline", step 1) ----
// Each src/**/*.lambda.ts is bundled with esbuild into assets/<path>/index.js. The Node.js 24 runtime (the newest;
// cdk-nag L1 asks for it) provides AWS SDK v3: keep it external. The function constructs are written by hand
// (src/private/bundled-handler.ts), not generated, so that a package packed without its bundles fails with the
// cause and the fix instead of aws-cdk-lib's `Cannot find asset`; they name the runtime by its id
// (`new lambda.Runtime('nodejs24.x', ...)`), not `Runtime.NODEJS_24_X` (aws-cdk-lib 2.224+), for the whole peer range.
// Every src/**/*.lambda.ts is found as `npm pack`'s check finds it, so a new handler is bundled without listing it.
for (const handler of lambdaHandlers(__dirname).map(h => `src/${h}.ts`)) {
  project.bundler.addBundle(handler, {
    target: awscdk.LambdaRuntime.NODEJS_24_X.esbuildTarget,
    platform: awscdk.LambdaRuntime.NODEJS_24_X.esbuildPlatform,
    externals: ['@aws-sdk/*'],
    sourcemap: false,
    tsconfigPath: project.tsconfigDev.fileName,
    // Warnings and errors only: the bundle runs in `npm test` too, whose green run should fit on a screen.
    logLevel: javascript.BundleLogLevel.WARNING,
  });
  project.eslint?.allowDevDeps(handler);
}
// The change-set review's logic (tested apart from its .lambda.ts entry point) calls STS and SNS, which only its bundled
// handler uses (see the devDeps above).
project.eslint?.allowDevDeps('src/review/private/review-handler.ts');
// `npx projen compile` builds everything the package needs: the bundles (esbuild, about a second), then jsii. Not in
// pre-compile, which `npx projen compile` alone does not run (a tarball packed after it had no assets/).
project.compileTask.prependSpawn(project.bundler.bundleTask);
// `npm pack` (and jsii-pacmak's pack in `npx projen package`) refuses a tree without lib/ or without a bundle of
// every handler, naming the command that builds them.
project.addTask('prepack', {
  description: 'Refuse to pack without the compiled library and every bundled Lambda handler (npm runs this before npm pack)',
  exec: `${tsNode} --project scripts/tsconfig.json scripts/compat/pack-check.ts`,
});

project.addTask('test:profile', {
  description: 'Run jest (or read a jest --json file: -- --from FILE) and print the slowest suites with their times',
  exec: `${tsNode} --project scripts/tsconfig.json scripts/test-profile.ts`,
  receiveArgs: true,
}).prependSpawn(project.bundler.bundleTask);

project.addTask('cdk-compat', {
  description: 'Synthesize the examples and one app per feature from the packed library on the minimum aws-cdk-lib of the peer range (after a build)',
  exec: `${tsNode} --project scripts/tsconfig.json scripts/compat/compat.ts`,
  receiveArgs: true,
});

project.addTask('jsii-check', {
  description: 'Generate the Python, Java, .NET and Go bindings offline (jsii-pacmak --code-only) and compile what this machine can (after a compile)',
  exec: `${tsNode} --project scripts/tsconfig.json scripts/jsii-check.ts`,
  receiveArgs: true,
});

// The type table untyped callers are checked against (src/private/props-types.generated.ts) comes from the jsii
// assembly: `npm run props-table` writes it after a compile; the build fails when the committed table is stale.
project.addTask('props-table', {
  description: 'Write src/private/props-types.generated.ts from the jsii assembly (after a compile; --check fails if it is stale)',
  exec: `${tsNode} --project scripts/tsconfig.json scripts/props-table.ts`,
  receiveArgs: true,
});
project.postCompileTask.exec(`${tsNode} --project scripts/tsconfig.json scripts/props-table.ts --check`);

const bench = project.addTask('bench', {
  description: 'Benchmarks: critical path, template size, real `cdk synth` time and memory against CDK Pipelines defaults and tuned (not in CI)',
  // The AWS SDK warns once per process that releases after January 2027 need Node.js 22.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
// The compiled reference app links the bundled Lambda assets.
bench.spawn(project.bundler.bundleTask);
bench.exec(`${tsNode} --project bench/tsconfig.json bench/bench.ts`, { receiveArgs: true });

project.synth();
