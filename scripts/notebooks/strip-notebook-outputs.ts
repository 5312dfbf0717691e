import type { NotebookJson } from './notebook-json.ts';

/**
 * The notebook without anything an execution adds: code cells get `outputs: []` and
 * `execution_count: null`, and the per-cell `execution` timings and `collapsed`/`scrolled` view state
 * are dropped. Sources, cell ids and notebook metadata are kept, so stripping twice changes nothing.
 *
 * @param notebook a parsed nbformat 4 notebook (not modified)
 * @returns a new notebook ready to commit
 * @throws {TypeError} when `notebook.cells` is not an array
 *
 * @example
 * stripNotebookOutputs({ cells: [{ cell_type: 'code', source: '1', metadata: {}, outputs: [{ output_type: 'stream' }], execution_count: 3 }], metadata: {}, nbformat: 4, nbformat_minor: 5 });
 * // cells[0] → { cell_type: 'code', source: '1', metadata: {}, outputs: [], execution_count: null }
 */
export function stripNotebookOutputs(notebook: NotebookJson): NotebookJson {
  if (!Array.isArray(notebook.cells)) {
    throw new TypeError(`stripNotebookOutputs: a notebook needs a cells array, got ${typeof notebook.cells}`);
  }
  const cells = notebook.cells.map((cell) => {
    const { execution: _execution, collapsed: _collapsed, scrolled: _scrolled, ...metadata } = cell.metadata;
    if (cell.cell_type !== 'code') return { ...cell, metadata };
    return { ...cell, metadata, outputs: [], execution_count: null };
  });
  return { ...notebook, cells };
}
