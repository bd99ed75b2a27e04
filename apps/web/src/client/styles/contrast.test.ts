import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/** The colour tokens of app.css (`--name: #rrggbb;` in :root). */
function readTokens(): Map<string, string> {
  const css = readFileSync(new URL('./app.css', import.meta.url), 'utf8');
  const root = /:root\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
  return new Map([...root.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1] ?? '', (m[2] ?? '').toLowerCase()]));
}

/** WCAG 2.x relative luminance of an sRGB hex colour. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

const tokens = readTokens();
function token(name: string): string {
  const value = name === 'white' ? '#ffffff' : tokens.get(name);
  assert.ok(value, `app.css defines --${name}`);
  return value;
}

/** Text colour on background, as the stylesheet pairs them. */
const TEXT_PAIRS: [string, string][] = [
  ['ink', 'canvas'], ['ink', 'paper'], ['ink-soft', 'canvas'], ['ink-soft', 'paper'], ['ink-soft', 'sand'],
  ['muted', 'canvas'], ['muted', 'paper'], ['muted', 'sand'],
  ['accent', 'paper'], ['accent', 'canvas'], ['accent-hover', 'accent-soft'], ['white', 'accent'], ['white', 'ink'],
  ['error', 'paper'], ['error', 'error-soft'], ['ok', 'ok-soft'], ['ok', 'paper'], ['warn', 'warn-soft'], ['accent', 'accent-soft'],
];

describe('colour contrast of the stylesheet', () => {
  it('gives every text colour at least 4.5:1 on the backgrounds it is used on (WCAG AA)', () => {
    for (const [text, background] of TEXT_PAIRS) {
      const ratio = contrast(token(text), token(background));
      assert.ok(ratio >= 4.5, `--${text} on --${background} is ${ratio.toFixed(2)}:1`);
    }
  });

  it('keeps the focus ring and star colour visible against the page (3:1 for non-text)', () => {
    for (const [colour, background] of [['focus', 'canvas'], ['focus', 'paper'], ['star', 'paper']] as const) {
      const ratio = contrast(token(colour), token(background));
      assert.ok(ratio >= 3, `--${colour} on --${background} is ${ratio.toFixed(2)}:1`);
    }
  });
});
