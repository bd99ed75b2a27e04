/**
 * A small streaming XML tokenizer for the parts of an .xlsx workbook (SpreadsheetML): elements,
 * attributes, text, CDATA, comments and processing instructions, the five predefined entities and
 * character references. Element and attribute names lose their namespace prefix (`x:c` → `c`),
 * as Excel and other writers use both forms. A document type declaration is refused: a workbook
 * never has one, and it is how entity-expansion attacks start.
 *
 * Why not a general SAX parser: on a 100,000-answer survey (a 25 MB sheet) saxes alone took
 * about as long as the whole exceljs reader, which was most of the import; this tokenizer does
 * the same work with `indexOf` jumps and no per-character state machine. It is fed the text in
 * chunks and hands back how much it consumed; the rest (an unfinished tag or text) comes again
 * at the front of the next chunk.
 */

export class XmlFormatError extends Error {
  override name = 'XmlFormatError';
}

/** The attributes of the element just opened; valid only during the `open` call. */
export class XmlAttributes {
  private names: string[] = [];
  private values: string[] = [];
  private count = 0;

  /** @internal */
  reset(): void {
    this.count = 0;
  }

  /** @internal */
  add(name: string, rawValue: string): void {
    this.names[this.count] = name;
    this.values[this.count] = rawValue;
    this.count += 1;
  }

  /** The decoded value of an attribute (by its local name), or undefined when absent. */
  get(name: string): string | undefined {
    for (let index = 0; index < this.count; index += 1) {
      if (this.names[index] === name) return decodeXmlText(this.values[index] ?? '');
    }
    return undefined;
  }
}

export interface XmlHandler {
  /** When false, text between tags is skipped without being decoded. */
  wantsText: boolean;
  open(name: string, attributes: XmlAttributes, isEmpty: boolean): void;
  close(name: string): void;
  /** Decoded text; one element's text may arrive in several calls. */
  text(value: string): void;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;

function codePointText(code: number, original: string): string {
  return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : original;
}

/** Replaces entity and character references; an unknown `&name;` is left as it is. */
export function decodeXmlText(raw: string): string {
  if (raw.indexOf('&') < 0) return raw;
  return raw.replace(ENTITY, (match: string, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined) return codePointText(Number.parseInt(decimal, 10), match);
    if (hex !== undefined) return codePointText(Number.parseInt(hex, 16), match);
    return NAMED[name ?? ''] ?? match;
  });
}

/** Text content as an XML parser hands it over: line ends normalised to \n, references decoded. */
function textContent(raw: string): string {
  const lines = raw.indexOf('\r') < 0 ? raw : raw.replace(/\r\n?/g, '\n');
  return decodeXmlText(lines);
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** Scans an element's start tag from `<`; returns the index after `>`, or -1 when the tag is not complete yet. */
function scanStartTag(text: string, lt: number, handler: XmlHandler, attributes: XmlAttributes): number {
  const length = text.length;
  let index = lt + 1;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (isSpace(code) || code === 47 || code === 62) break;
    index += 1;
  }
  if (index >= length) return -1;
  const name = localName(text.slice(lt + 1, index));
  if (name === '') throw new XmlFormatError(`an element without a name at character ${lt}`);
  attributes.reset();
  for (;;) {
    while (index < length && isSpace(text.charCodeAt(index))) index += 1;
    if (index >= length) return -1;
    const code = text.charCodeAt(index);
    if (code === 62) {
      handler.open(name, attributes, false);
      return index + 1;
    }
    if (code === 47) {
      if (index + 1 >= length) return -1;
      if (text.charCodeAt(index + 1) !== 62) throw new XmlFormatError(`a stray "/" in <${name}>`);
      handler.open(name, attributes, true);
      handler.close(name);
      return index + 2;
    }
    const nameStart = index;
    while (index < length) {
      const nameCode = text.charCodeAt(index);
      if (nameCode === 61 || isSpace(nameCode)) break;
      if (nameCode === 60 || nameCode === 62 || nameCode === 34 || nameCode === 39 || nameCode === 47) throw new XmlFormatError(`a malformed attribute in <${name}>`);
      index += 1;
    }
    const attributeName = text.slice(nameStart, index);
    while (index < length && isSpace(text.charCodeAt(index))) index += 1;
    if (index >= length) return -1;
    if (text.charCodeAt(index) !== 61) throw new XmlFormatError(`an attribute without a value in <${name}>`);
    const equals = index;
    let quoteAt = equals + 1;
    while (quoteAt < length && isSpace(text.charCodeAt(quoteAt))) quoteAt += 1;
    if (quoteAt >= length) return -1;
    const quote = text[quoteAt];
    if (quote !== '"' && quote !== "'") throw new XmlFormatError(`an unquoted attribute value in <${name}>`);
    const end = text.indexOf(quote, quoteAt + 1);
    if (end < 0) return -1;
    attributes.add(localName(attributeName), text.slice(quoteAt + 1, end));
    index = end + 1;
  }
}

