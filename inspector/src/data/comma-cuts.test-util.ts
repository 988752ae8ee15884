import fc from 'fast-check';

/**
 * `rows` joined by commas, then cut again at as many of its commas (any: in
 * strings or nested ones too) as there were rows less one: rows that join
 * back into the same JSON, of as many values as rows, though most of them
 * are no JSON value alone. (None comes out blank.)
 */
export function cutAtCommas(rows: string[]): fc.Arbitrary<string[]> {
  const joined = rows.join(',');
  const commas = [...joined.matchAll(/,/g)].map((match) => match.index);
  return fc
    .shuffledSubarray(commas, { minLength: rows.length - 1, maxLength: rows.length - 1 })
    .map((cuts) => {
      const ends = [-1, ...cuts.sort((a, b) => a - b), joined.length];
      return ends.slice(1).map((end, k) => joined.slice(ends[k]! + 1, end));
    })
    .filter((cut) => cut.every((row) => row.trim() !== ''));
}
