/**
 * A command's output without what npm prints before a script's own (`> stitch@0.1.0 name` and the script's command
 * line), which a lab leaves out of the output it shows.
 */
export function withoutNpmBanner(output: string): string {
  return output
    .split('\n')
    .filter((line) => !line.startsWith('> '))
    .join('\n');
}
