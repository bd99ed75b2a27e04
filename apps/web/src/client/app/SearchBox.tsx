import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';

import { api } from '../lib/api';
import { formatCents } from '../lib/money';
import type { Suggestions } from '../lib/types';

/** Typing pauses this long before suggestions are asked for. */
const DEBOUNCE_MS = 150;

interface Option {
  key: string;
  label: string;
  detail: string;
  to: string;
}

function optionsOf(suggestions: Suggestions | undefined): Option[] {
  if (!suggestions) return [];
  return [
    ...suggestions.categories.map((category) => ({ key: `c${category.slug}`, label: category.name, detail: 'Category', to: `/?category=${encodeURIComponent(category.slug)}` })),
    ...suggestions.products.map((product) => ({
      key: `p${product.id}`,
      label: product.name,
      detail: `${product.categoryName}${product.priceFrom === null ? '' : ` · from ${formatCents(product.priceFrom)}`}`,
      to: `/products/${product.id}`,
    })),
  ];
}

/** The header search: a combobox that suggests categories and products while the shopper types. */
export function SearchBox() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const listId = useId();
  const [text, setText] = useState(params.get('q') ?? '');
  const [suggestions, setSuggestions] = useState<Suggestions | undefined>();
  const [isOpen, setIsOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const typed = useRef(false);
  useEffect(() => setText(params.get('q') ?? ''), [params]);

  useEffect(() => {
    const query = text.trim();
    if (!typed.current || query.length < 2) {
      setSuggestions(undefined);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<Suggestions>(`/api/search/suggestions?q=${encodeURIComponent(query)}`, { signal: controller.signal })
        .then((answer) => {
          setSuggestions(answer);
          setActive(-1);
        })
        .catch(() => undefined);
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text]);

  const options = optionsOf(suggestions);
  const isExpanded = isOpen && (options.length > 0 || suggestions?.correctedQuery != null);

  function close() {
    setIsOpen(false);
    setActive(-1);
    typed.current = false;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const chosen = options[active];
    close();
    if (chosen) return void navigate(chosen.to);
    const next = new URLSearchParams();
    if (text.trim()) next.set('q', text.trim());
    void navigate(`/${next.size ? `?${next}` : ''}`);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' && options.length > 0) {
      event.preventDefault();
      setIsOpen(true);
      setActive((current) => (current + 1) % options.length);
    } else if (event.key === 'ArrowUp' && options.length > 0) {
      event.preventDefault();
      setActive((current) => (current <= 0 ? options.length - 1 : current - 1));
    } else if (event.key === 'Escape') {
      close();
    }
  }

  return (
    <form className="search" role="search" onSubmit={submit}>
      <label htmlFor="site-search" className="visually-hidden">Search products</label>
      <input
        id="site-search"
        type="search"
        placeholder="Search jackets, dresses, denim…"
        autoComplete="off"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={isExpanded}
        aria-controls={listId}
        aria-activedescendant={isExpanded && active >= 0 ? `${listId}-${active}` : undefined}
        value={text}
        onChange={(e) => {
          typed.current = true;
          setIsOpen(true);
          setText(e.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(close, 150)}
      />
      <button type="submit" className="search__button" aria-label="Search">
        <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18"><path fill="currentColor" d="M10 4a6 6 0 1 0 3.87 10.59l4.27 4.27 1.41-1.41-4.27-4.27A6 6 0 0 0 10 4Zm0 2a4 4 0 1 1 0 8 4 4 0 0 1 0-8Z" /></svg>
      </button>
      <div className="search__popup" hidden={!isExpanded}>
        {suggestions?.correctedQuery && (
          <p className="search__correction">
            Did you mean{' '}
            <button type="button" className="link-button" onMouseDown={(e) => e.preventDefault()} onClick={() => { close(); void navigate(`/?q=${encodeURIComponent(suggestions.correctedQuery ?? '')}`); }}>
              {suggestions.correctedQuery}
            </button>
            ?
          </p>
        )}
        <ul id={listId} role="listbox" aria-label="Suggestions" className="search__suggestions">
          {options.map((option, index) => (
            <li
              key={option.key}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className="search__option"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => {
                close();
                void navigate(option.to);
              }}
            >
              <span className="search__option-label">{option.label}</span>
              <span className="search__option-detail">{option.detail}</span>
            </li>
          ))}
        </ul>
      </div>
    </form>
  );
}
