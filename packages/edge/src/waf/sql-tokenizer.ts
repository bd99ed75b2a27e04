/**
 * SQL injection by grammar rather than by signature, in the spirit of libinjection: a value is
 * read as SQL three times — as it is (a number or bare word spliced into a query), and as if it
 * continued a single- or double-quoted string (the quote an attacker closes) — and each reading's
 * token sequence is checked for the shapes only an injection has: a boolean operator after the
 * closed value followed by a comparison (`1 OR 3-2=1`, `' or 'a'='a`), a sub-select after an
 * operator (`'||(SELECT …)`, `1 RLIKE (SELECT 1)`), UNION SELECT, a stacked statement, a comment
 * right after the closing quote, a boolean inside a function's first argument (`ELT(1=1,…)`).
 *
 * Ordinary text rarely reads that way: "red and white", "black or navy/white", "select your size",
 * "union jack", "I'm 5'9\" and the M fits" tokenise as words, strings and numbers without an
 * operator in the right place. Input is expected lowercased and decoded (see normalise.ts).
 */

export type SqlTokenType =
  | 's' // string literal
  | 'n' // number, true/false/null
  | 'v' // @variable, @@system_variable
  | 'b' // bare word (identifier or ordinary word)
  | 'f' // word directly followed by "("
  | 'k' // SQL keyword
  | 'E' // statement keyword (select, insert, exec…)
  | 'U' // union / intersect / except
  | '&' // and, or, xor, &&, ||
  | 'o' // other operator
  | 'c' // comparison operator
  | 'C' // comment
  | '(' | ')' | ',' | ';';

export interface SqlToken {
  type: SqlTokenType;
  value: string;
}

const LOGIC = new Set(['and', 'or', 'xor', '&&', '||']);
const UNION = new Set(['union', 'intersect', 'except', 'minus']);
const STATEMENTS = new Set(['select', 'insert', 'update', 'delete', 'drop', 'exec', 'execute', 'declare', 'waitfor', 'create', 'alter', 'truncate', 'shutdown', 'grant', 'revoke', 'replace', 'merge', 'call', 'print', 'begin', 'copy']);
const KEYWORDS = new Set(['from', 'where', 'into', 'values', 'having', 'limit', 'order', 'group', 'by', 'procedure', 'exists', 'case', 'when', 'then', 'else', 'end', 'as', 'distinct', 'all', 'top', 'set', 'if', 'offset', 'table', 'database', 'delay', 'time', 'join', 'on', 'not']);
const COMPARISON_WORDS = new Set(['like', 'rlike', 'regexp', 'between', 'is', 'in', 'sounds', 'glob', 'ilike', 'similar']);
const VALUE_WORDS = new Set(['true', 'false', 'null', 'unknown']);
const COMPARISON_OPERATORS = new Set(['=', '==', '<', '>', '<=', '>=', '!=', '<>', '<=>', '!<', '!>']);

/** Splits text into SQL tokens; `quote` starts the reading inside a string closed by that quote. */
export function tokenizeSql(text: string, quote: '' | "'" | '"' = ''): SqlToken[] {
  const tokens: SqlToken[] = [];
  let at = 0;
  if (quote !== '') {
    const end = text.indexOf(quote);
    if (end === -1) return [];
    tokens.push({ type: 's', value: text.slice(0, end) });
    at = end + 1;
  }
  const length = text.length;
  while (at < length && tokens.length < 64) {
    const char = text[at] as string; // at < length
    const next = text[at + 1] ?? '';
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    if ((char === '-' && next === '-') || char === '#') {
      tokens.push({ type: 'C', value: text.slice(at) });
      break;
    }
    if (char === '/' && next === '*') {
      const end = text.indexOf('*/', at + 2);
      tokens.push({ type: 'C', value: text.slice(at, end === -1 ? length : end + 2) });
      at = end === -1 ? length : end + 2;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') {
      let end = at + 1;
      while (end < length) {
        if (text[end] === char) {
          if (text[end + 1] === char) end += 2; // '' inside a string
          else break;
        } else end += 1;
      }
      tokens.push({ type: char === '`' ? 'b' : 's', value: text.slice(at + 1, end) });
      at = end + 1;
      continue;
    }
    const number = /^(?:0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+)/.exec(text.slice(at, at + 40));
    if (number && !/[a-z_]/.test(text[at + number[0].length] ?? '')) {
      tokens.push({ type: 'n', value: number[0] });
      at += number[0].length;
      continue;
    }
    const word = /^(?:@@?[a-z_][\w$]*|[a-z_$\u00c0-\uffff][\w$.\u00c0-\uffff]*)/.exec(text.slice(at, at + 80));
    if (word) {
      const value = word[0].replace(/\.+$/, '');
      at += Math.max(value.length, 1);
      tokens.push({ type: wordType(value, text, at), value });
      continue;
    }
    const operator = /^(?:<=>|\|\||&&|<>|!=|<=|>=|==|!<|!>|::|[=<>+\-*/%^|&~!:])/.exec(text.slice(at, at + 3));
    if (operator) {
      const value = operator[0];
      tokens.push({ type: LOGIC.has(value) ? '&' : COMPARISON_OPERATORS.has(value) ? 'c' : 'o', value });
      at += value.length;
      continue;
    }
    if (char === '(' || char === ')' || char === ',' || char === ';') tokens.push({ type: char, value: char });
    at += 1;
  }
  return tokens;
}

