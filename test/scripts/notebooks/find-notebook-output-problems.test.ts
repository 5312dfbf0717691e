import { describe, expect, it } from 'vitest';
import { findNotebookOutputProblems } from '../../../scripts/notebooks/find-notebook-output-problems.ts';
import type { NotebookCell, NotebookJson, NotebookOutput } from '../../../scripts/notebooks/notebook-json.ts';

const notebook = (cells: NotebookCell[]): NotebookJson => ({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });
const chartCell = (id: string, outputs: NotebookOutput[]): NotebookCell => ({
  cell_type: 'code',
  id,
  source: ['const chart = Plot.plot({});\n', 'await Deno.jupyter.display(html(chart), { raw: true });'],
  metadata: {},
  outputs,
  execution_count: 1,
});

describe('findNotebookOutputProblems', () => {
  it('accepts display cells with a display output and cells that display nothing', () => {
    expect(findNotebookOutputProblems(notebook([
      { cell_type: 'markdown', id: 'md', source: 'Deno.jupyter.display in prose', metadata: {} },
      chartCell('chart', [{ output_type: 'display_data', data: { 'text/html': '<svg></svg>' } }]),
      { cell_type: 'code', id: 'close', source: 'instance.closeSync();', metadata: {}, outputs: [], execution_count: 2 },
    ]))).toEqual([]);
  });

  it('reports a display cell whose output was lost', () => {
    expect(findNotebookOutputProblems(notebook([chartCell('chart', [])]))).toEqual([
      'cell chart calls Deno.jupyter.display but has no display output',
    ]);
  });

  it('does not count a stream output as the display', () => {
    expect(findNotebookOutputProblems(notebook([chartCell('chart', [{ output_type: 'stream' }])]))).toHaveLength(1);
  });

  it('reports error outputs with their name and message, and names cells without id by position', () => {
    const failed: NotebookCell = { cell_type: 'code', source: 'throw 1', metadata: {}, outputs: [{ output_type: 'error', ename: 'Error', evalue: 'Binder Error: no column x' }], execution_count: 1 };
    expect(findNotebookOutputProblems(notebook([chartCell('ok', [{ output_type: 'display_data', data: {} }]), failed]))).toEqual([
      'cell #1 failed: Error: Binder Error: no column x',
    ]);
  });
});
