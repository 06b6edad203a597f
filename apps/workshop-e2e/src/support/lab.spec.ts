import { parseMarkedBlocks } from './lab';

const FILE = 'docs/workshop/00-example/README.md';

describe('a lab read as its checkpoint test reads it', () => {
  it('finds the marked blocks, by kind and name, without the indentation of their list item', () => {
    const blocks = parseMarkedBlocks(
      [
        '1. Place the order:',
        '   <!-- run: place-order -->',
        '   ```sh',
        '   curl -s http://127.0.0.1:3000/api/products \\',
        '     | jq length',
        '   ```',
        '   You see:',
        '   <!-- expect: place-order -->',
        '   ```text',
        '   8',
        '   ```',
        '```sh',
        'echo not marked',
        '```',
      ].join('\n'),
      FILE,
    );
    expect([...blocks.entries()]).toEqual([
      [
        'run:place-order',
        { name: 'place-order', language: 'sh', text: 'curl -s http://127.0.0.1:3000/api/products \\\n  | jq length', line: 3 },
      ],
      ['expect:place-order', { name: 'place-order', language: 'text', text: '8', line: 9 }],
    ]);
  });

  it('takes the blank line prettier puts between a marker and its fence', () => {
    const blocks = parseMarkedBlocks(['<!-- run: formatted -->', '', '```sh', 'npm run doctor', '```'].join('\n'), FILE);
    expect(blocks.get('run:formatted')).toEqual({ name: 'formatted', language: 'sh', text: 'npm run doctor', line: 3 });
  });

  it('names the line of a marker with no block after it', () => {
    expect(() => parseMarkedBlocks('<!-- run: lost -->\nsome text', FILE)).toThrow(
      `${FILE}:1: "<!-- run: lost -->" is not followed by a fenced block`,
    );
  });

  it('refuses one name marking two blocks', () => {
    expect(() => parseMarkedBlocks('<!-- run: twice -->\n```sh\na\n```\n<!-- run: twice -->\n```sh\nb\n```', FILE)).toThrow(
      `${FILE}:5: "<!-- run: twice -->" marks a second block`,
    );
  });

  it('names a block left open', () => {
    expect(() => parseMarkedBlocks('<!-- expect: open -->\n```text\nstill going', FILE)).toThrow(
      `${FILE}:2: the block "expect: open" is never closed`,
    );
  });
});
