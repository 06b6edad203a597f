/**
 * An error's words without the machine's internals: stack frames, absolute paths (POSIX, Windows, file://) and
 * `file:line:col` positions, and the numbered source lines some libraries quote (Prisma's "→ 12 await …"). What a
 * dead letter keeps as its reason and what the storefront shows of one; the full error, stack included, stays in
 * the service's log.
 */
export function withoutInternals(text: string, maxLength = 1_000): string {
  const lines = text
    .split(/\r?\n/)
    .filter((line) => !STACK_FRAME.test(line) && !SOURCE_LINE.test(line))
    .map((line) => line.replace(FILE_POSITION, PLACEHOLDER).replace(ABSOLUTE_PATH, PLACEHOLDER).replace(RELATIVE_POSITION, PLACEHOLDER));
  const joined = lines
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ')
    .replace(/\s+/g, ' ');
  return joined.length > maxLength ? `${joined.slice(0, maxLength - 1)}…` : joined;
}

const PLACEHOLDER = '<path>';
/** `    at fn (/app/x.js:1:2)`, `    at async Promise.all (index 0)`, `    at /app/x.js:1:2`. */
const STACK_FRAME = /^\s*at\s+\S/;
/** A quoted source line: `  12 const x = …`, `→ 12 await prisma…`. */
const SOURCE_LINE = /^\s*(?:→|>)?\s*\d+(?:\s{1,3}\S.*)?\s*$/;
/** An absolute path with or without a position: `/app/dist/x.js`, `C:\app\x.js`, `file:///app/x.js:3:7`. */
const ABSOLUTE_PATH = /(?<![\w.:/\\-])(?:file:\/\/)?(?:[A-Za-z]:[\\/]|\/|\\\\)(?:[^\s'"`()<>,;:]+)(?::\d+){0,2}/g;
/** `file:///…` alone, before the path rule sees its slashes. */
const FILE_POSITION = /file:\/\/\/?[^\s'"`()<>,;]+/g;
/** `src/x.ts:12:3` and `x.js:12`: a file name with a line (and column). */
const RELATIVE_POSITION = /(?<![\w/\\.-])[\w.-]+(?:[\\/][\w.-]+)*\.[A-Za-z]{1,5}:\d+(?::\d+)?/g;
