/**
 * A bench's counts from its command line (`--messages 500`), each checked: an error naming the option when one is
 * not a positive whole number (`--messages abc`, `--seconds 0`).
 */
export function wholeNumberOptions<K extends string>(options: Record<K, number>): Record<K, number> {
  for (const [name, value] of Object.entries<number>(options)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  }
  return options;
}
