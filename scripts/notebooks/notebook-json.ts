/** The parts of an nbformat 4.5 notebook (https://nbformat.readthedocs.io/en/latest/format_description.html) that the notebook scripts read. */
export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

export interface NotebookOutput {
  output_type: 'display_data' | 'execute_result' | 'stream' | 'error' | (string & {});
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}

export interface NotebookJson {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A cell's source as one string (nbformat allows a string or a list of lines). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}
