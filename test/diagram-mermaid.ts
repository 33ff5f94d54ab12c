import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** What the real Mermaid parser said about one diagram. */
export interface MermaidParseResult {
  readonly ok: boolean;
  /** The detected diagram type (`flowchart-v2` for a flowchart), when it parsed. */
  readonly diagramType?: string;
  /** The parser's message, when it did not. */
  readonly error?: string;
}

/**
 * Parses diagrams with the `mermaid` package's own parser (`mermaid.parse`), offline. mermaid is ESM-only and
 * needs a DOM, so it runs in a child Node process (diagram-mermaid-parse.mjs, with jsdom); one process parses all.
 */
export function parseMermaid(diagrams: string[]): MermaidParseResult[] {
  const run = spawnSync(process.execPath, [path.join(__dirname, 'diagram-mermaid-parse.mjs')], {
    input: JSON.stringify(diagrams),
    encoding: 'utf-8',
    timeout: 120_000,
  });
  if (run.status !== 0) {
    throw new Error(`The Mermaid parser process failed (exit ${run.status}): ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as MermaidParseResult[];
}

/** The bodies of the ```mermaid fenced blocks of a Markdown text, in order. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map(m => m[1]);
}
