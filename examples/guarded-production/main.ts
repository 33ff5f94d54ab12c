import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from './app';

const app = new App();
createApp(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
