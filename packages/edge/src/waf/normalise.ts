/**
 * Turns one inspected value into the forms attackers hide payloads behind, the way the CRS
 * transformation chain does (t:urlDecodeUni, t:htmlEntityDecode, t:removeComments,
 * t:compressWhitespace, t:lowercase). Rules then match the plain text instead of every encoding.
 */

const NAMED_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  amp: '&',
  sol: '/',
  bsol: '\\',
  colon: ':',
  lpar: '(',
  rpar: ')',
  semi: ';',
  equals: '=',
  tab: '\t',
  newline: '\n',
  grave: '`',
  nbsp: ' ',
};

function codePointText(code: number): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

/** Decodes %XX, %uXXXX and '+' (as browsers and PHP-style parsers do) without throwing on bad input. */
export function urlDecodeLoose(value: string): string {
  return value
    .replace(/%u([0-9a-f]{4})/gi, (_match, hex: string) => codePointText(Number.parseInt(hex, 16)))
    .replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        // overlong UTF-8 such as %c0%af ("/") is what old path-traversal payloads use: keep it
        // visible as the character it pretends to be instead of dropping it
        return run.replace(/%c0%af|%e0%80%af/gi, '/').replace(/%c0%ae/gi, '.').replace(/%([0-9a-f]{2})/gi, (_m, hex: string) =>
          String.fromCharCode(Number.parseInt(hex, 16)),
        );
      }
    });
}

/** Decodes &lt; &#60; &#x3c; (with or without the closing semicolon, as browsers accept). */
export function htmlEntityDecode(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (match, entity: string) => {
    if (entity[0] === '#') {
      const isHex = entity[1] === 'x' || entity[1] === 'X';
      const code = Number.parseInt(entity.slice(isHex ? 2 : 1), isHex ? 16 : 10);
      return codePointText(code) || match;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? match;
  });
}

/** Decodes JavaScript/JSON escapes \u003c, \x3c that survive JSON parsing when double-escaped. */
function jsEscapeDecode(value: string): string {
  if (!value.includes('\\')) return value;
  return value
    .replace(/\\u\{?([0-9a-f]{4,6})\}?/gi, (_m, hex: string) => codePointText(Number.parseInt(hex, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * How a value is percent-decoded: `query` (query strings: '+' is a space too), `percent` (paths,
 * JSON and already-parsed form values: only %XX, which a later layer might still decode), `none`.
 */
export type UrlDecoding = 'query' | 'percent' | 'none';

/** A value as the rules see it. */
export interface NormalisedValue {
  /** Decoded and lowercased, with newlines and comments intact (separator and comment rules). */
  text: string;
  /**
   * Comment-free, whitespace-compressed forms: SQL/HTML comments replaced by a space
   * (`UNION/**\/SELECT`) and, when there are any, also removed (`UN/**\/ION`).
   */
  forms: string[];
}

const NON_ASCII = /[^\x00-\x7f]/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** Whitespace other than single spaces: tabs, newlines, or runs of spaces. */
const SPACE_RUN = /[\t\n\r\f\v]| {2}/;

/** Decodes a value the ways a browser, a shell or a database would read it. */
export function normalise(raw: string, options: { urlDecode: UrlDecoding }): NormalisedValue {
  let value = raw;
  if (options.urlDecode !== 'none') {
    // in query strings '+' is a space; an encoded plus (%2B) stays a plus below
    if (options.urlDecode === 'query' && value.includes('+')) value = value.replaceAll('+', ' ');
    // double and triple encoding (%252e%252e%252f) is how payloads slip past a single decode
    for (let round = 0; round < 3 && value.includes('%'); round += 1) {
      const decoded = urlDecodeLoose(value);
      if (decoded === value) break;
      value = decoded;
    }
  }
  value = jsEscapeDecode(htmlEntityDecode(value));
  // division and set-minus signs and full-width slashes pass for / and \ in old path parsers
  const lower = (NON_ASCII.test(value) ? value.replace(/[\u2215\u2044\uff0f]/g, '/').replace(/[\u2216\uff3c\ufe68]/g, '\\') : value).toLowerCase();
  // NFKC folds full-width and compatibility forms (ｓｅｌｅｃｔ); plain ASCII has none, and skipping it halves the cost
  const text = NON_ASCII.test(lower) ? lower.normalize('NFKC') : lower;
  // NUL and other control bytes split keywords for naive matchers; real text never has them
  const clean = CONTROL.test(text) ? text.replace(CONTROL_ALL, '') : text;
  const uncommented = clean.includes('/*') || clean.includes('*/') ? clean.replace(/\/\*!?\d*|\*\//g, ' ') : clean;
  const spaced = SPACE_RUN.test(uncommented) ? uncommented.replace(/\s+/g, ' ').trim() : uncommented.trim();
  const forms = [spaced];
  if (clean.includes('/*')) forms.push(clean.replace(/\/\*.*?\*\//g, '').replace(/\s+/g, ' ').trim());
  return { text, forms };
}
