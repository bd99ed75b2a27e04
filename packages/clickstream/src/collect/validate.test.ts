import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EventTexts } from './validate.js';

describe('EventTexts', () => {
  it('collects every free-text field of each event in order and names each by its JSON path', () => {
    const texts = new EventTexts();
    texts.add({ id: 'x', path: '/p', referrer: 'https://r.example/', utm: { source: 's', medium: 'm', campaign: 'c', term: 't', content: 'k' }, props: { productId: 'p1', query: 'linen' } }, 0);
    texts.add('not an event', 1);
    texts.add({ type: 'access_log', http: { route: '/api/products/:id', tier: 'api' }, props: { valueCents: 5 } }, 2);
    texts.add({ path: 42, utm: 'x', props: { query: null } }, 3);
    texts.add({ path: '/last' }, 12);
    assert.deepEqual(texts.texts, ['/p', 'https://r.example/', 's', 'm', 'c', 't', 'k', 'p1', 'linen', '/api/products/:id', '/last']);
    assert.deepEqual(
      texts.texts.map((_, position) => texts.fieldOf(position)),
      [
        'events[0].path',
        'events[0].referrer',
        'events[0].utm.source',
        'events[0].utm.medium',
        'events[0].utm.campaign',
        'events[0].utm.term',
        'events[0].utm.content',
        'events[0].props.productId',
        'events[0].props.query',
        'events[2].http.route',
        'events[12].path',
      ],
    );
  });
});
