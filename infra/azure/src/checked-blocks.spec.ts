import { checkedBlocks, withCheckedBlocks } from './checked-blocks';

const chapter = [
  '# A chapter',
  '',
  '1. **Plan.**',
  '',
  '   <!-- checked: plan:azure --entities -->',
  '',
  '   ```',
  '   queue a: max deliveries 6',
  '   topic events',
  '     subscription events/a: max deliveries 6',
  '   ```',
  '',
  '<!-- checked: plan:azure -->',
  '',
  '```',
  '```',
  '',
  '```sh',
  'not checked',
  '```',
  '',
].join('\n');

describe('the checked blocks of a document', () => {
  it('are read with their arguments, their lines without the indentation of their fence', () => {
    expect(checkedBlocks(chapter).map(({ args, lines, indent }) => ({ args, lines, indent }))).toEqual([
      {
        args: '--entities',
        lines: ['queue a: max deliveries 6', 'topic events', '  subscription events/a: max deliveries 6'],
        indent: '   ',
      },
      { args: '', lines: [], indent: '' },
    ]);
  });

  it('are rewritten in place, indented as their fence, and nothing else changes', () => {
    const printed = new Map([
      ['--entities', ['queue b: max deliveries 9', '', '  subscription events/b: max deliveries 6']],
      ['', ['3 resources']],
    ]);
    const updated = withCheckedBlocks(chapter, printed);
    expect(updated).toBe(
      chapter
        .replace(
          '   queue a: max deliveries 6\n   topic events\n     subscription events/a: max deliveries 6\n',
          '   queue b: max deliveries 9\n\n     subscription events/b: max deliveries 6\n',
        )
        .replace('```\n```\n\n```sh', '```\n3 resources\n```\n\n```sh'),
    );
    expect(checkedBlocks(updated).map((block) => block.lines)).toEqual([...printed.values()]);
  });

  it('refuse to rewrite a block whose output is missing, naming its arguments', () => {
    expect(() => withCheckedBlocks(chapter, new Map([['', ['3 resources']]]))).toThrow('no output given for plan:azure --entities');
  });

  it('refuse a block that is never closed', () => {
    expect(() => checkedBlocks('<!-- checked: plan:azure -->\n\n```\n1 resources\n')).toThrow(/is not closed/);
  });
});
