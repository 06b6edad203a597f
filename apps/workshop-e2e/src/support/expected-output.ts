/**
 * Whether a command's output is what the lab shows, where the lab writes `…` for what differs from run to run (ids,
 * times): each `…` stands for any text within its line, everything else must match exactly. Trailing spaces and
 * blank lines at either end are not compared.
 */
export function matchesExpected(actual: string, expected: string): boolean {
  return expectedPattern(expected).test(normalize(actual));
}

/** The same, for an output that holds the lab's lines among others (npm's banner, say), in the lab's order. */
export function containsExpected(actual: string, expected: string): boolean {
  const lines = normalize(expected)
    .split('\n')
    .map((line) => lineSource(line));
  return new RegExp(lines.join('\\n(?:.*\\n)*?'), 'm').test(normalize(actual));
}

function expectedPattern(expected: string): RegExp {
  return new RegExp(
    `^${normalize(expected)
      .split('\n')
      .map((line) => lineSource(line))
      .join('\\n')}$`,
  );
}

function lineSource(line: string): string {
  return line
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^\\n]*?');
}

function normalize(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}
