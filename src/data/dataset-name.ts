/** The rule for a dataset's display name (ids have their own, stricter rule: they are keys). */

/** Longest dataset name accepted. */
export const MAX_DATASET_NAME_CHARS = 100;

/** Why a (trimmed) name is not acceptable, completing "name ...", or null when it is. */
export function datasetNameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_DATASET_NAME_CHARS) return `must be at most ${MAX_DATASET_NAME_CHARS} characters, got ${name.length}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters (such as newlines or tabs)';
  return null;
}
