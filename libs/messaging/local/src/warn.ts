/** The transport has no logger of its own; what it cannot report to a caller goes to stderr. */
export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}
