// The committed notebooks: valid nbformat 4.5 without outputs, and the habits that keep
// `npm run notebooks` reliable (read-only database, awaited displays, closed handles).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellSource, type NotebookJson } from '../../scripts/notebooks/notebook-json.ts';

const notebooksDir = join(import.meta.dirname, '..', '..', 'notebooks');
const files = readdirSync(notebooksDir).filter((name) => name.endsWith('.ipynb')).sort();
const read = (file: string) => JSON.parse(readFileSync(join(notebooksDir, file), 'utf8')) as NotebookJson;
// Notebooks that read the database file run headlessly in `npm run notebooks` (the same rule as scripts/run-notebooks.sh).
const headless = files.filter((file) => readFileSync(join(notebooksDir, file), 'utf8').includes('RETOUR_NOTEBOOK_DATABASE'));

describe('committed notebooks', () => {
  it('are all headless (they read the database file), including the four of the project', () => {
    expect(headless).toEqual(files);
    expect(headless).toEqual(expect.arrayContaining(['01-product-quality.ipynb', '02-risk-review.ipynb', '03-model-evaluation.ipynb', '04-returns-operations.ipynb']));
  });

  it.each(files)('%s is nbformat 4 JSON without outputs or execution counts', (file) => {
    const notebook = read(file);
    expect(notebook.nbformat).toBe(4);
    expect(Array.isArray(notebook.cells)).toBe(true);
    for (const cell of notebook.cells.filter((c) => c.cell_type === 'code')) {
      expect(cell.outputs, `${file} cell ${cell.id ?? '?'}`).toEqual([]);
      expect(cell.execution_count, `${file} cell ${cell.id ?? '?'}`).toBeNull();
      expect(cell.metadata).not.toHaveProperty('execution');
    }
  });

  describe.each(headless)('%s', (file) => {
    const notebook = read(file);
    const codeCells = notebook.cells.filter((cell) => cell.cell_type === 'code');

    it('is nbformat 4.5 with a unique, valid id on every cell', () => {
      expect(notebook.nbformat_minor).toBeGreaterThanOrEqual(5);
      const ids = notebook.cells.map((cell) => cell.id);
      // nbformat 4.5 cell id: 1–64 characters of [a-zA-Z0-9-_].
      for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('runs on the project kernelspec', () => {
      const kernelName = (notebook.metadata.kernelspec as { name?: string } | undefined)?.name;
      expect(kernelName).toBe('deno');
      expect(existsSync(join(notebooksDir, 'jupyter', 'kernels', 'deno', 'kernel.json'))).toBe(true);
    });

    it('starts with a markdown introduction for its audience', () => {
      const first = notebook.cells[0]!;
      expect(first.cell_type).toBe('markdown');
      expect(cellSource(first)).toMatch(/^# .+\n[\s\S]*\*\*For [a-z ]+\.\*\*/);
    });

    it('opens the database read-only and closes it in its last cell', () => {
      const all = codeCells.map(cellSource).join('\n');
      expect(all).toContain("Deno.env.get('RETOUR_NOTEBOOK_DATABASE')");
      expect(all).toContain("access_mode: 'READ_ONLY'");
      expect(all).not.toMatch(/READ_WRITE|\b(INSERT|UPDATE|DELETE|CREATE|DROP)\s/);
      expect(cellSource(codeCells.at(-1)!)).toContain('instance.closeSync()');
    });

    it('awaits every display, and every chart is displayed in its own cell', () => {
      for (const cell of codeCells) {
        const source = cellSource(cell);
        // An unawaited display can reach nbconvert after the cell finished, and the chart is lost.
        const displays = source.match(/(?:await )?Deno\.jupyter\.display\(/g) ?? [];
        for (const display of displays) expect(display, `${file} cell ${cell.id}`).toMatch(/^await /);
        expect(source, `${file} cell ${cell.id}`).not.toMatch(/Deno\.jupyter\.(html|md|svg)`/);
        const chartAt = source.indexOf('Plot.plot(');
        if (chartAt >= 0) expect(source.indexOf('await Deno.jupyter.display(html(', chartAt), `${file} cell ${cell.id}`).toBeGreaterThan(chartAt);
      }
    });

    it('explains each chart in a markdown cell before it', () => {
      notebook.cells.forEach((cell, index) => {
        if (cell.cell_type !== 'code' || !cellSource(cell).includes('Plot.plot(')) return;
        const explanations = notebook.cells.slice(0, index).filter((c) => c.cell_type === 'markdown');
        expect(explanations.length, `${file} cell ${cell.id}`).toBeGreaterThan(0);
        // The nearest markdown cell above says how to read the chart.
        const previous = notebook.cells.slice(0, index).reverse().find((c) => c.cell_type === 'markdown')!;
        expect(cellSource(previous).length, `${file} cell ${cell.id}`).toBeGreaterThan(80);
      });
    });

    it('is listed in notebooks/README.md', () => {
      expect(readFileSync(join(notebooksDir, 'README.md'), 'utf8')).toContain(`\`${file}\``);
    });
  });
});
