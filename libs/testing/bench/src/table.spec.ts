import { printTable } from './table';

describe('printTable', () => {
  it('pads every column to its widest cell, as a markdown table', () => {
    const lines: string[] = [];
    printTable(
      ['transport', 'handled/s'],
      [
        ['Stitch', '12,000'],
        ['BullMQ on Redis', '900'],
      ],
      (line) => lines.push(line),
    );
    expect(lines).toEqual([
      '| transport       | handled/s |',
      '|-----------------|-----------|',
      '| Stitch          | 12,000    |',
      '| BullMQ on Redis | 900       |',
    ]);
  });
});
