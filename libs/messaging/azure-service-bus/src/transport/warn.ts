/** The transport has no logger of its own; what it cannot report to a caller goes to stderr, one line each. */
export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** An error as one line, without anything that could carry a credential. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` (${code})` : ''}: ${redact(error.message)}`;
  }
  return redact(String(error));
}

/** Connection strings and SAS tokens never reach a log line, even inside an error message from the SDK. */
export function redact(text: string): string {
  return text
    .replace(/(SharedAccessKey|SharedAccessSignature|sig)=[^;&\s"']+/gi, '$1=***')
    .replace(/(Endpoint=sb:\/\/[^;\s]+;)[^\s"']*/gi, '$1***');
}
