/**
 * Generates the legitimate side of the corpus: requests real customers, sellers, marketers and
 * admins of a clothing shop send, with the text that trips naive WAFs — names with apostrophes
 * and quotes, "select your size", "Union Jack", "drop-shoulder", measurements in inches ("),
 * code-like text and SQL words in reviews, SQL typed into the admin console by an admin, e-mail
 * addresses, URLs, nested JSON at checkout, analytics beacons and file uploads. A seeded
 * generator makes the same requests on every run.
 */
import type { CorpusRequest } from './corpus.js';

type Draft = Omit<CorpusRequest, 'id' | 'kind'>;

/** mulberry32: small, fast, seeded — the corpus must not change between runs. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Siobhán", 'Renée', 'Zoë', 'José', 'Mary-Jane', 'Dmitri', 'Aoife', 'Chloé', 'Björn', 'Amara', 'Kwame', 'Li Wei', 'Priya', 'Sam', 'Ngozi', 'Élodie', 'Seán', 'Jürgen', 'Ana Lúcia', 'Tom'];
const LAST = ["O'Brien", "D'Angelo", "O'Neill", 'Smith-Jones', "N'Diaye", 'van der Berg', "d'Artagnan", "McDonald's", 'Select', 'Union', 'Drop', 'Grant', 'Exec', 'Delete', 'Null', 'Order', 'Bashir', 'Castillo', 'Kowalski', 'García'];
const DOMAINS = ['example.com', 'mail.example.org', 'shop-customer.co.uk', 'uni.example.edu', 'example.ie'];
const SEARCHES = [
  'union jack t-shirt', 'select fit jeans', 'drop-shoulder sweater', 'drop shoulder hoodie', 'levi\'s 501', "women's raincoat", 'men\'s "slim" chinos',
  'size 10 & 12', 'black or navy', 'red and white', 'cotton <50% polyester', '100% merino', 'tee 2 for 1', 'order by price', 'where is my order',
  'kids 7-8 years', "o'neill jacket", 'script font hoodie', 'alert orange parka', 'table linen', 'insert soles', 'update sneakers', 'delete account',
  'sleep shorts', 'null pointer tee', 'drop table lamp', 'javascript mug', 'cat print dress', 'id bracelet', 'echo dot case', 'ping pong shorts',
  'curl bar', 'bash cap', '5 in 1 set', '32" waist', "6' scarf", 'a-line skirt', 'café au lait cardigan', 'linen/cotton blend', 'set of 3 socks',
  'vintage 90s', 'c&a', 'h&m', 'marks & spencer', '#throwback', '@home loungewear', 'sale -50%', 'price < 20', 'jumper (wool)', '{new} arrivals',
];
const REVIEW_PARTS = [
  "Fits true to size. I'm 5'9\" and the M is perfect.",
  'Select a size up if you are between sizes — the drop-shoulder cut runs small.',
  'The Union Jack print faded after two washes; otherwise good.',
  'Ordered the "navy" but it is closer to black. Still 4/5.',
  'As a developer I love the <code> tee: `console.log("hello")` printed on the back!',
  'My husband said "SELECT * FROM compliments" when he saw it. Nerd approved.',
  "Bought it for my daughter's school trip; she says it's 'lit'.",
  'Delivery was quick (2 days) & the packaging was 100% recyclable.',
  'Runs large: 38" chest fits like a 40". Drop one size.',
  'Great for layering; the fabric is 60% cotton / 40% polyester.',
  'Not bad — not great. 3 stars. Colour = as pictured; stitching so-so.',
  'Returned it :( the zip broke on day one. Customer service was lovely though.',
  'I wear it to the office and to the gym -> very versatile.',
  'The label says "hand wash only" and they mean it!!!',
  'Used code WELCOME10 at checkout, saved £4.50. Happy.',
  'Is it me or does 1=1 on the back look like a maths joke? Love it.',
  'Order #48213 arrived with the wrong size, exchange took a week.',
  "My go-to tee — I've got five now (white, black, grey, 'oatmeal' & sage).",
  'Would be 5/5 if the sleeves were 2cm longer; otherwise perfect.',
  'The model is 6\'1" wearing L; I\'m 6\'0" and L fits the same.',
  'Washed at 30°C, no shrinkage. Iron on low; don\'t tumble dry.',
  "Pair it with the 'drop' earrings from the same collection <3",
  'A little see-through in white; get the black one or wear a vest underneath.',
  'Perfect gift. Wrapped nicely & the note said "Happy birthday, Dad!"',
  'I script my outfits for the week and this fits every plan.',
  'The hoodie strings are 1/2 inch too short to tie. Minor gripe.',
  'Good value: €29.99 vs €60 elsewhere. Select this over the premium one.',
  'Kids love it; survived mud, grass stains and a 40° wash.',
  'Printed text reads "<hello world/>" — cute for a programmer!',
  'Do NOT drop it in the dryer, learned the hard way...',
];
const PRODUCT_COPY = [
  'Relaxed drop-shoulder sweatshirt in brushed cotton. Model is 6\'1" and wears size M.',
  'Union Jack graphic tee — 100% organic cotton; print: water-based inks.',
  'Select-fit chinos with 32" and 34" leg lengths. Machine wash at 30°.',
  'Wrap dress (viscose/linen 70/30) with a tie waist & pockets.',
  'Waterproof parka: 10,000mm hydrostatic head; taped seams; 2-way zip.',
  'Kids\' rain set — jacket + trousers; reflective strips for dark mornings.',
  'Merino crew-neck jumper. Care: hand wash < 30°C; dry flat.',
  'The "Weekender" tote: 45 x 35 x 15 cm; holds a 15" laptop.',
  'Printed with `npm install happiness` on the chest. Unisex sizes XS-3XL.',
  'Limited run (only 200 made) — when they are gone, they are gone.',
  'Sizes: S (36"), M (38-40"), L (42"), XL (44-46"). Select your usual size.',
  'Colourways: black/white, navy & "sea salt". Made in Portugal.',
  'Features: 2 side pockets; 1 inside pocket; adjustable cuffs.',
  'Bestseller since 2019. Fabric weight: 180 g/m²; pre-shrunk.',
  'Drop 1: autumn/winter collection — order by 20 Dec for Christmas delivery.',
];
const STREETS = ["12 O'Connell Street", '3 Rue de l\'Église', 'Flat 4, 221b Baker St.', '1600 Amphitheatre Pkwy', 'Apt. #5, 10 Downing Way', 'Unit 7 / 33 Harbour Rd'];
const CITIES = ['Dublin', 'London', 'Paris', "Saint-Jean-d'Angély", 'New York', 'Zürich', 'Kraków'];
const ADMIN_QUERIES = [
  'SELECT * FROM sales LIMIT 5',
  'SELECT order_id, total_minor FROM sales WHERE created_at >= DATE \'2026-11-01\' ORDER BY total_minor DESC LIMIT 20',
  'SELECT channel, count(*) AS visits FROM clickstream GROUP BY channel ORDER BY visits DESC',
  "SELECT product_id, avg(rating) FROM reviews WHERE body ILIKE '%size%' GROUP BY 1 HAVING count(*) > 3",
  'select date_trunc(\'day\', created_at) as day, sum(total_minor)/100.0 as revenue from sales group by 1 order by 1',
  "SELECT * FROM sales s JOIN customers c ON c.id = s.customer_id WHERE c.country = 'IE' LIMIT 100",
  'SELECT region, count(DISTINCT customer_id) FROM sales WHERE status <> \'cancelled\' GROUP BY region',
  'WITH t AS (SELECT customer_id, sum(total_minor) AS spend FROM sales GROUP BY 1) SELECT * FROM t WHERE spend > 10000 ORDER BY spend DESC LIMIT 50',
  "SELECT count(*) FROM clickstream WHERE event = 'page_view' AND path LIKE '/products/%'",
  'SELECT product_id, sum(quantity) AS units FROM order_items GROUP BY product_id ORDER BY units DESC LIMIT 10 -- best sellers',
  'SELECT 1',
  "SELECT utm_source, utm_campaign, count(*) FROM clickstream WHERE utm_source IS NOT NULL GROUP BY 1, 2",
  'SELECT * FROM information_schema.tables',
  'select version()',
  'SELECT CAST(created_at AS DATE) d, count(*) FROM sales GROUP BY d UNION ALL SELECT NULL, count(*) FROM sales',
];
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
];
const REFERERS = ['https://shop.example.com/', 'https://www.google.com/', 'https://shop.example.com/products?q=union+jack', 'https://l.instagram.com/?u=https%3A%2F%2Fshop.example.com%2Fp%2F12&e=AT0', 'https://shop.example.com/c/womens/dresses?size=M&sort=price_asc'];
const PAGES = ['/', '/products', '/products/1234', '/products/crew-neck-tee-organic', '/c/womens/dresses', '/c/mens/knitwear?size=L', '/cart', '/checkout', '/account/orders', '/account/orders/98765', '/assets/index-4f9a1c2b.js', '/assets/index-7d1e0b33.css', '/assets/logo-3a2b1c.svg', '/media/images/3f2a9c-640.webp', '/favicon.ico', '/robots.txt', '/sitemap.xml', '/.well-known/security.txt', '/admin/insights', '/admin/query', '/seller/products/77/edit', '/search?q=union+jack&page=2'];

/** Builds `count` legitimate requests from `seed`. */
export function generateLegitTraffic(options: { count: number; seed: number }): Draft[] {
  const random = seeded(options.seed);
  const pickOne = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T; // index < length: never undefined
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const name = (): string => `${pickOne(FIRST)} ${pickOne(LAST)}`;
  const email = (who: string): string => `${who.toLowerCase().normalize('NFD').replace(/[^a-z'-]+/g, '.').replace(/^\.|\.$/g, '')}+${int(1, 99)}@${pickOne(DOMAINS)}`;
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'user-agent': pickOne(UAS),
    accept: 'application/json, text/plain, */*',
    'accept-language': pickOne(['en-GB,en;q=0.9', 'fr-FR,fr;q=0.8,en;q=0.5', 'de-CH,de;q=0.9', 'en-US,en;q=0.9']),
    referer: pickOne(REFERERS),
    cookie: `tl_session=${'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456-_'.slice(int(0, 2), 43 + int(0, 2)).padEnd(43, 'x').slice(0, 43)}; tl_consent=analytics%3Dyes%26ads%3Dno`,
    ...extra,
  });
  const json = (method: string, url: string, body: unknown, category: string): Draft => ({
    category,
    method,
    url,
    headers: headers({ 'content-type': 'application/json', 'x-csrf-token': 'q1w2e3r4t5y6u7i8o9p0' }),
    body: JSON.stringify(body),
  });
  const get = (url: string, category: string): Draft => ({ category, method: 'GET', url, headers: headers() });
  const makers: Array<() => Draft> = [
    () => get(`/api/products?q=${encodeURIComponent(pickOne(SEARCHES))}&page=${int(1, 5)}`, 'search'),
    () => get(`/search?q=${encodeURIComponent(pickOne(SEARCHES)).replaceAll('%20', '+')}`, 'search'),
    () => get(pickOne(PAGES), 'browse'),
    () => get(`/api/products/${int(1, 5000)}/reviews?page=${int(1, 3)}&sort=${pickOne(['newest', 'rating_desc', 'helpful'])}`, 'browse'),
    () => get(`/api/products?category=${pickOne(['womens-dresses', 'mens-knitwear', 'kids'])}&size=${pickOne(['XS', 'M', 'L', '10', '32W-32L'])}&colour=${encodeURIComponent(pickOne(['red', 'navy/white', 'off-white', 'sea salt']))}`, 'browse'),
    () => {
      const parts = Array.from({ length: int(1, 3) }, () => pickOne(REVIEW_PARTS));
      return json('POST', `/api/products/${int(1, 5000)}/reviews`, { rating: int(1, 5), title: (parts[0] ?? '').slice(0, 60), body: parts.join(' ') }, 'review');
    },
    () => json('PUT', `/api/seller/products/${int(1, 900)}`, { name: pickOne(PRODUCT_COPY).split(/[.;:—]/)[0]?.slice(0, 60), description: `${pickOne(PRODUCT_COPY)} ${pickOne(PRODUCT_COPY)}`, priceMinor: int(999, 19999), tags: [pickOne(['union jack', 'drop-shoulder', 'select', 'new in']), 'cotton'] }, 'product'),
    () => json('PATCH', '/api/account', { name: name(), marketingOptIn: random() > 0.5, website: pickOne(['https://my-blog.example.com/about?ref=shop', 'http://portfolio.example.org/~jane', '']) }, 'account'),
    () => {
      const who = name();
      return json('POST', '/api/auth/signup', { name: who, email: email(who), password: "S3lect*From'Users\"--" }, 'login');
    },
    () => json('POST', '/api/auth/login', { email: email(name()), password: 'correct horse; battery <staple>' }, 'login'),
    () => {
      const who = name();
      return json('POST', '/api/orders', {
        items: Array.from({ length: int(1, 4) }, () => ({ variantId: int(1, 9999), quantity: int(1, 3) })),
        shipping: { name: who, line1: pickOne(STREETS), line2: pickOne(['', 'c/o Reception', "Building 'B'"]), city: pickOne(CITIES), postalCode: pickOne(['D02 X285', 'SW1A 1AA', '75008', '10001', '8001']), country: pickOne(['IE', 'GB', 'FR', 'US', 'CH']), phone: '+353 1 234 5678' },
        giftMessage: pickOne(['', 'Happy birthday! x', "Don't open till Christmas :)", 'For Mum & Dad <3']),
        metadata: { source: 'web', experiment: { id: 'checkout-v2', arm: pickOne(['a', 'b']) } },
      }, 'checkout');
    },
    () => json('POST', '/api/cart/items', { variantId: int(1, 9999), quantity: int(1, 5), note: pickOne(['', 'gift wrap please', 'size: M (UK 10-12)']) }, 'checkout'),
    () => ({ ...json('POST', '/api/admin/query', { sql: pickOne(ADMIN_QUERIES), limit: pickOne([100, 1000]) }, 'admin-query'), role: 'admin' }),
    () => json('PATCH', `/api/admin/users/${int(1, 500)}`, { role: pickOne(['customer', 'seller', 'marketing']) }, 'admin'),
    () => get(`/api/admin/audit?action=${pickOne(['login', 'role_change', 'export'])}&limit=50`, 'admin'),
    () => get(`/api/insights/sales?from=2026-11-01&to=2026-11-30&granularity=${pickOne(['day', 'week'])}`, 'analytics'),
    () => ({
      category: 'analytics',
      method: 'POST',
      url: '/collect',
      headers: headers({ 'content-type': 'text/plain;charset=UTF-8' }),
      body: JSON.stringify({ events: [{ type: 'page_view', path: pickOne(PAGES), referrer: pickOne(REFERERS), utm: { source: 'newsletter', campaign: "black-friday'26", content: 'drop-shoulder' }, ts: 1764806400000 + int(0, 1e6) }] }),
    }),
    () => {
      const boundary = `----WebKitFormBoundary${int(100000, 999999)}`;
      const csv = 'respondent,channel,answer\n1,instagram,"I saw the ""Union Jack"" ad"\n2,search,select fit jeans\n';
      return {
        category: 'upload',
        method: 'POST',
        url: pickOne(['/api/admin/survey/uploads', '/api/seller/products/12/images']),
        headers: headers({ 'content-type': `multipart/form-data; boundary=${boundary}` }),
        body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="survey-nov.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`,
      };
    },
    () => ({
      category: 'contact',
      method: 'POST',
      url: '/api/contact',
      headers: headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams({ name: name(), email: email(name()), message: `${pickOne(REVIEW_PARTS)} Order ref: #${int(10000, 99999)}; see https://shop.example.com/account/orders/${int(1, 99999)}` }).toString(),
    }),
  ];
  return Array.from({ length: options.count }, (_, index) => (makers[index % makers.length] as () => Draft)()); // index mod length: in range
}
