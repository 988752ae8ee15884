import { useState } from 'react';
import { copyJson } from '../components/clipboard.js';

/** Copies rows as JSON (one row as an object, several as an array) and says how it went. */
export function useCopyRows(): { note: string; copy(rows: unknown[]): void } {
  const [note, setNote] = useState('');
  const copy = (rows: unknown[]) => {
    if (rows.length === 0) return;
    copyJson(rows.length === 1 ? rows[0] : rows).then(
      () => setNote(`Copied ${rows.length} ${rows.length === 1 ? 'row' : 'rows'} as JSON`),
      (error: unknown) => setNote(`Could not copy: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  return { note, copy };
}
