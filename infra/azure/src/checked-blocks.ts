/**
 * The output blocks a document shows for `npm run plan:azure`, which a test holds to what the command prints: a fenced
 * block right after a `<!-- checked: plan:azure <arguments> -->` line. The block may be indented (inside a list
 * item); its lines are compared without that indentation.
 */
export interface CheckedBlock {
  /** The command's arguments, as written after `plan:azure` in the marker. */
  readonly args: string;
  readonly lines: readonly string[];
  /** Where the block's content starts and ends in the document, and the fence's indentation. */
  readonly start: number;
  readonly end: number;
  readonly indent: string;
}

const MARKER = /<!-- checked: plan:azure(.*?) -->\n\n([ \t]*)```\n/g;

export function checkedBlocks(markdown: string): CheckedBlock[] {
  return [...markdown.matchAll(MARKER)].map((marker) => {
    const indent = marker[2] ?? '';
    const start = marker.index + marker[0].length;
    const close = markdown.indexOf(`\n${indent}\`\`\``, start - 1);
    if (close < 0) throw new Error(`the block after "${marker[0].trim()}" is not closed`);
    const end = Math.max(start, close + 1);
    const lines = markdown
      .slice(start, end)
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
    return { args: (marker[1] ?? '').trim(), lines: start === end ? [] : lines, start, end, indent };
  });
}

/** `markdown` with every checked block's content replaced by what `printed` gives for its arguments. */
export function withCheckedBlocks(markdown: string, printed: ReadonlyMap<string, readonly string[]>): string {
  let result = '';
  let at = 0;
  for (const block of checkedBlocks(markdown)) {
    const lines = printed.get(block.args);
    if (!lines) throw new Error(`no output given for plan:azure ${block.args}`);
    result += markdown.slice(at, block.start) + lines.map((line) => (line ? `${block.indent}${line}` : '')).join('\n') + '\n';
    at = block.end;
  }
  return result + markdown.slice(at);
}
