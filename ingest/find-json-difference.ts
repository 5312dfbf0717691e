/**
 * Deep comparison of two parsed JSON values that ignores object key order (a re-sent event may be
 * re-serialised by another producer). Returns the JSON path of the first difference, or undefined
 * when the values are equal.
 *
 * @example
 * findJsonDifference({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }); // undefined
 * findJsonDifference({ a: { b: 1 } }, { a: { b: 2 } });           // '$.a.b'
 */
export function findJsonDifference(left: unknown, right: unknown, path = '$'): string | undefined {
  if (left === right) return undefined;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return path;
  if (Array.isArray(left) !== Array.isArray(right)) return path;
  if (Array.isArray(left) && Array.isArray(right)) {
    if (left.length !== right.length) return path;
    for (let index = 0; index < left.length; index++) {
      const difference = findJsonDifference(left[index], right[index], `${path}[${index}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  const leftObject = left as Record<string, unknown>;
  const rightObject = right as Record<string, unknown>;
  const leftKeys = Object.keys(leftObject);
  if (leftKeys.length !== Object.keys(rightObject).length) {
    const missing = leftKeys.find((key) => !Object.hasOwn(rightObject, key)) ?? Object.keys(rightObject).find((key) => !Object.hasOwn(leftObject, key));
    return missing === undefined ? path : childPath(path, missing);
  }
  for (const key of leftKeys) {
    if (!Object.hasOwn(rightObject, key)) return childPath(path, key);
    const difference = findJsonDifference(leftObject[key], rightObject[key], childPath(path, key));
    if (difference !== undefined) return difference;
  }
  return undefined;
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
