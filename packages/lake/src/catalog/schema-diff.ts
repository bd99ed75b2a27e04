import type { CatalogColumn } from './scan-lake.js';

export interface SchemaChange {
  change: 'column_added' | 'column_removed' | 'type_changed';
  column: string;
  oldType: string | null;
  newType: string | null;
  /** Readers keep working after an added column; a removed column or a new type breaks them. */
  isBreaking: boolean;
}

/**
 * Compares the registered schema with the one just scanned. New columns are accepted (schema
 * evolution is additive); a type change or a dropped column is flagged as breaking.
 */
export function diffSchemas(previous: readonly CatalogColumn[], current: readonly CatalogColumn[]): SchemaChange[] {
  const before = new Map(previous.map((column) => [column.name, column.type]));
  const after = new Map(current.map((column) => [column.name, column.type]));
  const changes: SchemaChange[] = [];
  for (const [name, type] of after) {
    const old = before.get(name);
    if (old === undefined) changes.push({ change: 'column_added', column: name, oldType: null, newType: type, isBreaking: false });
    else if (old !== type) changes.push({ change: 'type_changed', column: name, oldType: old, newType: type, isBreaking: true });
  }
  for (const [name, type] of before) {
    if (!after.has(name)) changes.push({ change: 'column_removed', column: name, oldType: type, newType: null, isBreaking: true });
  }
  return changes;
}
