/** The shape of a WAF rule and its severities, shared by the rule files. */

export const SEVERITY = { CRITICAL: 5, WARNING: 3 } as const;

export type WafCategory = 'sqli' | 'xss' | 'traversal' | 'rce' | 'scanner' | 'protocol' | 'java' | 'pollution' | 'ssti' | 'ssrf' | 'nosql' | 'crlf';

/** Where in the request a value came from. */
export type ValueLocation = 'path' | 'query' | 'body' | 'header' | 'cookie' | 'user-agent';

export interface WafRule {
  /** Stable id, logged with every decision (never sent to the client). */
  id: string;
  category: WafCategory;
  severity: number;
  description: string;
  /** A regular expression, or a detector with the same `test` shape (the SQL tokenizer). */
  pattern: { test(value: string): boolean };
  /**
   * `forms`: the comment-stripped, whitespace-compressed forms (keyword rules);
   * `text`: the decoded text with newlines and comments intact (separator and comment rules).
   */
  on: 'forms' | 'text';
  /** Only these locations; all when absent. */
  locations?: readonly ValueLocation[];
}
