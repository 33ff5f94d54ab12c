import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CliIo } from './io';
import { FlowchartOfPipeline, flowchartMarkdown, flowchartsOfTemplate } from '../private/flowchart';
import { DeliveryError, DeliveryErrorCode } from '../runtime/errors';

interface DiagramCliOptions {
  readonly app: string;
  readonly pipeline?: string;
  readonly format: 'markdown' | 'mermaid';
}

interface ManifestJson {
  readonly artifacts?: Record<string, {
    readonly type?: string;
    readonly properties?: { readonly templateFile?: string; readonly directoryName?: string };
  }>;
}

/** A pipeline found in a cloud assembly, with the stack that holds it. */
export interface FoundDiagram extends FlowchartOfPipeline {
  readonly stack: string;
}

/**
 * `cdk-delivery diagram [--app cdk.out] [--pipeline NAME] [--format markdown|mermaid]`: a Mermaid flowchart of
 * every pipeline in a synthesized cloud assembly. Offline: reads the assembly's files, calls no AWS API.
 */
export function registerDiagramCommand(program: Command, io: CliIo): void {
  program.command('diagram')
    .description('Print a Mermaid flowchart of every pipeline in a synthesized cloud assembly (offline, no AWS call)')
    .option('--app <dir>', 'cloud assembly directory written by `cdk synth`', 'cdk.out')
    .option('--pipeline <name>', 'only the pipeline with this name')
    .addOption(new Option('--format <format>', 'markdown: a heading and a ```mermaid block per pipeline; mermaid: the bare flowchart of one pipeline')
      .choices(['markdown', 'mermaid']).default('markdown'))
    .action(async (options: DiagramCliOptions) => {
      io.stdout.write(renderDiagrams(await readDiagrams(options.app, io), options));
    });
}

/** Every pipeline of the cloud assembly at `dir` (nested stage assemblies included), in manifest order. */
export async function readDiagrams(dir: string, io: Pick<CliIo, 'readFile'>): Promise<FoundDiagram[]> {
  const manifestFile = join(dir, 'manifest.json');
  let manifest: ManifestJson;
  try {
    manifest = JSON.parse(await io.readFile(manifestFile)) as ManifestJson;
  } catch (error) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `No cloud assembly at ${dir}: cannot read ${manifestFile} (${(error as Error).message}). Run \`cdk synth\` first, or pass --app <the cdk.out directory>.`);
  }
  const found: FoundDiagram[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'aws:cloudformation:stack' && props.templateFile) {
      const template = JSON.parse(await io.readFile(join(dir, props.templateFile))) as Record<string, unknown>;
      found.push(...flowchartsOfTemplate(template).map(flowchart => ({ stack: id, ...flowchart })));
    } else if (artifact.type === 'cdk:cloud-assembly' && props.directoryName) {
      found.push(...await readDiagrams(join(dir, props.directoryName), io));
    }
  }
  return found;
}

/** The command's output for the diagrams found, after the `--pipeline` and `--format` choices. */
export function renderDiagrams(found: FoundDiagram[], options: Omit<DiagramCliOptions, 'app'> & { readonly app?: string }): string {
  const where = options.app ?? 'the cloud assembly';
  const names = found.map(f => f.pipelineName);
  if (found.length === 0) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `No AWS::CodePipeline::Pipeline in ${where}. Is it the cdk.out of the app that defines the pipeline?`);
  }
  const chosen = options.pipeline === undefined ? found : found.filter(f => f.pipelineName === options.pipeline);
  if (chosen.length === 0) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `No pipeline named '${options.pipeline}' in ${where}. Pipelines found: ${names.join(', ')}.`);
  }
  if (options.format === 'mermaid') {
    if (chosen.length > 1) {
      throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
        `--format mermaid prints one diagram, and ${where} has ${chosen.length} pipelines (${names.join(', ')}): choose one with --pipeline <name>, or use --format markdown.`);
    }
    return chosen[0].mermaid;
  }
  return chosen.map(f => flowchartMarkdown(f)).join('\n');
}
