import { readFileSync } from 'node:fs';
import path from 'node:path';

export const workshopDir = path.resolve(__dirname, '../../../../docs/workshop');

/** A fenced block a lab names for its checkpoint test, and where it is. */
export interface LabBlock {
  readonly name: string;
  /** The fence's language: `sh` for a command, `text` for the output a step shows. */
  readonly language: string;
  readonly text: string;
  readonly line: number;
}

/**
 * A lab's README read as its checkpoint test reads it. A block the test runs or compares is marked in the markdown by
 * a comment before its fence (blank lines between them allowed), invisible when rendered:
 *
 *   <!-- run: place-order -->      the next ```sh block is a command the test runs as written
 *   <!-- expect: place-order -->   the next ```text block is the output the step shows
 *
 * so what a participant types and what the test runs are one text, and a lab edited without its test fails here.
 */
export class Lab {
  readonly file: string;
  readonly markdown: string;
  private readonly blocks: Map<string, LabBlock>;

  constructor(readonly folder: string) {
    this.file = path.join(workshopDir, folder, 'README.md');
    this.markdown = readFileSync(this.file, 'utf8');
    this.blocks = parseMarkedBlocks(this.markdown, this.file);
  }

  /** The command the lab marks `<!-- run: name -->`. */
  command(name: string): string {
    return this.block('run', name, 'sh').text;
  }

  /** The output the lab marks `<!-- expect: name -->`. */
  expected(name: string): string {
    return this.block('expect', name, 'text').text;
  }

  /** Every marked block, in the order of the lab. */
  all(): LabBlock[] {
    return [...this.blocks.values()].sort((a, b) => a.line - b.line);
  }

  /** The text of a `## heading` section up to the next heading of that level. */
  section(heading: string): string {
    const lines = this.markdown.split('\n');
    const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
    if (start < 0) throw new Error(`${this.file} has no "## ${heading}" section`);
    const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
    return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
  }

  private block(kind: 'run' | 'expect', name: string, language: string): LabBlock {
    const block = this.blocks.get(`${kind}:${name}`);
    if (!block) throw new Error(`${this.file} marks no block "<!-- ${kind}: ${name} -->"`);
    if (block.language !== language)
      throw new Error(`${this.file}:${block.line}: the block "${kind}: ${name}" is \`\`\`${block.language}, not \`\`\`${language}`);
    return block;
  }
}

const MARKER = /^\s*<!--\s*(run|expect):\s*([a-z0-9][a-z0-9-]*)\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,})\s*([A-Za-z0-9_-]*)/;

export function parseMarkedBlocks(markdown: string, file: string): Map<string, LabBlock> {
  const lines = markdown.split('\n');
  const blocks = new Map<string, LabBlock>();
  for (let index = 0; index < lines.length; index += 1) {
    const marker = MARKER.exec(lines[index] ?? '');
    if (!marker) continue;
    const [, kind, name] = marker as unknown as [string, string, string];
    // Prettier parts a comment from the fence after it with a blank line; nothing else may come between them.
    let open = index + 1;
    while (open < lines.length && (lines[open] ?? '').trim() === '') open += 1;
    const fence = FENCE.exec(lines[open] ?? '');
    if (!fence) throw new Error(`${file}:${index + 1}: "<!-- ${kind}: ${name} -->" is not followed by a fenced block`);
    const [, indent = '', ticks = '```', language = ''] = fence;
    const end = lines.findIndex((line, at) => at > open && line.trim() === ticks);
    if (end < 0) throw new Error(`${file}:${open + 1}: the block "${kind}: ${name}" is never closed`);
    const key = `${kind}:${name}`;
    if (blocks.has(key)) throw new Error(`${file}:${index + 1}: "<!-- ${kind}: ${name} -->" marks a second block`);
    // A block inside a list item is indented with it; the text is what a participant copies.
    const text = lines
      .slice(open + 1, end)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n');
    blocks.set(key, { name, language, text, line: open + 1 });
    index = end;
  }
  return blocks;
}
