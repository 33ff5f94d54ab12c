import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from './app';

// Three policy packs: aws-cdk-lib's CloudFormation validation (cdk.json turns its findings into errors),
// cdk-nag AwsSolutions, and AWS Control Tower's proactive controls as cfn-guard rules.
const app = new App({ policyValidationBeta1: [new CfnGuardValidator()] });
createApp(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
