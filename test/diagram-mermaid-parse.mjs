// Parses Mermaid diagrams with the real parser (the `mermaid` package), offline in Node.
// mermaid is ESM-only, so tests and scripts run this file as a child process:
//   node test/diagram-mermaid-parse.mjs < diagrams.json      (a JSON array of diagram texts)
// It prints a JSON array with, per diagram, { ok: true, diagramType } or { ok: false, error }.
// mermaid sanitizes labels with DOMPurify, which needs a DOM: jsdom provides one.
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
}
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, diagramType: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
