/**
 * Tags, on jobs and on assets alike: free text, filtered and searched by in every list. The tag
 * field (the tags joined by commas) holds at most MAX_TAGS_LENGTH characters, counted as a person
 * counts them (code points: an emoji is one), not in UTF-16 units.
 */
export const MAX_TAGS_LENGTH = 256;

/** The length of the tag field, in characters. */
export function tagsLength(tags: readonly string[]): number {
  const joined = tags.join(',');
  // A string has no more code points than units, so only a long one needs counting.
  return joined.length <= MAX_TAGS_LENGTH ? joined.length : [...joined].length;
}

/** Why the tags do not fit the tag field, or null when they do. */
export function tagsTooLong(tags: readonly string[]): string | null {
  const n = tagsLength(tags);
  return n > MAX_TAGS_LENGTH ? `tags hold ${n} characters; the tag field holds at most ${MAX_TAGS_LENGTH}` : null;
}
