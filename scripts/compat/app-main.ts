import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';

/**
 * The entry point `npm run cdk-compat` gives the CLI for every app: `node app-main.js <module>` loads the module
 * (an example's app.ts or a feature app, compiled) and synthesizes what its `createApp` builds. With
 * COMPAT_CDK_NAG set it registers cdk-nag's AwsSolutionsChecks first, looking up what the minimum aws-cdk-lib
 * lacks (Validations, 2.251+) at run time, so the file compiles on every version of the range.
 */
interface AppModule {
  createApp(app: cdk.App): unknown;
}

interface CdkNagModule {
  readonly AwsSolutionsChecks: new (scope: cdk.App) => unknown;
}

interface ValidationsApi {
  of(scope: cdk.App): { addPlugins(...plugins: unknown[]): void };
}

async function registerCdkNag(app: cdk.App): Promise<void> {
  const validations = (cdk as unknown as { readonly Validations?: ValidationsApi }).Validations;
  if (!validations) {
    throw new Error('--cdk-nag: this aws-cdk-lib has no Validations (2.251+); cdk-nag 3 runs on aws-cdk-lib 2.258 or later.');
  }
  const cdkNag = 'cdk-nag'; // not installed on the minimum: a name the compiler does not resolve
  const { AwsSolutionsChecks } = await import(cdkNag) as CdkNagModule;
  validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    throw new Error('usage: node app-main.js <compiled app module>');
  }
  const app = new cdk.App();
  const module = await import(path.resolve(file)) as AppModule;
  module.createApp(app);
  if (process.env.COMPAT_CDK_NAG) {
    await registerCdkNag(app);
  }
  app.synth();
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
