import { describe, expect, it } from 'vitest';
import type { NotebookJson } from '../../../scripts/notebooks/notebook-json.ts';
import { stripNotebookOutputs } from '../../../scripts/notebooks/strip-notebook-outputs.ts';

const executed: NotebookJson = {
  cells: [
    { cell_type: 'markdown', id: 'intro', source: ['# Title'], metadata: { tags: ['x'] } },
    {
      cell_type: 'code',
      id: 'chart',
      source: ['await Deno.jupyter.display(html(chart), { raw: true });'],
      metadata: { execution: { 'iopub.execute_input': '2026-01-01T00:00:00Z' }, scrolled: true, tags: ['keep'] },
      outputs: [{ output_type: 'display_data', data: { 'text/html': '<svg></svg>' } }],
      execution_count: 7,
    },
  ],
  metadata: { kernelspec: { name: 'deno' } },
  nbformat: 4,
  nbformat_minor: 5,
};

describe('stripNotebookOutputs', () => {
  it('empties outputs and execution counts, drops run metadata, keeps sources, ids and tags', () => {
    const stripped = stripNotebookOutputs(executed);
    expect(stripped.cells[1]).toEqual({
      cell_type: 'code',
      id: 'chart',
      source: ['await Deno.jupyter.display(html(chart), { raw: true });'],
      metadata: { tags: ['keep'] },
      outputs: [],
      execution_count: null,
    });
    expect(stripped.cells[0]).toEqual(executed.cells[0]);
    expect(stripped.metadata).toEqual(executed.metadata);
  });

  it('does not modify its input and is idempotent', () => {
    const before = structuredClone(executed);
    const once = stripNotebookOutputs(executed);
    expect(executed).toEqual(before);
    expect(stripNotebookOutputs(once)).toEqual(once);
  });

  it('rejects a value without a cells array', () => {
    expect(() => stripNotebookOutputs({ metadata: {} } as unknown as NotebookJson)).toThrow(/cells array/);
  });
});