function wordType(word: string, text: string, after: number): SqlTokenType {
  if (word.startsWith('@')) return 'v';
  if (LOGIC.has(word)) return '&';
  if (UNION.has(word)) return 'U';
  if (VALUE_WORDS.has(word)) return 'n';
  if (COMPARISON_WORDS.has(word)) return 'c';
  if (STATEMENTS.has(word)) return 'E';
  if (KEYWORDS.has(word)) return 'k';
  return /^\s*\(/.test(text.slice(after, after + 8)) ? 'f' : 'b';
}

const OPERAND = new Set<SqlTokenType>(['s', 'n', 'v', 'b', 'f', '(']);

/** After a boolean operator: an operand and a comparison within a few tokens, a call, or a sub-select. */
function isBooleanProbe(tokens: readonly SqlToken[], from: number): boolean {
  const first = tokens[from];
  if (!first) return false;
  if (first.type === 'E' || (first.type === 'k' && (first.value === 'exists' || first.value === 'not'))) return true;
  const second = tokens[from + 1];
  if (first.type === 'f' || (first.type === '(' && (second?.type === 'E' || (second?.type === 'k' && (second.value === 'exists' || second.value === 'not'))))) return true;
  if (!OPERAND.has(first.type)) return false;
  for (let index = from + 1; index < Math.min(tokens.length, from + 6); index += 1) {
    const token = tokens[index] as SqlToken; // index < length
    if (token.type === 'c') return true;
    if (token.type === 'C' && index === from + 1 && first.type !== 'b') return true; // `or 1--`
    // prose ("and the M is…") has words after words; an expression has operators between operands
    if (token.type === 'b' || (token.type !== 'o' && !OPERAND.has(token.type) && token.type !== ')')) return false;
  }
  // `or 1` / `or true` at the very end of the value (the rest of the query follows)
  return tokens.length === from + 1 && (first.type === 'n' || first.type === 's');
}

/** A sub-select: `( select` followed by what only a query has next. */
function isSubSelect(tokens: readonly SqlToken[], at: number): boolean {
  const open = tokens[at];
  const select = tokens[at + 1];
  const after = tokens[at + 2];
  return open?.type === '(' && select?.type === 'E' && select.value === 'select' && after !== undefined && (after.type !== 'b' || tokens[at + 3]?.type === 'k');
}

/** The reason a token sequence reads as an injection, or undefined. */
function injectionShape(tokens: readonly SqlToken[], isQuoted: boolean): string | undefined {
  // what may stand before the injected part: the closed string (quoted) or a value and brackets
  let at = 0;
  if (isQuoted) at = 1;
  else if (tokens[0] && (tokens[0].type === 'n' || tokens[0].type === 'v' || tokens[0].type === 'b')) at = 1;
  while (tokens[at]?.type === ')') at += 1;
  const head = tokens[at];
  if (!head) return undefined;
  const next = tokens[at + 1];
  if (head.type === '&' && (isQuoted || tokens[0]?.type !== 'b' || at === 0 || (next !== undefined && next.type !== 'b' && next.type !== 's'))) {
    if (isBooleanProbe(tokens, at + 1)) return 'boolean';
  }
  if (head.type === 'U' && next && (next.type === 'E' || next.type === 'k' || next.type === '(')) return 'union';
  if (head.type === ';' && next && (next.type === 'E' || next.type === 'f') && (next.value !== 'select' || (tokens[at + 2] !== undefined && tokens[at + 2]?.type !== 'b'))) return 'stacked';
  if (isQuoted && at >= 1 && head.type === 'C' && (tokens[0]?.value !== '' || at > 1)) return 'comment';
  // MSSQL runs a statement straight after a closed string ('' exec xp_cmdshell …); a quoted
  // "select" or "drop" in prose is not that
  if (isQuoted && head.type === 'E' && ['exec', 'execute', 'declare', 'waitfor', 'shutdown'].includes(head.value) && next?.type !== 's') return 'statement';
  if (isQuoted && head.type === 'k' && ['having', 'group', 'order', 'limit', 'procedure', 'into', 'where', 'from'].includes(head.value)) return 'clause';
  if ((head.type === 'o' || head.type === 'c' || head.type === '&') && isSubSelect(tokens, at + 1)) return 'subselect';
  if (head.type === 'c' && COMPARISON_WORDS.has(head.value) && next?.type === 'f') return 'comparison-call';
  if (at === 0 && isSubSelect(tokens, 0)) return 'subselect';
  // ELT(1=1,…) / IIF(1=1,…) / MAKE_SET(1=1,…): a boolean as a function's first argument
  if (head.type === 'f' && tokens[at + 1]?.type === '(' && OPERAND.has(tokens[at + 2]?.type ?? 'C') && tokens[at + 3]?.type === 'c' && OPERAND.has(tokens[at + 4]?.type ?? 'C') && tokens[at + 5]?.type === ',') return 'boolean-call';
  // (1=1)*2
  if (at === 0 && head.type === '(' && tokens[1]?.type === 'n' && tokens[2]?.type === 'c' && tokens[3]?.type === 'n' && tokens[4]?.type === ')') return 'boolean';
  // declare @s … / exec(@s) / print @@version
  if (head.type === 'E' && (next?.type === 'v' || (next?.type === '(' && tokens[at + 2]?.type === 'v'))) return 'statement';
  return undefined;
}

/**
 * Whether a (normalised) value reads as SQL injection in any of the three contexts, and how.
 *
 * @example
 * detectSqlInjection("1 or 3-2=1"); // 'boolean'
 * detectSqlInjection("select fit jeans"); // undefined
 */
export function detectSqlInjection(text: string): string | undefined {
  if (text.length < 2) return undefined;
  const plain = injectionShape(tokenizeSql(text), false);
  if (plain) return plain;
  for (const quote of ["'", '"'] as const) {
    if (!text.includes(quote)) continue;
    const shape = injectionShape(tokenizeSql(text, quote), true);
    if (shape) return shape;
  }
  return undefined;
}
