import { ReadOnlySqlError } from '../sqlGuard.js';

/** Table functions that reach outside the database (files, network, processes). */
const OUTSIDE = /\b(?:file|url|urlCluster|s3|s3Cluster|gcs|azureBlobStorage|hdfs|remote|remoteSecure|cluster|clusterAllReplicas|mysql|postgresql|mongodb|redis|sqlite|odbc|jdbc|executable|input|iceberg\w*|deltaLake\w*|hudi\w*|fuzzJSON|fuzzQuery)\s*\(/i;

/**
 * Ad-hoc SQL on ClickHouse: one SELECT/WITH statement, no table function that reads files or the
 * network, no SETTINGS override. Over HTTP the server also enforces `readonly = 1`; chDB cannot,
 * so this check is what stands there.
 */
export function assertReadOnlyClickHouse(sql: string): void {
  const text = sql.replace(/'(?:[^'\\]|\\.|'')*'/g, "''").replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim().replace(/;\s*$/, '');
  if (!/^(?:select|with)\b/i.test(text)) throw new ReadOnlySqlError('only SELECT or WITH queries are allowed');
  if (text.includes(';')) throw new ReadOnlySqlError('one statement at a time');
  if (OUTSIDE.test(text)) throw new ReadOnlySqlError('table functions that read files or the network are not allowed');
  if (/\bsettings\b/i.test(text) || /\binto\s+outfile\b/i.test(text)) throw new ReadOnlySqlError('SETTINGS and INTO OUTFILE are not allowed');
}
