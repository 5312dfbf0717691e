import { cellSource, type NotebookJson } from './notebook-json.ts';

/**
 * What is wrong with an *executed* notebook: cells that ended in an error output, and cells that call
 * `Deno.jupyter.display` but have no display output. The second catches a chart dropped silently by
 * the kernel, which nbconvert does not report (every display cell of the project's notebooks shows
 * either a chart or a note, so an empty one means a lost output).
 *
 * @param notebook a notebook written by `jupyter nbconvert --to notebook --execute`
 * @returns one message per problem, naming the cell id; empty when all is well
 *
 * @example
 * findNotebookOutputProblems({ cells: [{ cell_type: 'code', id: 'chart', source: 'await Deno.jupyter.display(x)', metadata: {}, outputs: [] }], metadata: {}, nbformat: 4, nbformat_minor: 5 });
 * // ['cell chart calls Deno.jupyter.display but has no display output']
 */
export function findNotebookOutputProblems(notebook: NotebookJson): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const name = cell.id ?? `#${index}`;
    const outputs = cell.outputs ?? [];
    for (const output of outputs) {
      if (output.output_type === 'error') problems.push(`cell ${name} failed: ${output.ename ?? 'Error'}: ${output.evalue ?? ''}`);
    }
    const displays = outputs.filter((output) => output.output_type === 'display_data' || output.output_type === 'execute_result');
    if (cellSource(cell).includes('Deno.jupyter.display') && displays.length === 0) {
      problems.push(`cell ${name} calls Deno.jupyter.display but has no display output`);
    }
  });
  return problems;
}
