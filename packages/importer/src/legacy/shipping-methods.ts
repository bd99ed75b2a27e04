import { MappingError } from './mapping.js';
import { listRows, type ImportWarning, type OrderLineResult } from './plan-orders.js';

/**
 * Puts every line's ship mode onto one of the shop's shipping method codes. A value that already
 * is a code (any case) is kept; any other value — an export's "Same Day" nobody mapped under
 * `values.shipping_method`, or an empty cell — takes the mapping's default
 * (`defaults.shipping_method`) and is reported once per value with its rows, never silently; with
 * no default such a line is rejected (and with it its order). Pure: data in, data out.
 *
 * @example
 * resolveShippingMethods(lines, { codes: ['express', 'standard'], fallback: 'standard' })
 * // "Same Day" lines become 'standard', plus a warning naming "Same Day" and its rows
 */
export function resolveShippingMethods(
  results: readonly OrderLineResult[],
  options: { codes: readonly string[]; fallback: string | undefined },
): { results: OrderLineResult[]; warnings: ImportWarning[] } {
  const codes = new Map(options.codes.map((code) => [code.toLowerCase(), code]));
  const known = options.codes.join(', ') || 'none set up';
  const fallback = options.fallback?.trim();
  if (fallback !== undefined && fallback !== '' && !codes.has(fallback.toLowerCase())) {
    throw new MappingError(`defaults.shipping_method "${fallback}" is not a shipping method of the shop (${known})`);
  }
  const fallbackCode = fallback ? codes.get(fallback.toLowerCase()) : undefined;
  const unmapped = new Map<string, number[]>();
  const resolved = results.map((result): OrderLineResult => {
    if (!('value' in result)) return result;
    const given = result.value.shippingMethod;
    const code = given === null ? undefined : codes.get(given.toLowerCase());
    if (code !== undefined) return code === given ? result : { ...result, value: { ...result.value, shippingMethod: code } };
    if (given === null && fallbackCode === undefined) return result; // no ship mode at all: the order keeps none
    if (fallbackCode === undefined) {
      return {
        rowNumber: result.rowNumber,
        orderKey: result.orderKey,
        error: {
          column: 'shipping_method',
          reason: `"${given}" is not a shipping method of the shop (${known}); map it under values.shipping_method or set defaults.shipping_method`,
        },
      };
    }
    const label = given ?? '';
    unmapped.set(label, [...(unmapped.get(label) ?? []), result.rowNumber]);
    return { ...result, value: { ...result.value, shippingMethod: fallbackCode } };
  });
  const warnings = [...unmapped.entries()].map(([label, rows]): ImportWarning => ({
    rows,
    column: 'shipping_method',
    message: `${label === '' ? 'an empty ship mode' : `ship mode "${label}"`} maps to no shipping method of the shop (${known}): `
      + `${rows.length} ${rows.length === 1 ? 'line' : 'lines'} (rows ${listRows(rows)}) took the default "${fallbackCode}"; map it under values.shipping_method`,
  }));
  return { results: resolved, warnings };
}
