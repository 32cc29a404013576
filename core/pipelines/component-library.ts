/**
 * The component library a v1 graph component's `componentRef`s resolve from, offline: the files a
 * user uploaded, by digest (the SHA-256 of the file's text, as the v1 SDK computes
 * `componentRef.digest`: over the UTF-8 bytes with CRLF line ends made LF) and by the url a file
 * came from. The KFP SDK fetched a url from the network; gpupool never does.
 *
 * Hashing is pure, so it stays in the core (@noble/hashes, no I/O, no Node API).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { load } from 'js-yaml';
import { parseDocument } from 'yaml';

export interface ComponentLibrary {
  /** Component files' text by the SHA-256 (hex) of the text. */
  readonly byDigest: ReadonlyMap<string, string>;
  /** Component files' text by the url they came from. */
  readonly byUrl: ReadonlyMap<string, string>;
}

export const emptyLibrary: ComponentLibrary = { byDigest: new Map(), byUrl: new Map() };

/** The digest the v1 SDK gives a component file (`_load_component_spec_from_component_text`). */
export const componentDigest = (text: string): string => bytesToHex(sha256(utf8ToBytes(text.replace(/\r\n/g, '\n'))));

/** `<64 hex digits> <url>`, the lines of an index that says where each file came from. */
const INDEX_LINE = /^([0-9a-f]{64})\s+(\S+)\s*$/;

const isIndex = (file: { name: string; text: string }): boolean => {
  const lines = file.text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  return lines.length > 0 && lines.every((l) => INDEX_LINE.test(l.trim()));
};

/**
 * A library of uploaded files. Component files are keyed by their digest, and by url where a file
 * says where it came from: an index file (`INDEX.txt`: lines of `<digest> <url>`) or the component's
 * own `metadata.annotations.canonical_location`. An index line for a digest no file has is ignored.
 */
export function libraryFromFiles(files: readonly { readonly name: string; readonly text: string }[]): ComponentLibrary {
  const byDigest = new Map<string, string>();
  const byUrl = new Map<string, string>();
  const indexes: { name: string; text: string }[] = [];
  for (const file of files) {
    if (isIndex(file)) {
      indexes.push(file);
      continue;
    }
    byDigest.set(componentDigest(file.text), file.text);
    const location = canonicalLocation(file.text);
    if (location !== undefined) byUrl.set(location, file.text);
  }
  for (const index of indexes) {
    for (const line of index.text.split(/\r?\n/)) {
      const m = INDEX_LINE.exec(line.trim());
      const text = m ? byDigest.get(m[1] as string) : undefined;
      if (m && text !== undefined) byUrl.set(m[2] as string, text);
    }
  }
  return { byDigest, byUrl };
}

/**
 * One YAML (or JSON) document's value, or the parser's first complaint; as parse.ts reads a file
 * (strict first, then as PyYAML would). Warnings stay in the document: the core writes nothing to
 * the console.
 */
export function readYamlDocument(
  text: string,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string } {
  let firstFault: string;
  try {
    const doc = parseDocument(text, { uniqueKeys: true });
    const first = doc.errors[0];
    if (!first) return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
    firstFault = first.message.split('\n')[0] ?? first.message;
  } catch (error) {
    firstFault = String(error);
  }
  try {
    return { ok: true, value: load(text) };
  } catch {
    return { ok: false, message: firstFault };
  }
}

function canonicalLocation(text: string): string | undefined {
  const read = readYamlDocument(text);
  if (!read.ok) return undefined;
  const doc = read.value;
  const location = (doc as { metadata?: { annotations?: { canonical_location?: unknown } } } | null)?.metadata?.annotations
    ?.canonical_location;
  return typeof location === 'string' && location !== '' ? location : undefined;
}

/** How a reference was found, for the record. */
export type Resolution = { readonly text: string; readonly by: 'digest' | 'url' };

/** A reference's file: by digest first, then by url. */
export function resolveReference(
  library: ComponentLibrary,
  ref: { readonly digest?: string; readonly url?: string },
): Resolution | undefined {
  const byDigest = ref.digest === undefined ? undefined : library.byDigest.get(ref.digest.toLowerCase());
  if (byDigest !== undefined) return { text: byDigest, by: 'digest' };
  const byUrl = ref.url === undefined ? undefined : library.byUrl.get(ref.url);
  if (byUrl !== undefined) return { text: byUrl, by: 'url' };
  return undefined;
}
