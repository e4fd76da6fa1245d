/**
 * A small JSON Schema checker for the subset `z.toJSONSchema` emits for the report (type,
 * properties, required, additionalProperties, items, enum, const, anyOf, minimum/maximum,
 * $ref to $defs). Enough to validate a report against docs/report.schema.json without
 * adding a dependency; returns the list of violations (empty = valid).
 */
type Schema = Record<string, unknown>;

export function checkJsonSchema(schema: Schema, value: unknown, root: Schema = schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref.replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const part of ref) target = (target as Schema)[part];
    return checkJsonSchema(target as Schema, value, root, path);
  }
  const errors: string[] = [];
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some((s) => checkJsonSchema(s, value, root, path).length === 0);
    if (!ok) errors.push(`${path}: matches none of anyOf`);
    return errors;
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  const type = schema.type as string | string[] | undefined;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const ok = types.some((t) => t === actual || (t === 'integer' && Number.isInteger(value)) || (t === 'number' && actual === 'number'));
    if (!ok) return [`${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...checkJsonSchema(schema.items as Schema, v, root, `${path}[${i}]`)));
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const k of (schema.required ?? []) as string[]) if (!(k in obj)) errors.push(`${path}: missing ${k}`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...checkJsonSchema(props[k], v, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        errors.push(...checkJsonSchema(schema.additionalProperties as Schema, v, root, `${path}.${k}`));
    }
  }
  return errors;
}
