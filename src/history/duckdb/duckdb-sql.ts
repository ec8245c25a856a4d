/**
 * Quoting for the few SQL texts the DuckDB adapter builds itself (file paths, symbols, column
 * names): DuckDB's table functions (`read_csv`, `read_parquet`) take no bound parameters, and a
 * batch of literal rows is faster to run than a prepared statement per row.
 */

/** `text` as a SQL string literal: single quotes doubled, so any text is one literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `name` as a quoted SQL identifier: double quotes doubled, so any column name is one identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
