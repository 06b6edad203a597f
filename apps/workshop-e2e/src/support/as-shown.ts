import { matchesExpected } from './expected-output';
import type { Lab } from './lab';

/** Asserts a command's output is what the lab shows for its block; a failure names the block and shows the output. */
export function expectAsShown(lab: Lab, name: string, output: string, expected = lab.expected(name)): void {
  expect({ block: name, output: output.trim(), matches: matchesExpected(output, expected) }).toEqual({
    block: name,
    output: output.trim(),
    matches: true,
  });
}
