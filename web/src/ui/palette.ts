/** A colour per pool, the same on every page: by the pool's place among the pools' ids. */
const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#dc2626', '#4f46e5', '#0d9488'];

export function poolColours(poolIds: readonly string[]): Map<string, string> {
  return new Map([...poolIds].sort().map((id, i) => [id, COLOURS[i % COLOURS.length] as string]));
}