/**
 * Feeds the complete tokens of `text` to the handler and returns how many characters it consumed;
 * the caller keeps the rest and puts it in front of the next chunk. With `isEnd`, the text is the
 * end of the document: unfinished markup there is an error.
 */
export function scanXml(text: string, handler: XmlHandler, attributes: XmlAttributes, isEnd: boolean): number {
  const length = text.length;
  let position = 0;
  while (position < length) {
    const lt = text.indexOf('<', position);
    if (lt < 0) {
      if (!isEnd) return position;
      if (handler.wantsText) handler.text(textContent(text.slice(position)));
      return length;
    }
    if (lt > position && handler.wantsText) handler.text(textContent(text.slice(position, lt)));
    position = lt;
    if (lt + 1 >= length) break;
    const next = text.charCodeAt(lt + 1);
    if (next === 47) {
      // </name>
      const gt = text.indexOf('>', lt + 2);
      if (gt < 0) break;
      handler.close(localName(text.slice(lt + 2, gt).trim()));
      position = gt + 1;
    } else if (next === 63) {
      // <? processing instruction ?>
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) break;
      position = end + 2;
    } else if (next === 33) {
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt + 4);
        if (end < 0) break;
        position = end + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        if (end < 0) break;
        if (handler.wantsText) handler.text(text.slice(lt + 9, end));
        position = end + 3;
      } else if (text.startsWith('<!DOCTYPE', lt) || text.startsWith('<!ENTITY', lt)) {
        throw new XmlFormatError('the XML declares a document type (not allowed in a workbook)');
      } else if (lt + 9 >= length) {
        break; // the start of "<![CDATA[" or "<!--" cut by the chunk
      } else {
        throw new XmlFormatError(`unexpected markup at character ${lt}`);
      }
    } else {
      const end = scanStartTag(text, lt, handler, attributes);
      if (end < 0) break;
      position = end;
    }
  }
  if (isEnd && position < length) throw new XmlFormatError('the XML ends inside a tag');
  return position;
}

/** Longest unfinished token carried from one chunk to the next (a shared string is at most 32,767 characters). */
const MAX_CARRY = 4 * 1024 * 1024;

/**
 * Scans a document that arrives as byte chunks (UTF-8), calling `afterChunk` after each one so a
 * caller can hand on what the handler gathered without holding the whole document.
 */
export async function* scanXmlChunks(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, handler: XmlHandler): AsyncGenerator<void> {
  const decoder = new TextDecoder('utf-8');
  const attributes = new XmlAttributes();
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const used = scanXml(text, handler, attributes, false);
    carry = used === text.length ? '' : text.slice(used);
    if (carry.length > MAX_CARRY) throw new XmlFormatError('an XML token is longer than 4 MB');
    yield;
  }
  scanXml(carry + decoder.decode(), handler, attributes, true);
  yield;
}
