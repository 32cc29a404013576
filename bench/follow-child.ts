/**
 * The writer of the `follow` benchmark: another process appending to a SQLite file, one event at a
 * time at random intervals, each carrying the wall-clock time it was handed to the store.
 * Arguments: the file, the number of events.
 */
import { SqliteEventStore } from '../adapters/sqlite/store.js';

const file = process.argv[2] as string;
const count = Number(process.argv[3] ?? 500);
const store = new SqliteEventStore(file);
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
for (let i = 0; i < count; i++) {
  await new Promise((r) => setTimeout(r, 2 + random() * 18));
  const sentAt = performance.timeOrigin + performance.now();
  await store.append('follow', [{ id: crypto.randomUUID(), type: 'Ping', data: { i, sentAt } }], 'any');
}
await store.close();
